// A database (PostgreSQL, MySQL). A visit is one query:
//  1. it takes a connection from its caller's pool (one pool per caller
//     replica, `pool:` connections); when none is free it waits, at most
//     `acquire_timeout`, then fails with pool_exhausted;
//  2. it goes to a shard (key hashing: key mod shards, or a skew) and there
//     to a node: writes to the primary, reads by `read_from`; a node holding
//     `max_connections` refuses more (rejected);
//  3. it waits for one of the node's `workers`, runs for its query type's
//     time, and gives the connection back.
// Writes are replicated to each replica after a lag (a replica applies its
// log in order); a read on a replica that has not applied the latest write
// of its key is stale (Job::flags kStale) and counted. Without `keys:` each
// shard is one item: a stale read is one from a replica that is behind.
// A primary can fail (fail_primary): after `failover` a replica is promoted.
// With `consistency:` the database is leaderless instead (database_quorum.cpp):
// a query goes to every up node of its shard and is answered after R (W) of
// them have replied; versions are write timestamps (last writer wins).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "archsim/spec.hpp"
#include "engine/popularity.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/mirror.hpp"
#include "model/station.hpp"
#include "spec/instances.hpp"

namespace archsim {

class Database : public Component {
 public:
  /// Operation codes: the index of the query type; read and write always exist.
  enum : std::uint16_t { kRead = 0, kWrite = 1 };

