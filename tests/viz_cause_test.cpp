// The view shows the cause (issue 16): missing latency is missing (null in
// the timeline, a gap in the chart), the root cause is ringed and captioned,
// labels abbreviate and lead with the failing figure, and the sandbox's
// scripted key presses write a design that reproduces the run. The pictures
// need an X display (run under `xvfb-run -a`); without one they report skipped.
#ifdef ARCHSIM_WITH_VIEW

#include <doctest/doctest.h>

#include "check.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <SFML/Graphics/Image.hpp>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"

#include "../viz/cause.hpp"
#include "../viz/controller.hpp"
#include "../viz/display.hpp"
#include "../viz/frames.hpp"
#include "../viz/live.hpp"
#include "../viz/playback.hpp"
#include "../viz/sandbox.hpp"
#include "../viz/scene.hpp"
#include "../viz/synthetic.hpp"
#include "../viz/theme.hpp"
#include "viz_keys.hpp"

using namespace archsim;
using namespace archsim::viz;

namespace {

bool display_or_skip() {
  std::string why;
  if (display_available(&why)) return true;
  archsim::test::skip("no X display (" + why + "); run the tests under xvfb-run -a");
  return false;
}

const Fonts& test_fonts() {
  static Fonts f;
  static const bool ok = f.load(nullptr);
  REQUIRE(ok);
  return f;
}

bool close_to(sf::Color a, sf::Color b, int tol = 30) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

int count_in(const sf::Image& img, const Rect& r, sf::Color c, int tol = 30) {
  int n = 0;
  const sf::Vector2u size = img.getSize();
  for (int y = std::max(0, static_cast<int>(r.y)); y < std::min<int>(size.y, static_cast<int>(r.bottom()));
       ++y)
    for (int x = std::max(0, static_cast<int>(r.x)); x < std::min<int>(size.x, static_cast<int>(r.right()));
         ++x)
      n += close_to(img.getPixel(static_cast<unsigned>(x), static_cast<unsigned>(y)), c, tol);
  return n;
}

std::filesystem::path scratch(const std::string& what) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("archsim-cause-" + what + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// A synthetic run with an outage: nothing finishes from 20 s to 40 s.
Timeline outage_timeline() {
  SyntheticRun run;
  run.components = 5;
  run.duration = 60;
  Timeline tl = synthetic_timeline(run);
  for (Tick& k : tl.ticks)
    if (k.t > 20 && k.t <= 40) {
      k.failed += k.completed;
      k.completed = 0;
    }
  return tl;
}

// An API whose database pool is too small from the start; 40 s.
const char* kPoolScenario = R"(name: sandbox
seed: 5
duration: 40s
traffic:
  - name: users
    to: api
    rate: 400/s
components:
  api:
    kind: service
    replicas: 2
    workers: 64
    steps:
      - work: exp(2ms)
      - call: db
        query: read
  db:
    kind: database
    workers: 32
    pool: 4
    acquire_timeout: 200ms
    queries:
      read: exp(8ms)
slo:
  latency_p99: 300ms
)";

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE("timeline: a second without completions has null latency, read back as missing") {
    const auto dir = scratch("null");
    const std::string path = (dir / "t.jsonl").string();
    {
      const ScenarioSpec spec = load_scenario_text(R"(name: outage
seed: 2
duration: 30s
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api: {kind: service, replicas: 2, workers: 8, service_time: exp(5ms)}
faults:
  - {at: 10s, kill: api, for: 10s}
)",
                                                   "outage.yaml");
      Simulation sim(spec);
      std::ofstream out(path);
      TimelineWriter w(out, sim);
      sim.add_observer(&w);
      sim.run();
    }
    std::ifstream in(path);
    std::string line;
    int nulls = 0, numbers = 0;
    while (std::getline(in, line)) {
      if (line.find("\"type\":\"tick\"") == std::string::npos) continue;
      // Only the end-to-end p99 (the first in the line) is counted here.
      const auto p = line.find("\"p99_ms\":");
      REQUIRE(p != std::string::npos);
      (line.compare(p + 9, 4, "null") == 0 ? nulls : numbers) += 1;
    }
    CHECK(nulls >= 8);     // the outage, 10 s to 20 s (a tick at its edge may still finish some)
    CHECK(numbers >= 15);  // the rest
    const Timeline tl = read_timeline(path);
    int missing = 0;
    for (const Tick& k : tl.ticks) {
      if (k.completed == 0) {
        CHECK(std::isnan(k.p99));
        CHECK(std::isnan(k.components[0].p99));
        ++missing;
      } else {
        CHECK(k.p99 > 0);
      }
    }
    CHECK(missing == nulls);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("playback: counts abbreviate; labels lead with the failing figure; a dry pool is saturation") {
    CHECK(format_count(950) == "950");
    CHECK(format_count(1234) == "1.23k");
    CHECK(format_count(12345) == "12.3k");
    CHECK(format_count(126000) == "126k");
    CHECK(format_count(1.2e6) == "1.20M");
    ComponentTick db;
    db.arrivals = db.completed = 100;
    db.utilization = 0.3;  // the workers are not busy ...
    CHECK(classify(db, nullptr) == Health::Healthy);
    db.figures.push_back({"pool_waiting", 120});  // ... but queries wait for a connection
    CHECK(classify(db, nullptr) == Health::Saturated);
  }

