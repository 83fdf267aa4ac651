#include "engine/key_store.hpp"

#include <algorithm>
#include <cassert>

namespace archsim {

KeyStore::KeyStore(std::uint64_t capacity, Eviction policy, double ttl)
    : capacity_(std::min<std::uint64_t>(std::max<std::uint64_t>(capacity, 1), 0x7fffffff)),
      policy_(policy),
      ttl_(ttl) {
  table_.assign(16, kNone);
  mask_ = table_.size() - 1;
  if (policy_ != Eviction::Lfu) lowest_ = new_bucket(0, kNone);
}

std::size_t KeyStore::position(std::uint64_t key) const {
  std::size_t i = mix(key) & mask_;
  while (table_[i] != kNone && entries_[static_cast<std::size_t>(table_[i])].key != key) i = (i + 1) & mask_;
  return i;
}

std::int32_t KeyStore::find(std::uint64_t key) const { return table_[position(key)]; }

void KeyStore::table_insert(std::int32_t e) {
  // At most half full: probes stay short.
  if ((size_ + 1) * 2 > table_.size()) grow_table();
  table_[position(entries_[static_cast<std::size_t>(e)].key)] = e;
}

void KeyStore::grow_table() {
  std::vector<std::int32_t> old(table_.size() * 2, kNone);
  old.swap(table_);
  mask_ = table_.size() - 1;
  for (std::int32_t e : old)
    if (e != kNone) table_[position(entries_[static_cast<std::size_t>(e)].key)] = e;
}

void KeyStore::table_erase(std::uint64_t key) {
  // Linear probing with backward-shift deletion: no tombstones.
  std::size_t i = position(key);
  assert(table_[i] != kNone);
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (table_[j] == kNone) break;
    const std::size_t home = mix(entries_[static_cast<std::size_t>(table_[j])].key) & mask_;
    // The entry at j may stay if its home lies cyclically in (i, j].
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    table_[i] = table_[j];
    i = j;
  }
  table_[i] = kNone;
}

std::int32_t KeyStore::new_bucket(std::uint64_t uses, std::int32_t after) {
  std::int32_t b;
  if (!free_buckets_.empty()) {
    b = free_buckets_.back();
    free_buckets_.pop_back();
  } else {
    b = static_cast<std::int32_t>(buckets_.size());
    buckets_.emplace_back();
  }
  Bucket& nb = buckets_[static_cast<std::size_t>(b)];
  nb = Bucket{};
  nb.uses = uses;
  // Link after `after` (kNone: at the low end).
  nb.prev = after;
  nb.next = after == kNone ? lowest_ : buckets_[static_cast<std::size_t>(after)].next;
  if (nb.next != kNone) buckets_[static_cast<std::size_t>(nb.next)].prev = b;
  if (after == kNone) lowest_ = b;
  else buckets_[static_cast<std::size_t>(after)].next = b;
  return b;
}

void KeyStore::drop_bucket_if_empty(std::int32_t b) {
  Bucket& bk = buckets_[static_cast<std::size_t>(b)];
  if (policy_ != Eviction::Lfu || bk.head != kNone) return;
  if (bk.prev != kNone) buckets_[static_cast<std::size_t>(bk.prev)].next = bk.next;
  else lowest_ = bk.next;
  if (bk.next != kNone) buckets_[static_cast<std::size_t>(bk.next)].prev = bk.prev;
  free_buckets_.push_back(b);
}

void KeyStore::push_front(std::int32_t b, std::int32_t e) {
  Bucket& bk = buckets_[static_cast<std::size_t>(b)];
  Entry& en = entries_[static_cast<std::size_t>(e)];
  en.bucket = b;
  en.prev = kNone;
  en.next = bk.head;
  if (bk.head != kNone) entries_[static_cast<std::size_t>(bk.head)].prev = e;
  else bk.tail = e;
  bk.head = e;
}

