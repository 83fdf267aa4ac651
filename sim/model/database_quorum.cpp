// A leaderless replicated store (Dynamo, Riak; Cassandra's writes): the
// `consistency:` mode of a database. Every node of a shard holds a copy of
// each of its keys (replication_factor N). The coordinator sends a query to
// every node that is up and answers once R (reads) or W (writes) of them
// have replied, so a query's time is the R-th (W-th) fastest of the
// replicas' times; the others still do their work. Versions are the
// writes' timestamps, and a node keeps the newest it has seen (last writer
// wins). Measured:
//  - unavailable: fewer than R (W) nodes up: refused at once, as Cassandra's
//    UnavailableException;
//  - a stale read: its newest reply is older than the newest write
//    acknowledged before the read began (possible when R + W <= N, or when a
//    node that missed writes while down answers);
//  - a lost write: acknowledged, but a write of the same key with a later
//    timestamp began before it was acknowledged (the two were concurrent:
//    last-writer-wins keeps the later one and drops this one silently).
// Not modelled: hinted handoff, read repair and anti-entropy (a node that
// was down keeps the writes it missed until the key is written again).
#include "archsim/figures.hpp"
#include "model/database.hpp"

#include <algorithm>

namespace archsim {

double* Database::key_record(std::uint64_t key, bool create) {
  const auto stride = static_cast<std::size_t>(2 + per_shard_);
  auto it = key_slot_.find(key);
  if (it == key_slot_.end()) {
    if (!create) return nullptr;
    it = key_slot_.emplace(key, static_cast<std::uint32_t>(key_times_.size() / stride)).first;
    // -1: the data loaded before the run, which every node has.
    key_times_.resize(key_times_.size() + stride, -1.0);
  }
  return &key_times_[it->second * stride];
}

void Database::coordinate(Job* j) {
  const double now = kernel_.now();
  const int shard = shard_of(j->key);
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard)];
  ++sh.queries;
  const bool write = queries_[j->op].write;
  if (write) {
    ++counts_.writes;
  } else {
    ++counts_.reads;
    ++tick_counts_.reads;
  }
  const int first = shard * per_shard_;
  int up = 0;
  for (int i = 0; i < per_shard_; ++i) up += nodes_[static_cast<std::size_t>(first + i)].up ? 1 : 0;
  const int needed = write ? need_write_ : need_read_;
  if (up < needed) {
    ++counts_.unavailable;
    ++sh.failed;
    record_error(ErrorKind::Unavailable);
    fail(j, ErrorKind::Unavailable);
    return;
  }
  std::uint32_t slot;
  if (free_ops_.empty()) {
    slot = static_cast<std::uint32_t>(ops_.size());
    ops_.emplace_back();
  } else {
    slot = free_ops_.back();
    free_ops_.pop_back();
  }
  QuorumOp op;
  op.visit = j;
  op.ts = now;
  op.needed = needed;
  op.write = write;
  if (write) {
    double* t = key_record(j->key, true);
    t[1] = std::max(t[1], now);  // the newest write begun
  } else if (const double* t = key_record(j->key, false)) {
    op.required = t[0];
  }
  op.sent = up;
  ops_[slot] = op;
  j->aux = static_cast<std::int32_t>(slot);
  for (int i = 0; i < per_shard_; ++i)
    if (nodes_[static_cast<std::size_t>(first + i)].up) send_replica(slot, first + i, j);
}

void Database::send_replica(std::uint32_t slot, int node, const Job* visit) {
  ++ops_[slot].outstanding;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  if (max_connections_ > 0 && n.present >= max_connections_) {
    ++counts_.refused;
    replica_replied(slot, false, -1);
    return;
  }
  Job* sub = kernel_.alloc();
  sub->comp = this;
  sub->request = visit->request;
  sub->replica = node;  // for a backend that places nodes on hosts
  sub->aux = node;
  sub->pc = slot;
  sub->op = visit->op;
  sub->key = visit->key;
  sub->arrived = kernel_.now();
  ++n.present;
  account(kernel_.now());
  if (n.st.has_free_worker()) {
    set_busy(n, +1);
    start(sub);
  } else {
    add_queued(+1);
    n.st.push(sub);
  }
}

void Database::replica_done(Job* sub) {
  const int node = sub->aux;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  account(kernel_.now());
  --n.present;
  Job* next = n.st.pop();
  if (next) add_queued(-1);
  else set_busy(n, -1);

  const std::uint32_t slot = sub->pc;
  const bool ok = n.up;  // a node that died meanwhile does not reply
  double version = -1;
  if (ok) {
    const int i = node % per_shard_;
    if (queries_[sub->op].write) {
      double* t = key_record(sub->key, true);
      t[2 + i] = std::max(t[2 + i], ops_[slot].ts);  // last writer wins
    } else if (const double* t = key_record(sub->key, false)) {
      version = t[2 + i];
    }
  }
  kernel_.free(sub);
  replica_replied(slot, ok, version);
  if (next) start(next);
}

void Database::replica_replied(std::uint32_t slot, bool ok, double version) {
  QuorumOp& op = ops_[slot];
  --op.outstanding;
  if (ok) {
    ++op.ok;
    op.best = std::max(op.best, version);
  } else {
    ++op.failed;
  }
  if (op.visit) {
    if (op.ok >= op.needed) {
      answer(slot);
    } else if (op.sent - op.failed < op.needed) {
      // Too many replicas failed to reply: the level cannot be met.
      Job* j = op.visit;
      op.visit = nullptr;
      ++shard_state_[static_cast<std::size_t>(shard_of(j->key))].failed;
      record_error(ErrorKind::Killed);
      fail(j, ErrorKind::Killed);
    }
  }
  // answer() and fail() may have started queries that grew ops_: look again.
  if (!ops_[slot].visit && ops_[slot].outstanding == 0) free_ops_.push_back(slot);
}

void Database::answer(std::uint32_t slot) {
  const double now = kernel_.now();
  QuorumOp& op = ops_[slot];
  Job* j = op.visit;
  op.visit = nullptr;
  if (op.write) {
    double* t = key_record(j->key, true);
    if (t[1] > op.ts) ++counts_.lost_writes;  // a later write began while this one was in flight
    t[0] = std::max(t[0], op.ts);
    committed(*j);
  } else if (op.best < op.required) {
    j->flags |= kStale;
    ++counts_.stale_reads;
    ++tick_counts_.stale_reads;
    counts_.staleness.record(now - op.required);
  }
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard_of(j->key))];
  ++sh.completed;
  sh.latency.record(now - j->arrived);
  const std::uint32_t pc = j->pc;
  record_end(j, ErrorKind::None);
  kernel_.finish(j, ErrorKind::None);
  release_connection(pc);
}

void Database::fail_nodes(int count) {
  for (int s = 0; s < shards_; ++s) {
    int left = count < 0 ? per_shard_ : std::min(count, per_shard_);
    // The last nodes of the shard first: node 0 stays up longest.
    for (int i = per_shard_ - 1; i >= 0 && left > 0; --i) {
      Node& n = nodes_[static_cast<std::size_t>(s * per_shard_ + i)];
      if (!n.up) continue;
      n.up = false;
      --left;
      // Queued replica requests fail now; running ones when they would have ended.
      while (Job* sub = n.st.pop()) {
        account(kernel_.now());
        add_queued(-1);
        --n.present;
        const std::uint32_t slot = sub->pc;
        kernel_.free(sub);
        replica_replied(slot, false, -1);
      }
    }
  }
}

}  // namespace archsim
