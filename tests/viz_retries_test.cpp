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
    const auto dir =
        std::filesystem::temp_directory_path() / ("archsim-retries-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "retries.yaml").string();
    { std::ofstream(file) << kRetryScenario; }
    const ScenarioSpec spec = load_scenario(file);
    Playback* pb = nullptr;
    LiveRun live(spec, pb);
    Controller::Setup setup;
    setup.pb = pb;
    setup.file = file;
    setup.live = &live;
    setup.out_dir = dir.string();
    Controller ctl(setup);
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
    test::press(ctl, sf::Keyboard::W);
    REQUIRE_FALSE(ctl.written().empty());
    std::ifstream in(ctl.written());
    std::stringstream text;
    text << in.rdbuf();
    INFO(text.str());
    CHECK(text.str().find("{at: 2s, retries: api, enabled: false}") != std::string::npos);
    CHECK(text.str().find("{at: 8s, retries: api, enabled: true}") != std::string::npos);
    CHECK(text.str().find("{at: 12s, retries: api, enabled: false}") != std::string::npos);
    const ScenarioSpec again = load_scenario(ctl.written());
    Simulation sim(again);
    const RunResult& r = sim.run();
    CHECK(to_json_deterministic(r).dump() == to_json_deterministic(*live.result()).dump());
    // The design's run (retries on throughout) gives other figures.
    Simulation plain(spec);
    CHECK(to_json_deterministic(plain.run()).dump() != to_json_deterministic(r).dump());
    std::filesystem::remove_all(dir);
  }
}

#endif  // ARCHSIM_WITH_VIEW
