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
#include "spec/instances.hpp"

namespace archsim::report {

// The price table (instances, usage prices, kinds' defaults) is part of the
// spec (sim/spec/instances.hpp): the parser checks names against it, the
// bill reads it.
using archsim::cdn_price_per_gb;
using archsim::default_price;
using archsim::Instance;
using archsim::instance;
using archsim::instance_examples;
using archsim::max_workers;
using archsim::smallest_for;
using archsim::usage_price;
using archsim::usage_prices;
using archsim::UsagePrice;

/// One component's share of the bill.
struct CostLine {
  std::string component;
  std::string kind;
  std::string instance;  ///< the instance size it is billed as ("" for a balancer, a CDN)
  int instances = 1;     ///< instances per replica (a size beyond the largest: several)
  int replicas = 1;
  double mean_replicas = 1;  ///< over the run (autoscaling, faults that scale): what is billed
  double unit = 0;           ///< USD per replica-hour
  bool defaulted = true;     ///< the kind's default price (no `cost:` given)
  bool priced = true;        ///< false when the kind has no default and no `cost:`
  bool usage = false;        ///< priced by use (a CDN's egress, a managed queue's messages), not by the hour
  std::string usage_what;    ///< what the use is, for the summary: "egress", "messages"
  double per_hour = 0;       ///< unit * mean_replicas
};

struct Cost {
  std::vector<CostLine> lines;  ///< in file order
  /// Bytes between components in different regions (a `platform:` with
  /// regions), billed per GB: GB per hour of the measured window, and USD.
  double transfer_gb_per_hour = 0;
  double transfer_per_gb = 0;
  double transfer_per_hour = 0;
  /// What entries other than a CDN send to users (a traffic source's
  /// `response:` bytes per answered request), billed per GB as internet
  /// egress: GB per hour of the measured window, and USD.
  double egress_gb_per_hour = 0;
  double egress_per_gb = 0;
  double egress_per_hour = 0;
  double per_hour = 0;           ///< USD, the lines and the transfer
  std::optional<double> budget;  ///< USD per hour, from the problem's `budget:`
  bool within_budget() const { return !budget || per_hour <= *budget + 1e-9; }
};

/// The bill of a scenario's design. With the run's ticks, a service whose
/// replicas change (autoscaling, operator actions) is billed for its mean
/// number of serving replicas; with its result, a CDN for its egress.
Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks = {},
             const RunResult* result = nullptr);

/// "$0.096/h", "$12.40/h".
std::string format_price(double per_hour);

}  // namespace archsim::report
