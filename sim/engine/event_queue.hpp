// The future event list, ordered by (time, sequence), so that events at
// equal times run in the order they were scheduled. The order is total, so
// the sequence of pops is the same whatever the structure holds them.
//
// Small lists (the usual model: tens to thousands of pending events) are a
// 4-ary min-heap. A large one (10^5-10^7 pending events: a million
// closed-loop users, each with a think timer) would make every pop walk ~10
// cache-missing heap levels, so past kWheelAt events the list becomes a
// timing wheel (a calendar queue, Brown 1988, with a fixed bucket width
// chosen from the pending times):
//   - bucket(t) = floor((t - base) / width), a nondecreasing function of t;
//   - `near_` (a small 4-ary heap) holds every event of bucket <= cur_;
//   - the wheel's slots hold the buckets cur_+1 .. cur_+kSlots-1, one
//     unsorted vector each, with a bitmap of the slots in use;
//   - `far_` (a 4-ary heap) holds the buckets beyond the wheel.
// When `near_` runs empty, the next slot in use (or the earliest of `far_`)
// becomes the current bucket and its events are heaped. Every event of
// `near_` is earlier than every event elsewhere, so pops come out in exactly
// the (time, sequence) order of a single heap.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace archsim {

template <class Event>
class EventQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const Event& top() const { return near_.front(); }

  void push(const Event& e) {
    ++size_;
    if (!wheel_) {
      heap_push(near_, e);
      if (near_.size() >= kWheelAt) to_wheel();
      return;
    }
    place(e);
    if (near_.empty()) refill();
  }

  Event pop() {
    const Event out = near_.front();
    heap_pop(near_);
    --size_;
    if (near_.empty() && size_ > 0) refill();
    return out;
  }

 private:
  /// Pending events at which the heap becomes a wheel; below a quarter of it
  /// (when the wheel has run dry) it goes back to a heap.
  static constexpr std::size_t kWheelAt = 1u << 15;
  static constexpr std::uint64_t kSlots = 1u << 16;  ///< buckets on the wheel
  static constexpr std::uint64_t kMask = kSlots - 1;
  static constexpr std::uint64_t kWords = kSlots / 64;

  /// (time, seq) as one unsigned 128-bit number. Event times are never
  /// negative (the clock starts at 0 and only moves on), and the IEEE-754
  /// bits of non-negative doubles order as unsigned integers do, so one
  /// integer comparison (sub/sbb, no branch) orders two events. The sign bit
  /// is cleared so that -0.0 orders as +0.0, as `<` on doubles has it.
  static unsigned __int128 key(const Event& e) {
    std::uint64_t t;
    std::memcpy(&t, &e.time, sizeof t);
    t &= ~(std::uint64_t{1} << 63);
    return (static_cast<unsigned __int128>(t) << 64) | e.seq;
  }
  static bool less(const Event& a, const Event& b) { return key(a) < key(b); }
  static void heap_push(std::vector<Event>& h, const Event& e) {
    std::size_t i = h.size();
    h.push_back(e);
    while (i > 0) {
      const std::size_t p = (i - 1) / 4;
      if (!less(e, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = e;
  }
  /// Pending events from which a pop picks the earliest child without a
  /// branch. In a large heap which of four children is earliest is a coin
  /// toss the branch predictor cannot learn (a chain of 1,000 services spent
  /// a quarter of its time in mispredicted pops); in a small one the
  /// branches are mostly right and the branchless pick's longer chain of
  /// dependent loads is slower (M/M/8: -12%).
  static constexpr std::size_t kBranchlessAt = 128;

  static void heap_pop(std::vector<Event>& h) {
    const Event last = h.back();
    h.pop_back();
    const std::size_t n = h.size();
    if (n == 0) return;
    std::size_t i = 0;
    if (n >= kBranchlessAt && sift_branchless(h, key(last), i)) {
      h[i] = last;
      return;
    }
    for (;;) {
      const std::size_t c = 4 * i + 1;
      if (c >= n) break;
      std::size_t best = c;
      const std::size_t end = c + 4 < n ? c + 4 : n;
      for (std::size_t k = c + 1; k < end; ++k) best = less(h[k], h[best]) ? k : best;
      if (!less(h[best], last)) break;
      h[i] = h[best];
      i = best;
    }
    h[i] = last;
  }
  /// Moves the hole (at i, the root) down while a node has four children and
  /// the earliest of them is before `klast`. True: the hole is where `last`
  /// goes; false: it reached a node with fewer than four children, and the
  /// caller finishes from i.
  static bool sift_branchless(std::vector<Event>& h, unsigned __int128 klast, std::size_t& i) {
    const std::size_t n = h.size();
    for (;;) {
      const std::size_t c = 4 * i + 1;
      if (c + 4 > n) return false;
      // A tournament in index arithmetic: no branch to mispredict.
      const std::size_t a = c + static_cast<std::size_t>(key(h[c + 1]) < key(h[c]));
      const std::size_t b = c + 2 + static_cast<std::size_t>(key(h[c + 3]) < key(h[c + 2]));
      const std::size_t best = a + (b - a) * static_cast<std::size_t>(key(h[b]) < key(h[a]));
      if (!(key(h[best]) < klast)) return true;
      h[i] = h[best];
      i = best;
    }
  }

  std::uint64_t bucket(double t) const {
    if (!(t > base_)) return 0;
    const double b = (t - base_) * inv_width_;
    return b < 4e18 ? static_cast<std::uint64_t>(b) : std::uint64_t{4'000'000'000'000'000'000};
  }
  /// Puts e where its bucket says (wheel mode).
  void place(const Event& e) {
    const std::uint64_t b = bucket(e.time);
    if (b <= cur_) {
      heap_push(near_, e);
    } else if (b < cur_ + kSlots) {
      const std::uint64_t s = b & kMask;
      if (slots_[s].empty()) mark(s);
      slots_[s].push_back(e);
      ++in_slots_;
    } else {
      heap_push(far_, e);
    }
  }
  void mark(std::uint64_t s) {
    bits_[s / 64] |= std::uint64_t{1} << (s % 64);
    summary_ |= std::uint64_t{1} << (s / 64 / 16);
  }
  void unmark(std::uint64_t s) {
    bits_[s / 64] &= ~(std::uint64_t{1} << (s % 64));
    const std::uint64_t g = s / 64 / 16;  // 16 words per summary bit
    bool any = false;
    for (std::uint64_t w = g * 16; w < g * 16 + 16; ++w) any |= bits_[w] != 0;
    if (!any) summary_ &= ~(std::uint64_t{1} << g);
  }
  /// The first slot in use at or after s, or kSlots.
  std::uint64_t next_used(std::uint64_t s) const {
    for (std::uint64_t w = s / 64; w < kWords;) {
      if (!(summary_ >> (w / 16) & 1)) {
        w = (w / 16 + 1) * 16;
        continue;
      }
      const std::uint64_t bits = w == s / 64 ? bits_[w] & (~std::uint64_t{0} << (s % 64)) : bits_[w];
      if (bits) return w * 64 + static_cast<std::uint64_t>(__builtin_ctzll(bits));
      ++w;
    }
    return kSlots;
  }

  /// The heap grew past kWheelAt: it becomes the far heap of a new wheel.
  void to_wheel() {
    wheel_ = true;
    slots_.resize(kSlots);
    bits_.assign(kWords, 0);
    summary_ = 0;
    in_slots_ = 0;
    far_.swap(near_);
    near_.clear();
    rebase();
  }
  /// `near_` and the wheel are empty: the wheel restarts at the earliest
  /// far event, with a width that spreads the far events over it.
  void rebase() {
    if (far_.size() < kWheelAt / 4) {  // small again: a plain heap
      wheel_ = false;
      near_.swap(far_);
      return;
    }
    // The span of the far events, estimated from the heap's last row (its
    // leaves, in no particular order): the wheel covers about twice it.
    const double t0 = far_.front().time;
    double t1 = t0;
    const std::size_t n = far_.size(), k = std::min<std::size_t>(n, 256);
    for (std::size_t i = n - k; i < n; ++i) t1 = std::max(t1, far_[i].time);
    const double width = (t1 - t0) * 2.0 / static_cast<double>(kSlots);
    base_ = t0;
    inv_width_ = width > 0 ? 1.0 / width : 1.0;
    cur_ = 0;
    pull_far();
  }
  /// Moves the far events that now fall on the wheel (or in the current bucket).
  void pull_far() {
    while (!far_.empty() && bucket(far_.front().time) < cur_ + kSlots) {
      const Event e = far_.front();
      heap_pop(far_);
      place(e);
    }
  }
  /// `near_` is empty and events remain: the next bucket in use becomes current.
  void refill() {
    while (near_.empty()) {
      if (!wheel_) return;
      if (in_slots_ == 0) {
        if (far_.empty()) return;
        const std::uint64_t fb = bucket(far_.front().time);
        if (fb >= cur_ + kSlots) {
          rebase();
          continue;
        }
      }
      // The next slot in use after the current one, cyclically.
      std::uint64_t next = ~std::uint64_t{0};
      if (in_slots_ > 0) {
        const std::uint64_t c = cur_ & kMask;
        std::uint64_t s = next_used(c + 1 < kSlots ? c + 1 : kSlots);
        if (s == kSlots) s = next_used(0);
        next = cur_ + ((s - c) & kMask);
      }
      if (!far_.empty()) next = std::min(next, bucket(far_.front().time));
      cur_ = next;
      const std::uint64_t s = cur_ & kMask;
      std::vector<Event>& slot = slots_[s];
      if (!slot.empty()) {
        in_slots_ -= slot.size();
        for (const Event& e : slot) heap_push(near_, e);
        // Its memory goes back: every slot in turn holds a dense bucket, and
        // 2^16 slots each keeping the largest they ever held would cost ~10x
        // the events pending.
        std::vector<Event>().swap(slot);
        unmark(s);
      }
      pull_far();
    }
  }

  std::vector<Event> near_;  ///< the whole list (heap mode), or the current bucket
  std::size_t size_ = 0;
  bool wheel_ = false;
  std::vector<Event> far_;
  std::vector<std::vector<Event>> slots_;
  std::vector<std::uint64_t> bits_;  ///< slot s in use: bit s % 64 of word s / 64
  std::uint64_t summary_ = 0;        ///< bit g: one of words 16g .. 16g+15 is non-zero
  std::size_t in_slots_ = 0;
  double base_ = 0, inv_width_ = 1;
  std::uint64_t cur_ = 0;
};

}  // namespace archsim
