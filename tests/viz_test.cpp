// The animated view: layout (no display needed), playback logic, and pictures
// drawn off screen (need an X display: run the binary under `xvfb-run -a`;
// without one those tests say so and pass without checking).
#ifdef ARCHSIM_WITH_VIEW

#include <doctest/doctest.h>

#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <unistd.h>

#include <SFML/Graphics/Image.hpp>
#include <SFML/Graphics/RenderTexture.hpp>
#include <SFML/Graphics/View.hpp>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "archsim/view.hpp"

#include "../viz/display.hpp"
#include "../viz/frames.hpp"
#include "../viz/layout.hpp"
#include "../viz/playback.hpp"
#include "../viz/scene.hpp"
#include "../viz/synthetic.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::viz;

namespace {

TimelineHeader chain_header() {
  TimelineHeader h;
  h.scenario = "chain";
  h.duration = 10;
  h.sources = {"users"};
  h.components = {
      {"edge", "load_balancer", 1, 0, {}}, {"api", "service", 4, 8, {}}, {"db", "database", 2, 8, {}}};
  h.edges = {{-1, 0}, {0, 1}, {1, 2}};
  return h;
}

// Every box inside the area and no two boxes (with their replica stacks) overlapping.
void check_readable(const TimelineHeader& h, const Layout& l, const Rect& area) {
  std::vector<const NodeBox*> all;
  for (const auto& b : l.sources) all.push_back(&b);
  for (const auto& b : l.components) all.push_back(&b);
  REQUIRE(all.size() == h.sources.size() + h.components.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    INFO("node " << i << " at " << all[i]->bounds.x << "," << all[i]->bounds.y);
    CHECK(area.contains(all[i]->bounds));
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      INFO("and node " << j << " at " << all[j]->bounds.x << "," << all[j]->bounds.y);
      CHECK_FALSE(all[i]->bounds.overlaps(all[j]->bounds));
    }
  }
  // Callers left of callees (no cycles in these graphs).
  for (std::size_t e = 0; e < h.edges.size(); ++e) {
    const NodeBox& a = l.node(h.edges[e].from);
    const NodeBox& b = l.node(h.edges[e].to);
    CHECK(a.layer < b.layer);
    CHECK(a.rect.cx() < b.rect.cx());
    // The route leaves the caller and reaches the callee.
    REQUIRE(l.edges[e].points.size() >= 2);
    CHECK(std::abs(l.edges[e].points.front().x - a.rect.right()) < 1);
    CHECK(std::abs(l.edges[e].points.back().x - b.rect.x) < 1);
  }
}

/// false (and the test case reported skipped) when there is no X display.
bool have_display() {
  std::string why;
  if (display_available(&why)) return true;
  archsim::test::skip("no X display (" + why + "); run the tests under xvfb-run -a");
  return false;
}

const Fonts& fonts() {
  static Fonts f;
  static bool loaded = [] {
    std::string why;
    const bool ok = f.load(&why);
    if (!ok) MESSAGE(why);
    return ok;
  }();
  REQUIRE(loaded);
  return f;
}

bool near(sf::Color a, sf::Color b, int tol = 24) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

bool reddish(sf::Color c) { return c.r > 200 && c.g < 110 && c.b < 110; }

// Red pixels in the graph area that are not on a node: error dots.
int red_dot_pixels(const sf::Image& img, const Scene& sc) {
  const Layout& l = sc.layout();
  int n = 0;
  const Rect g = sc.frame().graph;
  for (unsigned y = static_cast<unsigned>(g.y); y < g.bottom(); ++y)
    for (unsigned x = static_cast<unsigned>(g.x); x < g.right(); ++x) {
      if (!reddish(img.getPixel(x, y))) continue;
      const Point p{static_cast<float>(x), static_cast<float>(y)};
      bool on_node = false;
      for (const auto& b : l.components) {
        const Rect r{b.bounds.x - 4, b.bounds.y - 4, b.bounds.w + 8, b.bounds.h + 8};
        on_node = on_node || r.contains(p);
      }
      for (const auto& b : l.sources) on_node = on_node || b.bounds.contains(p);
      n += !on_node;
    }
  return n;
}

