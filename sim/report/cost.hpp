// What a design costs to run: a price per replica-hour for each component
// (a default per kind, or the component's own `cost:`), summed per hour and
// checked against the problem's `budget:`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"

namespace archsim::report {

/// One component's share of the bill.
struct CostLine {
  std::string component;
  std::string kind;
  int replicas = 1;
  double mean_replicas = 1; ///< over the run (autoscaling, faults that scale): what is billed
  double unit = 0;          ///< USD per replica-hour
  bool defaulted = true;    ///< the kind's default price (no `cost:` given)
  bool priced = true;       ///< false when the kind has no default and no `cost:`
  bool usage = false;       ///< priced by what it sends (a CDN's egress), not by the hour
  double per_hour = 0;      ///< unit * mean_replicas
};

struct Cost {
  std::vector<CostLine> lines;  ///< in file order
  double per_hour = 0;          ///< USD
  std::optional<double> budget; ///< USD per hour, from the problem's `budget:`
  bool within_budget() const { return !budget || per_hour <= *budget + 1e-9; }
};

/// The default price of one replica-hour of a component kind in USD, or
/// nullopt when the kind has none (its usage, not its hours, drives the bill).
/// The table and its sources are in spec/kinds.cpp and README.md.
std::optional<double> default_price(std::string_view kind);

/// The bill of a scenario's design. With the run's ticks, a service whose
/// replicas change (autoscaling, operator actions) is billed for its mean
/// number of serving replicas; with its result, a CDN for its egress.
Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks = {}, const RunResult* result = nullptr);

/// USD per GB a CDN sends to viewers, by default.
double cdn_price_per_gb();


/// "$0.096/h", "$12.40/h".
std::string format_price(double per_hour);

}  // namespace archsim::report
