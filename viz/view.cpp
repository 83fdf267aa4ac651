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
#include <iostream>
#include <future>
#include <memory>

#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Graphics/Texture.hpp>
#include <SFML/Window/Event.hpp>

#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "cause.hpp"
#include "report/analysis.hpp"
#include "display.hpp"
#include "frames.hpp"
#include "playback.hpp"
#include "scene.hpp"

namespace archsim::viz {

namespace {

// Runs a scenario in steps and hands each tick to the Playback. At the end
// the run is explained and its root cause marked.
class LiveRun : public Observer {
 public:
  LiveRun(const ScenarioSpec& spec, Playback*& pb) : spec_(spec), pb_(pb) { restart(); }
  void restart() {
    sim_ = std::make_unique<Simulation>(spec_);
    sim_->add_observer(this);
    reached_ = 0;
    raw_.clear();
    if (!pb_) owned_ = std::make_unique<Playback>(make_header(*sim_)), pb_ = owned_.get();
    else pb_->clear();
  }
  void on_tick(const Tick& t) override {
    raw_.push_back(t);  // as reported (explain reads these; the Playback marks missing latencies)
    pb_->append(t);
  }
  void on_note(const Note& n) override { pb_->append(n); }
  void on_finish(const RunResult& r) override {
    pb_->set_final(r.slo);
    pb_->set_cause(explain_cause(spec_, r, raw_, sim_->edges(), pb_->header()));
  }
  /// Runs until simulated time t (the end if t is past it) or until the wall
  /// budget is spent, one tick at a time.
  void run_to(double t, double budget_s) {
    const auto start = std::chrono::steady_clock::now();
    const double step = std::max(pb_->header().tick, 1e-3);
    const double end = spec_.duration;
    t = std::min(t, end);
    while (!sim_->done() && reached_ < t) {
      reached_ = std::min(t, reached_ + step);
      sim_->run_until(reached_ >= end ? end : reached_);
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > budget_s) break;
    }
  }
  /// How far the view may go: every tick that ended before it has been seen.
  double horizon() const { return sim_->done() ? pb_->duration() : reached_; }
  bool done() const { return sim_->done(); }
  /// A fault or an operator action, now (the engine notes it like a scripted one).
  void apply(const FaultSpec& f) { sim_->apply(f); }