// A balancer over three api replicas calling a database; all of api is
// killed from 20 s to 40 s.
const char* kKillScenario = R"(name: kill-api
seed: 3
duration: 60s
traffic:
  - name: users
    to: edge
    rate: 300/s
components:
  edge:
    kind: load_balancer
    to: api
  api:
    kind: service
    replicas: 3
    workers: 8
    steps:
      - work: exp(5ms)
      - call: db
  db:
    kind: service
    workers: 16
    service_time: exp(2ms)
faults:
  - {at: 20s, kill: api, for: 20s}
slo:
  latency_p99: 100ms
  error_rate: 1%
)";

// Runs a scenario to the end and collects what the view would show.
struct Collector : Observer {
  Playback* pb = nullptr;
  void on_tick(const Tick& t) override { pb->append(t); }
  void on_note(const Note& n) override { pb->append(n); }
  void on_finish(const RunResult& r) override { pb->set_final(r.slo); }
};

std::unique_ptr<Playback> run_scenario(const std::string& yaml) {
  const ScenarioSpec spec = load_scenario_text(yaml, "test.yaml");
  Simulation sim(spec);
  auto pb = std::make_unique<Playback>(make_header(sim));
  Collector c;
  c.pb = pb.get();
  sim.add_observer(&c);
  sim.run();
  return pb;
}

