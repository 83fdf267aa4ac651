// The contract between a graded problem and a learner's design.
//
// A problem (scenarios/<p>/problem.yaml with a design) owns the world: its
// traffic, its data sets (items, sizes, popularity), the cost of work (`work:`
// per named step, `data:` per query of a data set), the requirements (SLOs,
// budget, `operations:` that say what every request must do) and the levers
// (optional changes with their true cost). A design owns the architecture
// and its capacity, and names the levers it pulls. The parser (spec/contract.cpp)
// refuses a design key that would set an owned fact, with the problem's line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

/// The cost of one unit of work the problem fixes: a named work step, or one
/// query of a data set ("orders.checkout").
struct WorkCost {
  DistSpec time;
  bool write = false;    ///< a query that writes (to the primary, replicated)
  bool scatter = false;  ///< a query every shard answers part of (DatabaseSpec::Query::scatter)
  Mark mark;
};

/// A data set of the problem: what a database, cache or CDN of it holds.
struct DataSetSpec {
  std::string name;
  Mark mark;
  std::uint64_t keys = 0;  ///< items; 0 = not keyed
  PopularitySpec popularity;
  double item_bytes = 1000;                               ///< size of an item (cache memory, CDN egress)
  std::vector<std::pair<std::string, WorkCost>> queries;  ///< by query name; "read" at least
  std::optional<DistSpec> cache_latency;                  ///< a cache of this data set answers in this time
  std::optional<DistSpec> edge_latency;                   ///< a CDN edge of it
  std::optional<DistSpec> origin_latency;                 ///< a CDN's fetch to its origin, one way
  int min_shards = 1;  ///< a database of it needs at least this many shards (the data's volume)
  /// Seconds from a primary's failure to a promoted replica (the managed
  /// database's, not the design's): 30 s unless the problem says.
  double failover = 30;
  /// From a write's commit to its apply on a read replica, when the problem
  /// fixes it (none: a design states its replication's lag).
  std::optional<DistSpec> replication_lag;
  std::string lever;  ///< the lever that offers this data set ("" = always there)
  Mark queries_mark, min_shards_mark, lever_mark, failover_mark, lag_mark;
  /// `followers:` (share of posts, followers of the author): what a
  /// `repeat: {followers: SET}` pushes; `pull_lever`: the lever a design
  /// must pull to leave the largest authors unpushed (`pull_above`).
  std::vector<std::pair<double, double>> followers;
  std::string pull_lever;
  Mark pull_lever_mark;
  /// `hot:` a breaking story (from a time, a share of reads for one new
  /// key) and `updates:` edits per second: what every cache or CDN of it sees.
  std::optional<KeyedStoreSpec::HotKey> hot;
  double updates = 0;
  /// `per_user: {users: 5M, popularity: uniform}`: an item is one copy per
  /// reader (a whole personalised page), what a cache of it must hold.
  std::optional<KeyedStoreSpec::Vary> vary;
  /// `mirror: SET`: a migration's old data set: every write a database of
  /// this set commits must also reach the design's database of SET
  /// (DatabaseSpec::mirror; counted as inconsistent_writes). "" = none.
  std::string mirror;
  Mark mirror_mark;
};

/// One requirement of an operation: any of the alternatives, each a work
/// name or "dataset.query" with the times per request it must run.
struct RequirementSpec {
  std::vector<std::pair<std::string, double>> any;
  Mark mark;
};

/// An optional change the problem offers, with its true cost: pulling it
/// replaces (or adds) work costs and queries. `family` groups levers for
/// hints ("query cost", "round trips", "caching", "idempotency", ...).
struct LeverSpec {
  std::string name;
  Mark mark;
  std::string about;  ///< one line for people
  std::string family;
  /// "work_name" or "dataset.query" -> its cost once the lever is pulled.
  std::vector<std::pair<std::string, WorkCost>> sets;
  /// What pulling it adds to operations' requirements (its true cost in
  /// work: a precomputed timeline must be pushed on every post).
  std::vector<std::pair<std::string, std::vector<RequirementSpec>>> must;
};

/// What every request of some traffic sources must do, wherever the design
/// chooses to do it.
struct OperationSpec {
  std::string name;
  Mark mark;
  std::vector<std::string> from;  ///< traffic sources; empty = all of them
  std::vector<RequirementSpec> must;
};

/// A price from the problem's `prices:` (USD per hour, or per GB for
/// `cdn_egress_gb` and `transfer_gb`), overriding the default table.
struct PriceOverride {
  std::string name;
  double price = 0;
  Mark mark;
};

/// A system outside the design that the problem provides (a payment
/// provider): the design calls it by name; it cannot size it or pay for it.
struct ExternalSpec {
  std::string name;
  Mark mark;
  int workers = 1;              ///< requests it accepts at once
  std::string work;             ///< the work item one request costs
  std::string idempotent_with;  ///< the lever that makes it execute a retried request once ("" = never)
};

/// A region of the problem and its one-way latency to the regions after it
/// (`regions: {us-east: {eu-west: 38ms}, eu-west: {}}`): where users are and
/// where a design may place its components; the latency between two
/// regions is the problem's, whatever a design would like.
struct ProblemRegion {
  std::string name;
  Mark mark;
  std::vector<std::pair<std::string, double>> latency;  ///< to other regions, s one way
  std::vector<Mark> latency_marks;
};

struct Contract {
  Mark work_mark, data_mark, operations_mark, levers_mark, network_mark, regions_mark;
  std::vector<ProblemRegion> regions;  ///< in the problem's order; the first is the default placement
  std::vector<std::pair<std::string, WorkCost>> work;  ///< named work steps
  std::vector<DataSetSpec> data;
  std::vector<LeverSpec> levers;  ///< offered, in file order
  std::vector<OperationSpec> operations;
  std::vector<PriceOverride> prices;
  std::vector<ExternalSpec> externals;
  /// The operator actions a design may plan in its `faults:` (the problem's
  /// `actions:`); none when the problem gives none.
  std::vector<FaultSpec::Kind> actions;
  Mark actions_mark;
  std::vector<std::string> pulled;  ///< levers the design pulls, in its order
  std::vector<Mark> pulled_marks;
  /// Counts the design runs per request of each source, for each required
  /// name (filled by the requirement check: for hints and the grade).
  std::map<std::string, std::map<std::string, double>> runs;

  const DataSetSpec* data_set(std::string_view name) const;
  const LeverSpec* lever(std::string_view name) const;
  bool pulled_lever(std::string_view name) const;
  /// The price override for `name`, if the problem gives one.
  std::optional<double> price(std::string_view name) const;
  bool external(std::string_view name) const;
  bool region(std::string_view name) const;
  /// One-way latency between two regions in s (0 within one; "" = the first
  /// region); nullopt when the problem gives none for the pair.
  std::optional<double> latency_between(std::string_view a, std::string_view b) const;
  /// The problem's line that fixes the latency between two regions.
  Mark latency_mark(std::string_view a, std::string_view b) const;
  std::vector<std::string> region_names() const;
};

}  // namespace archsim
