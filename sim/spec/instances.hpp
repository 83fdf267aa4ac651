// The price table: instance sizes (vCPUs, memory, USD per hour), the usage
// prices (per GB, per million messages) and each component kind's default,
// approximate AWS on-demand list prices with their sources. The parser checks
// names against it; the bill (report/cost) reads it; a problem's `prices:`
// overrides a row by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace archsim {

struct ComponentSpec;

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

/// The instance names of a family ("service", "database"; all when empty),
/// smallest first: for "did you mean" and lists in messages.
std::vector<std::string> instance_names(std::string_view family = {});
/// The size `step` places up (> 0) or down (< 0) in its family, or nullptr past either end.
const Instance* next_instance(const Instance& in, int step);
/// What a service or database runs on: its `instance:`, else the smallest of
/// its family that fits its workers (as the bill sizes it); nullptr for the
/// other kinds. `workers` and `instance` override the spec's (a resize).
const Instance* runs_on(const ComponentSpec& c, std::optional<int> workers = std::nullopt,
                        std::string_view instance = {});
/// Workers per replica after moving from instance `from` to `to` without
/// naming workers: the workers per vCPU stay (x to.vcpus / from.vcpus,
/// rounded, at least 1); 0 (no limit) stays 0. The model's `resize` and the
/// view's sandbox both use it.
int workers_on(int workers, const Instance& from, const Instance& to);

/// A service's or database's size while it runs: its workers per replica
/// (per node) and the instance it names ("" = the smallest that fits).
struct Sizing {
  int workers = 0;
  std::string instance;
};
/// The size after a `resize` of `c` (now at `now`) to `workers` and/or
/// `instance`: a named instance without workers moves the workers with the
/// vCPUs (workers_on). The model, the bill and the view's sandbox all use it.
Sizing resized(const ComponentSpec& c, const Sizing& now, std::optional<int> workers,
               std::string_view instance);

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

/// The default price of one replica-hour of a component kind in USD, or
/// nullopt when the kind has none (its usage, not its hours, drives the bill).
/// The table and its sources are in spec/kinds.cpp and README.md.
std::optional<double> default_price(std::string_view kind);

}  // namespace archsim
