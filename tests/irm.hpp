// The independent reference model (IRM) driven straight at a key store:
// the yardstick the cache tests compare Che's approximation, LFU's top-C
// mass and the admission rules against.
#pragma once

#include <cstdint>
#include <string>

#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"

namespace archsim::test {

/// Hit ratio of `store` under independent Zipf(s) requests over `keys` keys
/// (a miss stores the key, as cache-aside does); the first `warmup`
/// requests are not counted. `seed` names the request stream.
inline double irm_hit_ratio(KeyStore& store, std::uint64_t keys, double s, std::uint64_t warmup,
                            std::uint64_t measured, std::uint64_t seed) {
  const Popularity pop(keys, s);
  Rng rng(seed, "irm");
  std::uint64_t hits = 0;
  for (std::uint64_t i = 0; i < warmup + measured; ++i) {
    const std::uint64_t k = pop(rng);
    const bool hit = store.get(k, 0);
    if (!hit) store.put(k, 0);
    if (i >= warmup && hit) ++hits;
  }
  return static_cast<double>(hits) / static_cast<double>(measured);
}

}  // namespace archsim::test