  TEST_CASE(
      "theme: the health colours stay apart for protanopia and deuteranopia (Machado 2009 simulation)") {
    // Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
    const double prot[3][3] = {
        {0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}};
    const double deut[3][3] = {
        {0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}};
    auto lin = [](double c) {
      c /= 255;
      return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    auto enc = [](double v) {
      v = std::clamp(v, 0.0, 1.0);
      return 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055);
    };
    auto seen = [&](sf::Color c, const double(&m)[3][3]) {
      const double l[3] = {lin(c.r), lin(c.g), lin(c.b)};
      std::array<double, 3> out{};
      for (int i = 0; i < 3; ++i) out[i] = enc(m[i][0] * l[0] + m[i][1] * l[1] + m[i][2] * l[2]);
      return out;
    };
    const Health all[] = {Health::Idle, Health::Healthy, Health::Saturated, Health::Failing, Health::Down};
    for (const auto* m : {&prot, &deut})
      for (Health a : all)
        for (Health b : all) {
          if (a >= b) continue;
          const auto x = seen(health_color(a), *m), y = seen(health_color(b), *m);
          const double d = std::hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
          INFO(name_of(a) << " vs " << name_of(b) << (m == &prot ? " (protan)" : " (deutan)") << ": " << d);
          CHECK(d > 50);  // 0..441 in sRGB units; the icons (● ○ ▲ ✖ ■) separate them besides
        }
  }

  TEST_CASE("cause: the worst moment is the second furthest past its targets, not the end") {
    SyntheticRun run;
    run.components = 5;
    run.duration = 60;
    Timeline tl = synthetic_timeline(run);
    tl.header.slo.push_back([] {
      SloSpec s;
      s.kind = SloSpec::Kind::ErrorRate;
      s.key = "error_rate";
      s.target = 0.01;
      return s;
    }());
    for (Tick& k : tl.ticks) {
      k.failed = 0;
      if (std::abs(k.t - 37) < 0.5) k.failed = k.completed;  // half of that second fails
    }
    const Playback pb(std::move(tl));
    CHECK(worst_moment(pb) == archsim::test::Rel(37));
  }

  TEST_CASE("render: the null gap breaks the p99 line during an outage") {
    if (!display_or_skip()) return;
    GlLeakScope gl;
    Playback pb(outage_timeline());
    Offscreen off(pb, 1280, 720, test_fonts());
    REQUIRE(off.ok());
    const sf::Image img = off.still(60, 10);
    const Rect plot = off.scene().chart_plot(1);
    auto line_pixels = [&](double from, double to) {  // the p99 line's colour in a time range of the plot
      const Rect r{plot.x + static_cast<float>(from / 60) * plot.w, plot.y,
                   static_cast<float>((to - from) / 60) * plot.w, plot.h - 2};
      return count_in(img, r, color::latency, 40);
    };
    CHECK(line_pixels(5, 15) > 10);   // before: a line
    CHECK(line_pixels(45, 55) > 10);  // after: a line
    // During the outage nothing: no diagonal from the last value before it to the first after.
    CHECK(line_pixels(23, 37) == 0);
  }

  TEST_CASE("render: the root cause is ringed and captioned from its moment on") {
    if (!display_or_skip()) return;
    GlLeakScope gl;
    SyntheticRun run;
    run.components = 6;
    Playback pb(synthetic_timeline(run));
    Cause c;
    c.component = 3;
    c.at = 30;
    c.tag = "saturated";
    c.caption = "root cause: " + pb.header().components[3].name + " saturated at 30s";
    pb.set_cause(c);
    Offscreen off(pb, 1280, 720, test_fonts());
    REQUIRE(off.ok());
    const Rect b = off.scene().layout().components[3].bounds;
    const Rect around{b.x - 30, b.y - 40, b.w + 60, b.h + 80};
    const Rect caption = off.scene().frame().caption;
    const sf::Image before = off.still(20, 10);
    CHECK(count_in(before, around, color::cause, 20) == 0);
    CHECK(count_in(before, caption, color::cause, 20) == 0);
    const sf::Image after = off.still(40, 10);
    CHECK(count_in(after, around, color::cause, 20) > 100);  // the ring and the tag
    CHECK(count_in(after, caption, color::cause, 20) > 20);  // the caption's bar
    // Only that component: no ring round another one.
    const Rect other = off.scene().layout().components[1].bounds;
    CHECK(count_in(after, {other.x - 6, other.y - 6, other.w + 12, other.h + 12}, color::cause, 20) == 0);
  }

  TEST_CASE("render: a node's label abbreviates its queue and leads with its errors") {
    if (!display_or_skip()) return;
    GlLeakScope gl;
    SyntheticRun run;
    run.components = 5;
    run.failing = 2;
    Timeline tl = synthetic_timeline(run);
    for (Tick& k : tl.ticks) k.components[2].queue = 126000;
    Playback pb(std::move(tl));
    Offscreen off(pb, 1280, 720, test_fonts());
    REQUIRE(off.ok());
    const std::string label = off.scene().label_figures(2, 45);
    INFO(label);
    CHECK(label.find("q 126k") != std::string::npos);
    CHECK(label.find("err") < label.find("q 126k"));  // the failing figure first
  }

