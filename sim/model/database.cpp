#include "model/database.hpp"
#include "archsim/figures.hpp"

#include <algorithm>

#include "archsim/simulation.hpp"

namespace archsim {

Database::Database(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec) {
  const DatabaseSpec& d = *spec.database();
  // read and write come first (op codes 0 and 1), whatever the file's order;
  // a missing write takes the read's time.
  const int r = d.query("read"), w = d.query("write");
  const DistSpec read_time = r >= 0 ? d.queries[static_cast<std::size_t>(r)].time : DistSpec{};
  queries_.push_back(Query{Sampler(read_time), false});
  queries_.push_back(Query{Sampler(w >= 0 ? d.queries[static_cast<std::size_t>(w)].time : read_time), true});
  query_index_["read"] = kRead;
  query_index_["write"] = kWrite;
  for (const DatabaseSpec::Query& q : d.queries) {
    if (q.name == "read" || q.name == "write") continue;
    query_index_[q.name] = static_cast<int>(queries_.size());
    queries_.push_back(Query{Sampler(q.time), q.write});
  }

  workers_ = static_cast<std::uint32_t>(d.workers);
  size_ = Sizing{d.workers, spec.instance};
  pool_size_ = d.pool ? static_cast<std::uint32_t>(*d.pool) : 0;
  acquire_timeout_ = d.acquire_timeout;
  max_connections_ = d.max_connections ? static_cast<std::uint32_t>(*d.max_connections) : 0;
  shards_ = std::max(1, d.shards);
  per_shard_ = d.nodes_per_shard();
  if (d.consistency) {
    quorum_ = true;
    need_read_ = d.consistency->read;
    need_write_ = d.consistency->write;
  }
  read_from_ = d.replicas > 0 ? d.read_from : ReadFrom::Primary;
  if (d.replication_lag) {
    lag_ = Sampler(*d.replication_lag);
    has_lag_ = true;
  }
  failover_ = d.failover;
  if (d.hot_shard) hot_shard_ = *d.hot_shard;
  if (d.shard_skew) {
    shard_skew_ = Popularity(static_cast<std::uint64_t>(shards_), d.shard_skew->zipf);
    has_shard_skew_ = true;
  }
  keys_ = d.keys;
  if (keys_ > 0) {
    const std::uint64_t per =
        (keys_ + static_cast<std::uint64_t>(shards_) - 1) / static_cast<std::uint64_t>(shards_);
    popularity_ = Popularity(per, d.popularity.zipf);
    // Without a shard skew the key decides the shard: draw over all keys.
    if (hot_shard_ < 0 && !has_shard_skew_) popularity_ = Popularity(keys_, d.popularity.zipf);
  }

  nodes_.resize(static_cast<std::size_t>(shards_ * per_shard_));
  for (Node& n : nodes_) n.st.workers = workers_;
  shard_state_.resize(static_cast<std::size_t>(shards_));
  for (int s = 0; s < shards_; ++s) shard_state_[static_cast<std::size_t>(s)].primary = s * per_shard_;
  has_keys = keys_ > 0;  // with a key space, the key picks the shard and the stale-read record
}

int Database::op_code(const std::string& op) const {
  if (op.empty()) return kRead;
  const auto it = query_index_.find(op);
  return it == query_index_.end() ? -1 : it->second;
}

std::uint64_t Database::draw_key() {
  const auto n = static_cast<std::uint64_t>(shards_);
  if (hot_shard_ < 0 && !has_shard_skew_) {
    // The key decides the shard (key mod shards).
    return keys_ > 0 ? popularity_(rng_) : rng_.below(n);
  }
  std::uint64_t s;
  if (has_shard_skew_) {
    s = shard_skew_(rng_);
  } else if (n == 1 || rng_.chance(hot_shard_)) {
    s = 0;
  } else {
    s = 1 + rng_.below(n - 1);  // the rest spread over the other shards
  }
  // A key of shard s: rank r within the shard, key = r * shards + s.
  return keys_ > 0 ? popularity_(rng_) * n + s : s;
}

std::uint64_t Database::draw_key_in(int shard) {
  const auto n = static_cast<std::uint64_t>(shards_);
  const auto s = static_cast<std::uint64_t>(shard) % n;
  if (keys_ == 0) return s;
  if (hot_shard_ < 0 && !has_shard_skew_) {
    // Keys over the whole space: the drawn key's neighbour on shard s.
    const std::uint64_t k = popularity_(rng_);
    const std::uint64_t on = k - k % n + s;
    return on < keys_ || on < n ? on : on - n;
  }
  return popularity_(rng_) * n + s;
}

int Database::pool_of(const Job* j) {
  // One pool per caller replica (the pool lives in the caller's process).
  // The calling component (a site belongs to the one that calls through it); -1 without one.
  const int from = j->site ? j->site->edge->from : -1;
  const int replica = j->caller_replica >= 0 ? j->caller_replica : 0;
  const std::int64_t id = (static_cast<std::int64_t>(from) << 32) ^ static_cast<std::uint32_t>(replica);
  const auto [it, fresh] = pool_index_.try_emplace(id, static_cast<std::uint32_t>(pools_.size()));
  if (fresh) pools_.emplace_back();
  return static_cast<int>(it->second);
}

void Database::arrive(Job* j) {
  const double now = kernel_.now();
  if (j->op >= queries_.size()) j->op = kRead;
  if (impair_.fails(rng_)) {
    j->pc = 0;
    record_error(ErrorKind::Injected);
    fail(j, ErrorKind::Injected);
    return;
  }
  if (pool_size_ == 0) {
    j->pc = 0;
    route(j);
    return;
  }
  // j->pc: the pool, plus one (0 = no connection held).
  const int p = pool_of(j);
  j->pc = static_cast<std::uint32_t>(p) + 1;
  Pool& pool = pools_[static_cast<std::size_t>(p)];
  if (pool.in_use < pool_size_ && !pools_exhausted_) {
    ++pool.in_use;
    counts_.pool_wait.record(0.0);
    ++tick_counts_.pooled;
    route(j);
    return;
  }
  account(now);
  add_queued(+1);
  ++pool_waiting_;
  pool.waiters.emplace_back(j, j->token);
  kernel_.schedule(now + acquire_timeout_, this, EventCode::Custom, j);
}

void Database::release_connection(std::uint32_t pc) {
  if (pc == 0) return;
  Pool& pool = pools_[pc - 1];
  // A pool made smaller (or exhausted) keeps what comes back.
  while (!pools_exhausted_ && pool.in_use <= pool_size_ && !pool.waiters.empty()) {
    const auto [w, token] = pool.waiters.front();
    pool.waiters.pop_front();
    if (w->token != token) continue;  // gave up (acquire timeout) and gone
    // The connection passes to w; its acquire timer is void.
    ++w->token;
    const double now = kernel_.now();
    account(now);
    add_queued(-1);
    --pool_waiting_;
    const double waited = now - w->arrived;
    counts_.pool_wait.record(waited);
    ++tick_counts_.pooled;
    tick_counts_.pool_wait_sum += waited;
    route(w);
    return;
  }
  --pool.in_use;
}

void Database::route(Job* j) {
  if (quorum_) {
    coordinate(j);
    return;
  }
  const int shard = shard_of(j->key);
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard)];
  ++sh.queries;
  const Query& q = queries_[j->op];
  const int first = shard * per_shard_;
  int node = sh.primary;
  if (!q.write) {
    ++counts_.reads;
    ++tick_counts_.reads;
    if (read_from_ != ReadFrom::Primary) {
      // Candidates: the up replicas (and the primary when reading from any).
      const int n = per_shard_;
      const int start = read_from_ == ReadFrom::Any
                            ? static_cast<int>(rng_.below(static_cast<std::uint64_t>(n)))
                            : sh.next_replica;
      int chosen = -1;
      for (int i = 0; i < n; ++i) {
        const int cand = first + (start + i) % n;
        if (!nodes_[static_cast<std::size_t>(cand)].up) continue;
        if (read_from_ == ReadFrom::Replicas && cand == sh.primary) continue;
        chosen = cand;
        if (read_from_ == ReadFrom::Replicas) sh.next_replica = (cand - first + 1) % n;
        break;
      }
      if (chosen >= 0) node = chosen;  // no replica up: the primary serves
    }
  } else {
    ++counts_.writes;
  }
  Node& n = nodes_[static_cast<std::size_t>(node)];
  j->aux = node;
  j->replica = node;  // for a backend that places nodes on hosts
  // A refused query leaves here: its time in the pool's line counts as a wait (0 if it had none).
  const bool refused = !n.up || (max_connections_ > 0 && n.present >= max_connections_);
  if (refused) record_wait(kernel_.now() - j->arrived);
  if (!n.up) {
    ++sh.failed;
    record_error(ErrorKind::Killed);
    fail(j, ErrorKind::Killed);  // connection refused: the node is down
    return;
  }
  if (max_connections_ > 0 && n.present >= max_connections_) {
    ++counts_.refused;
    ++sh.failed;
    record_error(ErrorKind::Rejected);
    fail(j, ErrorKind::Rejected);
    return;
  }
  ++n.present;
  if (n.st.has_free_worker()) {
    account(kernel_.now());
    set_busy(n, +1);
    start(j);
    return;
  }
  account(kernel_.now());
  add_queued(+1);
  n.st.push(j);
}

