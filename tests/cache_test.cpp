// The keyed store under a cache and a cdn, and the popularity of keys:
// eviction orders, TTL, and hit ratios under the independent reference model
// (each request draws its key independently from the popularity) against
// the approximations that queueing-of-caches theory gives.
#include <doctest/doctest.h>

#include "check.hpp"
#include "irm.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/queueing.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

// Che's approximation for LRU (H. Che, Y. Tung, Z. Wang, IEEE JSAC 2002) and
// its FIFO variant live in sim/analysis/queueing (check uses them too).
using queueing::che_fifo_hit_ratio;
using queueing::che_lru_hit_ratio;

std::vector<double> zipf_probabilities(std::uint64_t n, double s) {
  return queueing::zipf(static_cast<int>(n), s);
}

/// Hit ratio of a fresh store of `capacity` under the IRM (tests/irm.hpp).
double simulate_irm(std::uint64_t keys, double s, std::uint64_t capacity, Eviction ev, std::uint64_t warmup,
                    std::uint64_t measured) {
  KeyStore store(capacity, ev, 0);
  return test::irm_hit_ratio(store, keys, s, warmup, measured, 7);
}

}  // namespace

TEST_CASE("Zipf keys are drawn with their probabilities") {
  for (const double s : {0.6, 1.0, 1.2}) {
    INFO("s = " << s);
    const std::uint64_t n = 1'000'000;
    Popularity pop(n, s);
    Rng rng(3, "zipf");
    const int draws = 2'000'000;
    std::vector<int> count(5, 0);
    std::uint64_t top1000 = 0, largest = 0;
    for (int i = 0; i < draws; ++i) {
      const std::uint64_t k = pop(rng);
      largest = std::max(largest, k);
      if (k < count.size()) ++count[k];
      if (k < 1000) ++top1000;
    }
    CHECK(largest < n);
    for (std::uint64_t k = 0; k < count.size(); ++k) {
      const double p = pop.probability(k);
      // Within 4 standard deviations of a binomial count.
      CHECK(std::abs(count[k] - p * draws) < 4 * std::sqrt(p * draws) + 1);
    }
    double p1000 = 0;
    for (std::uint64_t k = 0; k < 1000; ++k) p1000 += pop.probability(k);
    CHECK(static_cast<double>(top1000) / draws == Rel(p1000).epsilon(0.01));
  }
}

TEST_CASE("uniform popularity spreads keys evenly") {
  Popularity pop(10, 0);
  Rng rng(1, "u");
  std::vector<int> count(10, 0);
  for (int i = 0; i < 100000; ++i) ++count[pop(rng)];
  for (int c : count) CHECK(std::abs(c - 10000) < 500);
}

TEST_CASE("LRU evicts the least recently used key") {
  KeyStore s(3, Eviction::Lru, 0);
  s.put(1, 0);
  s.put(2, 0);
  s.put(3, 0);
  CHECK(s.get(1, 0));  // 1 is now the most recent: 2 is the oldest
  s.put(4, 0);
  CHECK(s.contains(1));
  CHECK_FALSE(s.contains(2));
  CHECK(s.contains(3));
  CHECK(s.contains(4));
  CHECK(s.evictions == 1);
  CHECK(s.size() == 3);
}

TEST_CASE("FIFO evicts the oldest key, whatever its use") {
  KeyStore s(3, Eviction::Fifo, 0);
  s.put(1, 0);
  s.put(2, 0);
  s.put(3, 0);
  CHECK(s.get(1, 0));
  s.put(4, 0);
  CHECK_FALSE(s.contains(1));
  CHECK(s.contains(2));
}

TEST_CASE("LFU evicts the least used key, the least recent among equals, and admits only a more used one") {
  KeyStore s(3, Eviction::Lfu, 0);
  s.put(1, 0);  // filling: every key is stored, with one use
  s.put(2, 0);
  s.put(3, 0);
  CHECK(s.get(1, 0));
  CHECK(s.get(1, 0));
  CHECK(s.get(3, 0));
  // 4 was read (and missed) twice: more used than 2, which goes.
  CHECK_FALSE(s.get(4, 0));
  CHECK_FALSE(s.get(4, 0));
  s.put(4, 0);
  CHECK_FALSE(s.contains(2));
  CHECK(s.contains(4));
  // 5 was never read: not stored, nothing evicted (TinyLFU's admission).
  s.put(5, 0);
  CHECK_FALSE(s.contains(5));
  CHECK(s.refused == 1);
  CHECK(s.evictions == 1);
  // Read twice it beats 3 (one hit; 4 has as many uses, but 3 is the least recent).
  CHECK_FALSE(s.get(5, 0));
  CHECK_FALSE(s.get(5, 0));
  s.put(5, 0);
  CHECK(s.contains(5));
  CHECK_FALSE(s.contains(3));
  CHECK(s.contains(1));
  CHECK(s.contains(4));
}

