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
  double per_hour = 0;      ///< USD, on demand
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
  std::string instance;     ///< the instance size it is billed as ("" for a balancer, a CDN)
  int instances = 1;        ///< instances per replica (a size beyond the largest: several)
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
