#include "model/breaker.hpp"

#include <cmath>

namespace archsim {

Breaker::Breaker(const BreakerSpec& spec) : spec_(spec) {}

void Breaker::retune(const BreakerSpec& spec) {
  const std::uint64_t opened = opened_, refused_so_far = refused;
  *this = Breaker(spec);
  opened_ = opened;
  refused = refused_so_far;
}

const char* Breaker::name(State s) {
  switch (s) {
    case State::Closed: return "closed";
    case State::Open: return "open";
    case State::HalfOpen: return "half_open";
  }
  return "?";
}

void Breaker::move(double now, State s) {
  state_ = s;
  if (s == State::Open) ++opened_;
  consecutive_ = 0;
  probes_out_ = probes_ok_ = 0;
  if (s == State::Open) opened_at_ = now;
  if (s == State::Closed)
    for (int i = 0; i < kBuckets; ++i) calls_[i] = failures_[i] = 0;
}

void Breaker::slide(double now) {
  const auto slice = static_cast<std::int64_t>(std::floor(now * kBuckets / spec_.window));
  if (slice == bucket_index_) return;
  const std::int64_t gap = slice - bucket_index_;
  for (std::int64_t i = 1; i <= std::min<std::int64_t>(gap, kBuckets); ++i) {
    const auto b = static_cast<std::size_t>((bucket_index_ + i) % kBuckets);
    calls_[b] = failures_[b] = 0;
  }
  bucket_index_ = slice;
}

bool Breaker::allow(double now) {
  if (state_ == State::Open) {
    if (now < opened_at_ + spec_.open_for) {
      ++refused;
      return false;
    }
    move(now, State::HalfOpen);
  }
  if (state_ == State::HalfOpen) {
    if (probes_out_ >= spec_.probes) {
      ++refused;
      return false;
    }
    ++probes_out_;
  }
  return true;
}

void Breaker::record(double now, bool ok) {
  if (state_ == State::HalfOpen) {
    if (!ok) {
      trip(now);
    } else if (++probes_ok_ >= spec_.probes) {
      move(now, State::Closed);
    }
    return;
  }
  if (state_ == State::Open) return;  // a call from before it opened
  consecutive_ = ok ? 0 : consecutive_ + 1;
  if (spec_.consecutive && consecutive_ >= *spec_.consecutive) {
    trip(now);
    return;
  }
  if (spec_.failure_rate) {
    slide(now);
    const auto b = static_cast<std::size_t>(bucket_index_ % kBuckets);
    ++calls_[b];
    if (!ok) ++failures_[b];
    std::uint64_t calls = 0, failures = 0;
    for (int i = 0; i < kBuckets; ++i) {
      calls += calls_[i];
      failures += failures_[i];
    }
    if (calls >= static_cast<std::uint64_t>(spec_.min_calls) &&
        static_cast<double>(failures) >= *spec_.failure_rate * static_cast<double>(calls))
      trip(now);
  }
}

}  // namespace archsim
