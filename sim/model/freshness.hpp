// What a keyed cache or CDN sees of its key space over time, beyond its
// contents: which key a request asks for (the popularity; from a breaking
// story's start a share of requests for one new item; with `vary`, one copy
// per reader: the key is (item, reader)), and the source's updates, which
// leave the held copies of an item stale until they are stored again or
// purged. Every cache of one key space draws the same updates (one stream
// per key space), so two tiers agree on when an article changed. Updates and
// purges are kept per item, by time, and applied when a copy is read: a
// purge of an item reaches all its readers' copies in O(1).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"
#include "model/kernel.hpp"

namespace archsim {

class Freshness {
 public:
  Freshness() = default;
  /// `seed` is the scenario's: the update stream is named by the key space
  /// (keys, popularity, rate), not by the component.
  Freshness(const KeyedStoreSpec& s, std::uint64_t seed);

  /// The key a request at `now` asks for, drawn with the caller's stream.
  std::uint64_t draw(const Popularity& p, Rng& r, double now) const {
    const std::uint64_t item = draw_item(p, r, now);
    return vary_keys_ ? item * vary_keys_ + vary_(r) : item;
  }
  /// A read of `key` at `now`: whether a copy is there (a copy stored before
  /// its item's last purge is dropped: a miss), and whether it is stale.
  bool read(KeyStore& store, std::uint64_t key, double now, bool* stale);
  bool has_updates() const { return rate_ > 0; }
  /// The aux of the Custom events the owner (a cache or a CDN) receives for
  /// the source's updates and their purges; it hands them to on_update/purge.
  static constexpr std::uint16_t kUpdate = 2, kPurge = 3;
  /// Schedules the source's first update to `owner` (when it has updates).
  void start(Kernel& k, EventTarget* owner) {
    if (has_updates()) k.schedule(k.now() + next_gap(), owner, EventCode::Custom, nullptr, kUpdate);
  }
  /// The source updates a key now: its purge (purge on update) and the next
  /// update are scheduled to `owner`.
  void on_update(const Popularity& p, Kernel& k, EventTarget* owner) {
    const double now = k.now();
    if (update(p, now)) k.schedule(now + *purge_delay(), owner, EventCode::Custom, nullptr, kPurge);
    k.schedule(now + next_gap(), owner, EventCode::Custom, nullptr, kUpdate);
  }
  /// s from now to the next update (exponential: updates are Poisson).
  double next_gap() { return rng_.exponential(1.0 / rate_); }
  /// The source updates an item now; true when a purge of it is due later
  /// (purge on update).
  bool update(const Popularity& p, double now);
  /// The oldest due purge happens now.
  void purge(double now);
  std::optional<double> purge_delay() const { return purge_delay_; }

  /// A request for `key` answered from the store (`hit`, `stale` when the
  /// source changed since the copy was stored) or fetched (`fetch`).
  void count(std::uint64_t key, bool hit, bool fetch, bool stale, double now);
  /// The figures of the measured window (only those of the features in use).
  void report(std::vector<Figure>& out, double reads) const;
  /// End of warm-up.
  void reset() { counts_ = Counts{}; }

 private:
  struct Counts {
    std::uint64_t updates = 0, purges = 0, stale = 0, hot_requests = 0, hot_fetches = 0;
    std::uint64_t second_fetches = 0, peak_fetches = 0;  ///< fetches in the current second, the most
    double second = -1;                                  ///< the current whole second of the clock
  };
  std::uint64_t draw_item(const Popularity& p, Rng& r, double now) const {
    if (hot_ && now >= hot_->at && r.chance(hot_->share)) return hot_key_;
    return p(r);
  }
  std::uint64_t item_of(std::uint64_t key) const { return vary_keys_ ? key / vary_keys_ : key; }
  /// The time of an item's last update (or purge), -1 if none.
  static double last(const std::unordered_map<std::uint64_t, double>& m, std::uint64_t item) {
    const auto it = m.find(item);
    return it == m.end() ? -1.0 : it->second;
  }

  Counts counts_;
  std::optional<KeyedStoreSpec::HotKey> hot_;
  std::uint64_t hot_key_ = 0;
  std::uint64_t vary_keys_ = 0;
  Popularity vary_;
  double rate_ = 0;
  std::optional<double> purge_delay_;
  Rng rng_;
  std::unordered_map<std::uint64_t, double> updated_, purged_;  ///< item -> s of its last update, purge
  std::deque<std::uint64_t> due_;  ///< items to purge, in the order their (equal) delays end
};

}  // namespace archsim