  TEST_CASE("view: search by name brings a component to the centre, zoomed; 0 resets") {
    if (!display_or_skip()) return;
    GlLeakScope gl;
    SyntheticRun run;
    run.components = 40;  // a large graph
    Playback pb(synthetic_timeline(run));
    Offscreen off(pb, 1280, 720, test_fonts());
    REQUIRE(off.ok());
    Controller::Setup setup;
    setup.pb = &pb;
    setup.scene = &off.scene();
    Controller ctl(setup);
    const int want = 27;
    const std::string name = pb.header().components[want].name;
    sf::Event ev;
    ev.type = sf::Event::KeyPressed;
    ev.key = {sf::Keyboard::Slash, false, false, false, false};
    ctl.handle(ev);
    for (char ch : name) {
      sf::Event t;
      t.type = sf::Event::TextEntered;
      t.text.unicode = static_cast<sf::Uint32>(ch);
      ctl.handle(t);
    }
    ev.key.code = sf::Keyboard::Enter;
    ctl.handle(ev);
    REQUIRE(ctl.state().selected);
    CHECK(*ctl.state().selected == want);
    CHECK(ctl.state().zoom >= 2);
    off.state().zoom = ctl.state().zoom;  // the camera as the next frame draws it
    off.state().pan = ctl.state().pan;
    off.state().search = ctl.state().search;
    const sf::Image img = off.still(30, 10);
    // The match is ringed in sky blue.
    CHECK(count_in(img, off.scene().world_region(), color::traffic, 12) > 100);
    const Rect r = off.scene().world_region();
    const auto at_centre = off.scene().node_at({r.cx(), r.cy()});
    REQUIRE(at_centre);
    CHECK(*at_centre == want);
    ev.key.code = sf::Keyboard::Escape;  // ends the search, does not quit
    ctl.handle(ev);
    CHECK_FALSE(ctl.quit());
    ev.key.code = sf::Keyboard::Num0;
    ctl.handle(ev);
    CHECK(ctl.state().zoom == 1);
  }

  TEST_CASE(
      "sandbox: scripted key presses change capacity live and W writes a design that reproduces the run") {
    const auto dir = scratch("sandbox");
    const std::string problem = (dir / "pool.yaml").string();
    { std::ofstream(problem) << kPoolScenario; }
    LoadOptions lo;
    const ScenarioSpec spec = load_scenario(problem, lo);
    Playback* pb = nullptr;
    LiveRun live(spec, pb);
    Controller::Setup setup;
    setup.pb = pb;
    setup.live = &live;
    setup.file = problem;
    setup.load = lo;
    setup.out_dir = dir.string();
    Controller ctl(setup);
    ctl.select(0);  // api
    ctl.seek(10);
    test::press(ctl, sf::Keyboard::RBracket);  // api 2 -> 3 replicas at 10 s
    ctl.seek(15);
    test::press(ctl, sf::Keyboard::RBracket);  // 3 -> 4 at 15 s
    ctl.seek(20);
    test::press(ctl, sf::Keyboard::U);         // undo: back to 3 at 20 s
    ctl.select(1);                             // db
    test::press(ctl, sf::Keyboard::RBracket);  // pool 4 -> 5 at 20 s
    ctl.seek(25);
    test::press(ctl, sf::Keyboard::RBracket);  // 5 -> 6 at 25 s
    REQUIRE(ctl.sandbox());
    REQUIRE(ctl.sandbox()->changes().size() == 5);
    // The changes are on the run's timeline as operator actions, where the scrubber draws them.
    int actions = 0;
    for (const Note& n : pb->notes()) actions += n.kind == "action";
    CHECK(actions == 5);
    ctl.seek(40);  // to the end
    REQUIRE(live.done());
    REQUIRE(live.result());
    test::press(ctl, sf::Keyboard::W);
    REQUIRE_FALSE(ctl.written().empty());
    INFO(ctl.state().status);
    // The written scenario, run again from the file, gives the same figures.
    std::ifstream in(ctl.written());
    std::stringstream text;
    text << in.rdbuf();
    INFO(text.str());
    CHECK(text.str().find("{at: 10s, scale: api, replicas: 3}") != std::string::npos);
    CHECK(text.str().find("{at: 25s, pool: db, size: 6}") != std::string::npos);
    const ScenarioSpec again = load_scenario(ctl.written(), {});
    Simulation sim(again);
    const RunResult& r = sim.run();
    CHECK(to_json_deterministic(r).dump() == to_json_deterministic(*live.result()).dump());
    // And the changes mattered: without them the run differs.
    Simulation plain(spec);
    CHECK(to_json_deterministic(plain.run()).dump() != to_json_deterministic(r).dump());
    std::filesystem::remove_all(dir);
  }

}  // TEST_SUITE

#endif  // ARCHSIM_WITH_VIEW
