// The ledger of a migration's two stores. A database with `mirror: OLD`
// keeps one: every write it commits must also reach OLD, by any path (a
// second write from the service, a fan-out, a relay's consumer applying an
// outbox row). Writes are matched by request: the request id a write job
// carries (a relay's delivery carries the id of the request that wrote the
// row). Only measured requests are kept (those started after warm-up).
//
// inconsistent(): requests whose write this store committed, that OLD has
// not committed, and that no outbox still holds: a dual write whose second
// write failed (or never ran), an outbox row dead-lettered or dropped. A row
// still in an outbox is delayed, not lost (pending()). A write OLD committed
// and this store did not is not counted: OLD is the store of record the
// rest of the system still reads; the new store is rebuilt from it.
#pragma once

#include <cstdint>
#include <unordered_map>

namespace archsim {

class MirrorLedger {
 public:
  /// The store with `mirror:` committed a write of `request`.
  void committed(std::uint64_t request) { touch(request).here = true; }
  /// Its mirror (the old store) committed a write of `request`.
  void mirrored(std::uint64_t request) { touch(request).there = true; }
  /// An outbox row of `request` was published to its relay; and its message
  /// left the relay (applied, dead-lettered or dropped).
  void outbox_put(std::uint64_t request) { ++touch(request).outbox; }
  void outbox_done(std::uint64_t request);
  /// Writes this store committed that the old store never got, with no outbox row left.
  std::uint64_t inconsistent() const;
  /// Writes this store committed that an outbox still holds (not yet applied to the old store).
  std::uint64_t pending() const;

 private:
  struct Entry {
    bool here = false, there = false;
    std::uint32_t outbox = 0;  ///< rows of the request still in a relay
  };
  Entry& touch(std::uint64_t request) { return entries_[request]; }
  std::unordered_map<std::uint64_t, Entry> entries_;
};

}  // namespace archsim
