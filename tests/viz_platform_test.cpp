// The platform drawn (issue 16): on the simgrid backend with a `platform:`,
// every tick carries each host's CPU and each link's utilisation, the
// timeline writes and reads them with the platform's map, the explanation
// names a saturated link as the root cause, and the picture draws regions,
// zones, hosts and links, a saturated link in the failing colour. The
// pictures need an X display (run under `xvfb-run -a`); without one, or
// without SimGrid, they report skipped.
#ifdef ARCHSIM_WITH_VIEW

#include <doctest/doctest.h>

#include "check.hpp"

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <SFML/Graphics/Image.hpp>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "archsim/ticks.hpp"
#include "archsim/timeline.hpp"

#include "../viz/cause.hpp"
#include "../viz/display.hpp"
#include "../viz/frames.hpp"
#include "../viz/playback.hpp"
#include "../viz/scene.hpp"
#include "../viz/synthetic.hpp"
#include "../viz/theme.hpp"

using namespace archsim;
using namespace archsim::viz;
using archsim::test::Rel;

namespace {

// Two regions joined by one 8 Mbit/s link (1 MB/s each way). Every request
// brings 30 KB back from `store` across it: 40/s x 30 KB = 1.2 MB/s asked
// of 1 MB/s, so the link is saturated (offered load rho = lambda B / C =
// 1.2) while every host's CPU idles (store: 40/s x 2 ms / 8 cores = 1%).
const char* kThinLink = R"(name: thin-link
seed: 3
duration: 40s
backend: simgrid
platform:
  regions:
    east:
      zones:
        east-a:
          hosts:
            web: {cores: 8}
        east-b:
          hosts:
            app-1: {cores: 4}
    west:
      hosts:
        store: {cores: 8}
  routes:
    - {between: [east, west], bandwidth: 8Mbps, latency: 20ms}
traffic:
  - {name: users, to: web, rate: 40/s, from: east, timeout: 5s}
components:
  web:
    kind: service
    workers: 2000
    hosts: [web]
    steps:
      - work: exp(1ms)
      - {call: app, request: 1KB, response: 10KB}
  app:
    kind: service
    workers: 2000
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

struct Dir {
  std::filesystem::path path;
  Dir() : path(std::filesystem::temp_directory_path() / ("archsim-platform-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path);
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

/// The scenario run with a timeline, read back.
struct ThinLinkRun {
  Dir dir;
  ScenarioSpec spec;
  RunResult result;
  Timeline tl;
  ThinLinkRun() {
    const std::string file = (dir.path / "thin-link.yaml").string();
    { std::ofstream(file) << kThinLink; }
    spec = load_scenario(file, {});
    const std::string timeline = (dir.path / "thin-link.jsonl").string();
    {
      std::ofstream out(timeline);
      Simulation sim(spec);
      TimelineWriter w(out, sim);
      sim.add_observer(&w);
      result = sim.run();
    }
    tl = read_timeline(timeline);
  }
};

bool simgrid_or_skip() {
  if (simgrid_available()) return true;
  archsim::test::skip("built without SimGrid: the platform backend is not there");
  return false;
}

bool display_or_skip() {
  std::string why;
  if (display_available(&why)) return true;
  archsim::test::skip("no X display (" + why + "); run the tests under xvfb-run -a");
  return false;
}

bool close_to(sf::Color a, sf::Color b, int tol) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

/// Pixels of colour c within `r` px of the points of a polyline.
int count_near(const sf::Image& img, const std::vector<Point>& line, float r, sf::Color c) {
  int n = 0;
  const sf::Vector2u size = img.getSize();
  for (unsigned y = 0; y < size.y; ++y)
    for (unsigned x = 0; x < size.x; ++x) {
      bool near = false;
      for (const Point& p : line)
        if (std::abs(p.x - static_cast<float>(x)) <= r && std::abs(p.y - static_cast<float>(y)) <= r) {
          near = true;
          break;
        }
      n += near && close_to(img.getPixel(x, y), c, 25);
    }
  return n;
}

}  // namespace

TEST_SUITE("viz") {
  TEST_CASE("platform: ticks carry host CPU and link utilisation (rho = lambda B / C; a full link at 100%)") {
    if (!simgrid_or_skip()) return;
    ThinLinkRun run;
    REQUIRE(run.tl.header.platform);
    const PlatformMap& m = *run.tl.header.platform;
    REQUIRE(m.regions == std::vector<std::string>{"east", "west"});
    REQUIRE(m.hosts.size() == 3);  // the users' host is not the design's
    REQUIRE(m.links.size() == 1);
    CHECK(m.links[0].joins == PlatformMap::Joins::Regions);
    CHECK(m.links[0].bandwidth == Rel(1e6));
    CHECK(m.replica_host == std::vector<std::vector<int>>{{0}, {1}, {2}});
    // Means over the ticks after the first 5 s. The link: 40/s x 30 KB over
    // 1 MB/s (the busier direction; the 1 KB requests go the other way).
    double link = 0, cpu = 0;
    int n = 0;
    for (const Tick& k : run.tl.ticks) {
      REQUIRE(k.host_cpu.size() == 3);
      REQUIRE(k.link_util.size() == 1);
      if (k.t <= 5) continue;
      link += k.link_util[0], cpu += k.host_cpu[2], ++n;
    }
    // 40/s x 30 KB over 1 MB/s asks 120% of it: it carries 100%, the rest
    // waits (the figure counts what it carried, never over 100%).
    CHECK(40 * 30e3 / 1e6 > 1);
    CHECK(link / n == Rel(1.0, 0.02));
    CHECK(cpu / n == Rel(40 * 2e-3 / 8, 0.2));
    // The fast backend has no hosts: no platform, no per-tick shares.
    ScenarioSpec fast = run.spec;
    fast.backend = "fast";
    Simulation sim(fast);
    CHECK(sim.platform() == nullptr);
  }

  TEST_CASE("platform: a tick store merges host CPU and link utilisation as time-weighted means") {
    Tick a, b;
    a.dt = 1, b.dt = 3;
    a.host_cpu = {0.2}, b.host_cpu = {0.6};
    a.link_util = {1.0}, b.link_util = {0.0};
    TickStore::merge(a, b);
    CHECK(a.host_cpu[0] == Rel(0.5));
    CHECK(a.link_util[0] == Rel(0.25));
  }

  TEST_CASE("playback: a long run keeps a bounded number of ticks, whatever its simulated time") {
    // One synthetic minute, then its ticks appended again and again, later
    // each time: 200,000 ticks (55 simulated hours) into a store of 1 MB.
    SyntheticRun run;
    run.components = 4;
    const Timeline one = synthetic_timeline(run);
    Playback pb(one.header, {}, 1 << 20);
    std::uint64_t completed = 0;
    double t = 0;
    for (int i = 0; i < 200000; ++i) {
      Tick k = one.ticks[static_cast<std::size_t>(i) % one.ticks.size()];
      t += k.dt;
      k.t = t;
      completed += k.completed;
      pb.append(k);
      REQUIRE(pb.ticks().size() <= pb.tick_capacity());
    }
    pb.set_final({});  // the end: the last merged tick is shown too
    CHECK(pb.ticks_added() == 200000);
    CHECK(pb.tick_capacity() == TickStore::kMinTicks);  // 1 MB holds fewer: the floor applies
    CHECK(pb.ticks().size() <= TickStore::kMinTicks);
    CHECK(pb.ticks().size() >= TickStore::kMinTicks / 2);
    // Nothing lost: the merged ticks still count every request, and reach the end.
    std::uint64_t kept = 0;
    for (const Tick& k : pb.ticks()) kept += k.completed;
    CHECK(kept == completed);
    CHECK(pb.horizon() == Rel(t));
    // Merged evenly: every kept tick but the last covers the same time (128 s:
    // 200,000 ticks in 2,048 slots doubled 7 times).
    CHECK(pb.ticks().front().dt == Rel(128));
    CHECK(pb.ticks()[pb.ticks().size() / 2].dt == Rel(128));
    CHECK(pb.tick_at(t / 2) != nullptr);
  }

  TEST_CASE("platform: the explanation names the saturated link, and the view marks it as the root cause") {
    if (!simgrid_or_skip()) return;
    ThinLinkRun run;
    const std::optional<Cause> c =
        explain_cause(run.spec, run.result, run.tl.ticks, run.tl.header.edges, run.tl.header);
    REQUIRE(c);
    CHECK(c->link == 0);
    CHECK(c->component == -1);
    CHECK(c->caption.find("east/west") != std::string::npos);
    CHECK(c->at < 10);
  }

  TEST_CASE("render: the platform is drawn, a saturated link in the failing colour and ringed as the cause") {
    if (!simgrid_or_skip() || !display_or_skip()) return;
    GlLeakScope gl;
    ThinLinkRun run;
    Playback pb(run.tl);
    pb.set_cause(explain_cause(run.spec, run.result, run.tl.ticks, run.tl.header.edges, run.tl.header));
    static Fonts fonts;
    REQUIRE(fonts.load(nullptr));
    Offscreen off(pb, 1280, 720, fonts);
    REQUIRE(off.ok());
    const PlatformLayout& L = off.scene().platform_layout();
    REQUIRE(L.regions.size() == 2);
    REQUIRE(L.hosts.size() == 3);
    // Regions side by side inside the band, under the architecture, and
    // each host inside its zone inside its region.
    CHECK(L.regions[0].right() < L.regions[1].x);
    for (const auto& nb : off.scene().layout().components) CHECK(nb.bounds.bottom() < L.area.y);
    CHECK(L.zones[0].contains(L.hosts[0]));
    CHECK(L.regions[1].contains(L.zones[2]));
    const sf::Image busy = off.still(30, 10);
    const sf::Color red = health_color(Health::Failing);
    const std::vector<Point>& arc = L.links[0];
    REQUIRE(arc.size() > 2);
    CHECK(count_near(busy, arc, 2, red) > 60);
    CHECK(count_near(busy, {L.link_label[0]}, 60, color::cause) > 100);  // the ring and its tag
    // The same link lightly used: teal, not red, and no cause yet.
    Timeline calm = run.tl;
    for (Tick& k : calm.ticks) k.link_util[0] = 0.2;
    Playback pb2(calm);
    Offscreen off2(pb2, 1280, 720, fonts);
    REQUIRE(off2.ok());
    const sf::Image idle = off2.still(30, 10);
    CHECK(count_near(idle, arc, 2, red) == 0);
    CHECK(count_near(idle, arc, 2, health_color(Health::Healthy)) > 60);
    CHECK(count_near(idle, {L.link_label[0]}, 60, color::cause) == 0);
  }
}

#endif  // ARCHSIM_WITH_VIEW
