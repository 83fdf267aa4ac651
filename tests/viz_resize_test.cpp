// The sandbox's workers and instance keys (issue 16): `.` / `,` resize a
// service's workers, `I` / shift+I its instance size, live, as `resize`
// operator actions; U undoes; W writes a design that, run again, gives the
// same figures. Scripted key presses, no window (the viz suite runs under
// `xvfb-run -a` with the render tests).
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

// An API short of workers from the start; 40 s.
const char* kShortScenario = R"(name: resize-sandbox
seed: 9
duration: 40s
traffic:
  - name: users
    to: api
    rate: 300/s
components:
  api:
    kind: service
    replicas: 1
    instance: m6i.large
    workers: 24
    steps:
      - work: exp(100ms)
  db:
    kind: database
    workers: 8
    queries:
      read: exp(5ms)
slo:
  latency_p99: 500ms
)";

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE("sandbox: . , I and shift+I resize live; U undoes; W writes a design that reproduces the run") {
    test::LiveSandbox sb("resize", kShortScenario);
    Controller& ctl = sb.ctl;
    LiveRun& live = sb.live;
    Playback* pb = sb.pb;
    ctl.select(0);  // api: m6i.large, 24 workers
    ctl.seek(5);
    test::press(ctl, sf::Keyboard::Period);  // 24 -> 30 workers at 5 s
    CHECK(ctl.state().status.find("api: m6i.large, 24 workers -> m6i.large, 30 workers") !=
          std::string::npos);
    ctl.seek(10);
    test::press(ctl, sf::Keyboard::I);  // m6i.large -> m6i.xlarge: 30 -> 60 workers at 10 s
    CHECK(ctl.state().status.find("-> m6i.xlarge, 60 workers") != std::string::npos);
    ctl.seek(15);
    test::press(ctl, sf::Keyboard::I);  // -> m6i.2xlarge, 120 workers at 15 s
    ctl.seek(20);
    test::press(ctl, sf::Keyboard::U);  // undo: back to m6i.xlarge, 60 workers at 20 s
    CHECK(ctl.state().status.find("undone: api back to m6i.xlarge, 60 workers") != std::string::npos);
    ctl.seek(25);
    test::press(ctl, sf::Keyboard::Comma);    // 60 -> 45 at 25 s
    ctl.select(1);                            // db: no instance named, 8 workers (db.r6g.xlarge fits them)
    test::press(ctl, sf::Keyboard::I, true);  // one size down: db.r6g.large, 4 workers
    CHECK(ctl.state().status.find("db: db.r6g.xlarge, 8 workers -> db.r6g.large, 4 workers") !=
          std::string::npos);
    test::press(ctl, sf::Keyboard::I, true);  // already the smallest: nothing applied
    CHECK(ctl.state().status.find("smallest size") != std::string::npos);
    REQUIRE(ctl.sandbox());
    CHECK(ctl.sandbox()->changes().size() == 6);
    int actions = 0;
    for (const Note& n : pb->notes()) actions += n.kind == "action" && n.what == "resize";
    CHECK(actions == 6);
    ctl.seek(40);
    REQUIRE(live.done());
    REQUIRE(live.result());
    // The last resize is what the run ends with.
    CHECK(live.result()->components.at(0).workers == 45);
    CHECK(live.result()->components.at(1).workers == 4);
    const std::string text = sb.write_design();
    INFO(text);
    CHECK(text.find("{at: 5s, resize: api, workers: 30}") != std::string::npos);
    CHECK(text.find("{at: 10s, resize: api, instance: m6i.xlarge}") != std::string::npos);
    CHECK(text.find("{at: 20s, resize: api, instance: m6i.xlarge, workers: 60}") != std::string::npos);
    CHECK(text.find("{at: 25s, resize: db, instance: db.r6g.large}") != std::string::npos);
    sb.check_reproduces();
  }
}

#endif  // ARCHSIM_WITH_VIEW
