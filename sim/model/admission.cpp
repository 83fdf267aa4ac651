#include "model/admission.hpp"

#include <algorithm>

namespace archsim {

Admission::Admission(const ServiceSpec& s)
    : limit_(s.concurrency_limit ? &*s.concurrency_limit : nullptr), spec_(s), bulkheads_(s.bulkheads) {
  if (s.rate_limit) limiter_ = std::make_unique<RateLimiter>(*s.rate_limit);
}

void Admission::adapt(Replica& r, bool ok, double latency) const {
  if (!limit_ || limit_off_) return;
  const bool good = ok && latency <= limit_->target_latency;
  r.limit = good ? std::min<double>(limit_->max, r.limit + 1.0 / r.limit)
                 : std::max<double>(limit_->min, r.limit * 0.9);
}

bool Admission::acquire(Replica& r, int b) const {
  auto& used = r.permits_used[static_cast<std::size_t>(b)];
  if (used >= static_cast<std::uint32_t>(bulkheads_[static_cast<std::size_t>(b)].permits)) return false;
  ++used;
  return true;
}

void Admission::retune(const FaultSpec& f, bool end) {
  if (end) limiter_ = spec_.rate_limit ? std::make_unique<RateLimiter>(*spec_.rate_limit) : nullptr;
  else if (f.rate_limit) limiter_ = std::make_unique<RateLimiter>(*f.rate_limit);
}

}  // namespace archsim
