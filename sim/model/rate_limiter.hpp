// Admission control shared by balancers and services: a token bucket or a
// sliding window. Deterministic: no randomness, time only.
#pragma once

#include <algorithm>
#include <cmath>

#include "archsim/spec.hpp"

namespace archsim {

class RateLimiter {
 public:
  explicit RateLimiter(const RateLimitSpec& s) : spec_(s) {
    if (spec_.burst <= 0) spec_.burst = std::max(1.0, spec_.rate);  // one second's worth
    tokens_ = spec_.burst;
  }
  /// May one request pass at time now?
  bool allow(double now) {
    if (spec_.kind == RateLimitSpec::Kind::TokenBucket) {
      tokens_ = std::min(spec_.burst, tokens_ + (now - last_) * spec_.rate);
      last_ = now;
      if (tokens_ < 1.0) return false;
      tokens_ -= 1.0;
      return true;
    }
    // Sliding window (the two-window estimate used by Cloudflare and others):
    // the previous window's count weighs by how much of it still overlaps.
    const auto w = static_cast<long long>(std::floor(now / spec_.window));
    if (w != window_) {
      previous_ = (w == window_ + 1) ? current_ : 0;
      current_ = 0;
      window_ = w;
    }
    const double into = now / spec_.window - static_cast<double>(w);
    const double estimate = previous_ * (1.0 - into) + current_;
    // Admitted while the requests already in the sliding window are fewer
    // than the limit (Cloudflare's rule). Counting this one too (estimate + 1
    // > limit) let a saturated window end at limit - 1: a limit of 1 per
    // window admitted one request every other window.
    if (estimate >= spec_.rate * spec_.window) return false;
    ++current_;
    return true;
  }
  const RateLimitSpec& spec() const { return spec_; }

 private:
  RateLimitSpec spec_;
  double tokens_ = 0, last_ = 0;
  long long window_ = 0;
  double previous_ = 0, current_ = 0;
};

}  // namespace archsim
