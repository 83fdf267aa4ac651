// The contents of a keyed cache: which keys it holds, which one it evicts
// when full (LRU, LFU or FIFO) and when an entry expires (TTL). Every
// operation is O(1): an open-addressing hash table finds a key's entry, and
// entries sit in doubly linked lists by recency (LRU, FIFO) or in frequency
// buckets of such lists (LFU, after Shah, Mitra and Matani, "An O(1)
// algorithm for implementing the LFU cache eviction scheme", 2010). Memory
// follows the entries held, not the size of the key space.
#pragma once

#include <cstdint>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

class KeyStore {
 public:
  /// Holds at most `capacity` keys (> 0); `ttl` seconds after it is stored
  /// an entry is gone (0: never).
  KeyStore(std::uint64_t capacity, Eviction policy, double ttl);

  /// A read at time `now`: true if the key is there and fresh. A hit makes
  /// the entry recent (LRU) or counts a use (LFU); an expired entry is dropped.
  bool get(std::uint64_t key, double now);
  /// Stores the key at time `now` (a fill after a miss, or a write): a new
  /// entry evicts one when the store is full; an existing one is renewed.
  void put(std::uint64_t key, double now);
  /// Removes the key (an invalidation); true if it was there.
  bool erase(std::uint64_t key);
  /// Removes every entry (a flush).
  void clear();
  /// Holds at most `capacity` keys (> 0) from now: a smaller store evicts
  /// down to it at once by its policy (counted in `evictions`); a larger one
  /// just has room (the `cache_size` operator action).
  void set_capacity(std::uint64_t capacity);
  /// Whether the key is held (fresh or not), without touching it.
  bool contains(std::uint64_t key) const { return find(key) >= 0; }
  /// When the held copy of the key was stored (its last put), or -1 if the
  /// key is not held: a copy stored before its source's last update is stale.
  double stored(std::uint64_t key) const {
    const std::int32_t e = find(key);
    return e == kNone ? -1.0 : entries_[static_cast<std::size_t>(e)].stored;
  }

  std::uint64_t size() const { return size_; }
  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t evictions = 0;    ///< entries pushed out to make room
  std::uint64_t expirations = 0;  ///< entries found expired

 private:
  static constexpr std::int32_t kNone = -1;
  struct Entry {
    std::uint64_t key = 0;
    double expires = 0;
    std::int32_t prev = kNone, next = kNone;  ///< within the bucket, front = most recent
    std::int32_t bucket = 0;
    double stored = 0;  ///< s, when it was last put
  };
  /// A list of entries with one use count (LFU); LRU and FIFO use bucket 0 only.
  struct Bucket {
    std::uint64_t uses = 0;
    std::int32_t head = kNone, tail = kNone;
    std::int32_t prev = kNone, next = kNone;  ///< buckets in increasing use count
  };

  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
  }
  /// The entry of a key, or kNone.
  std::int32_t find(std::uint64_t key) const;
  /// The table position of a key, or of the empty slot where it would go.
  std::size_t position(std::uint64_t key) const;
  void table_insert(std::int32_t e);
  void table_erase(std::uint64_t key);
  void grow_table();

  void push_front(std::int32_t b, std::int32_t e);
  void unlink(std::int32_t e);
  std::int32_t new_bucket(std::uint64_t uses, std::int32_t after);
  void drop_bucket_if_empty(std::int32_t b);
  void touch(std::int32_t e);
  void remove(std::int32_t e);

  std::uint64_t capacity_;
  Eviction policy_;
  double ttl_;
  std::uint64_t size_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::int32_t> free_entries_;
  std::vector<Bucket> buckets_;
  std::vector<std::int32_t> free_buckets_;
  std::int32_t lowest_ = kNone;  ///< the bucket evicted from (LFU: fewest uses)
  std::vector<std::int32_t> table_;
  std::size_t mask_ = 0;
};

}  // namespace archsim
