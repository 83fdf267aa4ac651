// The sandbox's retries key (issue 16): with a service selected, `Y` turns
// the retries of its calls off (and on again), live, as `retries` operator
// actions; U undoes; W writes a design that, run again, gives the same
// figures. Scripted key presses, no window (the viz
// suite runs under `xvfb-run -a` with the render tests).
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

// api calls a backend that fails 30% of its visits, with up to 3 retries; 40 s.
const char* kRetryScenario = R"(name: retries-sandbox
seed: 9
duration: 40s
traffic:
  - {name: users, to: api, rate: 300/s}
components:
  api:
    kind: service
    workers: 500
    steps:
      - call: backend
        retry: {max: 3, backoff: constant, base: 10ms}
  backend:
    kind: service
    workers: 500
    steps: [{work: 5ms}]
faults:
  - {at: 0s, errors: backend, p: 30%, for: 60s}
)";

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE(
      "sandbox: Y turns a service's retries off and on live; U undoes; W writes a design that "
      "reproduces the run") {
    test::LiveSandbox sb("retries", kRetryScenario);
    Controller& ctl = sb.ctl;
    LiveRun& live = sb.live;
    Playback* pb = sb.pb;
    ctl.select(1);  // backend: makes no call
    ctl.seek(2);
    test::press(ctl, sf::Keyboard::Y);
    CHECK(ctl.state().status.find("backend makes no call with 'retry:'") != std::string::npos);
    ctl.select(0);
    test::press(ctl, sf::Keyboard::Y);  // off at 2 s
    CHECK(ctl.state().status.find("api: retries off") != std::string::npos);
    ctl.seek(8);
    test::press(ctl, sf::Keyboard::Y);  // back on at 8 s
    CHECK(ctl.state().status.find("api: retries back on") != std::string::npos);
    ctl.seek(12);
    test::press(ctl, sf::Keyboard::U);  // undo the last: off again at 12 s
    CHECK(ctl.state().status.find("undone: api back to retries off") != std::string::npos);
    REQUIRE(ctl.sandbox());
    CHECK(ctl.sandbox()->changes().size() == 3);
    int actions = 0;
    for (const Note& n : pb->notes()) actions += n.kind == "action" && n.what == "retries";
    CHECK(actions == 3);
    ctl.seek(40);
    REQUIRE(live.done());
    REQUIRE(live.result());
    const std::string text = sb.write_design();
    INFO(text);
    CHECK(text.find("{at: 2s, retries: api, enabled: false}") != std::string::npos);
    CHECK(text.find("{at: 8s, retries: api, enabled: true}") != std::string::npos);
    CHECK(text.find("{at: 12s, retries: api, enabled: false}") != std::string::npos);
    // The design's run (retries on throughout) gives other figures.
    sb.check_reproduces();
  }
}

#endif  // ARCHSIM_WITH_VIEW
