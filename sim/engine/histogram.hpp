// Log-bucketed histogram of positive values (seconds): 64 buckets per power
// of two, so any percentile is within 0.8% of the true value; mergeable.
// Only the octaves (powers of two) between the smallest and the largest
// value seen have counts in memory: a service's latencies span 10-20 of the
// 59 octaves, so a table is 3-5 KB instead of 15 KB, and a model of 1,000
// services keeps its tables in fewer pages and cache lines.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

namespace archsim {

class alignas(64) Histogram {
 public:
  static constexpr int kSubBits = 6;         // 64 sub-buckets per octave
  static constexpr int kMinExp = 1023 - 34;  // 2^-34 s ~ 58 ps
  static constexpr int kMaxExp = 1023 + 24;  // 2^24 s ~ 194 days
  static constexpr int kBuckets = (kMaxExp - kMinExp + 1) << kSubBits;

  void record(double x) {
    ++count_;
    sum_ += x;
    if (x > max_) max_ = x;
    if (x < min_) min_ = x;
    if (!(x > 0)) {
      ++zeros_;
      return;
    }
    // The bucket is counted later, with kPending others: one increment of a
    // table is a cache miss when a model has hundreds of components (each
    // with its histograms), and a batch of independent increments lets the
    // CPU wait for their misses together instead of one by one. What a
    // record touches (the count, sum, extremes and pending buckets) is one
    // cache line: the range of buckets seen is widened at the flush.
    pending_[npending_++] = static_cast<std::uint16_t>(index(x));
    if (npending_ == kPending) flush();
  }
  void merge(const Histogram& o);
  void clear();

  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return count_ ? max_ : 0.0; }
  double min() const { return count_ ? min_ : 0.0; }
  double sum() const { return sum_; }
  /// The q-quantile (0 < q <= 1): the value below which a fraction q falls.
  double quantile(double q) const;

 private:
  static int index(double x) {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    int e = static_cast<int>(bits >> 52);
    if (e < kMinExp) return 0;
    if (e > kMaxExp) return kBuckets - 1;
    const int sub = static_cast<int>((bits >> (52 - kSubBits)) & ((1 << kSubBits) - 1));
    return ((e - kMinExp) << kSubBits) | sub;
  }
  /// Midpoint of a bucket (relative error at most 1/128).
  static double value(int i);
  /// Counts the pending buckets (before anything reads counts_).
  void flush() const;
  /// Widens the counts in memory to whole octaves covering buckets lo..hi.
  void cover(int lo, int hi) const;
  /// The count of bucket i (lo_ <= i <= hi_, after flush).
  std::uint32_t at(int i) const { return counts_[static_cast<std::size_t>(i - base_)]; }

  static constexpr int kPending = 15;
  static_assert(kBuckets <= 65536, "a pending bucket index is 16 bits");
  // What record() touches, first and together (64 bytes: one cache line
  // when the histogram starts on one, which alignas(64) makes so).
  std::uint64_t count_ = 0;
  double sum_ = 0, max_ = 0, min_ = std::numeric_limits<double>::infinity();
  mutable std::uint16_t pending_[kPending] = {};  ///< buckets recorded but not yet counted
  mutable std::uint8_t npending_ = 0;
  // What a flush, a quantile or a merge reads.
  /// The lowest and highest bucket counted (lo_ > hi_: none yet); pending
  /// buckets widen them when they are counted.
  mutable int lo_ = kBuckets, hi_ = -1;
  mutable int base_ = 0;
  std::uint64_t zeros_ = 0;
  /// Counts of buckets base_ .. base_ + size - 1 (whole octaves), allocated
  /// on the first positive value and widened when a value falls outside.
  mutable std::vector<std::uint32_t> counts_;
};

}  // namespace archsim
