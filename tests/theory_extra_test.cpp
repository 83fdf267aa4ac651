// Figures of queueing and caching theory that the rest of the suite does not
// check, each against its exact formula (named with the case), found by an
// outside-style check of the CLI's results (README, How exact it is).
#include <doctest/doctest.h>

#include "check.hpp"

#include <cmath>
#include <vector>

#include "analysis/queueing.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

/// Hit ratio of a store under independent requests (a miss stores the key,
/// as cache-aside does); the first `warmup` requests are not counted.
double irm_hit_ratio(KeyStore& store, std::uint64_t keys, double s, std::uint64_t warmup,
                     std::uint64_t measured) {
  const Popularity pop(keys, s);
  Rng rng(11, "irm");
  std::uint64_t hits = 0;
  for (std::uint64_t i = 0; i < warmup + measured; ++i) {
    const std::uint64_t k = pop(rng);
    const bool hit = store.get(k, 0);
    if (!hit) store.put(k, 0);
    if (i >= warmup && hit) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(measured);
}

/// The popularity mass of the `c` most popular of n Zipf(s) keys.
double top_mass(int n, double s, int c) {
  const std::vector<double> p = queueing::zipf(n, s);
  double top = 0;
  for (int i = 0; i < c; ++i) top += p[static_cast<std::size_t>(i)];
  return top;
}

}  // namespace

TEST_CASE("LFU under static Zipf keeps the most popular keys: hit ratio = their popularity mass") {
  KeyStore store(500, Eviction::Lfu, 0);
  const double sim = irm_hit_ratio(store, 10'000, 0.8, 200'000, 1'000'000);
  const double top = top_mass(10'000, 0.8, 500);
  MESSAGE("LFU 10k keys zipf 0.8 capacity 500: " << sim << ", top-500 mass " << top);
  CHECK(sim == Rel(top, 0.02));
}
