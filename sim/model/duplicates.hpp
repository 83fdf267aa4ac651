// Idempotency: a non-idempotent service counts the requests it executes
// twice through the same call site (a retry after a lost reply).
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_set>

namespace archsim {

class DuplicateDetector {
 public:
  /// How long a request is remembered, s.
  static constexpr double kKeep = 600;

  /// Request `request` through call site `site` finished at `now`; true if
  /// it had executed before (within kKeep).
  bool seen(std::uint64_t request, const void* site, double now);

 private:
  std::unordered_set<std::uint64_t> executed_;
  std::deque<std::pair<double, std::uint64_t>> order_;  ///< (when, key), oldest first
};

}  // namespace archsim