void Database::set_busy(Node& n, int delta) {
  const double now = kernel_.now();
  n.busy_area += (now - n.busy_since) * n.st.busy;
  n.busy_since = now;
  n.st.busy = static_cast<std::uint32_t>(static_cast<int>(n.st.busy) + delta);
  add_busy(delta);
}

void Database::start(Job* j) {
  const double now = kernel_.now();
  j->started = now;
  record_wait(now - j->arrived);
  kernel_.work(j, impair_.stretch(queries_[j->op].time(rng_)));
}

void Database::fail(Job* j, ErrorKind err) {
  const std::uint32_t pc = j->pc;
  record_end(j, err);
  kernel_.finish(j, err);
  release_connection(pc);
}

void Database::handle(const Event& e) {
  if (e.code == EventCode::Resume) {
    ++e.job->token;  // the query has run
    if (quorum_) replica_done(e.job);
    else done(e.job);
    return;
  }
  if (e.code != EventCode::Custom) return;
  if (!e.job) {
    if (e.aux == kRecoverAll) recover();
    else promote(e.aux);
    return;
  }
  // Acquire timeout: the visit still waits for a connection.
  Job* j = e.job;
  const double now = kernel_.now();
  account(now);
  add_queued(-1);
  --pool_waiting_;
  counts_.pool_wait.record(now - j->arrived);
  record_wait(now - j->arrived);  // it leaves the wait: wait counts every leaver, as queue_mean does
  ++tick_counts_.pooled;
  tick_counts_.pool_wait_sum += now - j->arrived;
  ++counts_.pool_exhausted;
  record_error(ErrorKind::PoolExhausted);
  record_end(j, ErrorKind::PoolExhausted);
  kernel_.finish(j, ErrorKind::PoolExhausted);  // frees j: its place in the line is void
}

