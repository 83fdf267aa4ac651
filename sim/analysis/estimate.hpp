// Napkin math over the call graph, as a capacity planner: offered load per
// component from the traffic, the visit counts, the caches' hit ratios (from
// popularity, capacity, eviction, TTL, writes) and the retries; the time a
// visit holds a worker (with the waits for callees, connection pools by
// M/M/c with patience, worker pools by Erlang C, finite queues by M/M/c/K);
// utilisation; the entry rate at which the first component saturates. Where
// the model has no closed form (overload feedback, faults, fan-out with
// timeouts, autoscaling, shared cores) a component says so instead of
// giving a number (ComponentEstimate::no_estimate).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

struct ComponentEstimate {
  int index = 0;
  std::string name;
  double visits = 0;            ///< per entry request, over all sources (weighted by rate)
  double arrivals = 0;          ///< visits per second at base rates (after caches, retries, rate limits)
  double mean_arrivals = 0;     ///< visits per second averaged over the measured window
  double hold = 0;              ///< seconds a visit holds a worker (callee waits included)
  double capacity = 0;          ///< workers across replicas (0: a balancer, or no limit)
  double utilization = 0;       ///< offered load at base rates / capacity
  double peak_utilization = 0;  ///< at the profiles' peak multiplier (spikes included)
  /// Time-averaged over the measured window (after warm-up, profiles and
  /// spikes weighed by time): what the run's `utilization` measures.
  double mean_utilization = 0;
  double saturation_rate = 0;            ///< entry requests/s at which utilisation reaches 1 (0: never)
  double wait = 0;                       ///< s, mean wait for a worker at base rates
  std::optional<double> hit_ratio;       ///< caches and cdns: hits / reads over the measured window
  std::optional<double> pool_wait;       ///< databases with pools: mean wait for a connection, s (base rates)
  std::optional<double> pool_exhausted;  ///< share of queries that give up waiting (base rates)
  std::optional<double> rejected;        ///< share turned away by a full queue (base rates)
  std::optional<double> shed;            ///< share dropped by the queue deadline (M/M/c+D, base rates)
  std::optional<double> bulkhead_full;   ///< share of visits with a call its bulkhead refused (Erlang B)
  std::optional<double> rate_limited;    ///< share refused by its rate limit (token bucket: M/D/1+D)
  /// Why the figures above are no estimate of what a run measures (empty:
  /// they are). Utilisation is still computed as offered load, for orientation.
  std::string no_estimate;
  bool reachable = true;
};

struct Estimate {
  double entry_rate = 0;  ///< requests/s from all sources at base rates
  double peak_multiplier = 1;
  double mean_multiplier = 1;                 ///< time average over the measured window
  std::vector<ComponentEstimate> components;  ///< file order
  /// Requests/s per traffic source (file order; closed loops solved), at
  /// base rates and averaged over the measured window.
  std::vector<double> source_rates, source_mean_rates;
  /// Indices into components, those with workers, highest utilisation first.
  std::vector<int> saturation_order;
  /// The first limit the entry rate meets as it grows from the base rate
  /// (workers, or a connection pool whose queries start to give up).
  struct Limit {
    int component = -1;
    double entry_rate = 0;  ///< requests/s entering
    std::string cause;      ///< "workers" or "connection pool"
  };
  std::optional<Limit> first_limit;
  /// Notes on what the estimate assumes (closed loops, cycles).
  std::vector<std::string> notes;
  /// A closed loop's users think a constant time: all start after one
  /// think, so they stay nearly in step and arrive in waves, and the waits
  /// above (for arrivals spread as Poisson) can be far too short
  /// (video-streaming's origin: 6.6 ms here, 145 ms in the run).
  bool in_step = false;
};

/// Returns nullopt if the graph has a cycle (validation reports it).
std::optional<Estimate> estimate(const ScenarioSpec& spec);

/// What a run would cost, known before it starts (the napkin math above
/// times the duration): refused above limits::kEvents or the memory there is,
/// unless --force.
struct RunCost {
  double events = 0;    ///< kernel events: about kEventsPerVisit per visit, plus ticks and health checks
  double bytes = 0;     ///< memory that grows with the run: backlogs of unbounded queues, kept ticks
  std::string biggest;  ///< the largest backlog, in words ("" when none)
};
inline constexpr double kEventsPerVisit = 3;     ///< arrive, work done, reply
inline constexpr double kBytesPerWaiting = 256;  ///< a waiting request: its Job and its place in line
inline constexpr double kBytesPerTick = 250;     ///< per component and simulated second, when ticks are kept
RunCost run_cost(const ScenarioSpec& spec, const Estimate& est, bool keep_ticks);

}  // namespace archsim
