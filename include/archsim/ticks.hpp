// The ticks of a run, kept in bounded memory: whatever the simulated time,
// a TickStore holds at most capacity() ticks. Once it is full, neighbouring
// ticks are merged in pairs (each kept tick then covers twice as much
// simulated time, and so on), so a run of a year costs no more memory than
// one of a day. A run whose ticks fit is kept exactly as it was emitted.
//
// How two ticks merge (the wider tick reads like one long tick):
// - counts (started, completed, failed, errors, arrivals, calls, a figure
//   that counts such as misses) add up, saturating at the counter's maximum;
// - levels sampled at the end of a tick (queue, in flight, a queue's lag,
//   pool_waiting, primaries down, a breaker's state) keep their peak, so a
//   saturated second does not vanish into a calm minute;
// - utilisation (a component's, a host's CPU, a link's) and a service's
//   replicas are time-weighted means (the replica-hours the cost bills are
//   unchanged);
// - p50 (and per-visit means such as pool_wait_ms) are weighted by the
//   completions behind them; p99 keeps the worst tick's (an upper bound);
// - entries (a cache's size) is the later tick's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "archsim/simulation.hpp"

namespace archsim {

class TickStore {
 public:
  /// About this many bytes of ticks are kept (64 MB by default).
  static constexpr std::size_t kDefaultBudget = std::size_t{64} << 20;
  /// However large each tick, at least this many are kept...
  static constexpr std::size_t kMinTicks = 2048;
  /// ...and however small, at most this many.
  static constexpr std::size_t kMaxTicks = std::size_t{1} << 18;

  explicit TickStore(std::size_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  void add(const Tick& t);
  /// Every tick kept, the last (possibly narrower) merged tick included.
  const std::vector<Tick>& ticks();
  /// The ticks kept so far without the one still being merged (its
  /// emitted ticks arrive): a reader that looks after every add (the live
  /// view) sees whole kept ticks; ticks() at the end adds the last one.
  const std::vector<Tick>& kept() const { return ticks_; }
  /// ticks(), moved out; the store is empty afterwards.
  std::vector<Tick> take();

  /// Ticks kept at most (known after the first add; 0 before).
  std::size_t capacity() const { return capacity_; }
  /// Emitted ticks behind each kept one (1 until the store first fills).
  std::uint64_t span() const { return span_; }
  /// Ticks added so far.
  std::uint64_t added() const { return added_; }
  /// Bytes the kept ticks occupy (their vectors, maps and names included).
  std::size_t bytes() const;

  /// Bytes one tick occupies, as bytes() counts them.
  static std::size_t bytes_of(const Tick& t);
  /// `b` merged into `a`, which comes first in time.
  static void merge(Tick& a, const Tick& b);

 private:
  void flush();
  void compact();

  std::size_t budget_;
  std::size_t capacity_ = 0;
  std::uint64_t span_ = 1;
  std::uint64_t added_ = 0;
  std::vector<Tick> ticks_;
  std::optional<Tick> pending_;  ///< merging the emitted ticks of the next kept one
  std::uint64_t pending_n_ = 0;
};

}  // namespace archsim
