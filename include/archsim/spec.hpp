// Plain structs that a scenario file is parsed into, once. Every value keeps
// the line and column it came from so that later checks can point at it.
// Quantities are SI doubles: seconds, requests per second, bytes.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

namespace archsim {

struct PlatformSpec;  // archsim/platform.hpp
struct Contract;      // archsim/contract.hpp

/// A position in a scenario file, counted from 1; line 0 means unknown.
struct Mark {
  int line = 0;
  int col = 0;
  /// Which file: 0 the scenario file, 1 the design it names (ScenarioSpec::file_of).
  int file = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

/// A random variable over durations (seconds).
struct DistSpec {
  enum class Kind { Const, Exp, Uniform, Normal, Lognormal, Erlang, Pareto };
  Kind kind = Kind::Const;
  /// Parameters in seconds (shape parameters are plain numbers):
  /// const(a) exp(mean a) uniform(a, b) normal(mean a, sd b)
  /// lognormal(median a, p99 b) erlang(k a, mean b) pareto(min a, shape b)
  double a = 0;
  double b = 0;
  Mark mark;

  static DistSpec constant(double seconds) { return {Kind::Const, seconds, 0, {}}; }
  /// Mean in seconds (infinite for a Pareto with shape <= 1).
  double mean() const;
  /// Squared coefficient of variation Var/mean^2 (for Pollaczek-Khinchine).
  double scv() const;
  /// The text form, e.g. "exp(4ms)".
  std::string str() const;
};

/// One point of a traffic profile: from `at`, the rate multiplier moves to
/// `x` linearly over `ramp` seconds (0 = a step).
struct ProfilePoint {
  double at = 0;
  double x = 1;
  double ramp = 0;
  Mark mark;
};

/// How a caller retries a failed call (or a client a failed request).
struct RetrySpec {
  enum class Backoff { Constant, Linear, Exponential };
  enum class Jitter { None, Full, Equal, Decorrelated };
  int max = 0;  ///< attempts after the first
  Backoff backoff = Backoff::Exponential;
  double base = 0.1;  ///< seconds: the first delay
  double cap = 10;    ///< seconds: the longest delay
  Jitter jitter = Jitter::None;
  std::optional<double> budget;  ///< retries at most this fraction of first tries
  Mark mark;
};

/// A traffic source: open loop (rate) or closed loop (users + think).
struct TrafficSpec {
  std::string name;
  Mark mark;
  std::string to;
  Mark to_mark;
  double rate = 0;  ///< requests/s, open loop; 0 when closed loop
  std::vector<ProfilePoint> profile;
  std::uint64_t users = 0;         ///< closed loop population; 0 when open loop
  DistSpec think;                  ///< closed loop think time
  std::optional<double> timeout;   ///< seconds; the client gives up after it
  std::optional<RetrySpec> retry;  ///< the client tries again after an error or a timeout
  /// `from:` in a graded problem with `regions:`: where its users are ("" =
  /// the problem's first region). Elsewhere `from:` is a platform placement.
  std::string region;
  Mark region_mark;
  /// One-way delay from its users to the entry (the problem's region
  /// latency, when the design places the entry in another region).
  std::optional<DistSpec> latency;
  /// `response:` bytes each answered request sends to its users (a page):
  /// priced as egress of the component that answers them (report/cost.cpp).
  double response_bytes = 0;
  bool closed() const { return users > 0; }
};

/// A circuit breaker on a call site.
struct BreakerSpec {
  std::optional<int> consecutive;      ///< open after this many failures in a row
  std::optional<double> failure_rate;  ///< or when this fraction of the window's calls failed
  double window = 10;                  ///< seconds over which the rate is measured
  int min_calls = 20;                  ///< calls in the window before the rate counts
  double open_for = 5;                 ///< seconds open before half-open
  int probes = 1;                      ///< calls let through half-open; all must succeed
  Mark mark;
};

/// A call to another component.
struct CallSpec {
  std::string target;
  Mark mark;                        ///< position of the target name
  std::optional<DistSpec> latency;  ///< one-way network delay; reply takes the same
  std::optional<double> timeout;    ///< seconds; the caller stops waiting
  double request_bytes = 0;
  double response_bytes = 0;
  /// What the call asks of its target: "" (the default: a request, a cache
  /// read, a database `read`), "write", "invalidate", "publish", or a named
  /// query of a database.
  std::string op;
  Mark op_mark;
  std::optional<RetrySpec> retry;
  std::optional<double> hedge;  ///< seconds: a second attempt if no reply by then
  std::optional<BreakerSpec> breaker;
  /// `write: DB, outbox: QUEUE`: the write and an outbox row commit in one
  /// transaction at the database; the row is then published to QUEUE
  /// (the relay), whatever happens to the caller ("" = no outbox).
  std::string outbox;
  Mark outbox_mark;
};

/// One step of what a service does for a request.
struct StepSpec {
  enum class Kind {
    Work,      ///< hold the worker for a time
    Call,      ///< call and wait (also publish/write/invalidate: see CallSpec::op)
    Async,     ///< call and do not wait (fire and forget)
    Parallel,  ///< calls at once; wait for all or the first `wait`
    Repeat,    ///< `count` times the `steps`
    Branch,    ///< one of the `arms`, by probability
  };
  Kind kind = Kind::Work;
  Mark mark;
  DistSpec work;                   ///< Work
  std::string work_name;           ///< Work in a graded design: the problem's work item it names
  CallSpec call;                   ///< Call, Async
  std::vector<StepSpec> steps;     ///< Repeat: the body; Parallel: the calls
  std::vector<StepSpec> on_miss;   ///< Call to a cache: fetch on a miss, then store
  std::vector<StepSpec> fallback;  ///< Call: runs instead when the call fails
  int count = 1;                   ///< Repeat (with `followers`: the typical author's batches)
  /// Repeat `{followers: ..., batch: B, pull_above: M}`: fan-out on write,
  /// the count drawn per visit from an author's followers n: ceil(n / B)
  /// batches, none when n > M (the hybrid: those authors are pulled at read).
  struct Followers {
    std::vector<std::pair<double, double>> shares;  ///< (share of posts, followers), shares sum to 1
    std::string set;                                ///< the data set it came from ("" = inline)
    double batch = 1;                               ///< followers per pushed batch
    double pull_above = 0;                          ///< followers; 0 = push every author
    Mark mark, pull_mark;
    /// The batches a post of an author with `n` followers pushes.
    double batches(double n) const { return pull_above > 0 && n > pull_above ? 0.0 : std::ceil(n / batch); }
    /// The mean batches per post, over the authors.
    double mean() const {
      double m = 0;
      for (const auto& [share, n] : shares) m += share * batches(n);
      return m;
    }
  };
  std::optional<Followers> followers;
  /// Repeat: the mean count per visit (by followers: over the authors).
  double mean_count() const { return followers && !followers->shares.empty() ? followers->mean() : count; }
  int wait = 0;                   ///< Parallel: replies to wait for (0 = all)
  std::optional<double> timeout;  ///< Parallel: for the whole fan-out
  struct Arm {
    double p = 0;
    std::vector<StepSpec> steps;
    Mark mark;
  };
  std::vector<Arm> arms;  ///< Branch; probabilities sum to at most 1 (the rest: nothing)
};

/// Visits every call in a step list, nested ones included (repeat bodies,
/// branch arms, parallel calls, on_miss and fallback steps), with how many
/// times per visit of the service it happens on average (repeat counts and
/// branch probabilities multiply; on_miss counts as if every read missed;
/// fallback steps count as never run). fn(const StepSpec& step, double times).
template <class F>
void for_each_call(const std::vector<StepSpec>& steps, F&& fn, double times = 1.0) {
  for (const StepSpec& s : steps) {
    switch (s.kind) {
      case StepSpec::Kind::Work: break;
      case StepSpec::Kind::Call:
      case StepSpec::Kind::Async:
        fn(s, times);
        for_each_call(s.on_miss, fn, times);
        for_each_call(s.fallback, fn, 0.0);
        break;
      case StepSpec::Kind::Parallel: for_each_call(s.steps, fn, times); break;
      case StepSpec::Kind::Repeat: for_each_call(s.steps, fn, times * s.mean_count()); break;
      case StepSpec::Kind::Branch:
        for (const StepSpec::Arm& a : s.arms) for_each_call(a.steps, fn, times * a.p);
        break;
    }
  }
}

enum class LbPolicy { RoundRobin, Random, LeastConnections, PowerOfTwo };

/// Admission at a balancer or a service: excess requests fail as rate_limited.
struct RateLimitSpec {
  enum class Kind { TokenBucket, SlidingWindow };
  Kind kind = Kind::TokenBucket;
  double rate = 0;    ///< requests per second
  double burst = 0;   ///< token bucket depth (0: one second's worth)
  double window = 1;  ///< sliding window length, s
  Mark mark;
};

/// Which waiting request a freed worker takes.
enum class QueuePolicy { Fifo, Lifo, AdaptiveLifo };

/// An adaptive concurrency limit (AIMD on latency): over it, requests are shed.
struct ConcurrencyLimitSpec {
  double target_latency = 0.1;  ///< s: above it the limit shrinks
  int min = 1;
  int max = 1000;
  int initial = 10;
  Mark mark;
};

/// A separate pool of permits for calls to one downstream.
struct BulkheadSpec {
  std::string target;
  int permits = 1;
  Mark mark;
};

/// Scaling a service's replicas on a metric.
struct AutoscaleSpec {
  int min = 1;
  int max = 10;
  std::optional<double> target_utilization;  ///< fraction of busy workers
  std::optional<double> target_queue;        ///< waiting requests per replica
  double interval = 30;                      ///< s between evaluations
  double cooldown = 60;                      ///< s after a change before the next
  double provision = 60;                     ///< s before a new replica serves
  Mark mark;
};

struct ServiceSpec {
  int replicas = 1;
  int workers = 1;
  std::optional<std::int64_t> queue;  ///< waiting room per replica; none = unbounded
  std::vector<StepSpec> steps;
  QueuePolicy queue_policy = QueuePolicy::Fifo;
  std::optional<double> queue_deadline;  ///< s: a request that waited longer is shed
  std::optional<ConcurrencyLimitSpec> concurrency_limit;
  std::optional<RateLimitSpec> rate_limit;
  std::vector<BulkheadSpec> bulkheads;
  std::optional<AutoscaleSpec> autoscale;
  bool idempotent = true;  ///< false: duplicate executions (a retry after a lost reply) are counted
};

/// Active health checks of a balancer: a replica failing `failures` checks in
/// a row is ejected, and returns after `successes` passing checks.
struct HealthCheckSpec {
  double interval = 5;  ///< seconds between probes of each replica
  double timeout = 1;   ///< seconds a probe waits for a replica that does not answer
  int failures = 3;
  int successes = 1;
  Mark mark;
};

struct LoadBalancerSpec {
  LbPolicy policy = LbPolicy::RoundRobin;
  std::string to;  ///< the first (or only) target
  Mark to_mark;
  /// Several targets with weights (`to: {v1: 90, v2: 10}`): traffic is split
  /// by weight, then spread over each target's replicas by the policy.
  std::vector<std::pair<std::string, double>> targets;
  std::vector<Mark> target_marks;
  std::optional<DistSpec> latency;  ///< delay the balancer adds, one way
  /// Per target (in `targets` order, or `to`): the problem's latency between
  /// regions, when the design places a target in another region; overrides
  /// `latency` for that target.
  std::vector<std::optional<DistSpec>> target_latency;
  std::optional<RateLimitSpec> rate_limit;
  std::optional<HealthCheckSpec> health_check;
};

/// One entry of the fault and action timeline (`faults:`).
struct FaultSpec {
  enum class Kind {
    Kill,         ///< replicas (or all) of a component go down; `for:` brings them back
    Restart,      ///< replicas go down for `restart_time`, then come back
    Slow,         ///< work takes x times longer plus `add`
    Errors,       ///< visits fail with probability p
    Partition,    ///< messages between `target` and `other` are lost
    Flush,        ///< a cache forgets everything
    ExhaustPool,  ///< a database's pools give no connections
    Leak,         ///< a memory leak: one replica restarts every `every`
    Deploy,       ///< rolling deploy: `batch` replicas at a time restart
    Scale,        ///< operator: set the replicas of a service
    Pool,         ///< operator: set a database's pool size
    RateLimit,    ///< operator: set (or change) a rate limit
    Breaker,      ///< operator: retune the breakers of a service's calls
    Shift,        ///< operator: a balancer's weights between its targets
    Resize,       ///< operator: set the workers and/or the instance size of a service or database
    CacheSize,    ///< operator: set the entries a keyed cache or a cdn holds at most
    Retries,      ///< operator: turn the retries of a service's calls off (or back on)
    Disable,      ///< operator: turn a resilience `feature` of a component off (`on:` names it)
    Enable,       ///< operator: turn it back on, as the design has it
    Spike,        ///< traffic multiplied by x
    // The platform's (simgrid backend only): hosts, links and regions by name.
    HostDown,         ///< a host is off: its work and its messages fail (host_down)
    HostSlow,         ///< a host's cores run x times slower
    LinkDown,         ///< a link is off: messages crossing it fail (unreachable)
    LinkDegraded,     ///< a link's bandwidth is cut and/or its latency grows by `add`
    RegionPartition,  ///< messages between regions `target` and `other` fail (unreachable)
  };
  Kind kind = Kind::Kill;
  double at = 0;
  std::optional<double> duration;  ///< `for:`: undone after it
  std::string target;
  Mark mark;  ///< the entry
  Mark target_mark;
  std::string other;  ///< Partition, RegionPartition: the other side
  Mark other_mark;
  std::optional<int> replicas;  ///< how many replicas (Kill, Restart, Scale); all when absent
  double x = 1;                 ///< Slow, Spike, HostSlow
  double add = 0;               ///< Slow: seconds added to each work step; LinkDegraded: to its latency
  double bandwidth = 0;         ///< LinkDegraded: the new bandwidth, bytes/s each way (0: see share)
  double bandwidth_share = 1;   ///< LinkDegraded: the new bandwidth as a share of the link's own
  double p = 0;                 ///< Errors
  /// Errors on a service: a latent defect, shown by the target's first
  /// request at or after `at`; `for:` counts from that request (the time to
  /// notice and fix it), not from `at`.
  bool latent = false;
  double every = 0;                         ///< Leak
  double gc_pause = 0;                      ///< Leak: stop-the-world pause at a full heap, s (0: no GC model)
  double gc_interval = 1;                   ///< Leak: seconds between collections with an empty heap
  double restart_time = 30;                 ///< Restart, Leak, Deploy: seconds a replica is down
  int batch = 1;                            ///< Deploy
  int size = 0;                             ///< Pool
  std::optional<RateLimitSpec> rate_limit;  ///< RateLimit
  std::optional<BreakerSpec> breaker;       ///< Breaker
  std::vector<std::pair<std::string, double>> weights;  ///< Shift
  std::vector<Mark> weight_marks;                       ///< Shift: where each name is written
  std::optional<int> workers;  ///< Resize: the new workers per replica (a database's per node)
  /// Resize: the new instance size (spec/instances); without `workers` the
  /// workers follow its vCPUs (spec/instances.hpp, workers_on).
  std::string instance;
  Mark instance_mark;
  std::uint64_t capacity = 0;  ///< CacheSize: the entries held at most from then on (> 0)
  bool enabled = true;         ///< Retries, Enable, Disable: on (as the design has it) or off
  /// A resilience pattern that Disable / Enable turn off and back on.
  enum class Feature {
    Retries,           ///< a service's calls' `retry:`
    Breaker,           ///< a service's calls' `breaker:`
    Timeout,           ///< a service's calls' `timeout:`
    HealthCheck,       ///< a load balancer's `health_check:`
    ConcurrencyLimit,  ///< a service's adaptive `concurrency_limit:`
    QueueDeadline,     ///< a service's `queue_deadline:`
  };
  Feature feature = Feature::Retries;  ///< Disable, Enable (Retries: always Retries)
};

/// Which way a keyed cache makes room when it is full.
enum class Eviction { Lru, Lfu, Fifo };

/// How often each key of a key space is asked for. Keys are ranks: key 0 is
/// the most popular. `uniform` or `zipf(s)` (key k has weight 1 / (k + 1)^s).
struct PopularitySpec {
  double zipf = 0;  ///< the Zipf exponent s; 0 = uniform
  Mark mark;
};

/// The contents of a keyed cache (a `cache` with `keys:`, a `cdn`).
struct KeyedStoreSpec {
  std::uint64_t keys = 0;  ///< size of the key space; 0 = not keyed
  PopularitySpec popularity;
  std::uint64_t capacity = 0;  ///< keys held at most; 0 = all of them
  Eviction eviction = Eviction::Lru;
  std::optional<double> ttl;  ///< seconds an entry lives after it is stored
  bool coalesce = false;      ///< concurrent misses of a key wait for one fill
  double fill_timeout = 1;    ///< seconds the waiters give a fill before another caller fetches
  std::uint64_t warm = 0;     ///< most popular keys loaded at start
  /// A breaking story: from `at` (s), a `share` of the requests ask for one
  /// new key (rank `keys`: outside the key space, so no cache holds it yet).
  struct HotKey {
    double at = 0;
    double share = 0;
    Mark mark;
  };
  std::optional<HotKey> hot;
  /// The source's updates (edits of articles), per second over the key
  /// space, each key drawn as a request's is (hot key included); 0 = none.
  /// A held copy of an updated key is stale until it is stored again.
  double updates = 0;
  Mark updates_mark;
  /// Purge on update: seconds from an update to the purge of the key here
  /// (none: only the TTL ends a stale copy).
  std::optional<double> purge_on_update;
  /// Personalised copies: each copy is of (key, variant), the variant (a
  /// reader) drawn from its own popularity; the key space is keys x variants.
  struct Vary {
    std::uint64_t keys = 0;
    PopularitySpec popularity;
    Mark mark;
  };
  std::optional<Vary> vary;
  /// Copies the key space holds at most: keys, times readers with `vary`.
  std::uint64_t copies() const {
    if (!vary || vary->keys == 0) return keys;
    return keys > UINT64_MAX / vary->keys ? UINT64_MAX : keys * vary->keys;
  }
};

/// `cache` (Redis, Memcached): reads hit or miss; a miss makes the caller
/// fetch (`on_miss:`) and store the value. Simple mode (`hit_ratio:`) or keyed.
struct CacheSpec {
  std::optional<double> hit_ratio;       ///< simple mode: a read hits with this probability
  KeyedStoreSpec store;                  ///< keyed mode (store.keys > 0)
  std::optional<DistSpec> hit_latency;   ///< time the cache takes for a hit, a write, a store
  std::optional<DistSpec> miss_latency;  ///< time it takes to answer a miss (default: hit_latency)
  int workers = 0;                       ///< requests served at once; 0 = no limit
  std::optional<std::int64_t> queue;     ///< waiting room when every worker is busy; none = unbounded
  bool keyed() const { return store.keys > 0; }
};

/// Where a database sends reads.
enum class ReadFrom { Primary, Replicas, Any };

/// `database` (PostgreSQL, MySQL): connection pools per caller replica, query
/// times per query type, read replicas with replication lag, shards.
struct DatabaseSpec {
  /// A leaderless replicated store (Dynamo, Cassandra, Riak): every one of
  /// the `n` nodes of a shard holds a copy; a request goes to all of them and
  /// is answered after `read` (reads) or `write` (writes) of them have
  /// replied. Without it the database is a primary with read replicas.
  struct Consistency {
    int n = 3;      ///< replication factor: copies of each key (nodes per shard)
    int read = 1;   ///< R: replies a read waits for
    int write = 1;  ///< W: acknowledgements a write waits for
    Mark mark;
  };
  struct Query {
    std::string name;    ///< "read", "write" or a name callers use (`query: NAME`)
    DistSpec time;       ///< time the query runs on a node
    bool write = false;  ///< goes to the primary and is replicated
    Mark mark;
    /// Every shard holds part of the answer (posts sharded by author, a
    /// reader's followees everywhere): a call runs it on each shard at once
    /// and waits for all, so the fan-out follows `shards`.
    bool scatter = false;
  };
  std::vector<Query> queries;               ///< "read" and "write" always present, then the named ones
  int workers = 0;                          ///< queries one node runs at once; 0 = no limit
  std::optional<int> pool;                  ///< connections per caller replica; none = no pool
  double acquire_timeout = 1;               ///< seconds a visit waits for a pool connection
  std::optional<int> max_connections;       ///< per node; beyond it a connection is refused
  int replicas = 0;                         ///< read replicas per shard
  std::optional<DistSpec> replication_lag;  ///< from a write's commit to its apply on a replica
  ReadFrom read_from = ReadFrom::Replicas;  ///< (primary when there are no replicas)
  double failover = 30;                     ///< seconds from a primary failure to a promoted replica
  int shards = 1;
  std::optional<double> hot_shard;           ///< share of the queries that go to shard 0
  std::optional<PopularitySpec> shard_skew;  ///< or: shards by Zipf popularity, shard 0 hottest
  /// `mirror: DB`: during a migration every write this database commits
  /// must also reach DB (the old store); a committed write DB never gets
  /// (and no outbox still holds) is an inconsistent write. "" = none.
  std::string mirror;
  Mark mirror_mark;
  std::uint64_t keys = 0;  ///< key space for staleness per key; 0 = per shard
  PopularitySpec popularity;
  std::optional<Consistency> consistency;  ///< leaderless quorums; none = primary and replicas
  /// Nodes per shard: the primary and its replicas, or the replication factor.
  int nodes_per_shard() const { return consistency ? consistency->n : 1 + replicas; }
  /// The index of a query by name, or -1.
  int query(std::string_view name) const;
};

/// What a full queue does with one more message.
enum class WhenFull { Block, Reject, DropOldest };

/// `queue` (Kafka, RabbitMQ): producers publish, consumers process later.
struct QueueSpec {
  int partitions = 0;    ///< 0: one queue, consumers compete; N: each partition to one consumer
  std::string consumer;  ///< the service that processes each message ("" = none)
  Mark consumer_mark;
  int consumers = 0;                     ///< deliveries at once; 0 = the consumer's replicas x workers
  std::optional<std::int64_t> capacity;  ///< messages waiting at most; none = unbounded
  WhenFull when_full = WhenFull::Block;
  int max_attempts = 5;     ///< deliveries of a message before it is dead-lettered
  std::string dead_letter;  ///< a queue that receives dead letters ("" = dropped)
  Mark dead_letter_mark;
  std::optional<double> ack_timeout;  ///< seconds a delivery may take before it is redelivered
  double redelivery_delay = 0;        ///< seconds between a failed delivery and the next
  std::optional<DistSpec> latency;    ///< one-way delay of a delivery to the consumer
};

/// `cdn`: an edge cache in front of an origin; misses fetch from the origin.
struct CdnSpec {
  KeyedStoreSpec store;
  std::optional<DistSpec> edge_latency;  ///< time the edge takes per request
  std::string origin;
  Mark origin_mark;
  std::optional<DistSpec> origin_latency;  ///< one-way delay of a fetch to the origin
  std::optional<double> origin_timeout;    ///< seconds an origin fetch may take
  double object_size = 0;                  ///< bytes per response, for egress figures
  int workers = 0;                         ///< requests at once; 0 = no limit
  /// Edge-side include: a component called for every request (hit or miss)
  /// before the cached object is served, for the part no cache can share (a
  /// reader's own panel); "" = none.
  std::string include;
  Mark include_mark;
  std::optional<DistSpec> include_latency;  ///< one-way delay of the include call (a problem's regions)
};

/// In the order of ComponentSpec::body's alternatives.
enum class ComponentKind { Service, LoadBalancer, Cache, Database, Queue, Cdn };

struct ComponentSpec {
  std::string name;
  Mark mark;
  /// The kind's settings; its alternative is the kind.
  std::variant<ServiceSpec, LoadBalancerSpec, CacheSpec, DatabaseSpec, QueueSpec, CdnSpec> body;
  ComponentKind kind() const { return static_cast<ComponentKind>(body.index()); }

