// One run, analysed: its result, its ticks, its cost and the explanation.
// run, compare, sweep and the HTML reports all start from an Analysis.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"
#include "archsim/ticks.hpp"
#include "report/cost.hpp"
#include "report/explain.hpp"

namespace archsim::report {

/// Keeps the ticks of a run in bounded memory (archsim/ticks.hpp: every
/// tick while they fit, merged in pairs beyond); attach with
/// Simulation::add_observer.
class Recorder : public Observer {
 public:
  explicit Recorder(std::size_t budget_bytes = TickStore::kDefaultBudget) : store(budget_bytes) {}
  void on_tick(const Tick& t) override { store.add(t); }
  TickStore store;
};

struct Analysis {
  ScenarioSpec spec;
  RunResult result;
  std::vector<Tick> ticks;
  std::vector<EdgeInfo> edges;
  std::vector<FaultMark> faults;
  Cost cost;
  Explanation why;
  /// Every SLO met and the cost within the budget (if there is one).
  bool pass() const { return result.slo_pass && cost.within_budget(); }
};

/// Builds the analysis of a finished simulation that `rec` observed.
Analysis analyse(const Simulation& sim, Recorder& rec);
/// Runs a spec to the end and analyses it (compare, sweep, tests).
Analysis run_analysed(const ScenarioSpec& spec);

/// Adds `cost_per_hour`, `cost` {budget_per_hour, within_budget, components}
/// and `explanation` {headline, details, first_saturated} to a --json object
/// (before its `engine` section).
void add_to_json(nlohmann::ordered_json& j, const Analysis& a);

/// Printed after the summary: the cost (and the budget verdict), then "Why".
void print_verdict(std::ostream& out, const Analysis& a);

}  // namespace archsim::report