std::filesystem::path temp_dir(const std::string& what) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("archsim-viz-" + what + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE("layout: a chain of three components reads left to right") {
    const TimelineHeader h = chain_header();
    const Layout l = compute_layout(h, 1280, 720);
    check_readable(h, l, hud_frame(1280, 720).graph);
    CHECK(l.layers == 4);
    CHECK(l.sources[0].layer == 0);
    CHECK(l.components[0].shape == Shape::Balancer);
    CHECK(l.components[2].shape == Shape::Database);
    // A chain is one straight row.
    CHECK(std::abs(l.components[0].rect.cy() - l.components[2].rect.cy()) < 1);
    // Roomy nodes when there are few.
    CHECK(l.node_w >= 120);
    CHECK(l.node_h >= 40);
  }

  TEST_CASE("layout: from 3 to 60 components, in several window sizes") {
    const std::pair<float, float> windows[] = {{1280, 720}, {800, 600}, {1920, 1080}};
    for (int n : {3, 5, 8, 12, 20, 30, 45, 60}) {
      for (auto [w, hgt] : windows) {
        SyntheticRun run;
        run.components = n;
        run.sources = n >= 20 ? 2 : 1;
        const Timeline tl = synthetic_timeline(run);
        CAPTURE(n);
        CAPTURE(w);
        const Layout l = compute_layout(tl.header, w, hgt);
        check_readable(tl.header, l, hud_frame(w, hgt).graph);
        // Readable: names of a few letters fit, at 1280x720 and above.
        if (w >= 1280) {
          CHECK(l.node_w >= 64);
          CHECK(l.node_h >= 16);
        }
      }
    }
  }

  TEST_CASE("layout: barycenter sweeps remove an avoidable crossing") {
    // File order puts x above y, but a (above b) calls y and b calls x.
    TimelineHeader h;
    h.sources = {"users"};
    h.components = {{"lb", "load_balancer", 1, 0, {}},
                    {"a", "service", 1, 1, {}},
                    {"b", "service", 1, 1, {}},
                    {"x", "database", 1, 1, {}},
                    {"y", "database", 1, 1, {}}};
    h.edges = {{-1, 0}, {0, 1}, {0, 2}, {1, 4}, {2, 3}};
    const Layout l = compute_layout(h, 1280, 720);
    const bool a_above_b = l.components[1].rect.cy() < l.components[2].rect.cy();
    const bool y_above_x = l.components[4].rect.cy() < l.components[3].rect.cy();
    CHECK(a_above_b == y_above_x);
  }

  TEST_CASE("layout: long edges go around through their own lane") {
    // users -> lb -> api -> svc -> db, and api -> db directly (skips a layer).
    TimelineHeader h;
    h.sources = {"users"};
    h.components = {{"lb", "load_balancer", 1, 0, {}},
                    {"api", "service", 1, 1, {}},
                    {"svc", "service", 1, 1, {}},
                    {"db", "database", 1, 1, {}}};
    h.edges = {{-1, 0}, {0, 1}, {1, 2}, {2, 3}, {1, 3}};
    const Layout l = compute_layout(h, 1280, 720);
    check_readable(h, l, hud_frame(1280, 720).graph);
    // The long edge api -> db does not run through svc's box.
    for (const Point& p : l.edges[4].points) CHECK_FALSE(l.components[2].rect.contains(p));
  }

  TEST_CASE("layout: cycles, self calls, pinned nodes and unknown kinds") {
    TimelineHeader h;
    h.sources = {"users"};
    h.components = {{"a", "service", 1, 1, {}},
                    {"b", "service", 1, 1, {}},
                    {"c", "quantum_router", 1, 1, {}},
                    {"pinned", "cache", 1, 1, std::make_pair(0.9, 0.1)}};
    h.edges = {{-1, 0}, {0, 1}, {1, 0}, {1, 2}, {2, 2}, {0, 3}};
    const Rect area = hud_frame(1280, 720).graph;
    const Layout l = compute_layout(h, area);
    CHECK(l.components[2].shape == Shape::Generic);
    CHECK(shape_of("load_balancer") == Shape::Balancer);
    CHECK(shape_of("database") == Shape::Database);
    CHECK(l.components[0].rect.cx() < l.components[1].rect.cx());  // a calls b first
    for (const auto& r : l.edges) CHECK(r.points.size() >= 2);     // even the self call
    const NodeBox& p = l.components[3];
    CHECK(p.pinned);
    CHECK(std::abs(p.rect.cx() - (area.x + 0.9f * area.w)) < p.rect.w);
    CHECK(std::abs(p.rect.cy() - (area.y + 0.1f * area.h)) < p.rect.h);
    CHECK(area.contains(p.bounds));
  }

  TEST_CASE("layout: the HUD frame splits the window without overlap") {
    for (auto [w, h] : {std::pair{1280.f, 720.f}, {640.f, 360.f}, {1920.f, 1080.f}}) {
      const HudFrame f = hud_frame(w, h);
      const Rect win{0, 0, w, h};
      CHECK(win.contains(f.top));
      CHECK(win.contains(f.right));
      CHECK(win.contains(f.bottom));
      CHECK(win.contains(f.graph));
      CHECK_FALSE(f.graph.overlaps(f.right));
      CHECK_FALSE(f.graph.overlaps(f.top));
      CHECK_FALSE(f.graph.overlaps(f.bottom));
      CHECK(f.graph.w > w * 0.6f);
    }
  }

  TEST_CASE("playback: health from utilisation, queue growth and errors") {
    ComponentTick t;
    CHECK(classify(t, nullptr) == Health::Idle);
    t.arrivals = 100;
    t.completed = 100;
    t.utilization = 0.5;
    CHECK(classify(t, nullptr) == Health::Healthy);
    t.utilization = 0.95;
    CHECK(classify(t, nullptr) == Health::Saturated);
    t.utilization = 0.6;
    t.queue = 40;
    ComponentTick before = t;
    before.queue = 10;
    CHECK(classify(t, &before) == Health::Saturated);  // queue growing
    before.queue = 40;
    CHECK(classify(t, &before) == Health::Healthy);  // long but steady
    t.completed = 90;
    t.failed = 10;  // 10% errors
    CHECK(classify(t, &before) == Health::Failing);
    t.completed = 97;
    t.failed = 3;  // 3%: not yet
    CHECK(classify(t, &before) == Health::Healthy);
  }

  TEST_CASE("playback: the tick shown at a time, and the SLO verdict so far") {
    SyntheticRun run;
    run.components = 6;
    run.duration = 60;
    run.failing = 2;
    run.fail_from = 30;
    Playback pb(synthetic_timeline(run));
    CHECK(pb.index_at(0.5) == -1);
    CHECK(pb.tick_at(0.5) == nullptr);
    CHECK(pb.index_at(1.0) == 0);
    CHECK(pb.index_at(1.999) == 0);
    CHECK(pb.index_at(2.0) == 1);
    CHECK(pb.index_at(1e9) == 59);
    CHECK(pb.duration() == Rel(60));
    CHECK(pb.health(2, 20) == Health::Healthy);
    CHECK(pb.health(2, 45) == Health::Failing);

    // Before the incident every SLO holds; after it the error rate fails.
    auto find = [](const std::vector<SloStatus>& v, const std::string& name) {
      return *std::find_if(v.begin(), v.end(), [&](const SloStatus& s) { return s.name == name; });
    };
    const auto early = pb.slo_at(25);
    CHECK(find(early, "error_rate").known);
    CHECK(find(early, "error_rate").pass);
    CHECK(find(early, "error_rate").actual == 0);
    const auto late = pb.slo_at(60);
    CHECK_FALSE(find(late, "error_rate").pass);
    // Errors over the measured ticks: exact from the counts.
    double failed = 0, all = 0;
    for (const auto& k : pb.ticks())
      if (k.t - k.dt >= pb.header().warmup) failed += k.failed, all += k.failed + k.completed;
    CHECK(find(late, "error_rate").actual == Rel(failed / all));
    // One tick: the estimated p99 is that tick's p99.
    TimelineHeader h = pb.header();
    h.warmup = 0;
    Playback single(h, {pb.ticks()[10]});
    CHECK(find(single.slo_at(100), "latency_p99").actual == Rel(pb.ticks()[10].p99).epsilon(0.01));
    // Every request of the window failed: the latency SLO is known and failed
    // with no value ("no successful request"), as the run's own check says,
    // not an unknown pill that passes.
    Tick dead = pb.ticks()[10];
    dead.completed = 0;
    dead.failed = 40;
    dead.p50 = dead.p99 = 0;
    Playback none(h, {dead});
    const SloStatus p99 = find(none.slo_at(100), "latency_p99");
    CHECK(p99.known);
    CHECK_FALSE(p99.measured);
    CHECK_FALSE(p99.pass);
  }

  TEST_CASE("playback: numbers read well") {
    CHECK(format_clock(0) == "0:00.0");
    CHECK(format_clock(83.45) == "1:23.4");
    CHECK(format_clock(3723) == "1:02:03");
    CHECK(viz::format_duration(0.0125) == "12.5 ms");
    CHECK(viz::format_duration(0.00085) == "850 us");
    CHECK(viz::format_duration(1.2) == "1.20 s");
    CHECK(viz::format_rate(950) == "950/s");
    CHECK(viz::format_rate(12345) == "12.3k/s");
    CHECK(format_percent(0.004) == "0.4%");
    CHECK(format_percent(0.12) == "12%");
  }

  TEST_CASE("particles: density follows the rate, red follows the failed share") {
    std::vector<EdgeRoute> routes(2);
    for (auto& r : routes) {
      r.points = {{0, 0}, {100, 0}};
      r.along = {0, 100};
    }
    Particles p(7);
    std::vector<EdgeFlow> flows = {{1000, 0, 0.002}, {250, 0.5, 0.002}};
    for (int i = 0; i < 300; ++i) p.step(1.0f / 60, routes, flows, 1000);
    std::size_t red = p.red();
    CHECK(p.size() > 40);
    // Edge 0 carries four times the calls of edge 1: about 4/5 of the dots.
    CHECK(red > 0);
    CHECK(static_cast<double>(red) / p.size() == Rel(0.5 / 5).epsilon(0.5));
    CHECK(Particles::travel_time(0.0001) < Particles::travel_time(0.1));
    CHECK(Particles::travel_time(100) <= 3.0f);
    CHECK(Particles::travel_time(1e-9) >= 0.5f);
  }

  TEST_CASE("render: a node turns from healthy to failing, red dots follow") {
    if (!have_display()) return;  // have_display() printed the skip marker: CTest reports it skipped
    GlLeakScope gl;               // Mesa's own allocations are not our leaks
    SyntheticRun run;
    run.components = 8;
    run.failing = 3;
    run.fail_from = 30;
    Playback pb(synthetic_timeline(run));
    Offscreen off(pb, 1280, 720, fonts());
    REQUIRE(off.ok());
    const Point probe = off.scene().health_probe(3);
    const sf::Image before = off.still(20, 10);
    const auto px = [](const sf::Image& img, Point p) {
      return img.getPixel(static_cast<unsigned>(p.x), static_cast<unsigned>(p.y));
    };
    CHECK(near(px(before, probe), health_color(Health::Healthy)));
    CHECK(red_dot_pixels(before, off.scene()) == 0);
    const sf::Image after = off.still(45, 10);
    CHECK(near(px(after, probe), health_color(Health::Failing)));
    CHECK(off.scene().particles().red() > 0);
    CHECK(red_dot_pixels(after, off.scene()) > 30);
    // The two pictures differ well beyond the clock.
    int differ = 0;
    for (unsigned y = 0; y < 720; y += 2)
      for (unsigned x = 0; x < 1280; x += 2) differ += before.getPixel(x, y) != after.getPixel(x, y);
    CHECK(differ > 2000);
  }

  TEST_CASE("render: nothing is drawn outside the window") {
    if (!have_display()) return;  // have_display() printed the skip marker: CTest reports it skipped
    GlLeakScope gl;               // Mesa's own allocations are not our leaks
    // Draw a 800x500 frame in the middle of a larger target cleared to a
    // colour the view never uses; the margin must stay that colour.
    SyntheticRun run;
    run.components = 30;
    run.sources = 2;
    run.failing = 5;
    Playback pb(synthetic_timeline(run));
    const unsigned w = 800, h = 500, m = 40;
    Scene scene(pb, w, h, fonts());
    sf::RenderTexture rt;
    REQUIRE(rt.create(w + 2 * m, h + 2 * m));
    rt.setView(
        sf::View(sf::FloatRect(-static_cast<float>(m), -static_cast<float>(m), w + 2.f * m, h + 2.f * m)));
    const sf::Color sentinel(255, 0, 255);
    rt.clear(sentinel);
    scene.warm(50, 10);
    ViewState s;
    s.t = 50;
    s.interactive = true;
    s.selected = 4;
    s.mouse = Point{static_cast<float>(w) - 3, static_cast<float>(h) - 3};  // a tooltip would try to leave
    s.status = std::string(400, 'x');                                       // a status too long for the bar
    scene.draw(rt, s);
    rt.display();
    const sf::Image img = rt.getTexture().copyToImage();
    int outside = 0, inside_sentinel = 0;
    for (unsigned y = 0; y < h + 2 * m; ++y)
      for (unsigned x = 0; x < w + 2 * m; ++x) {
        const bool in = x >= m && x < m + w && y >= m && y < m + h;
        const bool is_sentinel = img.getPixel(x, y) == sentinel;
        outside += !in && !is_sentinel;
        inside_sentinel += in && is_sentinel;
      }
    CHECK(outside == 0);
    CHECK(inside_sentinel == 0);  // and the window itself is fully painted
  }

  TEST_CASE("render: a short MP4 has the expected number of frames") {
    if (!have_display()) return;  // have_display() printed the skip marker: CTest reports it skipped
    GlLeakScope gl;               // Mesa's own allocations are not our leaks
    if (!find_program("ffmpeg") || !find_program("ffprobe")) {
      return archsim::test::skip(
          "ffmpeg/ffprobe not installed (sudo apt-get install --no-install-recommends ffmpeg)");
    }
    SyntheticRun run;
    run.components = 5;
    run.failing = 2;
    Playback pb(synthetic_timeline(run));
    const auto dir = temp_dir("mp4");
    VideoJob job;
    job.out = (dir / "clip.mp4").string();
    job.from = 20;
    job.to = 40;
    job.speed = 10;
    job.fps = 12;
    job.width = 320;
    job.height = 180;
    std::ostringstream err;
    REQUIRE(write_video(pb, fonts(), job, err) == 0);
    CHECK(err.str().empty());
    const int expected = video_frame_count(20, 40, 10, 12);
    CHECK(expected == 24);
    const std::string cmd =
        "ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames "
        "-of csv=p=0 '" +
        job.out + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[64] = {};
    const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
    ::pclose(p);
    REQUIRE(got);
    CHECK(std::atoi(buf) == expected);
    // A GIF of the same clip is written too.
    job.out = (dir / "clip.gif").string();
    REQUIRE(write_video(pb, fonts(), job, err) == 0);
    CHECK(std::filesystem::file_size(job.out) > 1000);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("render: a real run: killed replicas turn the node grey (down), its callers red") {
    const auto pb = run_scenario(kKillScenario);
    const int api = 1;
    CHECK(pb->health(api, 15) == Health::Healthy);
    CHECK(pb->replicas_at(api, 30) == 0);
    CHECK(pb->health(api, 30) == Health::Down);
    CHECK(pb->health(api, 55) == Health::Healthy);  // back after `for: 20s`
    REQUIRE(pb->notes().size() >= 2);
    CHECK(pb->notes()[0].what == "kill");
    CHECK(pb->notes()[0].t == Rel(20));
    // The run failed its error SLO, and the verdict at the end is the run's own.
    const auto slo = pb->slo_at(60);
    const auto err =
        std::find_if(slo.begin(), slo.end(), [](const SloStatus& s) { return s.name == "error_rate"; });
    REQUIRE(err != slo.end());
    CHECK(err->exact);
    CHECK_FALSE(err->pass);

    if (!have_display()) return;  // have_display() printed the skip marker: CTest reports it skipped
    GlLeakScope gl;
    Offscreen off(*pb, 1280, 720, fonts());
    REQUIRE(off.ok());
    const Point probe = off.scene().health_probe(api);
    const auto px = [&](const sf::Image& img) {
      return img.getPixel(static_cast<unsigned>(probe.x), static_cast<unsigned>(probe.y));
    };
    const sf::Image before = off.still(15, 10);
    CHECK(near(px(before), health_color(Health::Healthy)));
    CHECK(red_dot_pixels(before, off.scene()) == 0);
    const sf::Image during = off.still(30, 10);
    CHECK(near(px(during), health_color(Health::Down)));
    CHECK(red_dot_pixels(during, off.scene()) > 30);
    const sf::Image after = off.still(58, 10);
    CHECK(near(px(after), health_color(Health::Healthy)));
  }

  TEST_CASE("render(): exit codes, PNG from a scenario and from a timeline") {
    const auto dir = temp_dir("render");
    const std::string scenario = (dir / "kill.yaml").string();
    { std::ofstream(scenario) << kKillScenario; }
    viz::RenderOptions o;
    o.file = scenario;
    o.out = (dir / "x.bmp").string();
    CHECK(viz::render(o) == 2);  // not .png/.gif/.mp4
    o.out = (dir / "x.png").string();
    o.at = 1e6;
    CHECK(viz::render(o) == 2);  // after the end
    o.at.reset();
    o.file = (dir / "missing.yaml").string();
    CHECK(viz::render(o) == 2);  // bad input: nothing simulated
    o.file = scenario;

    // No display: a message and 1, never SFML's abort.
    const char* display = std::getenv("DISPLAY");
    const std::string saved = display ? display : "";
    ::unsetenv("DISPLAY");
    CHECK(viz::render(o) == 1);
    viz::ViewOptions vo;
    vo.file = scenario;
    CHECK(viz::view(vo) == 1);
    if (!saved.empty()) ::setenv("DISPLAY", saved.c_str(), 1);
    if (!have_display()) return;  // have_display() printed the skip marker: CTest reports it skipped
    GlLeakScope gl;

    o.at = 30;
    REQUIRE(viz::render(o) == 0);
    sf::Image img;
    REQUIRE(img.loadFromFile(o.out));
    CHECK(img.getSize() == sf::Vector2u(1280, 720));

    // The same run written as a timeline and replayed.
    const std::string tl = (dir / "run.jsonl").string();
    {
      const ScenarioSpec spec = load_scenario_text(kKillScenario, "kill.yaml");
      Simulation sim(spec);
      std::ofstream out(tl);
      TimelineWriter w(out, sim);
      sim.add_observer(&w);
      sim.run();
    }
    REQUIRE(is_timeline_file(tl));
    o.file = tl;
    o.out = (dir / "replay.png").string();
    o.width = 640;
    o.height = 360;
    REQUIRE(viz::render(o) == 0);
    REQUIRE(img.loadFromFile(o.out));
    CHECK(img.getSize() == sf::Vector2u(640, 360));
    std::filesystem::remove_all(dir);
  }

}  // TEST_SUITE

#endif  // ARCHSIM_WITH_VIEW