  const ServiceSpec* service() const { return std::get_if<ServiceSpec>(&body); }
  const LoadBalancerSpec* load_balancer() const { return std::get_if<LoadBalancerSpec>(&body); }
  ServiceSpec* service() { return std::get_if<ServiceSpec>(&body); }
  LoadBalancerSpec* load_balancer() { return std::get_if<LoadBalancerSpec>(&body); }
  const CacheSpec* cache() const { return std::get_if<CacheSpec>(&body); }
  const DatabaseSpec* database() const { return std::get_if<DatabaseSpec>(&body); }
  const QueueSpec* queue() const { return std::get_if<QueueSpec>(&body); }
  const CdnSpec* cdn() const { return std::get_if<CdnSpec>(&body); }
  CacheSpec* cache() { return std::get_if<CacheSpec>(&body); }
  DatabaseSpec* database() { return std::get_if<DatabaseSpec>(&body); }
  QueueSpec* queue() { return std::get_if<QueueSpec>(&body); }
  CdnSpec* cdn() { return std::get_if<CdnSpec>(&body); }
  /// `cost:` in USD per replica-hour; none: the kind's default (sim/report/cost.cpp).
  std::optional<double> cost;
  /// `instance:` an instance size of the price table (sim/report/cost.cpp),
  /// e.g. m6i.xlarge, db.r6g.2xlarge; "" = the smallest that fits the workers.
  std::string instance;
  Mark instance_mark;
  /// `data:` the problem's data set a database, cache or cdn holds (graded).
  std::string data;
  Mark data_mark;
  /// `region:` one of a graded problem's regions ("" = its first).
  std::string region;
  Mark region_mark;
  /// Replicas this component runs (1 for a balancer, a cache, a queue, a cdn;
  /// a database's nodes: shards x (1 + replicas)).
  int replica_count() const;
};

/// One service-level objective.
struct SloSpec {
  enum class Kind {
    LatencyP50,
    LatencyP90,
    LatencyP99,
    LatencyP999,
    LatencyMean,
    ErrorRate,
    ThroughputMin,
    // Correctness (counted over the measured window):
    Duplicates,       ///< duplicate executions of non-idempotent calls (a charge twice)
    StaleReadRatio,   ///< stale reads / reads, all databases
    StalenessP99,     ///< p99 age of a stale read, s
    LostMessages,     ///< messages dead-lettered or dropped by queues
    Availability,     ///< successful / finished requests (higher is better)
    LostWrites,       ///< acknowledged writes a concurrent write overwrote (last-writer-wins), all databases
    DeliveryP99,      ///< p99 of a queue's publish-to-processed delay, s, the worst queue (not correctness)
    StaleServeRatio,  ///< copies served after their source changed / reads, all caches and CDNs
    InconsistentWrites,  ///< writes a `mirror:` database committed that its mirror never got, all databases
  };
  Kind kind = Kind::LatencyP99;
  std::string key;    ///< as written, e.g. "latency_p99"
  double target = 0;  ///< seconds, a fraction, a count, or requests/s
  Mark mark;
  /// `per_source: {NAME: {...}}`: only the requests of this traffic source
  /// (latency, error_rate, throughput_min, availability); "" = all.
  std::string source;
  /// `per_region: {NAME: {...}}`: only the requests of the traffic sources
  /// whose users are in this region of the problem; "" = all.
  std::string region = {};
  /// A correctness objective (duplicates, stale reads, lost messages).
  bool correctness() const {
    return kind >= Kind::Duplicates && kind != Kind::Availability && kind != Kind::DeliveryP99;
  }
};

struct ScenarioSpec {
  std::string file;         ///< where it came from (for messages)
  std::string design_file;  ///< the design it names, if any
  std::string name;         ///< `name:` of the scenario, or the file's stem
  std::string design_name;  ///< `name:` of the design file, if it has one
  std::string description;
  std::uint64_t seed = 1;
  double duration = 60;                     ///< seconds of simulated time
  double warmup = 0;                        ///< seconds; requests started before are not measured
  std::optional<DistSpec> network_latency;  ///< default one-way call latency
  std::vector<TrafficSpec> traffic;
  std::vector<ComponentSpec> components;
  std::vector<SloSpec> slo;
  std::vector<FaultSpec> faults;  ///< the fault and operator-action timeline, by time
  std::optional<double> budget;   ///< `budget:` in USD per hour
  /// `backend:` fast (default) or simgrid; `archsim run --backend` overrides it.
  std::string backend = "fast";
  Mark backend_mark;
  /// `platform:` and the placements (archsim/platform.hpp); nullptr when the
  /// file has neither. Shared: copies of a spec (sweeps) keep one platform.
  std::shared_ptr<PlatformSpec> platform;
  /// The problem/design contract (archsim/contract.hpp): set when the
  /// scenario is a graded problem (it has a design and declares its world).
  std::shared_ptr<const Contract> contract;
  bool graded() const { return contract != nullptr; }
  /// How --duration or --seed changed the file's run ("duration 40s, not the
  /// file's 8m"), "" when they did not: a graded problem's verdict is given
  /// on the problem's own run only (report/grade.cpp).
  std::string run_changed;