void Database::done(Job* j) {
  const double now = kernel_.now();
  const int node = j->aux;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  const int shard = node / per_shard_;
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard)];
  account(now);
  --n.present;
  // Hand the worker to the next in line before replying (FIFO, as a service),
  // unless a resize left more busy than workers.
  Job* next = n.st.workers == 0 || n.st.busy <= n.st.workers ? n.st.pop() : nullptr;
  if (next) add_queued(-1);
  else set_busy(n, -1);

  ErrorKind err = ErrorKind::None;
  if (!n.up) {
    err = ErrorKind::Killed;  // the node died while the query ran
  } else if (queries_[j->op].write) {
    replicate(shard, j->key);
    committed(*j);
  } else {
    double staleness = 0;
    if (node != sh.primary) ++counts_.replica_reads;
    if (stale(node, j->key, staleness)) {
      j->flags |= kStale;
      ++counts_.stale_reads;
      ++tick_counts_.stale_reads;
      counts_.staleness.record(staleness);
    }
  }
  if (err == ErrorKind::None) {
    ++sh.completed;
    sh.latency.record(now - j->arrived);
  } else {
    ++sh.failed;
    record_error(err);
  }
  const std::uint32_t pc = j->pc;
  record_end(j, err);
  kernel_.finish(j, err);
  release_connection(pc);
  if (next) start(next);
}

