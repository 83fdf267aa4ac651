#include "model/mirror.hpp"

#include <algorithm>

#include "model/builder.hpp"
#include "model/database.hpp"
#include "model/queue.hpp"

namespace archsim {

void MirrorLedger::outbox_done(std::uint64_t request) {
  const auto it = entries_.find(request);
  if (it == entries_.end() || it->second.outbox == 0) return;
  --it->second.outbox;
}

std::uint64_t MirrorLedger::inconsistent() const {
  std::uint64_t n = 0;
  for (const auto& e : entries_) n += e.second.here && !e.second.there && e.second.outbox == 0;
  return n;
}

std::uint64_t MirrorLedger::pending() const {
  std::uint64_t n = 0;
  for (const auto& e : entries_) n += e.second.here && !e.second.there && e.second.outbox > 0;
  return n;
}

// ---------------------------------------------------------------------------
// The stores' and the relay's sides of it

void Database::link(Builder& b) {
  const DatabaseSpec& d = *spec.database();
  if (d.mirror.empty()) return;
  ledger_ = std::make_unique<MirrorLedger>();
  // Checked by the parser: the mirror is another database.
  if (auto* old = dynamic_cast<Database*>(b.component(d.mirror))) old->mirrored_by_.push_back(ledger_.get());
}

void Database::committed(const Job& j) {
  if (j.measured) {
    if (ledger_) ledger_->committed(j.request);
    for (MirrorLedger* l : mirrored_by_) l->mirrored(j.request);
  }
  // The outbox row committed in the same transaction: it reaches the relay
  // whatever happens to the caller now.
  if (j.site && j.site->outbox) static_cast<Queue*>(j.site->outbox)->put_outbox(j, ledger_.get());
}

void Queue::put_outbox(const Job& j, MirrorLedger* ledger) {
  std::uint32_t index = 0;
  if (ledger) {
    const auto it = std::find(ledgers_.begin(), ledgers_.end(), ledger);
    if (it == ledgers_.end()) ledgers_.push_back(ledger);
    index =
        static_cast<std::uint32_t>(std::find(ledgers_.begin(), ledgers_.end(), ledger) - ledgers_.begin()) +
        1;
    if (j.measured) ledger->outbox_put(j.request);
  }
  const auto p = static_cast<std::uint32_t>(shared_ ? 0 : j.key % partitions_.size());
  enqueue(Message{kernel_.now(), j.request_start, j.request, j.measured, index}, p);
}

void Queue::outbox_done(std::uint64_t request, std::uint32_t ledger) {
  if (ledger > 0) ledgers_[ledger - 1]->outbox_done(request);
}

}  // namespace archsim
