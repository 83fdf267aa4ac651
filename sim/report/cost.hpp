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

/// An instance size of the price table: what a replica (or a database
/// node, a cache node, a queue broker) runs on.
struct Instance {
  std::string_view name;    ///< "m6i.xlarge", "db.r6g.2xlarge", "cache.r6g.large", "kafka.m5.large"
  std::string_view family;  ///< the kind it serves: service, database, cache, queue
  int vcpus = 0;
  double memory_gib = 0;
  double per_hour = 0;  ///< USD, on demand
};

/// The instance of this name, or nullptr.
const Instance* instance(std::string_view name);
/// A few valid instance names, for messages.
std::string instance_examples();
/// Concurrent requests an instance serves: vCPUs x the family's workers per
/// vCPU (a service 16: handlers mostly wait on calls; a database 2: a query
/// holds a core or waits on its disk).
int max_workers(const Instance& in);
/// The smallest instance of a family with at least `workers` workers and
/// `memory_gib` of memory; the largest when none is that big.
const Instance& smallest_for(std::string_view family, int workers, double memory_gib = 0);

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

/// The default price of one replica-hour of a component kind in USD, or
/// nullopt when the kind has none (its usage, not its hours, drives the bill).
/// The table and its sources are in spec/kinds.cpp and README.md.
std::optional<double> default_price(std::string_view kind);

/// The bill of a scenario's design. With the run's ticks, a service whose
/// replicas change (autoscaling, operator actions) is billed for its mean
/// number of serving replicas; with its result, a CDN for its egress.
Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks = {},
             const RunResult* result = nullptr);

/// USD per GB a CDN sends to viewers, by default.
double cdn_price_per_gb();

/// A price per unit of use rather than per hour: a row of the default price
/// table that a problem's `prices:` overrides by name (`transfer_gb: $0.01`).
struct UsagePrice {
  std::string_view name;    ///< "cdn_egress_gb", "queue_million_messages", "transfer_gb"
  double price = 0;         ///< USD per unit
  std::string_view unit;    ///< "GB", "million messages"
  std::string_view source;  ///< where the default comes from
};
/// The usage prices of the default table, in README order.
const std::vector<UsagePrice>& usage_prices();
/// The usage price of this name, or nullptr.
const UsagePrice* usage_price(std::string_view name);

/// "$0.096/h", "$12.40/h".
std::string format_price(double per_hour);

}  // namespace archsim::report