void KeyStore::unlink(std::int32_t e) {
  Entry& en = entries_[static_cast<std::size_t>(e)];
  Bucket& bk = buckets_[static_cast<std::size_t>(en.bucket)];
  if (en.prev != kNone) entries_[static_cast<std::size_t>(en.prev)].next = en.next;
  else bk.head = en.next;
  if (en.next != kNone) entries_[static_cast<std::size_t>(en.next)].prev = en.prev;
  else bk.tail = en.prev;
}

void KeyStore::touch(std::int32_t e) {
  switch (policy_) {
    case Eviction::Fifo: return;  // the order of arrival never changes
    case Eviction::Lru:
      unlink(e);
      push_front(0, e);
      return;
    case Eviction::Lfu: {
      const std::int32_t b = entries_[static_cast<std::size_t>(e)].bucket;
      const std::uint64_t uses = buckets_[static_cast<std::size_t>(b)].uses + 1;
      std::int32_t nb = buckets_[static_cast<std::size_t>(b)].next;
      if (nb == kNone || buckets_[static_cast<std::size_t>(nb)].uses != uses) nb = new_bucket(uses, b);
      unlink(e);
      push_front(nb, e);
      drop_bucket_if_empty(b);
      entries_[static_cast<std::size_t>(e)].last = ++clock_;
      return;
    }
  }
}

void KeyStore::record(std::uint64_t key) {
  // The sketch grows with the entries held, starting afresh: while the store
  // fills nothing is evicted, so the counts lost do not matter.
  if (sketch_.empty() || kSketchWidth / 2 * size_ > sketch_mask_ + 1) {
    std::size_t width = 64;
    while (width < kSketchWidth * size_) width *= 2;
    sketch_.assign(4 * width, 0);
    sketch_mask_ = width - 1;
  }
  // Conservative update (Estan and Varghese 2002): only the counters at the
  // key's least count go up, so collisions inflate counts less.
  const std::uint32_t least = estimate(key);
  for (std::size_t r = 0; r < 4; ++r) {
    std::uint8_t& c = sketch_[r * (sketch_mask_ + 1) + (mix(key + r * 0x9E3779B97F4A7C15ull) & sketch_mask_)];
    if (c == least && c < 255) ++c;
  }
  if (++since_aging_ >= kSample * capacity_) age();
}

std::uint32_t KeyStore::estimate(std::uint64_t key) const {
  if (sketch_.empty()) return 0;
  std::uint32_t least = 255;
  for (std::size_t r = 0; r < 4; ++r)
    least = std::min<std::uint32_t>(
        least, sketch_[r * (sketch_mask_ + 1) + (mix(key + r * 0x9E3779B97F4A7C15ull) & sketch_mask_)]);
  return least;
}

std::int32_t KeyStore::bucket_with(std::uint64_t uses) {
  // Counts start small (at most 255), so the walk from the low end is short.
  std::int32_t after = kNone;
  for (std::int32_t b = lowest_; b != kNone; b = buckets_[static_cast<std::size_t>(b)].next) {
    const std::uint64_t u = buckets_[static_cast<std::size_t>(b)].uses;
    if (u == uses) return b;
    if (u > uses) break;
    after = b;
  }
  return new_bucket(uses, after);
}

void KeyStore::age() {
  since_aging_ = 0;
  for (std::uint8_t& c : sketch_) c /= 2;
  // Buckets run in increasing count, so those whose halves are equal (2k and
  // 2k + 1) are neighbours: the second is merged into the first.
  for (std::int32_t b = lowest_; b != kNone;) {
    Bucket& bk = buckets_[static_cast<std::size_t>(b)];
    const std::int32_t next = bk.next;
    bk.uses /= 2;
    if (bk.prev != kNone && buckets_[static_cast<std::size_t>(bk.prev)].uses == bk.uses)
      merge_buckets(bk.prev, b);
    b = next;
  }
}

