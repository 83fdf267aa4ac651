// `cache_size` (issue 16): an operator action that sets how many entries a
// keyed cache (or a cdn) holds, mid-run. A smaller store evicts down to the
// new size at once by its policy; a larger one just has room. After the
// change the hit ratio is Che's approximation for the new capacity
// (H. Che, Y. Tung, Z. Wang, IEEE JSAC 2002; sim/analysis/queueing).
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "analysis/queueing.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "engine/key_store.hpp"
#include "report/cost.hpp"

using namespace archsim;
using archsim::test::component;
using archsim::test::figure;
using archsim::test::Rel;
using archsim::test::run_text;

namespace {

// Cache-aside at 1000 reads/s over 10k keys, Zipf(1.0), LRU, `capacity`
// entries, changed to `after` at 20 s; measured from 40 s (the store has
// refilled after the change) to 200 s.
std::string cache_aside(int capacity, int after) {
  return fmt::format(R"(name: cache-size
seed: 5
duration: 200s
warmup: 40s
traffic:
  - {{name: users, to: api, rate: 1000/s}}
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: cache
        on_miss: [{{call: db}}]
  cache:
    kind: cache
    keys: 10k
    popularity: zipf(1.0)
    capacity: {}
  db:
    kind: database
    queries: {{read: 2ms}}
faults:
  - {{at: 20s, cache_size: cache, capacity: {}}}
)",
                     capacity, after);
}

}  // namespace

TEST_CASE("cache_size: a smaller store evicts down to its new size at once, by its policy") {
  KeyStore lru(10, Eviction::Lru, 0);
  for (std::uint64_t k = 0; k < 10; ++k) lru.put(k, 0);
  CHECK(lru.get(0, 0));  // 0 becomes the most recent
  lru.set_capacity(3);
  CHECK(lru.size() == 3);
  CHECK(lru.evictions == 7);
  CHECK(lru.contains(0));
  CHECK(lru.contains(9));
  CHECK(lru.contains(8));
  CHECK_FALSE(lru.contains(7));
  lru.set_capacity(5);  // larger: nothing evicted, room for two more
  lru.put(100, 0);
  lru.put(101, 0);
  CHECK(lru.size() == 5);
  CHECK(lru.evictions == 7);

  KeyStore lfu(4, Eviction::Lfu, 0);
  for (std::uint64_t k = 0; k < 4; ++k) lfu.put(k, 0);
  for (int i = 0; i < 3; ++i) CHECK(lfu.get(2, 0));  // 2 used most, then 1
  CHECK(lfu.get(1, 0));
  lfu.set_capacity(2);
  CHECK(lfu.contains(2));
  CHECK(lfu.contains(1));
  CHECK(lfu.size() == 2);
}

TEST_CASE("cache_size: after the change the hit ratio is Che's for the new capacity (LRU, zipf 1.0)") {
  const auto p = queueing::zipf(10'000, 1.0);
  const double che500 = queueing::che_lru_hit_ratio(p, 500);
  const double che2000 = queueing::che_lru_hit_ratio(p, 2000);
  REQUIRE(che2000 - che500 > 0.1);  // far enough apart for the check to tell them apart
  SUBCASE("shrunk from 2000 to 500 entries") {
    const RunResult r = run_text(cache_aside(2000, 500));
    const ComponentResult& c = component(r, "cache");
    MESSAGE("hit ratio " << figure(c, "hit_ratio") << ", Che(500) " << che500);
    CHECK(std::abs(figure(c, "hit_ratio") - che500) < 0.02);
    CHECK(figure(c, "entries") == 500);
  }
  SUBCASE("grown from 500 to 2000 entries") {
    const RunResult r = run_text(cache_aside(500, 2000));
    const ComponentResult& c = component(r, "cache");
    MESSAGE("hit ratio " << figure(c, "hit_ratio") << ", Che(2000) " << che2000);
    CHECK(std::abs(figure(c, "hit_ratio") - che2000) < 0.02);
    CHECK(figure(c, "entries") == 2000);
  }
}

TEST_CASE("cache_size: the bill follows the memory held from the change on (time-weighted)") {
  // Entries of 1 kB (+30%): 1M need 1.2 GiB, 40M 48 GiB; the cache runs on the
  // smallest instance that fits, billed for each part of the run.
  const std::string text = R"(name: cache-bill
duration: 100s
traffic:
  - {name: users, to: api, rate: 10/s}
components:
  c: {kind: cache, keys: 50M, capacity: 1M}
  api: {kind: service, steps: [{call: c, on_miss: [{call: db}]}]}
  db: {kind: database, queries: {read: 1ms}}
)";
  const ScenarioSpec small = load_scenario_text(text, "t.yaml");
  const ScenarioSpec big =
      load_scenario_text(std::string(text).replace(text.find("capacity: 1M"), 12, "capacity: 40M"), "t.yaml");
  const ScenarioSpec changed =
      load_scenario_text(text + "faults:\n  - {at: 25s, cache_size: c, capacity: 40M}\n", "t.yaml");
  const double lo = report::cost_of(small).lines.at(0).unit;
  const double hi = report::cost_of(big).lines.at(0).unit;
  REQUIRE(hi > lo);
  RunResult r;
  r.warmup_s = 0;
  r.sim_time_s = 100;
  CHECK(report::cost_of(changed, {}, &r).lines.at(0).unit == Rel(0.25 * lo + 0.75 * hi).epsilon(1e-9));
}

