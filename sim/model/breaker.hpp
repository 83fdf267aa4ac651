// A circuit breaker on a call site: closed (calls pass, failures counted),
// open (calls fail at once) and half-open (a few probes decide).
#pragma once

#include <cstdint>

#include "archsim/spec.hpp"

namespace archsim {

class Breaker {
 public:
  enum class State : std::uint8_t { Closed, Open, HalfOpen };
  explicit Breaker(const BreakerSpec& spec);

  /// May a call go out now? Moves open to half-open when its time is up and
  /// counts a half-open probe as taken.
  bool allow(double now);
  /// The outcome of a call that went out.
  void record(double now, bool ok);
  State state() const { return state_; }
  /// A `breaker` action: new thresholds, and it starts again closed with an
  /// empty window (as a reloaded breaker does); what it counted so far (times
  /// opened, calls refused) stays, for the run's figures.
  void retune(const BreakerSpec& spec);
  /// Times it opened, from the start (a count, not a list: memory stays
  /// flat however long it flaps).
  std::uint64_t opened() const { return opened_; }
  /// Calls refused while open.
  std::uint64_t refused = 0;

  static const char* name(State s);

 private:
  void move(double now, State s);
  void trip(double now) { move(now, State::Open); }
  /// Drops the window's buckets older than `now - window`.
  void slide(double now);

  BreakerSpec spec_;
  State state_ = State::Closed;
  double opened_at_ = 0;
  int consecutive_ = 0;
  int probes_out_ = 0, probes_ok_ = 0;
  // Failure-rate window: kBuckets slices of window / kBuckets seconds.
  static constexpr int kBuckets = 10;
  std::int64_t bucket_index_ = 0;  ///< slice number of buckets_[0]'s newest
  std::uint32_t calls_[kBuckets] = {}, failures_[kBuckets] = {};
  std::uint64_t opened_ = 0;
};

}  // namespace archsim