TEST_CASE("LFU counts fade: every count is halved after 100 uses per entry of capacity") {
  // One entry: 99 hits on key 1, then key 2 is read 61 times. The 100th
  // use halves the counts (1: 99 -> 49), so 2's 60 later reads beat it.
  // Without the halving 1's 99 would keep 2 out for ever.
  KeyStore s(1, Eviction::Lfu, 0);
  s.put(1, 0);
  for (int i = 0; i < 99; ++i) CHECK(s.get(1, 0));
  for (int i = 0; i < 61; ++i) CHECK_FALSE(s.get(2, 0));
  s.put(2, 0);
  CHECK(s.contains(2));
  CHECK_FALSE(s.contains(1));
}

TEST_CASE("entries expire after the TTL; erase and clear remove them") {
  KeyStore s(10, Eviction::Lru, 5.0);
  s.put(1, 0);
  s.put(2, 3);
  CHECK(s.get(1, 4.9));
  CHECK_FALSE(s.get(1, 5.0));  // stored at 0, gone at 5
  CHECK(s.expirations == 1);
  CHECK(s.get(2, 7.9));
  s.put(2, 7.9);  // a store renews the TTL
  CHECK(s.get(2, 12.8));
  CHECK(s.erase(2));
  CHECK_FALSE(s.erase(2));
  s.put(3, 0);
  s.clear();
  CHECK(s.size() == 0);
  CHECK_FALSE(s.contains(3));
  s.put(3, 0);
  CHECK(s.contains(3));
}

TEST_CASE("the hash table survives growth and deletion churn") {
  // Against a plain reference: which of 0..n-1 are present.
  const std::uint64_t n = 5000;
  KeyStore s(n, Eviction::Lru, 0);
  std::vector<bool> in(n, false);
  Rng rng(11, "churn");
  std::uint64_t erase_wrong = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t slot = rng.below(n);  // keys spread over 64 bits
    if (rng.chance(0.5)) {
      s.put(slot * 1315423911ull, 0);
      in[slot] = true;
    } else {
      erase_wrong += s.erase(slot * 1315423911ull) != in[slot];
      in[slot] = false;
    }
  }
  std::uint64_t count = 0, wrong = 0;
  for (std::uint64_t k = 0; k < n; ++k) {
    wrong += s.contains(k * 1315423911ull) != in[k];
    count += in[k];
  }
  CHECK(wrong == 0);
  CHECK(erase_wrong == 0);
  CHECK(s.size() == count);
}

TEST_CASE("keyed LRU hit ratio agrees with Che's approximation within 2 points" *
          doctest::test_suite("slow")) {
  struct Case {
    std::uint64_t keys, capacity;
    double s;
  };
  for (const Case c : {Case{100'000, 1'000, 0.8}, Case{100'000, 10'000, 0.6}, Case{1'000'000, 10'000, 1.0},
                       Case{1'000'000, 100'000, 0.9}, Case{20'000, 2'000, 0.0}}) {
    INFO("keys " << c.keys << ", capacity " << c.capacity << ", zipf " << c.s);
    const auto p = zipf_probabilities(c.keys, c.s);
    const double che = che_lru_hit_ratio(p, static_cast<double>(c.capacity));
    const double sim = simulate_irm(c.keys, c.s, c.capacity, Eviction::Lru, 20 * c.capacity, 2'000'000);
    MESSAGE("LRU keys " << c.keys << " capacity " << c.capacity << " zipf " << c.s << ": simulated " << sim
                        << ", Che " << che);
    CHECK(std::abs(sim - che) < 0.02);
  }
}

TEST_CASE("keyed FIFO hit ratio agrees with its characteristic-time approximation") {
  const auto p = zipf_probabilities(100'000, 0.8);
  const double approx = che_fifo_hit_ratio(p, 5'000);
  const double sim = simulate_irm(100'000, 0.8, 5'000, Eviction::Fifo, 100'000, 2'000'000);
  CHECK(std::abs(sim - approx) < 0.02);
  // Under independent requests FIFO does worse than LRU, LFU better.
  const double lru = simulate_irm(100'000, 0.8, 5'000, Eviction::Lru, 100'000, 2'000'000);
  const double lfu = simulate_irm(100'000, 0.8, 5'000, Eviction::Lfu, 100'000, 2'000'000);
  CHECK(sim < lru);
  CHECK(lru < lfu);
  double top = 0;  // the best any policy can do: the 5000 most popular keys
  for (int i = 0; i < 5'000; ++i) top += p[static_cast<std::size_t>(i)];
  CHECK(lfu <= top + 0.002);
}
