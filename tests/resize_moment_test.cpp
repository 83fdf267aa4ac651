// After a `resize` (or a `scale`) the run's own workers and replicas are the
// end's; what is said about a moment says the value at that moment (issue
// 16): the explanation's "api (2 workers) saturated at ..." and the view's
// details panel (Playback::workers_at, the `workers` tick figure).
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>
#include <vector>

#include "archsim/figures.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "report/explain.hpp"

using namespace archsim;

namespace {

// 300 requests/s on 2 workers of 10 ms (200/s): saturated from the start
// until the resize to 8 workers at 60 s (800/s) drains it; a second replica
// at 90 s.
const char* kResized = R"(name: resized-moment
seed: 3
duration: 120s
slo: {latency_p99: 100ms}
traffic:
  - {name: users, to: api, rate: 300/s}
components:
  api:
    kind: service
    workers: 2
    service_time: const(10ms)
faults:
  - {at: 60s, resize: api, workers: 8}
  - {at: 90s, scale: api, replicas: 2}
)";

struct Keep : Observer {
  std::vector<Tick> ticks;
  void on_tick(const Tick& t) override { ticks.push_back(t); }
};

/// A run with its ticks kept, and its explanation.
struct Explained {
  RunResult r;
  std::vector<Tick> ticks;
  report::Explanation x;
};
Explained run_explained(const ScenarioSpec& spec) {
  Simulation sim(spec);
  Keep keep;
  sim.add_observer(&keep);
  Explained e{sim.run(), {}, {}};
  e.x = report::explain(spec, e.r, keep.ticks, sim.edges(), report::faults_of(e.r));
  e.ticks = std::move(keep.ticks);
  return e;
}

double workers_in(const Tick& t) {
  for (const Figure& f : t.components[0].figures)
    if (f.name == fig::kWorkersNow) return f.value;
  return -1;  // absent: the design's
}

}  // namespace

TEST_CASE("resize: the headline names the workers when the component saturated, not the end's") {
  const Explained e = run_explained(load_scenario_text(kResized, "resized.yaml"));
  const report::Explanation& x = e.x;
  CHECK(e.r.components[0].workers == 8);  // the end's
  CHECK(e.r.components[0].replicas == 2);
  INFO(x.headline);
  REQUIRE_FALSE(x.saturated.empty());
  CHECK(x.saturated.front().at < 60);
  CHECK(x.headline.find("api (2 workers) saturated at") != std::string::npos);
  // The tick figure: absent before the resize, 8 from the tick that holds it.
  REQUIRE(e.ticks.size() > 100);
  for (const Tick& t : e.ticks) {
    if (t.t <= 59) CHECK(workers_in(t) == -1);
    if (t.t >= 61) CHECK(workers_in(t) == 8);
  }
}

TEST_CASE("kill: the headline names the replicas serving when the component saturated, not the design's") {
  // 3 replicas x 2 workers of 10 ms carry 600/s; 450/s is 75% of that. Two
  // replicas are killed at 30 s for 60 s: the one left carries 200/s and
  // saturates. The run's replicas are the design's 3; the headline must
  // say the 1 serving then (the tick's `replicas` figure), as it does for
  // a `scale` action and as an autoscaler's replicas are reported.
  const ScenarioSpec spec = load_scenario_text(R"(name: killed-moment
seed: 3
duration: 120s
slo: {latency_p99: 100ms}
traffic:
  - {name: users, to: api, rate: 450/s}
components:
  api:
    kind: service
    replicas: 3
    workers: 2
    service_time: const(10ms)
faults:
  - {at: 30s, kill: api, replicas: 2, for: 60s}
)",
                                               "killed.yaml");
  const Explained e = run_explained(spec);
  const report::Explanation& x = e.x;
  CHECK(e.r.components[0].replicas == 3);
  INFO(x.headline);
  REQUIRE_FALSE(x.saturated.empty());
  CHECK(x.saturated.front().at >= 30);
  CHECK(x.saturated.front().at < 40);
  CHECK(x.headline.find("api (2 workers) saturated at") != std::string::npos);
  CHECK(x.headline.find("3 replicas") == std::string::npos);
}