void Database::replicate(int shard, std::uint64_t key) {
  const double now = kernel_.now();
  const auto stride = static_cast<std::size_t>(1 + per_shard_);
  const auto [it, fresh] = key_slot_.try_emplace(key, static_cast<std::uint32_t>(key_times_.size() / stride));
  if (fresh) key_times_.resize(key_times_.size() + stride, 0.0);
  double* t = &key_times_[it->second * stride];
  t[0] = now;  // commit
  const int first = shard * per_shard_;
  const int primary_node = shard_state_[static_cast<std::size_t>(shard)].primary;
  for (int i = 0; i < per_shard_; ++i) {
    const int node = first + i;
    if (node == primary_node) {
      t[1 + i] = now;
      continue;
    }
    // Each write reaches the replica after its own draw of the lag (the
    // stated distribution is the lag a write sees).
    Node& n = nodes_[static_cast<std::size_t>(node)];
    const double applied = now + (has_lag_ ? lag_(rng_) : 0.0);
    n.log_tail = std::max(n.log_tail, applied);
    t[1 + i] = applied;
    counts_.lag.record(applied - now);
  }
}

bool Database::stale(int node, std::uint64_t key, double& staleness) const {
  const auto it = key_slot_.find(key);
  if (it == key_slot_.end()) return false;  // never written
  const auto stride = static_cast<std::size_t>(1 + per_shard_);
  const double* t = &key_times_[it->second * stride];
  const int i = node % per_shard_;
  const double now = kernel_.now();
  if (t[1 + i] <= now) return false;
  staleness = now - t[0];
  return true;
}

void Database::fail_primary(int shard) {
  if (shard < 0) {
    for (int s = 0; s < shards_; ++s) fail_primary(s);
    return;
  }
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard)];
  Node& n = nodes_[static_cast<std::size_t>(sh.primary)];
  if (!n.up) return;
  n.up = false;
  // Queued queries fail now; running ones when they would have ended (done()).
  while (Job* j = n.st.pop()) {
    account(kernel_.now());
    add_queued(-1);
    --n.present;
    ++sh.failed;
    record_wait(kernel_.now() - j->arrived);  // it leaves the queue (see the acquire timeout)
    record_error(ErrorKind::Killed);
    fail(j, ErrorKind::Killed);
  }
  if (!sh.promoting) {
    sh.promoting = true;
    kernel_.schedule(kernel_.now() + failover_, this, EventCode::Custom, nullptr,
                     static_cast<std::uint16_t>(shard));
  }
}

void Database::promote(int shard) {
  ShardState& sh = shard_state_[static_cast<std::size_t>(shard)];
  sh.promoting = false;
  const int first = shard * per_shard_;
  if (nodes_[static_cast<std::size_t>(sh.primary)].up) return;  // recovered meanwhile
  ++counts_.failovers;
  // The replica that has applied the most of the log takes over.
  int best = -1;
  for (int i = 0; i < per_shard_; ++i) {
    const int node = first + i;
    if (node == sh.primary || !nodes_[static_cast<std::size_t>(node)].up) continue;
    if (best < 0 ||
        nodes_[static_cast<std::size_t>(node)].log_tail < nodes_[static_cast<std::size_t>(best)].log_tail)
      best = node;
  }
  if (best >= 0) sh.primary = best;
  else nodes_[static_cast<std::size_t>(sh.primary)].up = true;  // no replica: the primary restarts
}

