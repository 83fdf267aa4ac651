#include "model/autoscaler.hpp"

#include <algorithm>
#include <cmath>

namespace archsim {

std::optional<int> Autoscaler::decide(double now, int up, int coming, int workers, double busy_total,
                                      double queue_total) {
  const double busy_delta = busy_total - last_busy_total_, queue_delta = queue_total - last_queue_total_;
  last_busy_total_ = busy_total;
  last_queue_total_ = queue_total;
  if (up == 0) return std::nullopt;
  double ratio;
  if (a_.target_utilization) {
    const double util = busy_delta / (a_.interval * up * workers);
    ratio = util / *a_.target_utilization;
  } else {
    const double per_replica = queue_delta / (a_.interval * up);
    ratio = per_replica / *a_.target_queue;
  }
  if (std::fabs(ratio - 1.0) <= 0.1) return std::nullopt;  // within tolerance: no change
  const int current = up + coming;
  const int desired = std::clamp(static_cast<int>(std::ceil(up * ratio)), a_.min, a_.max);
  if (desired == current || now - last_scale_ < a_.cooldown) return std::nullopt;
  last_scale_ = now;
  return desired;
}

}  // namespace archsim
