#include "controller.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace archsim::viz {

namespace {

// Speeds that + and - step through; the one after the last is "max".
const double kSpeeds[] = {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
constexpr int kSpeedCount = static_cast<int>(std::size(kSpeeds));

// The fault a chaos key injects. Each undoes itself after `for` (a killed
// replica comes back).
FaultSpec chaos_fault(Action a, const std::string& target) {
  FaultSpec f;
  f.target = target;
  switch (a) {
    case Action::KillOne:
      f.kind = FaultSpec::Kind::Kill;
      f.replicas = 1;
      f.duration = 60;
      break;
    case Action::KillAll:
      f.kind = FaultSpec::Kind::Kill;
      f.duration = 30;
      break;
    case Action::Errors:
      f.kind = FaultSpec::Kind::Errors;
      f.p = 0.3;
      f.duration = 30;
      break;
    case Action::Slow:
      f.kind = FaultSpec::Kind::Slow;
      f.x = 5;
      f.duration = 30;
      break;
    default:
      f.kind = FaultSpec::Kind::Spike;
      f.x = 3;
      f.duration = 60;
      break;
  }
  return f;
}

}  // namespace

std::pair<Action, double> key_action(const sf::Event::KeyEvent& k) {
  using K = sf::Keyboard;
  switch (k.code) {
    case K::Escape:
    case K::Q: return {Action::Quit, 0};
    case K::Space: return {Action::TogglePause, 0};
    case K::Add:
    case K::Equal: return {Action::Faster, 0};
    case K::Subtract:
    case K::Hyphen: return {Action::Slower, 0};
    case K::Num1: return {Action::SetSpeed, 3};            // 1x
    case K::Num2: return {Action::SetSpeed, 6};            // 10x
    case K::Num3: return {Action::SetSpeed, 9};            // 100x
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
    case K::RBracket: return {k.shift ? Action::MoreRate : Action::More, 0};
    case K::LBracket: return {k.shift ? Action::LessRate : Action::Less, 0};
    case K::Period: return {Action::MoreWorkers, 0};
    case K::Comma: return {Action::LessWorkers, 0};
    case K::I: return {k.shift ? Action::SmallerInstance : Action::BiggerInstance, 0};
    case K::Y: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::Retries)};
    case K::B: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::Breaker)};
    case K::O: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::Timeout)};
    case K::H: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::HealthCheck)};
    case K::C: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::ConcurrencyLimit)};
    case K::D: return {Action::ToggleFeature, static_cast<double>(FaultSpec::Feature::QueueDeadline)};
    case K::U: return {Action::Undo, 0};
    case K::Z: return {k.control ? Action::Undo : Action::None, 0};
    case K::W: return {Action::WriteDesign, 0};
    case K::Slash:
    case K::F: return {Action::Search, 0};
    case K::Num0: return {Action::ResetZoom, 0};
    case K::P: return {Action::ToggleP99Timeouts, 0};
    default: return {Action::None, 0};
  }
}

Controller::Controller(Setup s)
    : pb_(s.pb),
      live_(s.live),
      scene_(s.scene),
      file_(std::move(s.file)),
      load_(std::move(s.load)),
      out_dir_(std::move(s.out_dir)) {
  st_.interactive = true;
  st_.live = live_ != nullptr;
  st_.mode = live_ ? "LIVE" : "REPLAY";
  st_.speed = s.speed > 0 ? s.speed : 1;
  if (live_) sandbox_.emplace(live_->spec());
}

void Controller::say(const std::string& msg) {
  st_.status = msg;
  status_until_ = wall_ + 4;
}

void Controller::offer_cause(const std::optional<Cause>& c) {
  early_cause_ = c;
  if (!changed_ && !(live_ && live_->done())) pb_->set_cause(c);
}

void Controller::seek(double t) {
  t = std::clamp(t, 0.0, pb_->duration());
  if (live_ && t > live_->horizon()) live_->run_to(t, 5.0);  // a jump ahead runs the simulation there
  st_.t = std::min(t, horizon());
  if (scene_) scene_->warm(st_.t, st_.max_speed ? 100 : st_.speed);
}