void KeyStore::merge_buckets(std::int32_t into, std::int32_t from) {
  const auto list = [&](std::int32_t b) {
    std::vector<std::int32_t> out;
    for (std::int32_t e = buckets_[static_cast<std::size_t>(b)].head; e != kNone;
         e = entries_[static_cast<std::size_t>(e)].next)
      out.push_back(e);
    return out;
  };
  const std::vector<std::int32_t> a = list(into), b = list(from);
  std::vector<std::int32_t> all(a.size() + b.size());
  // Both lists run from the most recent use to the least.
  std::merge(a.begin(), a.end(), b.begin(), b.end(), all.begin(), [&](std::int32_t x, std::int32_t y) {
    return entries_[static_cast<std::size_t>(x)].last > entries_[static_cast<std::size_t>(y)].last;
  });
  for (const std::int32_t bb : {into, from}) {
    buckets_[static_cast<std::size_t>(bb)].head = kNone;
    buckets_[static_cast<std::size_t>(bb)].tail = kNone;
  }
  for (auto it = all.rbegin(); it != all.rend(); ++it) push_front(into, *it);
  drop_bucket_if_empty(from);
}

void KeyStore::remove(std::int32_t e) {
  const std::int32_t b = entries_[static_cast<std::size_t>(e)].bucket;
  unlink(e);
  drop_bucket_if_empty(b);
  table_erase(entries_[static_cast<std::size_t>(e)].key);
  free_entries_.push_back(e);
  --size_;
}

bool KeyStore::get(std::uint64_t key, double now) {
  if (policy_ == Eviction::Lfu) record(key);  // a use, held or not
  const std::int32_t e = find(key);
  if (e == kNone) return false;
  if (ttl_ > 0 && entries_[static_cast<std::size_t>(e)].expires <= now) {
    remove(e);
    ++expirations;
    return false;
  }
  touch(e);
  return true;
}

void KeyStore::put(std::uint64_t key, double now) {
  const double expires = ttl_ > 0 ? now + ttl_ : 0.0;
  std::int32_t e = find(key);
  if (e != kNone) {
    entries_[static_cast<std::size_t>(e)].expires = expires;
    entries_[static_cast<std::size_t>(e)].stored = now;
    if (policy_ == Eviction::Lfu) record(key);
    touch(e);
    return;
  }
  if (size_ >= capacity_) {
    // The victim: least recent (LRU), oldest (FIFO), or least used and, among
    // those, least recent (LFU).
    const std::int32_t victim = buckets_[static_cast<std::size_t>(lowest_)].tail;
    assert(victim != kNone);
    // LFU admits a key only if it was used more than the victim (TinyLFU):
    // otherwise every one-off key would push out a key that earns hits.
    if (policy_ == Eviction::Lfu &&
        estimate(key) <= estimate(entries_[static_cast<std::size_t>(victim)].key)) {
      ++refused;
      return;
    }
    remove(victim);
    ++evictions;
  }
  if (!free_entries_.empty()) {
    e = free_entries_.back();
    free_entries_.pop_back();
  } else {
    e = static_cast<std::int32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& en = entries_[static_cast<std::size_t>(e)];
  en.key = key;
  en.expires = expires;
  en.stored = now;
  std::int32_t b = 0;
  if (policy_ == Eviction::Lfu) {
    // The key's uses so far (a fill after a miss: that read's included).
    b = bucket_with(std::max<std::uint32_t>(1, estimate(key)));
    en.last = ++clock_;
  }
  push_front(b, e);
  ++size_;
  table_insert(e);
}

void KeyStore::set_capacity(std::uint64_t capacity) {
  capacity_ = std::min<std::uint64_t>(std::max<std::uint64_t>(capacity, 1), 0x7fffffff);
  while (size_ > capacity_) {
    remove(buckets_[static_cast<std::size_t>(lowest_)].tail);  // put()'s victim
    ++evictions;
  }
}

bool KeyStore::erase(std::uint64_t key) {
  const std::int32_t e = find(key);
  if (e == kNone) return false;
  remove(e);
  return true;
}

void KeyStore::clear() {
  entries_.clear();
  free_entries_.clear();
  buckets_.clear();
  free_buckets_.clear();
  lowest_ = kNone;
  size_ = 0;
  since_aging_ = 0;
  std::fill(table_.begin(), table_.end(), kNone);
  if (policy_ != Eviction::Lfu) lowest_ = new_bucket(0, kNone);
}

}  // namespace archsim
