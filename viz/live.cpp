#include "live.hpp"

#include <algorithm>
#include <chrono>

#include "archsim/timeline.hpp"
#include "cause.hpp"

namespace archsim::viz {

LiveRun::LiveRun(const ScenarioSpec& spec, Playback*& pb) : spec_(spec), pb_(pb) { restart(); }

void LiveRun::restart() {
  sim_ = std::make_unique<Simulation>(spec_);
  sim_->add_observer(this);
  reached_ = 0;
  raw_ = TickStore(Playback::kTickBudget);
  result_.reset();
  if (!pb_) owned_ = std::make_unique<Playback>(make_header(*sim_)), pb_ = owned_.get();
  else pb_->clear();
}

void LiveRun::on_tick(const Tick& t) {
  raw_.add(t);
  pb_->append(t);
}

void LiveRun::on_finish(const RunResult& r) {
  result_ = r;
  pb_->set_final(r.slo);
  pb_->set_cause(explain_cause(spec_, r, raw_.ticks(), sim_->edges(), pb_->header()));
}

void LiveRun::run_to(double t, double budget_s) {
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

double LiveRun::horizon() const { return sim_->done() ? pb_->duration() : reached_; }

}  // namespace archsim::viz