  Database(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;

  void link(Builder& b) override;
  void handle(const Event& e) override;
  void on_reply(Job*, ErrorKind) override {}  // a database calls nobody
  int op_code(const std::string& op) const override;
  std::uint64_t draw_key() override;
  std::uint64_t draw_key_in(int shard) override;
  /// Nodes, all shards: shard s holds nodes s * (1 + replicas) .. + replicas.
  int replicas() const override { return static_cast<int>(nodes_.size()); }
  int pick_replica() override { return 0; }  // the database routes each query itself
  int workers() const override { return static_cast<int>(workers_); }
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  /// Faults: kill and restart (the primaries fail; a restart brings the
  /// nodes back), exhaust_pool (no connection is handed out), slow, errors;
  /// the operator's `pool` sets the pool size.
  bool apply(const FaultSpec& f, bool end) override;

  /// The primary of `shard` (every shard when -1) fails now: its queued
  /// queries fail, running ones fail when they would have ended, writes are
  /// refused until a replica is promoted `failover` seconds later (with no
  /// replica, the primary itself comes back then).
  void fail_primary(int shard = -1);
  /// Failed nodes of `shard` (every shard when -1) come back as replicas (a
  /// leaderless node comes back with the data it had: the writes it missed
  /// stay missed until the key is written again).
  void recover(int shard = -1);
  bool primary_up(int shard) const { return nodes_[primary(shard)].up; }
  int shards() const { return shards_; }
  /// Node index of the current primary of a shard.
  int primary(int shard) const { return shard_state_[static_cast<std::size_t>(shard)].primary; }

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  struct Query {
    Sampler time;
    bool write = false;
  };
  struct Node {
    Station st;
    bool up = true;
    std::uint32_t present = 0;  ///< queries at the node (connections in use)
    double log_tail = 0;        ///< when this replica will have applied every write so far
    double busy_since = 0;      ///< for busy_area
    double busy_area = 0;
  };
  struct ShardState {
    int primary = 0;       ///< node index
    int next_replica = 0;  ///< round robin over the replicas
    bool promoting = false;
    // measured window
    std::uint64_t queries = 0, completed = 0, failed = 0;
    double busy_area_before = 0;  ///< the nodes' busy_area at the last reset
    Histogram latency;
  };
  struct Pool {
    std::uint32_t in_use = 0;
    std::deque<std::pair<Job*, std::uint32_t>> waiters;  ///< with the token they had
  };
  struct Counts {
    std::uint64_t reads = 0, writes = 0, replica_reads = 0, stale_reads = 0;
    std::uint64_t pool_exhausted = 0, refused = 0, failovers = 0;
    std::uint64_t lost_writes = 0, unavailable = 0;  ///< leaderless stores
    Histogram pool_wait;                             ///< every pooled query: 0 when a connection was free
    Histogram staleness;                             ///< stale reads: age of the newest write they missed
    Histogram lag;                                   ///< commit to apply on a replica
  };

  int shard_of(std::uint64_t key) const {
    return static_cast<int>(key % static_cast<std::uint64_t>(shards_));
  }
  int pool_of(const Job* j);
  /// Sends a query holding a connection to its node.
  void route(Job* j);
  void start(Job* j);
  void done(Job* j);
  /// Ends a visit that failed before running (no worker held).
  void fail(Job* j, ErrorKind err);
  /// Gives back j's pool connection: the oldest live waiter takes it.
  void release_connection(std::uint32_t pool);
  void set_busy(Node& n, int delta);
  void replicate(int shard, std::uint64_t key);
  /// Whether a read at node `n` of the key is stale now; the staleness if so.
  bool stale(int node, std::uint64_t key, double& staleness) const;
  void promote(int shard);
  /// A write committed: the mirror ledgers learn it, and an outbox row goes
  /// to its relay (model/mirror.hpp).
  void committed(const Job& j);
  std::unique_ptr<MirrorLedger> ledger_;    ///< `mirror:`: this store's writes that must reach another
  std::vector<MirrorLedger*> mirrored_by_;  ///< the ledgers of the stores that mirror to this one

  // Leaderless quorums (database_quorum.cpp).
  struct QuorumOp {
    Job* visit = nullptr;           ///< the query; nullptr once answered
    double ts = 0;                  ///< when it began: a write's timestamp (its version)
    double required = -1;           ///< read: version of the newest write acknowledged before it began
    double best = -1;               ///< read: newest version among the replies so far
    std::uint32_t outstanding = 0;  ///< replica requests not yet back
    int ok = 0, failed = 0, sent = 0, needed = 1;
    bool write = false;
  };
  /// A query of a leaderless store: to every up node of its shard, or
  /// refused at once (unavailable) when fewer than the level needs are up.
  void coordinate(Job* j);
  /// One replica request of op `slot` queues at node `node`.
  void send_replica(std::uint32_t slot, int node, const Job* visit);
  /// A replica request has run (Resume).
  void replica_done(Job* sub);
  /// A replica replied (ok) with `version` (reads), or failed.
  void replica_replied(std::uint32_t slot, bool ok, double version);
  /// Enough replicas replied: the visit's answer.
  void answer(std::uint32_t slot);
  /// Per key: [newest acknowledged write, newest write begun, version at each node]; nullptr if
  /// never written and not `create`.
  double* key_record(std::uint64_t key, bool create);
  /// `count` nodes of each shard (all when -1) go down; queued replica requests fail.
  void fail_nodes(int count);
  bool quorum_ = false;
  int need_read_ = 1, need_write_ = 1;
  std::vector<QuorumOp> ops_;
  std::vector<std::uint32_t> free_ops_;

  std::vector<Query> queries_;
  std::unordered_map<std::string, int> query_index_;
  std::uint32_t workers_ = 0;
  std::uint32_t pool_size_ = 0;  // 0: no pool
  double acquire_timeout_ = 1;
  std::uint32_t max_connections_ = 0;  // 0: no limit
  int shards_ = 1;
  int per_shard_ = 1;  // nodes per shard
  ReadFrom read_from_ = ReadFrom::Primary;
  bool has_lag_ = false;
  Sampler lag_;
  double failover_ = 30;
  double hot_shard_ = -1;  // < 0: none
  Popularity shard_skew_;
  bool has_shard_skew_ = false;
  Popularity popularity_;  // over keys per shard
  std::uint64_t keys_ = 0;
  std::vector<Node> nodes_;
  std::vector<ShardState> shard_state_;
  std::vector<Pool> pools_;
  std::unordered_map<std::int64_t, std::uint32_t> pool_index_;
  /// Per key that was written: [commit time, apply time at each node of its shard].
  std::unordered_map<std::uint64_t, std::uint32_t> key_slot_;
  std::vector<double> key_times_;
  std::uint32_t pool_waiting_ = 0;
  // Faults
  bool pools_exhausted_ = false;
  Impairment impair_;                                   ///< slow and errors faults
  static constexpr std::uint16_t kRecoverAll = 0xffff;  // Custom event aux; else a shard to promote
  /// Hands free connections to waiting queries, in every pool.
  void serve_pools();
  /// `resize`: new workers per node (named, or following a new instance's
  /// vCPUs); added workers start waiting queries now, with fewer the running
  /// ones finish and their workers are not handed on (done()).
  void resize(const FaultSpec& f);
  Sizing size_;  ///< workers and instance now (a resize changes them)
  Counts counts_;
  struct TickCounts {
    std::uint64_t reads = 0, stale_reads = 0, pooled = 0;
    double pool_wait_sum = 0;
  } tick_counts_;
};

}  // namespace archsim
