#include "engine/histogram.hpp"

#include <cmath>

namespace archsim {

void Histogram::cover(int lo, int hi) const {
  const int have_lo = base_, have_hi = base_ + static_cast<int>(counts_.size()) - 1;
  if (!counts_.empty() && lo >= have_lo && hi <= have_hi) return;
  constexpr int kOctave = 1 << kSubBits;
  int new_lo = lo / kOctave * kOctave, new_hi = (hi / kOctave + 1) * kOctave - 1;
  if (!counts_.empty()) {
    new_lo = std::min(new_lo, have_lo);
    new_hi = std::max(new_hi, have_hi);
  }
  std::vector<std::uint32_t> wider(static_cast<std::size_t>(new_hi - new_lo + 1), 0u);
  if (!counts_.empty()) std::copy(counts_.begin(), counts_.end(), wider.begin() + (base_ - new_lo));
  counts_.swap(wider);
  base_ = new_lo;
}

void Histogram::flush() const {
  if (npending_ == 0) return;
  for (int k = 0; k < npending_; ++k) {
    lo_ = std::min(lo_, static_cast<int>(pending_[k]));
    hi_ = std::max(hi_, static_cast<int>(pending_[k]));
  }
  cover(lo_, hi_);
  for (int k = 0; k < npending_; ++k) ++counts_[static_cast<std::size_t>(pending_[k] - base_)];
  npending_ = 0;
}

void Histogram::merge(const Histogram& o) {
  if (o.count_ == 0) return;
  o.flush();
  flush();
  if (o.hi_ >= o.lo_) {
    cover(std::min(lo_, o.lo_), std::max(hi_, o.hi_));
    for (int i = o.lo_; i <= o.hi_; ++i) counts_[static_cast<std::size_t>(i - base_)] += o.at(i);
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
  npending_ = 0;  // pending buckets were never counted: only the counted range needs zeroing
  const int first = std::max(lo_, base_), last = std::min(hi_, base_ + static_cast<int>(counts_.size()) - 1);
  if (last >= first) std::fill(counts_.begin() + (first - base_), counts_.begin() + (last - base_) + 1, 0u);
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
    seen += at(i);
    if (seen >= rank) return std::clamp(value(i), min_, max_);
  }
  return max_;
}

}  // namespace archsim
