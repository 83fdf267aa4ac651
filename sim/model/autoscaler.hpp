// A service's autoscaler: every `interval` it reads the busy workers (or the
// waiting visits) over the last interval and decides how many replicas the
// service wants (the Kubernetes HPA rule: ceil(current x metric / target),
// nothing within 10% of the target, nothing during the cooldown).
#pragma once

#include <optional>

#include "archsim/spec.hpp"

namespace archsim {

class Autoscaler {
 public:
  explicit Autoscaler(const AutoscaleSpec& a) : a_(a) {}
  const AutoscaleSpec& spec() const { return a_; }

  /// What the metric says at `now`. `up`: replicas serving, `coming`:
  /// provisioning; busy_total and queue_total are the service's integrals
  /// since the start (worker-seconds, visit-seconds). Returns the replicas
  /// wanted, or nullopt for no change.
  std::optional<int> decide(double now, int up, int coming, int workers, double busy_total,
                            double queue_total);

 private:
  const AutoscaleSpec& a_;
  double last_busy_total_ = 0, last_queue_total_ = 0;
  double last_scale_ = -1e300;  ///< s, the last change
};

}  // namespace archsim
