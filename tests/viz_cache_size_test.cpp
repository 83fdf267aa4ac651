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
    test::LiveSandbox sb("cache-size", kCacheScenario);
    Controller& ctl = sb.ctl;
    LiveRun& live = sb.live;
    Playback* pb = sb.pb;
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
    const std::string text = sb.write_design();
    INFO(text);
    CHECK(text.find("{at: 5s, cache_size: cache, capacity: 1500}") != std::string::npos);
    CHECK(text.find("{at: 15s, cache_size: cache, capacity: 1500}") != std::string::npos);
    CHECK(text.find("{at: 20s, cache_size: cache, capacity: 1875}") != std::string::npos);
    sb.check_reproduces();
  }
}

#endif  // ARCHSIM_WITH_VIEW
