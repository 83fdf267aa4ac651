#include "model/freshness.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "archsim/figures.hpp"

namespace archsim {

Freshness::Freshness(const KeyedStoreSpec& s, std::uint64_t seed)
    : hot_(s.hot),
      hot_key_(s.keys),  // the first rank past the key space: a new article
      rate_(s.updates),
      purge_delay_(s.purge_on_update),
      // One stream per key space: every cache of the same items (whole pages
      // or their shared fragment) sees the same edits at the same times.
      rng_(seed, fmt::format("updates:{}:{}:{}", s.keys, s.popularity.zipf, s.updates)) {
  if (s.vary && s.vary->keys > 0) {
    vary_keys_ = s.vary->keys;
    vary_ = Popularity(vary_keys_, s.vary->popularity.zipf);
  }
}

bool Freshness::read(KeyStore& store, std::uint64_t key, double now, bool* stale) {
  *stale = false;
  if (!store.get(key, now)) return false;
  if (updated_.empty()) return true;
  const std::uint64_t item = item_of(key);
  const double stored = store.stored(key);
  if (stored < last(purged_, item)) {
    // Purged since it was stored: the purge removed it (applied now).
    store.erase(key);
    ++counts_.purges;
    return false;
  }
  *stale = stored < last(updated_, item);
  return true;
}

bool Freshness::update(const Popularity& p, double now) {
  ++counts_.updates;
  const std::uint64_t item = draw_item(p, rng_, now);
  updated_[item] = now;
  if (!purge_delay_) return false;
  due_.push_back(item);
  return true;
}

void Freshness::purge(double now) {
  if (due_.empty()) return;
  purged_[due_.front()] = now;
  due_.pop_front();
}

void Freshness::count(std::uint64_t key, bool hit, bool fetch, bool stale, double now) {
  if (hit && stale) ++counts_.stale;
  if (!hot_) return;
  if (item_of(key) == hot_key_) {
    ++counts_.hot_requests;
    if (fetch) ++counts_.hot_fetches;
  }
  if (!fetch) return;
  // Fetches per whole second of the clock: the busiest second is the peak.
  const double second = std::floor(now);
  if (second != counts_.second) {
    counts_.second = second;
    counts_.second_fetches = 0;
  }
  counts_.peak_fetches = std::max(counts_.peak_fetches, ++counts_.second_fetches);
}

void Freshness::report(std::vector<Figure>& out, double reads) const {
  const auto f = [&](const char* name, std::uint64_t v) { out.push_back({name, static_cast<double>(v)}); };
  if (hot_) {
    f(fig::kHotRequests, counts_.hot_requests);
    f(fig::kHotFetches, counts_.hot_fetches);
    f(fig::kPeakFetchRate, counts_.peak_fetches);
  }
  if (rate_ <= 0) return;
  f(fig::kUpdates, counts_.updates);
  if (purge_delay_) f(fig::kPurges, counts_.purges);
  f(fig::kStaleServes, counts_.stale);
  out.push_back({fig::kStaleServeRatio, reads > 0 ? static_cast<double>(counts_.stale) / reads : 0.0});
}

}  // namespace archsim