void Controller::set_speed(int i) {
  speed_index_ = std::clamp(i, 0, kSpeedCount);
  st_.max_speed = speed_index_ == kSpeedCount;
  if (!st_.max_speed) st_.speed = kSpeeds[speed_index_];
  st_.paused = false;
}

void Controller::step_speed(bool faster) {
  if (speed_index_ < 0) {  // first use: the listed speed nearest the current one
    speed_index_ = 0;
    for (int i = 0; i < kSpeedCount; ++i)
      if (std::abs(std::log(kSpeeds[i] / st_.speed)) < std::abs(std::log(kSpeeds[speed_index_] / st_.speed)))
        speed_index_ = i;
  }
  set_speed(speed_index_ + (faster ? 1 : -1));
}

void Controller::restart() {
  if (live_) live_->restart();
  if (live_ && !changed_) pb_->set_cause(early_cause_);
  st_.t = 0;
  if (scene_) scene_->particles().clear();
  st_.paused = false;
  say(live_ ? "restarted: the simulation runs again from 0" : "back to the start");
}

void Controller::act(Action a, double arg) {
  const double step = std::max(5.0, pb_->duration() / 100);
  switch (a) {
    case Action::None: break;
    case Action::Quit: quit_ = true; break;
    case Action::TogglePause:
      if (st_.paused && st_.t >= pb_->duration() - 1e-9) seek(0);  // play again from the start
      st_.paused = !st_.paused;
      break;
    case Action::Faster:
    case Action::Slower: step_speed(a == Action::Faster); break;
    case Action::SetSpeed: set_speed(static_cast<int>(arg)); break;
    case Action::Back: seek(st_.t - step * (arg > 0 ? 10 : 1)); break;
    case Action::Forward: seek(st_.t + step * (arg > 0 ? 10 : 1)); break;
    case Action::Start: seek(0); break;
    case Action::End: seek(pb_->duration()); break;
    case Action::Restart: restart(); break;
    case Action::Screenshot: screenshot_ = true; break;
    case Action::KillOne:
    case Action::KillAll:
    case Action::Errors:
    case Action::Slow:
    case Action::Spike: chaos(a); break;
    case Action::More:
    case Action::Less:
    case Action::MoreRate:
    case Action::LessRate:
    case Action::MoreWorkers:
    case Action::LessWorkers:
    case Action::BiggerInstance:
    case Action::SmallerInstance:
    case Action::ToggleFeature:
    case Action::Undo: sandbox(a, arg); break;
    case Action::WriteDesign: write_design(); break;
    case Action::Search:
      st_.searching = true;
      st_.search.clear();
      match_ = -1;
      say("search: type part of a name, Enter goes to the next match, Esc ends");
      break;
    case Action::ResetZoom:
      st_.zoom = 1;
      st_.pan = {};
      break;
    case Action::ToggleP99Timeouts:
      st_.p99_timeouts = !st_.p99_timeouts;
      say(st_.p99_timeouts
              ? "p99 chart: timed-out requests counted at their timeout (P: successes only)"
              : "p99 chart: successful requests only (P: count timed-out ones at their timeout)");
      break;
  }
}

void Controller::apply_now(const FaultSpec& f) {
  // Actions happen at the simulation's present: the view comes back to it.
  if (st_.t < live_->horizon() - 1e-9) st_.t = live_->horizon();
  changed_ = true;
  pb_->set_cause(std::nullopt);  // explained again at the end of this changed run
  live_->apply(f);
}

void Controller::chaos(Action a) {
  if (!live_) return say("chaos keys act on a running simulation: open the scenario file, not a timeline");
  const auto& h = pb_->header();
  std::vector<std::string> targets;
  if (a == Action::Spike) targets = h.sources;
  else if (st_.selected && *st_.selected >= 0) targets.push_back(h.components[*st_.selected].name);
  else return say("click a component first, then K, shift+K, E or L");
  for (const auto& target : targets) apply_now(chaos_fault(a, target));
  const char* what[] = {"one replica killed for 60 s", "all replicas killed for 30 s", "30% errors for 30 s",
                        "work 5x slower for 30 s", "traffic x3 for 60 s"};
  say(std::string(what[static_cast<int>(a) - static_cast<int>(Action::KillOne)]) +
      (a == Action::Spike ? "" : " on " + targets.front()));
}

