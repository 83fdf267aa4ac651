// The root cause between a link and a component (issue 16): a platform link
// that saturates first, then the component whose calls cross it queues
// behind it. The explanation names the link, not the component that waits
// on it. Simgrid backend (skipped without it).
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>
#include <vector>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "report/explain.hpp"

using namespace archsim;

namespace {

// Two regions joined by one 8 Mbit/s link (1 MB/s each way). Each request
// to `app` brings 30 KB back from `store` across it: 40/s x 30 KB =
// 1.2 MB/s asked of 1 MB/s, so the link saturates within seconds (rho =
// lambda B / C = 1.2). `app` holds a worker while its call crosses the link:
// its 24 workers fill as the transfers slow down, and then its queue grows.
// Every host's CPU idles (store: 40/s x 2 ms / 8 cores = 1%).
const char* kLinkThenApp = R"(name: link-then-app
seed: 3
duration: 60s
backend: simgrid
platform:
  regions:
    east:
      zones:
        east-a:
          hosts:
            app-1: {cores: 8}
    west:
      hosts:
        store: {cores: 8}
  routes:
    - {between: [east, west], bandwidth: 8Mbps, latency: 20ms}
traffic:
  - {name: users, to: app, rate: 40/s, from: east, timeout: 10s}
components:
  app:
    kind: service
    workers: 24
    hosts: [app-1]
    steps:
      - work: exp(2ms)
      - {call: store, request: 1KB, response: 30KB}
  store:
    kind: service
    workers: 16
    hosts: [store]
    service_time: exp(2ms)
slo:
  latency_p99: 500ms
)";

struct Keep : Observer {
  std::vector<Tick> ticks;
  void on_tick(const Tick& t) override { ticks.push_back(t); }
};

}  // namespace

TEST_SUITE("simgrid") {
  TEST_CASE("explain: a link that saturates first is named, not the component that queues behind it") {
    if (!simgrid_available()) {
      archsim::test::skip("built without SimGrid: the platform backend is not there");
      return;
    }
    const ScenarioSpec spec = load_scenario_text(kLinkThenApp, "link.yaml");
    Simulation sim(spec);
    Keep keep;
    sim.add_observer(&keep);
    const RunResult& r = sim.run();
    const report::Explanation x = report::explain(spec, r, keep.ticks, sim.edges(), report::faults_of(r));
    INFO(x.headline);
    // Both saturated: the link first, then app (its workers held by calls across it).
    REQUIRE_FALSE(x.saturated_links.empty());
    REQUIRE_FALSE(x.saturated.empty());
    CHECK(x.saturated.front().name == "app");
    CHECK(x.saturated_links.front().at <= x.saturated.front().at);
    CHECK(x.link_root);
    CHECK(x.headline.find("the link east/west") != std::string::npos);
    CHECK(x.headline.find("app (") == std::string::npos);             // app is not named as the cause
    CHECK(x.headline.find("app's queue grew") != std::string::npos);  // but its queue, behind the link
  }
}
