// The contents of a keyed cache: which keys it holds, which one it evicts
// when full (LRU, LFU or FIFO) and when an entry expires (TTL). Every
// operation is O(1): an open-addressing hash table finds a key's entry, and
// entries sit in doubly linked lists by recency (LRU, FIFO) or in frequency
// buckets of such lists (LFU, after Shah, Mitra and Matani, "An O(1)
// algorithm for implementing the LFU cache eviction scheme", 2010). Memory
// follows the entries held, not the size of the key space.
//
// LFU counts every use of a key, held or not, in a frequency sketch (a
// count-min sketch of 4 rows of 8-bit counters, 8 per entry held in each
// row, with conservative update), halves every count after 100 x capacity
// uses, and stores a new key only when its count beats the victim's: the
// admission of TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly
// Efficient Cache Admission Policy", 2017; Ristretto pairs it with LFU
// eviction the same way). A new entry starts at its key's count. Counting
// only while held (in-cache LFU) freezes a full cache: each newcomer enters
// with one use and is the next victim, so whatever filled the cache first
// keeps it (Zipf(0.8) over 10k keys, room for 500: 43% hits for ever, not
// the 47.6% of the 500 most popular keys). TinyLFU's sample of 10 x capacity
// is too short to rank keys near the boundary from their few uses without
// its window cache: 43% again; 100 x capacity reaches 47.2%.
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
  std::uint64_t refused = 0;      ///< LFU: new keys not stored, used no more than the victim

 private:
  static constexpr std::int32_t kNone = -1;
  static constexpr std::uint64_t kSample = 100;     ///< LFU: uses between halvings, per entry of capacity
  static constexpr std::uint64_t kSketchWidth = 8;  ///< LFU: sketch counters per row, per entry held
  struct Entry {
    std::uint64_t key = 0;
    double expires = 0;
    std::int32_t prev = kNone, next = kNone;  ///< within the bucket, front = most recent
    std::int32_t bucket = 0;
    double stored = 0;       ///< s, when it was last put
    std::uint64_t last = 0;  ///< the store's use clock at its last use (LFU: recency within a count)
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
  /// LFU: one more use of the key in the sketch; each 10 x capacity of them, age().
  void record(std::uint64_t key);
  /// LFU: the sketch's count of the key's uses (the least of its 4 counters).
  std::uint32_t estimate(std::uint64_t key) const;
  /// LFU: halves every count, the sketch's and the entries'.
  void age();
  /// LFU: the bucket of entries with `uses` uses, made when there is none.
  std::int32_t bucket_with(std::uint64_t uses);
  /// Moves bucket `from`'s entries into `into`, most recent first, and frees `from`.
  void merge_buckets(std::int32_t into, std::int32_t from);

  std::uint64_t capacity_;
  Eviction policy_;
  double ttl_;
  std::uint64_t size_ = 0;
  std::vector<Entry> entries_;
  std::vector<std::int32_t> free_entries_;
  std::vector<Bucket> buckets_;
  std::vector<std::int32_t> free_buckets_;
  std::int32_t lowest_ = kNone;       ///< the bucket evicted from (LFU: fewest uses)
  std::uint64_t clock_ = 0;           ///< LFU: uses of held entries so far (orders them by recency)
  std::uint64_t since_aging_ = 0;     ///< LFU: uses recorded since the counts were last halved
  std::vector<std::uint8_t> sketch_;  ///< LFU: 4 rows of `sketch_mask_ + 1` saturating counters
  std::size_t sketch_mask_ = 0;
  std::vector<std::int32_t> table_;
  std::size_t mask_ = 0;
};

}  // namespace archsim