void Controller::sandbox(Action a, double arg) {
  if (!live_ || !sandbox_)
    return say("the sandbox changes a running simulation: open the scenario file, not a timeline");
  if (live_->done()) return say("the run is over: R runs it again, then change it as it plays");
  std::string words;
  std::optional<FaultSpec> f;
  if (a == Action::Undo) {
    f = sandbox_->undo(&words);
  } else if (a == Action::ToggleFeature) {
    f = sandbox_->toggle(st_.selected.value_or(-1), static_cast<FaultSpec::Feature>(static_cast<int>(arg)),
                         &words);
  } else if (a == Action::MoreWorkers || a == Action::LessWorkers || a == Action::BiggerInstance ||
             a == Action::SmallerInstance) {
    const bool instance = a == Action::BiggerInstance || a == Action::SmallerInstance;
    const int step = a == Action::MoreWorkers || a == Action::BiggerInstance ? +1 : -1;
    f = sandbox_->resize(st_.selected.value_or(-1), step, instance, &words);
  } else {
    const int c = st_.selected.value_or(-1);
    double arrivals = 0;
    if (const Tick* k = pb_->tick_at(st_.t); k && c >= 0 && c < static_cast<int>(k->components.size()))
      arrivals = k->components[c].arrivals / (k->dt > 0 ? k->dt : 1);
    const bool rate = a == Action::MoreRate || a == Action::LessRate;
    f = sandbox_->adjust(c, a == Action::More || a == Action::MoreRate ? +1 : -1, arrivals, rate, &words);
  }
  if (!f) return say(words);
  const double at = live_->now();
  apply_now(*f);
  sandbox_->record(at, *f, words, a != Action::Undo);
  say(words + " at " + format_clock(at) + "  (W writes the design, U undoes)");
}

void Controller::write_design() {
  if (!sandbox_ || sandbox_->changes().empty())
    return say("nothing changed yet: select a component, then [ or ]");
  try {
    std::string run_it;
    written_ = sandbox_->write(file_, load_, out_dir_, &run_it);
    say("wrote " + written_ + ": " + run_it);
  } catch (const std::exception& e) {
    say(std::string("could not write the design: ") + e.what());
  }
}

void Controller::mouse_press(Point p) {
  if (!scene_) return;
  if (auto t = scene_->scrub_time_at(p)) {
    dragging_ = true;
    seek(*t);
  } else if (auto n = scene_->node_at(p)) {
    st_.selected = (st_.selected == n) ? std::nullopt : n;
    st_.details_scroll = 0;
  } else if (scene_->world_region().contains(p)) {
    panning_ = p;  // a drag moves the architecture; a click deselects
    panned_ = false;
  }
}

void Controller::mouse_move(Point p) {
  st_.mouse = p;
  if (dragging_ && scene_)
    if (auto t = scene_->scrub_time_at({p.x, scene_->frame().bottom.y + 18 * scene_->frame().scale}))
      seek(*t);
  if (panning_) {
    st_.pan.x -= (p.x - panning_->x) / st_.zoom;
    st_.pan.y -= (p.y - panning_->y) / st_.zoom;
    panned_ = panned_ || std::hypot(p.x - panning_->x, p.y - panning_->y) > 0;
    panning_ = p;
  }
}

// The wheel zooms the architecture about the mouse, or scrolls the details.
void Controller::wheel(Point p, float delta) {
  if (!scene_ || !scene_->world_region().contains(p)) {
    st_.details_scroll = std::max(0.f, st_.details_scroll - delta);
    return;
  }
  const Point w = scene_->to_world(p);
  const Rect r = scene_->world_region();
  st_.zoom = std::clamp(st_.zoom * std::pow(1.15f, delta), 0.25f, 8.f);
  // Keep the point under the mouse where it is.
  st_.pan = {w.x - r.cx() - (p.x - r.cx()) / st_.zoom, w.y - r.cy() - (p.y - r.cy()) / st_.zoom};
}

