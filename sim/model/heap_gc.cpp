#include "model/heap_gc.hpp"

#include <algorithm>

namespace archsim {

namespace {
// Collections are at least this share of gc_interval apart: a heap at its
// limit thrashes, its pauses separated by gaps of 1% of gc_interval.
constexpr double kMinGap = 0.01;
}  // namespace

void HeapGc::start(double now, int replicas, double every, double restart_time, double pause,
                   double interval) {
  on_ = true;
  every_ = every;
  restart_ = restart_time;
  pause_ = pause;
  interval_ = interval;
  start_ = now;
  replicas_ = std::max(1, replicas);
  heaps_.assign(static_cast<std::size_t>(replicas_), Heap{});
  for (int r = 0; r < replicas_; ++r) {
    Heap& h = heaps_[static_cast<std::size_t>(r)];
    h.born = now;
    h.oom = now + (r + 1) * every;
    h.cycle = now + interval;
  }
}

HeapGc::Heap& HeapGc::heap(int r) {
  // A replica added after the leak began (scaling): it starts empty now.
  while (static_cast<int>(heaps_.size()) <= r) {
    Heap h;
    h.born = start_;
    h.oom = start_ + static_cast<double>(replicas_) * every_;
    h.cycle = start_ + interval_;
    heaps_.push_back(h);
  }
  return heaps_[static_cast<std::size_t>(r)];
}

void HeapGc::killed(int r, double now, int replicas) {
  Heap& h = heap(r);
  h.born = now + restart_;
  h.oom = now + std::max(1, replicas) * every_;
  h.cycle = h.born + interval_;
}

double HeapGc::fill(int r, double t) {
  const Heap& h = heap(r);
  if (h.oom <= h.born) return 1;
  return std::clamp((t - h.born) / (h.oom - h.born), 0.0, 1.0);
}

double HeapGc::pause_at(const Heap& h, double t) const {
  const double f = h.oom > h.born ? std::clamp((t - h.born) / (h.oom - h.born), 0.0, 1.0) : 1.0;
  return pause_ * f;
}

double HeapGc::gap_at(const Heap& h, double t) const {
  const double f = h.oom > h.born ? std::clamp((t - h.born) / (h.oom - h.born), 0.0, 1.0) : 1.0;
  return interval_ * std::max(kMinGap, 1 - f);
}

double HeapGc::overhead(double f) const {
  const double p = pause_ * f, g = interval_ * std::max(kMinGap, 1 - f);
  return p + g > 0 ? p / (p + g) : 0;
}

double HeapGc::max_fill(double now, int replicas) {
  double m = 0;
  for (int r = 0; r < replicas; ++r) m = std::max(m, fill(r, now));
  return m;
}

double HeapGc::finish(int r, double now, double seconds) {
  if (!on_ || pause_ <= 0) return now + seconds;
  Heap& h = heap(r);
  // Forget the pauses that are over: cycles only move forward.
  while (h.cycle + pause_at(h, h.cycle) + gap_at(h, h.cycle) <= now)
    h.cycle += pause_at(h, h.cycle) + gap_at(h, h.cycle);
  double t = now, left = seconds, c = h.cycle;
  for (int guard = 0; guard < 100000; ++guard) {
    const double p = pause_at(h, c), end = c + p;
    if (t < c) {
      if (t + left <= c) return t + left;
      left -= c - t;  // works until the pause
      t = c;
    }
    t = std::max(t, end);  // stopped for the rest of the pause
    c = end + gap_at(h, c);
  }
  return t + left;
}

}  // namespace archsim
