// Napkin math over the call graph: offered load per component from the
// traffic and the visit counts, the time a visit holds a worker when nothing
// queues, utilisation, and the entry rate at which each component saturates.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

struct ComponentEstimate {
  int index = 0;
  std::string name;
  double visits = 0;        ///< per entry request, over all sources (weighted by rate)
  double arrivals = 0;      ///< visits per second at base rates
  double hold = 0;          ///< seconds a visit holds a worker with no queueing anywhere
  double capacity = 0;      ///< workers across replicas (0: a balancer, no workers)
  double utilization = 0;   ///< offered load at base rates / capacity
  double peak_utilization = 0;  ///< at the profiles' peak multiplier
  double saturation_rate = 0;   ///< entry requests/s at which utilisation reaches 1 (0: never)
  bool reachable = true;
};

struct Estimate {
  double entry_rate = 0;    ///< requests/s from all sources at base rates
  double peak_multiplier = 1;
  std::vector<ComponentEstimate> components;  ///< file order
  /// Indices into components, those with workers, highest utilisation first.
  std::vector<int> saturation_order;
  /// Notes on what the estimate assumes (closed loops, cycles).
  std::vector<std::string> notes;
};

/// Returns nullopt if the graph has a cycle (validation reports it).
std::optional<Estimate> estimate(const ScenarioSpec& spec);

/// What a run would cost, known before it starts (the napkin math above
/// times the duration): refused above limits::kEvents or the memory there is,
/// unless --force.
struct RunCost {
  double events = 0;  ///< kernel events: about kEventsPerVisit per visit, plus ticks and health checks
  double bytes = 0;   ///< memory that grows with the run: backlogs of unbounded queues, kept ticks
  std::string biggest;  ///< the largest backlog, in words ("" when none)
};
inline constexpr double kEventsPerVisit = 3;  ///< arrive, work done, reply
inline constexpr double kBytesPerWaiting = 256;  ///< a waiting request: its Job and its place in line
inline constexpr double kBytesPerTick = 250;     ///< per component and simulated second, when ticks are kept
RunCost run_cost(const ScenarioSpec& spec, const Estimate& est, bool keep_ticks);

}  // namespace archsim
