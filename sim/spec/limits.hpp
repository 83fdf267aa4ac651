// The largest value archsim accepts for each count and size, in one table:
// the parser refuses anything above (exit 2, with the position), the model
// relies on them (no counter can overflow, nothing is clamped behind the
// user's back) and the README's "Limits" table lists the same rows
// (tests/hardening_test.cpp checks that it does).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace archsim::limits {

/// One documented maximum.
struct Limit {
  std::string_view name;       ///< as in the README table and in messages
  double max;                  ///< inclusive
  std::string_view why;        ///< one line for the README
  std::string_view unit = "";  ///< after the number in messages: "s", "/s"
};

// Counts. Each fits an int with room for the products the model forms.
inline constexpr Limit kReplicas{"replicas", 100'000,
                                 "replicas of a service or balancer (also autoscale min/max, scale faults)"};
inline constexpr Limit kWorkers{"workers", 1'000'000, "workers (concurrency) of one replica"};
inline constexpr Limit kWorkersTimesReplicas{"workers x replicas", 1e9,
                                             "concurrent requests a component serves in all"};
inline constexpr Limit kQueue{"queue", 1e9,
                              "waiting room of one replica, pool sizes, connections, capacities"};
inline constexpr Limit kRepeat{"repeat", 1'000'000, "times a 'repeat' block runs per visit"};
inline constexpr Limit kWait{"wait", 1'000'000, "replies a 'parallel' block waits for"};
inline constexpr Limit kRetryMax{"retry max", 100, "retries of one call (attempts after the first)"};
inline constexpr Limit kShards{"shards", 4096, "shards of a database"};
inline constexpr Limit kDbReplicas{"database replicas", 1000, "read replicas per shard"};
inline constexpr Limit kDbNodes{"database nodes", 100'000, "shards x (1 + replicas) of a database"};
inline constexpr Limit kPartitions{"partitions", 65'536, "partitions of a queue"};
inline constexpr Limit kConsumers{"consumers", 1'000'000,
                                  "messages a queue delivers at once (default: consumer replicas x workers)"};
inline constexpr Limit kUsers{"users", 10'000'000, "closed-loop users of one traffic source"};
inline constexpr Limit kCount{"other counts", 1e9,
                              "breaker, health check, bulkhead, burst, batch and delivery counts"};
inline constexpr Limit kKeys{"keys", 1e12, "keys of a cache, database or CDN, cache capacity in items"};
inline constexpr Limit kHosts{"hosts", 100'000, "hosts of a platform ('count:')"};
inline constexpr Limit kCores{"cores", 1'048'576, "cores of one host"};
// Time. Doubles in seconds: a duration above kDuration would let the clock
// stop advancing (time + gap == time) long before the run ends.
inline constexpr Limit kDuration{"duration", 1e9,
                                 "any duration (about 31 years): the run, timeouts, delays, means", "s"};
inline constexpr Limit kRate{"rate", 1e9, "requests per second of one traffic source", "/s"};
inline constexpr double kMinInterval = 1e-3;  ///< s: the shortest period of a repeating timer
inline constexpr Limit kIntervalHz{
    "repeating timers", 1000, "per second: health checks, leaks, autoscaling run at most every 1 ms", "/s"};
// Input.
inline constexpr Limit kFileBytes{"input file", 16 * 1024 * 1024,
                                  "bytes of a scenario, design, platform or timeline file", "B"};
inline constexpr Limit kYamlNodes{"YAML nodes", 1'000'000, "nodes of a file after expanding aliases (*name)"};
inline constexpr Limit kNameLength{
    "name", 200, "characters of a component, source or key name (longer ones get no 'did you mean')"};
// The run.
inline constexpr Limit kEvents{"events", 1e10, "estimated events of one run (refused without --force)"};

// What a run keeps (not refused: bounded, so that memory stays flat in
// simulated time; README "Memory in long runs").
/// Notes (faults, actions, breaker and autoscaler changes) a result keeps;
/// later ones are counted in RunResult::notes_dropped.
inline constexpr std::size_t kNotes = 10'000;

/// Every row, in the README's order.
inline constexpr std::array kAll = {kReplicas,  kWorkers,    kWorkersTimesReplicas,
                                    kQueue,     kRepeat,     kWait,
                                    kRetryMax,  kShards,     kDbReplicas,
                                    kDbNodes,   kPartitions, kConsumers,
                                    kUsers,     kCount,      kKeys,
                                    kHosts,     kCores,      kDuration,
                                    kRate,      kIntervalHz, kFileBytes,
                                    kYamlNodes, kNameLength, kEvents};

}  // namespace archsim::limits
