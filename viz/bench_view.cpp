// archsim-view-bench: frames per second of the view drawing a made-up
// architecture with many components and dots, in a window (as `archsim view`
// draws) or off screen. Run it under `xvfb-run -a` on a machine without a
// screen. Prints one line per run and the median.
//
//   archsim-view-bench [--components 30] [--dots 10000] [--frames 600] [--runs 5]
//                      [--width 1280] [--height 720] [--offscreen] [--aa 0]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include <SFML/Graphics/RenderTexture.hpp>
#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Window/Event.hpp>

#include "display.hpp"
#include "playback.hpp"
#include "scene.hpp"
#include "synthetic.hpp"

using namespace archsim::viz;

namespace {

struct BenchOptions {
  int components = 30, dots = 10000, frames = 600, runs = 5;
  unsigned width = 1280, height = 720;
  bool offscreen = false;
  int aa = 0;  // as the view's window (renders to files use 4)
};

/// The command line; false (after saying why) when it is not understood.
bool parse(int argc, char** argv, BenchOptions& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "archsim-view-bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::atoi(argv[++i]);
    };
    if (a == "--components") o.components = next();
    else if (a == "--dots") o.dots = next();
    else if (a == "--frames") o.frames = next();
    else if (a == "--runs") o.runs = next();
    else if (a == "--width") o.width = static_cast<unsigned>(next());
    else if (a == "--height") o.height = static_cast<unsigned>(next());
    else if (a == "--offscreen") o.offscreen = true;
    else if (a == "--aa") o.aa = next();
    else {
      std::fprintf(
          stderr,
          "usage: archsim-view-bench [--components N] [--dots N] [--frames N] [--runs N] [--width W] "
          "[--height H] [--offscreen] [--aa N]\n");
      return false;
    }
  }
  return true;
}

/// Tunes the density until about `dots` dots are on the screen in steady state at t0.
void tune_density(Scene& scene, int dots, double t0) {
  for (int i = 0; i < 4; ++i) {
    scene.warm(t0, 10, 60);
    const double have = static_cast<double>(scene.particles().size());
    if (have <= 0) break;
    scene.particles().peak_density *= static_cast<float>(dots / have);
  }
  scene.warm(t0, 10, 60);
}

struct Measured {
  std::vector<double> fps, cpu_ms;
  double dot_sum = 0;
  long dot_frames = 0;
};

/// One run of o.frames frames from t0 at 10x and 60 frames a second.
void run_once(const BenchOptions& o, Scene& scene, sf::RenderTarget& target, sf::RenderWindow& window,
              sf::RenderTexture& texture, double t0, Measured& m) {
  ViewState st;
  st.interactive = true;
  st.speed = 10;
  st.mouse = Point{o.width * 0.4f, o.height * 0.5f};
  double t = t0;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu0 = std::clock();
  for (int f = 0; f < o.frames; ++f) {
    if (!o.offscreen) {
      sf::Event ev;
      while (window.pollEvent(ev)) {
      }
    }
    t += 10.0 / 60;  // 10x at 60 frames a second
    if (t > 590) t = t0;
    scene.advance(1.0f / 60, t);
    st.t = t;
    scene.draw(target, st);
    if (o.offscreen) texture.display();
    else window.display();
    m.dot_sum += static_cast<double>(scene.particles().size());
    ++m.dot_frames;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  m.fps.push_back(o.frames / s);
  m.cpu_ms.push_back(cpu / o.frames * 1e3);
  std::printf("run %zu: %.1f fps, %.1f ms of CPU per frame (all threads)\n", m.fps.size(), o.frames / s,
              cpu / o.frames * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  if (!parse(argc, argv, o)) return 2;
  std::string why;
  if (!display_available(&why)) {
    std::fprintf(stderr, "archsim-view-bench: no X display (%s); run it as: xvfb-run -a archsim-view-bench\n",
                 why.c_str());
    return 1;
  }
  Fonts fonts;
  if (!fonts.load(&why)) {
    std::fprintf(stderr, "archsim-view-bench: %s\n", why.c_str());
    return 1;
  }
  SyntheticRun run;
  run.components = o.components;
  run.sources = 2;
  run.duration = 600;
  run.rate = 5000;
  run.failing = o.components / 3;
  run.fail_from = 300;
  Playback pb(synthetic_timeline(run));

  sf::RenderWindow window;
  sf::RenderTexture texture;
  sf::ContextSettings cs;
  cs.antialiasingLevel = static_cast<unsigned>(o.aa);
  if (o.offscreen) texture.create(o.width, o.height, cs);
  else window.create(sf::VideoMode(o.width, o.height), "archsim-view-bench", sf::Style::Default, cs);
  sf::RenderTarget& target = o.offscreen ? static_cast<sf::RenderTarget&>(texture) : window;
  Scene scene(pb, o.width, o.height, fonts);
  const double t0 = 250;
  tune_density(scene, o.dots, t0);
  Measured m;
  for (int r = 0; r < o.runs; ++r) run_once(o, scene, target, window, texture, t0, m);
  std::sort(m.fps.begin(), m.fps.end());
  std::sort(m.cpu_ms.begin(), m.cpu_ms.end());
  std::printf(
      "archsim-view-bench: %d components, %zu edges, %.0f dots on average, %ux%u %s, aa %d: median %.1f fps, "
      "%.1f ms of CPU per frame, over %d runs of %d frames\n",
      o.components, pb.header().edges.size(), m.dot_sum / std::max(1L, m.dot_frames), o.width, o.height,
      o.offscreen ? "off screen" : "window", o.aa, m.fps[m.fps.size() / 2], m.cpu_ms[m.cpu_ms.size() / 2],
      o.runs, o.frames);
  return 0;
}
