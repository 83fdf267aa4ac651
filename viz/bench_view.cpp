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

int main(int argc, char** argv) {
  int components = 30, dots = 10000, frames = 600, runs = 5;
  unsigned width = 1280, height = 720;
  bool offscreen = false;
  int aa = 0;  // as the view's window (renders to files use 4)
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "archsim-view-bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return std::atoi(argv[++i]);
    };
    if (a == "--components") components = next();
    else if (a == "--dots") dots = next();
    else if (a == "--frames") frames = next();
    else if (a == "--runs") runs = next();
    else if (a == "--width") width = static_cast<unsigned>(next());
    else if (a == "--height") height = static_cast<unsigned>(next());
    else if (a == "--offscreen") offscreen = true;
    else if (a == "--aa") aa = next();
    else {
      std::fprintf(
          stderr,
          "usage: archsim-view-bench [--components N] [--dots N] [--frames N] [--runs N] [--width W] "
          "[--height H] [--offscreen] [--aa N]\n");
      return 2;
    }
  }
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
  run.components = components;
  run.sources = 2;
  run.duration = 600;
  run.rate = 5000;
  run.failing = components / 3;
  run.fail_from = 300;
  Playback pb(synthetic_timeline(run));

  sf::RenderWindow window;
  sf::RenderTexture texture;
  sf::ContextSettings cs;
  cs.antialiasingLevel = static_cast<unsigned>(aa);
  if (offscreen) texture.create(width, height, cs);
  else window.create(sf::VideoMode(width, height), "archsim-view-bench", sf::Style::Default, cs);
  sf::RenderTarget& target = offscreen ? static_cast<sf::RenderTarget&>(texture) : window;
  Scene scene(pb, width, height, fonts);

  // Tune the density until about `dots` dots are on the screen in steady state.
  const double t0 = 250;
  for (int i = 0; i < 4; ++i) {
    scene.warm(t0, 10, 60);
    const double have = static_cast<double>(scene.particles().size());
    if (have <= 0) break;
    scene.particles().peak_density *= static_cast<float>(dots / have);
  }
  scene.warm(t0, 10, 60);

  ViewState st;
  st.interactive = true;
  st.speed = 10;
  st.mouse = Point{width * 0.4f, height * 0.5f};
  std::vector<double> fps, cpu_ms;
  double dot_sum = 0;
  long dot_frames = 0;
  for (int r = 0; r < runs; ++r) {
    double t = t0;
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    for (int f = 0; f < frames; ++f) {
      if (!offscreen) {
        sf::Event ev;
        while (window.pollEvent(ev)) {
        }
      }
      t += 10.0 / 60;  // 10x at 60 frames a second
      if (t > 590) t = t0;
      scene.advance(1.0f / 60, t);
      st.t = t;
      scene.draw(target, st);
      if (offscreen) texture.display();
      else window.display();
      dot_sum += static_cast<double>(scene.particles().size());
      ++dot_frames;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    fps.push_back(frames / s);
    cpu_ms.push_back(cpu / frames * 1e3);
    std::printf("run %d: %.1f fps, %.1f ms of CPU per frame (all threads)\n", r + 1, frames / s,
                cpu / frames * 1e3);
  }
  std::sort(fps.begin(), fps.end());
  std::sort(cpu_ms.begin(), cpu_ms.end());
  std::printf(
      "archsim-view-bench: %d components, %zu edges, %.0f dots on average, %ux%u %s, aa %d: median %.1f fps, "
      "%.1f ms of CPU per frame, over %d runs of %d frames\n",
      components, pb.header().edges.size(), dot_sum / std::max(1L, dot_frames), width, height,
      offscreen ? "off screen" : "window", aa, fps[fps.size() / 2], cpu_ms[cpu_ms.size() / 2], runs, frames);
  return 0;
}
