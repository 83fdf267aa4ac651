// `archsim view` (a window, live or replay) and `archsim render` (PNG, GIF,
// MP4 without a window). Both feed a Playback, live by running the
// Simulation a little each frame, replay from a --timeline file, and draw it
// with the same Scene.
#include "archsim/view.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>

#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Graphics/Texture.hpp>
#include <SFML/Window/Event.hpp>

#include "archsim/output_file.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "cause.hpp"
#include "controller.hpp"
#include "display.hpp"
#include "frames.hpp"
#include "live.hpp"
#include "playback.hpp"
#include "report/analysis.hpp"
#include "scene.hpp"

namespace archsim::viz {

namespace {

// What was asked for: a scenario to run or a timeline to replay.
struct Input {
  std::unique_ptr<ScenarioSpec> spec;
  std::unique_ptr<Playback> replay;
};

// Loads the file; prints each problem and returns nullopt on bad input.
std::optional<Input> load(const std::string& file, const LoadOptions& lo) {
  try {
    Input in;
    if (is_timeline_file(file)) in.replay = std::make_unique<Playback>(read_timeline(file));
    else in.spec = std::make_unique<ScenarioSpec>(load_scenario(file, lo));
    return in;
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << d.str() << "\n";
    return std::nullopt;
  }
}

bool display_or_say(const char* command, const std::string& file) {
  std::string why;
  if (display_available(&why)) return true;
  std::cerr << "archsim " << command << ": no screen to draw on (" << why << ").\n"
            << "  SFML needs an X display, even for pictures. Without a desktop, start a virtual one:\n"
            << "    xvfb-run -a archsim " << command << " " << file
            << (std::string(command) == "render" ? " --out run.png" : "") << "\n";
  if (std::string(command) == "view")
    std::cerr << "  To look at a run without a screen, draw it: archsim render " << file
              << " --out run.gif --from 0s --to 60s\n";
  return false;
}

bool fonts_or_say(const char* command, Fonts& fonts) {
  std::string why;
  if (fonts.load(&why)) return true;
  std::cerr << "archsim " << command << ": " << why << "\n";
  return false;
}

std::string lower_ext(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return "";
  std::string e = path.substr(dot);
  for (auto& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return e;
}

// Saves the window as archsim-<scenario>-<time>.png in the working directory.
std::string save_screenshot(const sf::RenderWindow& window, const Playback& pb, double t) {
  sf::Texture tex;
  tex.create(window.getSize().x, window.getSize().y);
  tex.update(window);
  std::string scen = pb.header().scenario.empty() ? "view" : pb.header().scenario;
  for (auto& c : scen)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  char name[256];
  std::snprintf(name, sizeof name, "archsim-%s-%06.1fs.png", scen.c_str(), t);
  return tex.copyToImage().saveToFile(name) ? std::string("screenshot saved: ") + name
                                            : std::string("could not write ") + name;
}

}  // namespace

int view(const ViewOptions& opt) {
  auto input = load(opt.file, opt.load);
  if (!input) return 2;
  if (!display_or_say("view", opt.file)) return 1;
  GlLeakScope gl_scope;
  Fonts fonts;
  if (!fonts_or_say("view", fonts)) return 1;

  Playback* pb = input->replay.get();
  std::unique_ptr<LiveRun> live;
  if (input->spec) live = std::make_unique<LiveRun>(*input->spec, pb);
  // The live run is explained only at its end; the same run (same seed) on
  // another thread names the root cause within seconds (the controller
  // ignores it once chaos or the sandbox changed the run).
  std::future<std::optional<Cause>> early;
  if (live)
    early = std::async(std::launch::async, [spec = *input->spec, header = pb->header()] {
      return cause_of(report::run_analysed(spec).why, header);
    });

  // No multisampling in the window: on a software renderer (Xvfb, llvmpipe)
  // 4x MSAA costs four times the frame; files (render) keep it.
  sf::ContextSettings cs;
  cs.antialiasingLevel = 0;
  const std::string title =
      "archsim \u2014 " + (pb->header().scenario.empty() ? opt.file : pb->header().scenario);
  sf::RenderWindow window(sf::VideoMode(1280, 720), sf::String::fromUtf8(title.begin(), title.end()),
                          sf::Style::Default, cs);
  window.setFramerateLimit(60);
  window.setKeyRepeatEnabled(true);
  Scene scene(*pb, window.getSize().x, window.getSize().y, fonts);
  Controller::Setup setup;
  setup.pb = pb;
  setup.live = live.get();
  setup.scene = &scene;
  setup.file = opt.file;
  setup.load = opt.load;
  setup.speed = opt.speed;
  Controller ctl(setup);

  sf::Clock clock;
  while (window.isOpen() && !ctl.quit()) {
    const float dt = std::min(clock.restart().asSeconds(), 0.1f);
    sf::Event ev;
    while (window.pollEvent(ev)) {
      if (ev.type == sf::Event::Resized) {
        window.setView(sf::View(
            sf::FloatRect(0, 0, static_cast<float>(ev.size.width), static_cast<float>(ev.size.height))));
        scene.resize(ev.size.width, ev.size.height);
        scene.warm(ctl.state().t, ctl.state().speed);
      }
      ctl.handle(ev);
    }
    if (ctl.quit()) break;
    if (early.valid() && early.wait_for(std::chrono::seconds(0)) == std::future_status::ready)
      ctl.offer_cause(early.get());
    ctl.frame(dt);
    scene.draw(window, ctl.state());
    if (ctl.screenshot()) {  // after the frame is drawn
      ctl.say(save_screenshot(window, *pb, ctl.state().t));
      ctl.screenshot() = false;
    }
    window.display();
  }
  window.close();
  return 0;
}

namespace {

// The flags that do not need the file: a sentence and false if one is wrong.
bool render_flags_ok(const RenderOptions& opt, bool video) {
  auto no = [](const char* why) {
    std::cerr << "archsim render: " << why << "\n";
    return false;
  };
  if (opt.width < 64 || opt.height < 64 || opt.width > 7680 || opt.height > 4320)
    return no("--width and --height must be between 64x64 and 7680x4320");
  if (video && (opt.fps < 1 || opt.fps > 120)) return no("--fps must be between 1 and 120");
  if (!(opt.speed > 0)) return no("--speed must be above 0 (simulated seconds per video second)");
  if (!opt.moment.empty() && opt.moment != "worst" && opt.moment != "cause")
    return no("--at takes a time (e.g. 2m45s), 'worst' or 'cause'");
  if (!video && (opt.from || opt.to)) return no("--from/--to are for .gif and .mp4; a PNG takes --at");
  if (video && (opt.at || !opt.moment.empty()))
    return no("--at is for a .png; a video takes --from and --to");
  return true;
}

// A still at `at` (and at the root cause's moment if asked), with its words.
int render_still(const Playback& pb, const Fonts& fonts, const RenderOptions& opt, double at,
                 RenderInfo* info) {
  const double duration = pb.duration();
  Offscreen off(pb, static_cast<unsigned>(opt.width), static_cast<unsigned>(opt.height), fonts);
  if (!off.ok()) {
    std::cerr << "archsim render: cannot create an OpenGL render texture of " << opt.width << "x"
              << opt.height << "\n";
    return 1;
  }
  {
    // Encoded beside, then written as any output: complete or not at all,
    // through a link, into a device, never over a read-only file.
    const ScratchFile png(".png");
    if (!off.still(at, opt.speed).saveToFile(png.path())) {
      std::cerr << "archsim render: could not write " << opt.out << "\n";
      return 1;
    }
    write_output_file(opt.out, png.read());
  }
  if (info) {
    info->at = at;
    if (pb.cause()) info->cause = pb.cause()->caption;
  }
  if (!opt.cause_out.empty() && pb.cause()) {
    const double ct = std::min(duration, pb.cause()->at + 2 * pb.header().tick);
    if (!off.still(ct, opt.speed).saveToFile(opt.cause_out)) {
      std::cerr << "archsim render: could not write " << opt.cause_out << "\n";
      return 1;
    }
    if (info) info->cause_drawn = true, info->cause_at = ct;
  }
  if (opt.quiet) return 0;
  std::cout << "archsim render: wrote " << opt.out << " (t = " << format_clock(at) << ")";
  if (const Cause* c = pb.cause_at(at)) std::cout << "; " << c->caption;
  std::cout << "\n";
  return 0;
}

}  // namespace

int render(const RenderOptions& opt, RenderInfo* info) {
  const std::string ext = lower_ext(opt.out);
  if (ext != ".png" && ext != ".gif" && ext != ".mp4") {
    std::cerr << "archsim render: --out " << opt.out << ": the file name must end in .png, .gif or .mp4\n";
    return 2;
  }
  const bool video = ext != ".png";
  if (!render_flags_ok(opt, video)) return 2;
  auto input = load(opt.file, opt.load);
  if (!input) return 2;
  if (opt.prepare) opt.prepare(input->spec.get());
  const double duration = input->spec ? input->spec->duration : input->replay->duration();
  auto bad_time = [&](const char* flag, double t) {
    std::cerr << "archsim render: " << flag << " " << format_clock(t) << " is after the end of the run ("
              << format_clock(duration) << ")\n";
    return 2;
  };
  if (opt.at && *opt.at > duration + 1e-9) return bad_time("--at", *opt.at);
  if (opt.from && *opt.from > duration + 1e-9) return bad_time("--from", *opt.from);
  double at = opt.at.value_or(duration);
  const double from = opt.from.value_or(0);
  const double to = std::min(opt.to.value_or(duration), duration);
  if (video && to <= from) {
    std::cerr << "archsim render: --to must come after --from\n";
    return 2;
  }
  if (!display_or_say("render", opt.file)) return 1;
  Fonts fonts;
  if (!fonts_or_say("render", fonts)) return 1;
  if (video && !find_program("ffmpeg")) {
    std::cerr << "archsim render: GIF and MP4 output needs ffmpeg, which is not installed.\n"
              << "  install it with: sudo apt-get install --no-install-recommends ffmpeg\n"
              << "  (a PNG needs nothing more: --out picture.png)\n";
    return 1;
  }

  // Run the scenario as far as the picture needs (a timeline has it all).
  Playback* pb = input->replay.get();
  std::unique_ptr<LiveRun> live;
  if (input->spec) live = std::make_unique<LiveRun>(*input->spec, pb);
  // To the end: the root cause is known only once the run is explained.
  if (live) live->run_to(duration, 1e9);
  if (opt.moment == "worst") at = worst_moment(*pb);
  else if (opt.moment == "cause")
    at = pb->cause() ? std::min(duration, pb->cause()->at + 2 * pb->header().tick) : worst_moment(*pb);

  GlLeakScope gl_scope;
  if (!video) return render_still(*pb, fonts, opt, at, info);
  VideoJob job;
  const ScratchFile scratch(ext);  // ffmpeg writes here; the output gets it once complete
  job.out = scratch.path();
  job.from = from;
  job.to = to;
  job.speed = opt.speed;
  job.fps = opt.fps;
  job.width = static_cast<unsigned>(opt.width);
  job.height = static_cast<unsigned>(opt.height);
  const int rc = write_video(*pb, fonts, job, std::cerr);
  if (rc == 0) write_output_file(opt.out, scratch.read());
  if (rc == 0)
    std::cout << "archsim render: wrote " << opt.out << " (" << format_clock(from) << " to "
              << format_clock(to) << ", " << video_frame_count(from, to, opt.speed, opt.fps) << " frames at "
              << opt.fps << " fps)\n";
  return rc;
}

}  // namespace archsim::viz
