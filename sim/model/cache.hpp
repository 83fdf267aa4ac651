// A cache (Redis, Memcached). Callers read (the default operation), write,
// invalidate, and store after a miss (cache-aside: the caller fetches the
// value itself, then stores it). Simple mode: a read hits with a fixed
// probability. Keyed mode: a key space with a popularity, a capacity, an
// eviction policy and a TTL; the hit ratio emerges, and changes with cold
// starts, warming and flushes. With `coalesce`, concurrent misses of a key
// wait for the first one's fill instead of all going to the backend.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>

#include "archsim/spec.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "model/freshness.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/station.hpp"

namespace archsim {

class Cache : public Component {
 public:
  /// Operation codes (Job::op).
  enum Op : std::uint16_t { kRead = 0, kWrite = 1, kInvalidate = 2, kStore = 3 };

  Cache(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;

  /// Schedules the first of the source's updates, if it has any.
  void begin() override;
  void handle(const Event& e) override;
  void on_reply(Job*, ErrorKind) override {}  // a cache calls nobody
  int op_code(const std::string& op) const override;
  std::uint64_t draw_key() override;
  int workers() const override { return static_cast<int>(station_.workers); }
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  /// Faults: flush; kill and restart (down, then back empty); slow; errors.
  bool apply(const FaultSpec& f, bool end) override;

  /// Drops every entry at once (a restart, FLUSHALL). Reads miss until the
  /// callers fill it again.
  void flush();
  /// Entries held now (keyed mode).
  std::uint64_t entries() const { return store_ ? store_->size() : 0; }
  /// Reads that hit, over the measured window so far.
  double hit_ratio() const;

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  /// What a visit's work step leads to (kept in Job::aux).
  enum Outcome : std::int32_t { kHit = 0, kMiss = 1, kWaitFill = 2 };
  /// A miss being filled: the caller told to fetch, and the reads of the same
  /// key waiting for its store (coalescing).
  struct Fill {
    std::uint32_t generation = 0;
    Job* head = nullptr;
    Job* tail = nullptr;
  };
  struct Counts {
    std::uint64_t hits = 0, misses = 0, coalesced = 0, writes = 0, invalidations = 0, stores = 0;
    std::uint64_t evictions_before = 0, expirations_before = 0;  // of the store, at the last reset
  };

  void start(Job* j);
  void end_work(Job* j);
  void reply(Job* j, std::uint8_t flags);
  /// A value for the key arrived (store or write): the waiting reads get it.
  void filled(std::uint64_t key);
  /// The fill of a key has taken fill_timeout: hand it to the oldest waiter.
  void fill_late();

  Sampler hit_latency_, miss_latency_;
  bool has_hit_latency_ = false, has_miss_latency_ = false;
  std::optional<double> hit_ratio_;  // simple mode
  std::optional<KeyStore> store_;    // keyed mode
  Popularity popularity_;
  Freshness fresh_;  ///< the breaking story's key, the source's updates (keyed mode)
  bool coalesce_ = false;
  double fill_timeout_ = 1;
  std::unordered_map<std::uint64_t, Fill> fills_;
  std::uint32_t generations_ = 0;
  /// Fill deadlines in the order they fall (all have the same length).
  std::deque<std::pair<std::uint64_t, std::uint32_t>> deadlines_;
  Station station_;
  Counts counts_, tick_counts_;
  // Faults
  bool down_ = false;
  Impairment impair_;  ///< slow and errors faults
  static constexpr std::uint16_t kFillDeadline = 0, kRestartOver = 1, kUpdate = Freshness::kUpdate,
                                 kPurge = Freshness::kPurge;  // Custom aux
  /// Ends a visit that is turned away on arrival.
  void refuse(Job* j, ErrorKind err);
  void set_down(bool down);
};

}  // namespace archsim
