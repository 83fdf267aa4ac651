// A scenario run live for the view: the Simulation stepped a little each
// frame, each tick handed to the Playback, the run explained at its end.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"
#include "playback.hpp"

namespace archsim::viz {

class LiveRun : public Observer {
 public:
  /// Feeds `pb`; when it is null, a Playback is made (and owned) here.
  LiveRun(const ScenarioSpec& spec, Playback*& pb);
  /// From the start again, with a new Simulation.
  void restart();
  void on_tick(const Tick& t) override;
  void on_note(const Note& n) override { pb_->append(n); }
  void on_finish(const RunResult& r) override;
  /// Runs until simulated time t (the end if t is past it) or until the wall
  /// budget is spent, one tick at a time.
  void run_to(double t, double budget_s);
  /// How far the view may go: every tick that ended before it has been seen.
  double horizon() const;
  /// Simulated time the simulation has been run to, s.
  double now() const { return reached_; }
  bool done() const { return sim_->done(); }
  /// A fault or an operator action, now (the engine notes it like a scripted one).
  void apply(const FaultSpec& f) { sim_->apply(f); }
  /// The finished run's result (after done()).
  const std::optional<RunResult>& result() const { return result_; }
  const ScenarioSpec& spec() const { return spec_; }

 private:
  const ScenarioSpec& spec_;
  Playback*& pb_;
  std::unique_ptr<Playback> owned_;
  std::unique_ptr<Simulation> sim_;
  double reached_ = 0;
  // As reported (explain reads these; the Playback marks missing
  // latencies), in bounded memory like the Playback's.
  TickStore raw_{Playback::kTickBudget};
  std::optional<RunResult> result_;
};

}  // namespace archsim::viz
