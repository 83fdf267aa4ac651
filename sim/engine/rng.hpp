// Portable random numbers: the same seed gives the same draws on any machine
// and standard library (no std:: distributions, whose output is not specified).
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace archsim {

inline std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// FNV-1a, used to give each named stream its own seed.
inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
class Rng {
 public:
  Rng() : Rng(1, "") {}
  /// A stream derived from the scenario seed and a name (component, source):
  /// changing one component does not disturb another's draws.
  Rng(std::uint64_t seed, std::string_view name) {
    std::uint64_t x = seed ^ fnv1a(name);
    for (auto& w : s_) w = splitmix64(x);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform on [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform on (0, 1]: safe to take the logarithm of.
  double uniform_pos() { return 1.0 - uniform(); }
  /// Exponential with the given mean.
  double exponential(double mean) { return -mean * std::log(uniform_pos()); }
  /// Standard normal (Box-Muller, one value per two uniforms).
  double normal() {
    const double u1 = uniform_pos();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-64 * n).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  bool chance(double p) { return uniform() < p; }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace archsim