TEST_CASE("cache_size: a cdn's storage is billed for the entries it held, time-weighted") {
  const std::string text = R"(name: cdn-bill
duration: 100s
traffic:
  - {name: users, to: edge, rate: 10/s}
components:
  edge: {kind: cdn, origin: origin, keys: 1M, capacity: 100k, object_size: 1MB}
  origin: {kind: service, steps: [{work: 1ms}]}
)";
  RunResult r;  // the measured window, no figures: the line is the storage alone
  r.warmup_s = 0;
  r.sim_time_s = 100;
  const double lo = report::cost_of(load_scenario_text(text, "t.yaml"), {}, &r).lines.at(0).unit;
  REQUIRE(lo > 0);
  const ScenarioSpec changed =
      load_scenario_text(text + "faults:\n  - {at: 25s, cache_size: edge, capacity: 500k}\n", "t.yaml");
  // 100k entries for a quarter of the window, 500k for the rest: 4x the storage on average.
  CHECK(report::cost_of(changed, {}, &r).lines.at(0).unit == Rel(4 * lo).epsilon(1e-9));
}

TEST_CASE("cache_size: bad values are refused at their position, every one in one pass") {
  const std::string base = R"(name: bad
duration: 10s
traffic:
  - {name: users, to: api, rate: 10/s}
components:
  api:
    kind: service
    steps: [{call: c, on_miss: [{call: simple}]}]
  c: {kind: cache, keys: 1000, capacity: 100}
  simple: {kind: cache, hit_ratio: 0.5}
faults:
  - {at: 1s, cache_size: c, capacity: 2000}
  - {at: 2s, cache_size: simple, capacity: 10}
  - {at: 3s, cache_size: c, capacty: 10}
  - {at: 4s, cache_size: api, capacity: 10}
  - {at: 5s, cache_size: c, capacity: 0}
)";
  const std::string e = test::load_errors(base);
  INFO(e);
  CHECK(e.find("t.yaml:12:5: error: the 'cache_size' fault at 1s asks 'c' to hold 2000 entries; its key "
               "space has 1000") != std::string::npos);
  CHECK(e.find("t.yaml:13:26: error: 'cache_size' sets how many entries a keyed cache holds; 'simple' has "
               "a fixed 'hit_ratio'") != std::string::npos);
  CHECK(e.find("t.yaml:14:29: error: unknown key 'capacty'") != std::string::npos);
  CHECK(e.find("did you mean 'capacity'?") != std::string::npos);
  CHECK(e.find("t.yaml:15:26: error: 'cache_size' applies to") != std::string::npos);
  CHECK(e.find("t.yaml:16:39: error: 'capacity' must be at least 1") != std::string::npos);
  const std::string good =
      std::string(base).substr(0, base.find("  - {at: 1s")) + "  - {at: 1s, cache_size: c, capacity: 50}\n";
  CHECK(test::load_errors(good).empty());
}
