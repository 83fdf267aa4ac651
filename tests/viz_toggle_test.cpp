// The sandbox's resilience keys (issue 16): with a component selected, `B`
// turns the breakers of a service's calls off (and on again), `O` their
// timeouts, `C` its concurrency limit, `D` its queue deadline, `H` a
// balancer's health check, live, as `disable` / `enable` operator actions;
// U undoes; W writes a design that, run again, gives the same figures. Scripted key presses, no window (the
// viz suite runs under `xvfb-run -a` with the render tests).
#ifdef ARCHSIM_WITH_VIEW

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/simulation.hpp"

#include "../viz/controller.hpp"
#include "../viz/live.hpp"
#include "../viz/playback.hpp"
#include "../viz/sandbox.hpp"
#include "viz_keys.hpp"

using namespace archsim;
using namespace archsim::viz;

namespace {

// A balancer with a health check in front of api, whose calls to a flaky
// backend (30% of visits fail) have a breaker and a timeout; api has a
// concurrency limit and a queue deadline. One api replica is down from 5 s.
const char* kToggleScenario = R"(name: toggle-sandbox
seed: 9
duration: 40s
traffic:
  - {name: users, to: edge, rate: 300/s}
components:
  edge:
    kind: load_balancer
    to: api
    health_check: {interval: 2s, timeout: 1s, failures: 2}
  api:
    kind: service
    replicas: 3
    workers: 200
    queue_deadline: 50ms
    concurrency_limit: {target_latency: 50ms, min: 4, max: 200, initial: 100}
    steps:
      - call: backend
        timeout: 30ms
        breaker: {consecutive: 3, open_for: 2s}
  backend:
    kind: service
    workers: 500
    service_time: exp(10ms)
faults:
  - {at: 0s, errors: backend, p: 30%, for: 60s}
  - {at: 5s, kill: api, replicas: 1, for: 20s}
)";

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE(
      "sandbox: B O C D H turn a breaker, a timeout, a concurrency limit, a queue deadline and a health "
      "check off and on live; U undoes; W writes a design that reproduces the run") {
    test::LiveSandbox sb("toggle", kToggleScenario);
    Controller& ctl = sb.ctl;
    LiveRun& live = sb.live;
    Playback* pb = sb.pb;
    const auto said = [&](const std::string& words) {
      INFO(ctl.state().status);
      CHECK(ctl.state().status.find(words) != std::string::npos);
    };
    ctl.select(2);  // backend: makes no call, has no limit
    ctl.seek(1);
    test::press(ctl, sf::Keyboard::B);
    said("backend makes no call with 'breaker:': B turns");
    test::press(ctl, sf::Keyboard::C);
    said("backend has no 'concurrency_limit:'");
    ctl.select(1);  // api
    test::press(ctl, sf::Keyboard::H);
    said("api has no 'health_check:'");
    test::press(ctl, sf::Keyboard::B);  // off at 1 s
    said("api: breakers off");
    ctl.seek(3);
    test::press(ctl, sf::Keyboard::O);  // off at 3 s
    said("api: timeouts off");
    test::press(ctl, sf::Keyboard::C);
    said("api: concurrency limit off");
    test::press(ctl, sf::Keyboard::D);
    said("api: queue deadline off");
    ctl.select(0);  // edge
    ctl.seek(4);
    test::press(ctl, sf::Keyboard::H);  // off at 4 s, before the kill
    said("edge: health check off");
    ctl.seek(15);
    test::press(ctl, sf::Keyboard::H);  // back on at 15 s
    said("edge: health check back on");
    ctl.select(1);
    test::press(ctl, sf::Keyboard::B);  // back on at 15 s
    said("api: breakers back on");
    ctl.seek(20);
    test::press(ctl, sf::Keyboard::U);  // undo the last: breakers off again at 20 s
    said("undone: api back to breakers off");
    REQUIRE(ctl.sandbox());
    CHECK(ctl.sandbox()->changes().size() == 8);
    int actions = 0;
    for (const Note& n : pb->notes())
      actions += n.kind == "action" && (n.what == "disable" || n.what == "enable");
    CHECK(actions == 8);
    ctl.seek(40);
    REQUIRE(live.done());
    REQUIRE(live.result());
    const std::string text = sb.write_design();
    INFO(text);
    for (const char* entry :
         {"{at: 1s, disable: breaker, on: api}", "{at: 3s, disable: timeout, on: api}",
          "{at: 3s, disable: concurrency_limit, on: api}", "{at: 3s, disable: queue_deadline, on: api}",
          "{at: 4s, disable: health_check, on: edge}", "{at: 15s, enable: health_check, on: edge}",
          "{at: 15s, enable: breaker, on: api}", "{at: 20s, disable: breaker, on: api}"})
      CHECK(text.find(entry) != std::string::npos);
    // The design's run (every feature on throughout) gives other figures.
    sb.check_reproduces();
  }
}

TEST_SUITE("viz") {
  TEST_CASE("details panel: the workers at the moment viewed, not the design's, after a resize") {
    const ScenarioSpec spec = load_scenario_text(R"(name: resized-panel
duration: 40s
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api: {kind: service, workers: 4, service_time: const(10ms)}
faults:
  - {at: 20s, resize: api, workers: 12}
)",
                                                 "resized.yaml");
    Playback* pb = nullptr;
    LiveRun live(spec, pb);
    live.run_to(40, 60);
    REQUIRE(live.done());
    CHECK(pb->header().components[0].workers == 4);  // the design's
    CHECK(pb->workers_at(0, 10) == 4);
    CHECK(pb->workers_at(0, 19) == 4);
    CHECK(pb->workers_at(0, 21) == 12);
    CHECK(pb->workers_at(0, 39) == 12);
  }
}

#endif  // ARCHSIM_WITH_VIEW