void Database::recover(int shard) {
  if (shard < 0) {
    for (int s = 0; s < shards_; ++s) recover(s);
    return;
  }
  for (int i = 0; i < per_shard_; ++i) {
    Node& n = nodes_[static_cast<std::size_t>(shard * per_shard_ + i)];
    if (n.up) continue;
    n.up = true;
    n.log_tail = kernel_.now();  // caught up from a snapshot
  }
}

void Database::serve_pools() {
  for (std::size_t p = 0; p < pools_.size(); ++p) {
    Pool& pool = pools_[p];
    while (!pools_exhausted_ && pool.in_use < pool_size_ && !pool.waiters.empty()) {
      ++pool.in_use;
      release_connection(static_cast<std::uint32_t>(p) + 1);  // gives it to the oldest live waiter
    }
  }
}

bool Database::apply(const FaultSpec& f, bool end) {
  if (impair_.apply(f, end)) return true;
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Kill:
      if (end) recover();
      else if (quorum_) fail_nodes(f.replicas.value_or(-1));
      else fail_primary();
      return true;
    case K::Restart:
      if (end) return true;
      if (quorum_) fail_nodes(f.replicas.value_or(-1));
      else fail_primary();
      kernel_.schedule(kernel_.now() + f.restart_time, this, EventCode::Custom, nullptr, kRecoverAll);
      return true;
    case K::ExhaustPool:
      pools_exhausted_ = !end;
      if (end) serve_pools();
      return true;
    case K::Pool:
      if (end) return true;
      pool_size_ = static_cast<std::uint32_t>(f.size);
      serve_pools();
      return true;
    case K::Resize:
      if (!end) resize(f);
      return true;
    default: return false;
  }
}

void Database::resize(const FaultSpec& f) {
  size_ = resized(spec, size_, f.workers, f.instance);
  account(kernel_.now());
  const auto w = static_cast<std::uint32_t>(std::max(0, size_.workers));
  workers_ = w;
  for (Node& n : nodes_) {
    n.st.workers = w;
    while (n.up && n.st.has_free_worker()) {
      Job* j = n.st.pop();
      if (!j) break;
      add_queued(-1);
      set_busy(n, +1);
      start(j);
    }
  }
  ++version;
}

void Database::reset_stats() {
  const double now = kernel_.now();
  for (Node& n : nodes_) {
    n.busy_area += (now - n.busy_since) * n.st.busy;
    n.busy_since = now;
  }
  for (int s = 0; s < shards_; ++s) {
    ShardState& sh = shard_state_[static_cast<std::size_t>(s)];
    sh.queries = sh.completed = sh.failed = 0;
    sh.latency.clear();
    sh.busy_area_before = 0;
    for (int i = 0; i < per_shard_; ++i)
      sh.busy_area_before += nodes_[static_cast<std::size_t>(s * per_shard_ + i)].busy_area;
  }
  counts_ = Counts{};
}