bool Controller::search_key(const sf::Event::KeyEvent& k) {
  using K = sf::Keyboard;
  if (!st_.searching) return false;
  if (k.code == K::Escape) {
    st_.searching = false;
    st_.search.clear();
    st_.status.clear();
  } else if (k.code == K::Enter) {
    next_match();
  } else if (k.code == K::BackSpace && !st_.search.empty()) {
    st_.search.pop_back();
  }
  return true;  // letters arrive as text
}

void Controller::next_match() {
  const auto& h = pb_->header();
  const int n = static_cast<int>(h.components.size());
  for (int i = 1; i <= n; ++i) {
    const int c = (match_ + i + n) % n;
    if (!name_matches(h.components[c].name, st_.search)) continue;
    match_ = c;
    st_.selected = c;
    st_.details_scroll = 0;
    st_.zoom = std::max(st_.zoom, 2.f);
    if (scene_) {
      const Rect r = scene_->world_region();
      const Rect& b = scene_->layout().components[c].rect;
      st_.pan = {b.cx() - r.cx(), b.cy() - r.cy()};
    }
    return say("search: " + st_.search + " \u2192 " + h.components[c].name +
               "  (Enter: next match, Esc: end)");
  }
  say("search: no component's name contains '" + st_.search + "'");
}

void Controller::handle(const sf::Event& ev) {
  switch (ev.type) {
    case sf::Event::Closed: quit_ = true; break;
    case sf::Event::KeyPressed: {
      if (search_key(ev.key)) break;
      const auto [a, arg] = key_action(ev.key);
      act(a, arg);
      break;
    }
    case sf::Event::TextEntered:
      if (st_.searching && ev.text.unicode >= 32 && ev.text.unicode < 127 && ev.text.unicode != '/') {
        st_.search += static_cast<char>(ev.text.unicode);
        say("search: " + st_.search + "  (Enter: go to it, Esc: end)");
      }
      break;
    case sf::Event::MouseMoved:
      mouse_move({static_cast<float>(ev.mouseMove.x), static_cast<float>(ev.mouseMove.y)});
      break;
    case sf::Event::MouseLeft: st_.mouse.reset(); break;
    case sf::Event::MouseButtonPressed:
      if (ev.mouseButton.button == sf::Mouse::Left)
        mouse_press({static_cast<float>(ev.mouseButton.x), static_cast<float>(ev.mouseButton.y)});
      break;
    case sf::Event::MouseButtonReleased:
      if (panning_ && !panned_) st_.selected.reset();
      dragging_ = false;
      panning_.reset();
      break;
    case sf::Event::MouseWheelScrolled:
      wheel({static_cast<float>(ev.mouseWheelScroll.x), static_cast<float>(ev.mouseWheelScroll.y)},
            ev.mouseWheelScroll.delta);
      break;
    default: break;
  }
}

void Controller::frame(float dt) {
  wall_ += dt;
  if (!st_.paused && !dragging_) {
    if (st_.max_speed) {
      if (live_) live_->run_to(pb_->duration(), 0.012);
      st_.t = live_ ? horizon() : st_.t + pb_->duration() / 5 * dt;  // a replay at max: the whole run in 5 s
    } else {
      st_.t += st_.speed * dt;
      if (live_) live_->run_to(st_.t, 0.012);
    }
    st_.t = std::min({st_.t, horizon(), pb_->duration()});
    if (st_.t >= pb_->duration() - 1e-9 && (!live_ || live_->done())) {
      st_.paused = true;
      say("end of the run: space plays it again, \u2190/\u2192 or the scrubber to look back");
    }
    if (scene_) scene_->advance(dt, st_.t);
  }
  st_.sim_done = !live_ || live_->done();
  if (!st_.status.empty() && wall_ > status_until_ && !st_.searching) st_.status.clear();
}

}  // namespace archsim::viz
