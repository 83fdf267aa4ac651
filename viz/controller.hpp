// What the user does in the view window: keys and the mouse become actions
// on the time shown, the speed, the selection, chaos and the sandbox. The
// window loop (viz/view.cpp) only feeds it events and frames; tests feed it
// scripted key presses without a window.
#pragma once

#include <optional>
#include <string>

#include <SFML/Window/Event.hpp>

#include "archsim/load.hpp"
#include "live.hpp"
#include "playback.hpp"
#include "sandbox.hpp"
#include "scene.hpp"

namespace archsim::viz {

// What a key or click asks for.
enum class Action {
  None,
  Quit,
  TogglePause,
  Faster,
  Slower,
  SetSpeed,
  Back,
  Forward,
  Start,
  End,
  Restart,
  Screenshot,
  // Chaos, live only, on the selected component (or all traffic for Spike).
  KillOne,
  KillAll,
  Errors,
  Slow,
  Spike,
  // The sandbox, live only: capacity of the selected component, undo, write the design.
  More,
  Less,
  MoreRate,
  LessRate,
  MoreWorkers,
  LessWorkers,
  BiggerInstance,
  SmallerInstance,
  ToggleFeature,  ///< arg: the FaultSpec::Feature (Y retries, B breakers, O timeouts, H, C, D)
  Undo,
  WriteDesign,
  // Large graphs: search by name, reset the zoom.
  Search,
  // The p99 chart: successful requests only, or timed-out ones counted at their timeout.
  ToggleP99Timeouts,
  ResetZoom
};

/// The action of a key (arg: the speed index for SetSpeed, 1 for a long step).
std::pair<Action, double> key_action(const sf::Event::KeyEvent& k);

class Controller {
 public:
  struct Setup {
    Playback* pb = nullptr;
    LiveRun* live = nullptr;  ///< null: a replay
    Scene* scene = nullptr;   ///< null: no drawing (tests)
    std::string file;         ///< the scenario, for the design the sandbox writes
    LoadOptions load;
    std::string out_dir = ".";  ///< where W writes
    double speed = 1;
  };
  explicit Controller(Setup s);

  /// A window event: keys, clicks, drags, the wheel.
  void handle(const sf::Event& ev);
  void act(Action a, double arg = 0);
  /// Time moves on by `wall_dt` wall seconds; a live simulation runs just far enough.
  void frame(float wall_dt);
  /// Moves the time shown (a jump ahead runs the simulation there).
  void seek(double t);
  void select(std::optional<int> node) { st_.selected = node; }
  /// The cause the same run named on another thread (ignored once the run was changed).
  void offer_cause(const std::optional<Cause>& c);

  ViewState& state() { return st_; }
  bool quit() const { return quit_; }
  /// S was pressed: the caller saves the drawn window, then clears it.
  bool& screenshot() { return screenshot_; }
  void say(const std::string& msg);
  const Sandbox* sandbox() const { return sandbox_ ? &*sandbox_ : nullptr; }
  /// The design file W wrote last, if any.
  const std::string& written() const { return written_; }

 private:
  double horizon() const { return live_ ? live_->horizon() : pb_->horizon(); }
  void set_speed(int i);
  void step_speed(bool faster);
  void restart();
  void chaos(Action a);
  void sandbox(Action a, double arg = 0);  // arg: ToggleFeature's feature
  void write_design();
  /// Applies an action now, at the simulation's present.
  void apply_now(const FaultSpec& f);
  void mouse_press(Point p);
  void mouse_move(Point p);
  void wheel(Point p, float delta);
  /// A key while the search is being typed; false: not the search's.
  bool search_key(const sf::Event::KeyEvent& k);
  /// Selects the next node that matches the search and brings it to the centre.
  void next_match();

  Playback* pb_;
  LiveRun* live_;
  Scene* scene_;
  std::string file_;
  LoadOptions load_;
  std::string out_dir_;
  std::optional<Sandbox> sandbox_;
  ViewState st_;
  int speed_index_ = -1;  // into the speed list once +/- was used; its size = max
  double wall_ = 0, status_until_ = 0;
  bool dragging_ = false, quit_ = false, screenshot_ = false;
  std::optional<Point> panning_;  // the last mouse point of a drag that moves the architecture
  bool panned_ = false;           // the drag moved (a click without moving deselects)
  int match_ = -1;                // the component the search went to last
  bool changed_ = false;          // chaos or the sandbox changed the run
  std::optional<Cause> early_cause_;
  std::string written_;
};

}  // namespace archsim::viz
