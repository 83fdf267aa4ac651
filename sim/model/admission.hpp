// A service's admission policy: who may start, and who may call whom. A
// rate limit (token bucket or sliding window) for the whole service, an
// adaptive concurrency limit per replica (AIMD on latency), and bulkheads
// (separate permit pools per downstream).
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "archsim/spec.hpp"
#include "model/rate_limiter.hpp"
#include "model/replica_set.hpp"

namespace archsim {

class Admission {
 public:
  explicit Admission(const ServiceSpec& s);

  /// The concurrency limit a new replica starts with (0: none).
  double initial_limit() const { return limit_ ? limit_->initial : 0.0; }
  const std::vector<BulkheadSpec>& bulkheads() const { return bulkheads_; }

  /// The rate limit lets one more visit in at `now`.
  bool rate_allows(double now) { return !limiter_ || limiter_->allow(now); }
  /// The replica is at its adaptive concurrency limit (visits present, s).
  bool over_limit(const Replica& r) const {
    const auto present = static_cast<double>(r.busy + r.queue.size());
    return r.limit > 0 && !limit_off_ && present >= std::floor(r.limit);
  }
  /// AIMD: grow by one per window of successes under the target latency,
  /// shrink by 10% otherwise. `latency` in s.
  void adapt(Replica& r, bool ok, double latency) const;

  /// Takes a permit of bulkhead `b` on replica r; false if none is left.
  bool acquire(Replica& r, int b) const;
  void release(Replica& r, int b) const { --r.permits_used[static_cast<std::size_t>(b)]; }

  /// A `rate_limit` action: a new limit, or (at its end) the configured one.
  void retune(const FaultSpec& f, bool end);
  /// `disable: concurrency_limit`: no request is shed by it and the limit
  /// stays where it was; `enable:` resumes from there.
  void set_limit(bool on) { limit_off_ = !on; }

 private:
  // What a visit reads first (rate_allows, over_limit, adapt).
  std::unique_ptr<RateLimiter> limiter_;
  /// The spec's concurrency limit, or nullptr: a pointer kept here, so
  /// that a visit to a service without one reads nothing of the spec (a
  /// cache miss per visit in a large model).
  const ConcurrencyLimitSpec* limit_;
  bool limit_off_ = false;  ///< a `disable: concurrency_limit` action
  const ServiceSpec& spec_;
  std::vector<BulkheadSpec> bulkheads_;
};

}  // namespace archsim