  /// Index of the component with this name, or -1.
  int find(std::string_view name) const;
  /// How many visits one such call makes: the target database's shards when
  /// its query scatters (DatabaseSpec::Query::scatter), else 1.
  int fan_of(const CallSpec& call) const;
  /// Builds the name index find() uses (the loader calls it once the
  /// components are read); without it, or for a name added since, find()
  /// scans. Shared and never changed once built: copies may run on threads.
  void index_names();
  std::shared_ptr<const std::unordered_map<std::string, int>> name_index;
  /// The file a position belongs to (`file` or `design_file`).
  const std::string& file_of(Mark m) const { return m.file == 1 ? design_file : file; }
};

/// The unit an SLO's target and actual are in.
enum class SloUnit { Seconds, Fraction, PerSecond, Count };
/// The unit of an SLO key as written ("latency_p99") or qualified by a traffic
/// source or region ("eu-readers.latency_p99"); Seconds for any other name.
SloUnit slo_unit(std::string_view key);

/// The bytes each answer carries from a source's entry to its users: its
/// `response:`, else the object a CDN entry sends (its data set's item
/// size). Only the simgrid backend moves them (the reply crosses the
/// platform's links to the source's host); the fast backend's replies have
/// no size.
inline double answer_bytes(const ScenarioSpec& spec, const TrafficSpec& t) {
  if (t.response_bytes > 0) return t.response_bytes;
  const int entry = spec.find(t.to);
  if (entry < 0) return 0;
  const CdnSpec* cdn = spec.components[static_cast<std::size_t>(entry)].cdn();
  return cdn ? cdn->object_size : 0.0;
}

/// Names shared by the parser, the messages and the docs. Each enum has one
/// table of names (in spec.cpp); name_of, from_name and all_names read it.
std::string_view name_of(ComponentKind k);
std::string_view name_of(LbPolicy p);
std::string_view name_of(DistSpec::Kind k);
std::string_view name_of(SloSpec::Kind k);  ///< the key in `slo:`, e.g. "latency_p99"
std::string_view name_of(Eviction e);
std::string_view name_of(ReadFrom r);
std::string_view name_of(WhenFull w);
std::string_view name_of(RateLimitSpec::Kind k);
std::string_view name_of(QueuePolicy p);
std::string_view name_of(FaultSpec::Kind k);     ///< also its key in `faults:`, e.g. "exhaust_pool"
std::string_view name_of(FaultSpec::Feature f);  ///< as `disable:` names it, e.g. "health_check"

/// The enum value with this exact name (ComponentKind, LbPolicy,
/// DistSpec::Kind, SloSpec::Kind, Eviction, ReadFrom, WhenFull,
/// RateLimitSpec::Kind, QueuePolicy, FaultSpec::Kind, FaultSpec::Feature), or nullopt.
template <class E>
std::optional<E> from_name(std::string_view name);
/// Every valid name of the enum, in table order (for "valid choices: ...").
template <class E>
std::vector<std::string_view> all_names();

}  // namespace archsim
