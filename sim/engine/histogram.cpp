#include "engine/histogram.hpp"

#include <cmath>

namespace archsim {

void Histogram::flush() const {
  if (npending_ == 0) return;
  if (counts_.empty()) counts_.assign(kBuckets, 0);
  for (int k = 0; k < npending_; ++k) ++counts_[pending_[k]];
  npending_ = 0;
}

void Histogram::merge(const Histogram& o) {
  if (o.count_ == 0) return;
  o.flush();
  flush();
  if (!o.counts_.empty()) {
    if (counts_.empty()) counts_.assign(kBuckets, 0);
    for (int i = o.lo_; i <= o.hi_; ++i) counts_[i] += o.counts_[i];
    lo_ = std::min(lo_, o.lo_);
    hi_ = std::max(hi_, o.hi_);
  }
  count_ += o.count_;
  zeros_ += o.zeros_;
  sum_ += o.sum_;
  max_ = std::max(max_, o.max_);
  min_ = std::min(min_, o.min_);
}

void Histogram::clear() {
  npending_ = 0;
  if (!counts_.empty() && hi_ >= lo_) std::fill(counts_.begin() + lo_, counts_.begin() + hi_ + 1, 0u);
  count_ = zeros_ = 0;
  sum_ = max_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  lo_ = kBuckets;
  hi_ = -1;
}

double Histogram::value(int i) {
  const int e = (i >> kSubBits) + kMinExp;
  const int sub = i & ((1 << kSubBits) - 1);
  // Bucket covers [2^(e-1023) * (1 + sub/64), 2^(e-1023) * (1 + (sub+1)/64)).
  return std::ldexp(1.0 + (sub + 0.5) / (1 << kSubBits), e - 1023);
}

double Histogram::quantile(double q) const {
  if (count_ == 0) return 0.0;
  if (q >= 1.0) return max_;
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank == 0) rank = 1;
  if (rank <= zeros_) return 0.0;
  flush();
  std::uint64_t seen = zeros_;
  for (int i = lo_; i <= hi_; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(value(i), min_, max_);
  }
  return max_;
}

}  // namespace archsim
