// The sandbox's cache keys (issue 16): with a keyed cache (or a cdn)
// selected, `]` / `[` give it a quarter more or fewer entries, live, as
// `cache_size` operator actions; U undoes; W writes a design that, run
// again, gives the same figures. Scripted key presses, no window (the viz
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

// Cache-aside over 10k keys, the cache holding 2000 of them; 40 s.
const char* kCacheScenario = R"(name: cache-sandbox
seed: 9
duration: 40s
traffic:
  - name: users
    to: api
    rate: 500/s
components:
  api:
    kind: service
    workers: 500
    steps:
      - call: cache
        on_miss: [{call: db}]
  cache:
    kind: cache
    keys: 10k
    popularity: zipf(1.0)
    capacity: 2000
  db:
    kind: database
    queries:
      read: exp(5ms)
)";

double entries(const RunResult& r) {
  for (const Figure& f : r.components.at(1).figures)
    if (f.name == "entries") return f.value;
  FAIL("the cache has no entries figure");
  return 0;
}

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE(
      "sandbox: ] and [ change a keyed cache's entries live; U undoes; W writes a design that "
      "reproduces the run") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("archsim-cache-size-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string file = (dir / "cache.yaml").string();
    { std::ofstream(file) << kCacheScenario; }
    const ScenarioSpec spec = load_scenario(file);
    Playback* pb = nullptr;
    LiveRun live(spec, pb);
    Controller::Setup setup;
    setup.pb = pb;
    setup.file = file;
    setup.live = &live;
    setup.out_dir = dir.string();
    Controller ctl(setup);
    ctl.select(1);  // the cache: 2000 entries
    ctl.seek(5);
    test::press(ctl, sf::Keyboard::LBracket);  // 2000 -> 1500 at 5 s
    CHECK(ctl.state().status.find("cache: 2000 -> 1500 entries") != std::string::npos);
    ctl.seek(10);
    test::press(ctl, sf::Keyboard::LBracket);  // 1500 -> 1125 at 10 s
    ctl.seek(15);
    test::press(ctl, sf::Keyboard::U);  // back to 1500 at 15 s
    CHECK(ctl.state().status.find("undone: cache back to 1500 entries") != std::string::npos);
    ctl.seek(20);
    test::press(ctl, sf::Keyboard::LBracket, true);  // shift+[: a cache has no rate limit
    CHECK(ctl.state().status.find("has no knob") != std::string::npos);
    test::press(ctl, sf::Keyboard::RBracket);  // 1500 -> 1875 at 20 s
    REQUIRE(ctl.sandbox());
    CHECK(ctl.sandbox()->changes().size() == 4);
    int actions = 0;
    for (const Note& n : pb->notes()) actions += n.kind == "action" && n.what == "cache_size";
    CHECK(actions == 4);
    ctl.seek(40);
    REQUIRE(live.done());
    REQUIRE(live.result());
    CHECK(entries(*live.result()) == 1875);  // full again at its last size
    test::press(ctl, sf::Keyboard::W);
    REQUIRE_FALSE(ctl.written().empty());
    std::ifstream in(ctl.written());
    std::stringstream text;
    text << in.rdbuf();
    INFO(text.str());
    CHECK(text.str().find("{at: 5s, cache_size: cache, capacity: 1500}") != std::string::npos);
    CHECK(text.str().find("{at: 15s, cache_size: cache, capacity: 1500}") != std::string::npos);
    CHECK(text.str().find("{at: 20s, cache_size: cache, capacity: 1875}") != std::string::npos);
    const ScenarioSpec again = load_scenario(ctl.written());
    Simulation sim(again);
    const RunResult& r = sim.run();
    CHECK(to_json_deterministic(r).dump() == to_json_deterministic(*live.result()).dump());
    Simulation plain(spec);
    CHECK(to_json_deterministic(plain.run()).dump() != to_json_deterministic(r).dump());
    std::filesystem::remove_all(dir);
  }
}

#endif  // ARCHSIM_WITH_VIEW