 private:
  const ScenarioSpec& spec_;
  Playback*& pb_;
  std::unique_ptr<Playback> owned_;
  std::unique_ptr<Simulation> sim_;
  double reached_ = 0;  // simulated time the simulation has been run to
  std::vector<Tick> raw_;
};

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
            << "    xvfb-run -a archsim " << command << " " << file << (std::string(command) == "render" ? " --out run.png" : "")
            << "\n";
  if (std::string(command) == "view")
    std::cerr << "  To look at a run without a screen, draw it: archsim render " << file << " --out run.gif --from 0s --to 60s\n";
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

// Speeds that + and - step through; the one after the last is "max".
const double kSpeeds[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
constexpr int kSpeedCount = static_cast<int>(std::size(kSpeeds));

// What a key or click asks for. Chaos actions (kill or revive a replica,
// spike the traffic) will join this list once the engine accepts operator
// actions (the faults issue).
enum class Action {
  None, Quit, TogglePause, Faster, Slower, SetSpeed, Back, Forward, Start, End, Restart, Screenshot,
  // Chaos, live only, on the selected component (or all traffic for Spike).
  KillOne, KillAll, Errors, Slow, Spike
};

// The fault a chaos key injects. Each undoes itself after `for` (a killed
// replica comes back): the engine has no "revive now" action yet.
FaultSpec chaos_fault(Action a, const std::string& target) {
  FaultSpec f;
  f.target = target;
  switch (a) {
    case Action::KillOne: f.kind = FaultSpec::Kind::Kill; f.replicas = 1; f.duration = 60; break;
    case Action::KillAll: f.kind = FaultSpec::Kind::Kill; f.duration = 30; break;
    case Action::Errors: f.kind = FaultSpec::Kind::Errors; f.p = 0.3; f.duration = 30; break;
    case Action::Slow: f.kind = FaultSpec::Kind::Slow; f.x = 5; f.duration = 30; break;
    default: f.kind = FaultSpec::Kind::Spike; f.x = 3; f.duration = 60; break;
  }
  return f;
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
  // another thread names the root cause within seconds. Once the user
  // changes the run (chaos, the sandbox), that answer no longer holds: the
  // live run's own explanation replaces it at the end.
  std::future<std::optional<Cause>> early;
  std::optional<Cause> early_cause;
  bool changed = false;
  if (live)
    early = std::async(std::launch::async, [spec = *input->spec, header = pb->header()] {
      return cause_of(report::run_analysed(spec).why, header);
    });

  // No multisampling in the window: on a software renderer (Xvfb, llvmpipe)
  // 4x MSAA costs four times the frame; files (render) keep it.
  sf::ContextSettings cs;
  cs.antialiasingLevel = 0;
  const std::string title = "archsim \u2014 " + (pb->header().scenario.empty() ? opt.file : pb->header().scenario);
  sf::RenderWindow window(sf::VideoMode(1280, 720), sf::String::fromUtf8(title.begin(), title.end()), sf::Style::Default, cs);
  window.setFramerateLimit(60);
  window.setKeyRepeatEnabled(true);
  Scene scene(*pb, window.getSize().x, window.getSize().y, fonts);

  ViewState st;
  st.interactive = true;
  st.live = live != nullptr;
  st.mode = live ? "LIVE" : "REPLAY";
  st.speed = opt.speed > 0 ? opt.speed : 1;
  int speed_index = -1;  // into kSpeeds once +/- was used; kSpeedCount = max
  double status_until = 0;
  double wall = 0;
  bool dragging = false;
  sf::Clock clock;
  auto horizon = [&] { return live ? live->horizon() : pb->horizon(); };
  auto say = [&](const std::string& msg) {
    st.status = msg;
    status_until = wall + 3;
  };
  auto seek = [&](double t) {
    t = std::clamp(t, 0.0, pb->duration());
    if (live && t > live->horizon()) live->run_to(t, 5.0);  // a jump ahead runs the simulation there
    st.t = std::min(t, horizon());
    scene.warm(st.t, st.max_speed ? 100 : st.speed);
  };
  auto set_speed = [&](int i) {
    speed_index = std::clamp(i, 0, kSpeedCount);
    st.max_speed = speed_index == kSpeedCount;
    if (!st.max_speed) st.speed = kSpeeds[speed_index];
    st.paused = false;
  };
  auto step = [&] { return std::max(5.0, pb->duration() / 100); };

  auto act = [&](Action a, double arg = 0) {
    switch (a) {
      case Action::None: break;
      case Action::Quit: window.close(); break;
      case Action::TogglePause:
        if (st.paused && st.t >= pb->duration() - 1e-9) seek(0);  // play again from the start
        st.paused = !st.paused;
        break;
      case Action::Faster:
      case Action::Slower: {
        if (speed_index < 0) {  // first use: the listed speed nearest the current one
          speed_index = 0;
          for (int i = 0; i < kSpeedCount; ++i)
            if (std::abs(std::log(kSpeeds[i] / st.speed)) < std::abs(std::log(kSpeeds[speed_index] / st.speed)))
              speed_index = i;
        }
        set_speed(speed_index + (a == Action::Faster ? 1 : -1));
        break;
      }
      case Action::SetSpeed: set_speed(static_cast<int>(arg)); break;
      case Action::Back: seek(st.t - step() * (arg > 0 ? 10 : 1)); break;
      case Action::Forward: seek(st.t + step() * (arg > 0 ? 10 : 1)); break;
      case Action::Start: seek(0); break;
      case Action::End: seek(pb->duration()); break;
      case Action::Restart:
        if (live) live->restart();
        if (live && !changed) pb->set_cause(early_cause);
        st.t = 0;
        scene.particles().clear();
        st.paused = false;
        say(live ? "restarted: the simulation runs again from 0" : "back to the start");
        break;
      case Action::KillOne:
      case Action::KillAll:
      case Action::Errors:
      case Action::Slow:
      case Action::Spike: {
        if (!live) {
          say("chaos keys act on a running simulation: open the scenario file, not a timeline");
          break;
        }
        const auto& h = pb->header();
        std::vector<std::string> targets;
        if (a == Action::Spike) {
          targets = h.sources;
        } else if (st.selected && *st.selected >= 0) {
          targets.push_back(h.components[*st.selected].name);
        } else {
          say("click a component first, then K, shift+K, E or L");
          break;
        }
        // Faults happen at the simulation's present: come back to it.
        if (st.t < live->horizon() - 1e-9) st.t = live->horizon();
        changed = true;
        pb->set_cause(std::nullopt);  // explained again at the end of this changed run
        for (const auto& target : targets) live->apply(chaos_fault(a, target));
        const char* what[] = {"one replica killed for 60 s", "all replicas killed for 30 s", "30% errors for 30 s",
                              "work 5x slower for 30 s", "traffic x3 for 60 s"};
        say(std::string(what[static_cast<int>(a) - static_cast<int>(Action::KillOne)]) +
            (a == Action::Spike ? "" : " on " + targets.front()));
        break;
      }
      case Action::Screenshot: {
        sf::Texture tex;
        tex.create(window.getSize().x, window.getSize().y);
        tex.update(window);
        char name[256];
        std::string scen = pb->header().scenario.empty() ? "view" : pb->header().scenario;
        for (auto& c : scen)
          if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
        std::snprintf(name, sizeof name, "archsim-%s-%06.1fs.png", scen.c_str(), st.t);
        say(tex.copyToImage().saveToFile(name) ? std::string("screenshot saved: ") + name
                                                : std::string("could not write ") + name);
        break;
      }
    }
  };
  auto key_action = [&](const sf::Event::KeyEvent& k) -> std::pair<Action, double> {
    using K = sf::Keyboard;
    switch (k.code) {
      case K::Escape:
      case K::Q: return {Action::Quit, 0};
      case K::Space: return {Action::TogglePause, 0};
      case K::Add:
      case K::Equal: return {Action::Faster, 0};
      case K::Subtract:
      case K::Hyphen: return {Action::Slower, 0};
      case K::Num1: return {Action::SetSpeed, 3};   // 1x
      case K::Num2: return {Action::SetSpeed, 6};   // 10x
      case K::Num3: return {Action::SetSpeed, 9};   // 100x
      case K::Num4: return {Action::SetSpeed, kSpeedCount};  // max
      case K::Left: return {Action::Back, k.shift ? 1.0 : 0.0};
      case K::Right: return {Action::Forward, k.shift ? 1.0 : 0.0};
      case K::Home: return {Action::Start, 0};
      case K::End: return {Action::End, 0};
      case K::R: return {Action::Restart, 0};
      case K::S: return {Action::Screenshot, 0};
      case K::K: return {k.shift ? Action::KillAll : Action::KillOne, 0};
      case K::E: return {Action::Errors, 0};
      case K::L: return {Action::Slow, 0};
      case K::T: return {Action::Spike, 0};
      default: return {Action::None, 0};
    }
  };

  bool screenshot = false;
  while (window.isOpen()) {
    const float dt = std::min(clock.restart().asSeconds(), 0.1f);
    wall += dt;
    sf::Event ev;
    while (window.pollEvent(ev)) {
      switch (ev.type) {
        case sf::Event::Closed: window.close(); break;
        case sf::Event::Resized:
          window.setView(sf::View(sf::FloatRect(0, 0, static_cast<float>(ev.size.width), static_cast<float>(ev.size.height))));
          scene.resize(ev.size.width, ev.size.height);
          scene.warm(st.t, st.speed);
          break;
        case sf::Event::KeyPressed: {
          const auto [a, arg] = key_action(ev.key);
          if (a == Action::Screenshot) screenshot = true;  // after the next frame is drawn
          else act(a, arg);
          break;
        }
        case sf::Event::MouseMoved:
          st.mouse = Point{static_cast<float>(ev.mouseMove.x), static_cast<float>(ev.mouseMove.y)};
          if (dragging)
            if (auto t = scene.scrub_time_at({st.mouse->x, scene.frame().bottom.y + 18 * scene.frame().scale})) seek(*t);
          break;
        case sf::Event::MouseLeft: st.mouse.reset(); break;
        case sf::Event::MouseButtonPressed:
          if (ev.mouseButton.button == sf::Mouse::Left) {
            const Point p{static_cast<float>(ev.mouseButton.x), static_cast<float>(ev.mouseButton.y)};
            if (auto t = scene.scrub_time_at(p)) {
              dragging = true;
              seek(*t);
            } else if (auto n = scene.node_at(p)) {
              st.selected = (st.selected == n) ? std::nullopt : n;
            } else if (scene.frame().graph.contains(p)) {
              st.selected.reset();
            }
          }
          break;
        case sf::Event::MouseButtonReleased: dragging = false; break;
        default: break;
      }
    }
    if (!window.isOpen()) break;
    if (early.valid() && early.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      early_cause = early.get();
      if (!changed && !live->done()) pb->set_cause(early_cause);
    }

    // Time moves on; a live simulation runs just far enough (within a frame's
    // budget; if it cannot keep up the clock waits for it).
    if (!st.paused && !dragging) {
      if (st.max_speed) {
        if (live) live->run_to(pb->duration(), 0.012);
        st.t = live ? horizon() : st.t + pb->duration() / 5 * dt;  // a replay at max: the whole run in 5 s
      } else {
        st.t += st.speed * dt;
        if (live) live->run_to(st.t, 0.012);
      }
      st.t = std::min({st.t, horizon(), pb->duration()});
      if (st.t >= pb->duration() - 1e-9 && (!live || live->done())) {
        st.paused = true;
        say("end of the run: space plays it again, \u2190/\u2192 or the scrubber to look back");
      }
      scene.advance(dt, st.t);
    }
    st.sim_done = !live || live->done();
    if (!st.status.empty() && wall > status_until) st.status.clear();

    scene.draw(window, st);
    if (screenshot) {
      act(Action::Screenshot);
      screenshot = false;
    }
    window.display();
  }
  return 0;
}

int render(const RenderOptions& opt, RenderInfo* info) {
  const std::string ext = lower_ext(opt.out);
  if (ext != ".png" && ext != ".gif" && ext != ".mp4") {
    std::cerr << "archsim render: --out " << opt.out << ": the file name must end in .png, .gif or .mp4\n";
    return 2;
  }
  if (opt.width < 64 || opt.height < 64 || opt.width > 7680 || opt.height > 4320) {
    std::cerr << "archsim render: --width and --height must be between 64x64 and 7680x4320\n";
    return 2;
  }
  const bool video = ext != ".png";
  if (video && (opt.fps < 1 || opt.fps > 120)) {
    std::cerr << "archsim render: --fps must be between 1 and 120\n";
    return 2;
  }
  if (!(opt.speed > 0)) {
    std::cerr << "archsim render: --speed must be above 0 (simulated seconds per video second)\n";
    return 2;
  }
  if (!opt.moment.empty() && opt.moment != "worst" && opt.moment != "cause") {
    std::cerr << "archsim render: --at takes a time (e.g. 2m45s), 'worst' or 'cause'\n";
    return 2;
  }
  if (!video && (opt.from || opt.to)) {
    std::cerr << "archsim render: --from/--to are for .gif and .mp4; a PNG takes --at\n";
    return 2;
  }
  if (video && (opt.at || !opt.moment.empty())) {
    std::cerr << "archsim render: --at is for a .png; a video takes --from and --to\n";
    return 2;
  }
  auto input = load(opt.file, opt.load);
  if (!input) return 2;
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
  else if (opt.moment == "cause") at = pb->cause() ? std::min(duration, pb->cause()->at + 2 * pb->header().tick) : worst_moment(*pb);

  GlLeakScope gl_scope;
  if (!video) {
    Offscreen off(*pb, static_cast<unsigned>(opt.width), static_cast<unsigned>(opt.height), fonts);
    if (!off.ok()) {
      std::cerr << "archsim render: cannot create an OpenGL render texture of " << opt.width << "x" << opt.height << "\n";
      return 1;
    }
    if (!off.still(at, opt.speed).saveToFile(opt.out)) {
      std::cerr << "archsim render: could not write " << opt.out << "\n";
      return 1;
    }
    if (info) {
      info->at = at;
      if (pb->cause()) info->cause = pb->cause()->caption;
    }
    if (!opt.cause_out.empty() && pb->cause()) {
      const double ct = std::min(duration, pb->cause()->at + 2 * pb->header().tick);
      if (!off.still(ct, opt.speed).saveToFile(opt.cause_out)) {
        std::cerr << "archsim render: could not write " << opt.cause_out << "\n";
        return 1;
      }
      if (info) info->cause_drawn = true, info->cause_at = ct;
    }
    if (opt.quiet) return 0;
    std::cout << "archsim render: wrote " << opt.out << " (t = " << format_clock(at) << ")";
    if (const Cause* c = pb->cause_at(at)) std::cout << "; " << c->caption;
    std::cout << "\n";
    return 0;
  }
  VideoJob job;
  job.out = opt.out;
  job.from = from;
  job.to = to;
  job.speed = opt.speed;
  job.fps = opt.fps;
  job.width = static_cast<unsigned>(opt.width);
  job.height = static_cast<unsigned>(opt.height);
  const int rc = write_video(*pb, fonts, job, std::cerr);
  if (rc == 0)
    std::cout << "archsim render: wrote " << opt.out << " (" << format_clock(from) << " to " << format_clock(to) << ", "
              << video_frame_count(from, to, opt.speed, opt.fps) << " frames at " << opt.fps << " fps)\n";
  return rc;
}

}  // namespace archsim::viz