void Database::report(ComponentResult& r, double window) const {
  const auto f = [&](const char* name, double v) { r.figures.push_back({name, v}); };
  const double reads = static_cast<double>(counts_.reads);
  if (pool_size_ > 0) {
    f(fig::kPoolWaitMs, counts_.pool_wait.mean() * 1e3);
    f(fig::kPoolWaitP99Ms, counts_.pool_wait.quantile(0.99) * 1e3);
    f(fig::kPoolExhausted, static_cast<double>(counts_.pool_exhausted));
  }
  if (max_connections_ > 0) f(fig::kConnectionsRefused, static_cast<double>(counts_.refused));
  f(fig::kReads, reads);
  f(fig::kWrites, static_cast<double>(counts_.writes));
  if (quorum_) {
    f(fig::kStaleReads, static_cast<double>(counts_.stale_reads));
    f(fig::kStaleReadRatio, reads > 0 ? static_cast<double>(counts_.stale_reads) / reads : 0.0);
    f(fig::kStalenessMs, counts_.staleness.mean() * 1e3);
    f(fig::kStalenessP99Ms, counts_.staleness.quantile(0.99) * 1e3);
    f(fig::kLostWrites, static_cast<double>(counts_.lost_writes));
    f(fig::kUnavailable, static_cast<double>(counts_.unavailable));
  } else if (per_shard_ > 1) {
    f(fig::kReplicaReads, static_cast<double>(counts_.replica_reads));
    f(fig::kStaleReads, static_cast<double>(counts_.stale_reads));
    f(fig::kStaleReadRatio, reads > 0 ? static_cast<double>(counts_.stale_reads) / reads : 0.0);
    f(fig::kStalenessMs, counts_.staleness.mean() * 1e3);
    f(fig::kStalenessP99Ms, counts_.staleness.quantile(0.99) * 1e3);
    f(fig::kReplicationLagMs, counts_.lag.mean() * 1e3);
    f(fig::kFailovers, static_cast<double>(counts_.failovers));
  }
  if (ledger_) {
    f(fig::kInconsistentWrites, static_cast<double>(ledger_->inconsistent()));
    f(fig::kMirrorPending, static_cast<double>(ledger_->pending()));
  }
  if (shards_ > 1) {
    // The shards' busy time, to the end of the run.
    const double now = kernel_.now();
    std::uint64_t total = 0;
    for (const ShardState& sh : shard_state_) total += sh.queries;
    for (int s = 0; s < shards_; ++s) {
      const ShardState& sh = shard_state_[static_cast<std::size_t>(s)];
      double area = -sh.busy_area_before;
      for (int i = 0; i < per_shard_; ++i) {
        const Node& n = nodes_[static_cast<std::size_t>(s * per_shard_ + i)];
        area += n.busy_area + (now - n.busy_since) * n.st.busy;
      }
      const double cap = static_cast<double>(workers_) * per_shard_ * window;
      std::vector<Figure> row;
      row.push_back({"shard", static_cast<double>(s)});
      row.push_back({"share", total ? static_cast<double>(sh.queries) / static_cast<double>(total) : 0.0});
      row.push_back({"throughput_rps", window > 0 ? static_cast<double>(sh.completed) / window : 0.0});
      row.push_back({"utilization", cap > 0 ? area / cap : 0.0});
      row.push_back({"busy_mean", window > 0 ? area / window : 0.0});
      row.push_back({"latency_mean_ms", sh.latency.mean() * 1e3});
      row.push_back({"latency_p99_ms", sh.latency.quantile(0.99) * 1e3});
      row.push_back({"failed", static_cast<double>(sh.failed)});
      r.shards.push_back(std::move(row));
    }
  }
}

void Database::report_tick(ComponentTick& t) {
  if (size_.workers != spec.database()->workers)
    t.figures.push_back({fig::kWorkersNow, static_cast<double>(workers_)});
  if (pool_size_ > 0) {
    t.figures.push_back({fig::kPoolWaiting, static_cast<double>(pool_waiting_)});
    t.figures.push_back(
        {fig::kPoolWaitMs, tick_counts_.pooled
                               ? tick_counts_.pool_wait_sum / static_cast<double>(tick_counts_.pooled) * 1e3
                               : 0.0});
  }
  if (per_shard_ > 1 || quorum_) {
    t.figures.push_back({fig::kStaleReadRatio, tick_counts_.reads
                                                   ? static_cast<double>(tick_counts_.stale_reads) /
                                                         static_cast<double>(tick_counts_.reads)
                                                   : 0.0});
    if (!quorum_) {
      int down = 0;
      for (const ShardState& sh : shard_state_)
        down += nodes_[static_cast<std::size_t>(sh.primary)].up ? 0 : 1;
      t.figures.push_back({fig::kPrimariesDown, static_cast<double>(down)});
    }
  }
  tick_counts_ = TickCounts{};
}

}  // namespace archsim
