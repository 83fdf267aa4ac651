// The data tier: caches, databases, queues and CDNs run in whole
// simulations, with their key figures checked against what theory gives
// where it gives something (Erlang C for a queue's consumers, Che for a
// cache, Poisson arguments for stale reads) and against plain expectations
// elsewhere. Scenarios are built in code here; examples/data/ holds the
// same kinds as files (checked at the end).
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "engine/popularity.hpp"
#include "model/builder.hpp"
#include "model/cache.hpp"
#include "model/client.hpp"
#include "model/database.hpp"
#include "model/kernel.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::test;

namespace {

DistSpec exp_dist(double mean) { return DistSpec{DistSpec::Kind::Exp, mean, 0, {}}; }
DistSpec const_dist(double v) { return DistSpec::constant(v); }

StepSpec work(DistSpec d) {
  StepSpec s;
  s.kind = StepSpec::Kind::Work;
  s.work = d;
  return s;
}

StepSpec call(const std::string& target, const std::string& op = "") {
  StepSpec s;
  s.kind = StepSpec::Kind::Call;
  s.call.target = target;
  s.call.op = op;
  return s;
}

ComponentSpec service(const std::string& name, int replicas, int workers, std::vector<StepSpec> steps,
                      std::optional<std::int64_t> queue = std::nullopt) {
  ComponentSpec c;
  c.name = name;
  ServiceSpec s;
  s.replicas = replicas;
  s.workers = workers;
  s.queue = queue;
  s.steps = std::move(steps);
  c.body = std::move(s);
  return c;
}

template <class Body>
ComponentSpec component(const std::string& name, ComponentKind kind, Body body) {
  ComponentSpec c;
  c.name = name;
  c.body = std::move(body);
  CHECK(c.kind() == kind);  // the body makes the kind
  return c;
}

TrafficSpec open_loop(const std::string& name, const std::string& to, double rate) {
  TrafficSpec t;
  t.name = name;
  t.to = to;
  t.rate = rate;
  return t;
}

ScenarioSpec scenario(double duration, double warmup) {
  ScenarioSpec s;
  s.name = "data";
  s.seed = 1;
  s.duration = duration;
  s.warmup = warmup;
  return s;
}

double shard_figure(const ComponentResult& c, std::size_t shard, const std::string& name) {
  REQUIRE(shard < c.shards.size());
  for (const Figure& f : c.shards[shard])
    if (f.name == name) return f.value;
  FAIL("shard figure " << name << " missing");
  return 0;
}

using archsim::queueing::erlang_c;  // one copy: sim/analysis/queueing

/// A model built and driven by hand, for what a whole Simulation hides:
/// calling a component's methods (faults) in the middle of a run.
struct Model {
  Kernel kernel;
  std::vector<std::unique_ptr<Component>> comps;
  std::vector<std::unique_ptr<Client>> clients;
  EndToEnd e2e;
  explicit Model(const ScenarioSpec& spec) {
    Builder b(kernel, spec);
    b.build(comps, clients, e2e);
    for (auto& c : clients) c->begin();
  }
  void run_until(double t) {
    while (!kernel.empty() && kernel.next_time() <= t) kernel.step();
  }
  template <class T>
  T& get(const std::string& name) {
    for (auto& c : comps)
      if (c->name() == name) return dynamic_cast<T&>(*c);
    throw std::runtime_error("no component " + name);
  }
};

}  // namespace

// ---------------------------------------------------------------- queue

TEST_CASE("queue with competing consumers: delay and lag follow M/M/c (Erlang C)") {
  // Poisson publishing at 80/s; 4 consumers, each delivering to its own
  // replica of a service with exponential 40 ms: the backlog is an M/M/4
  // queue with rho = 0.8. Delay from publish to processed:
  // W = C(4, 3.2) / (4 mu - lambda) + 1 / mu; consumer lag in messages is
  // the mean number waiting, Lq = C(4, 3.2) rho / (1 - rho).
  ScenarioSpec s = scenario(7200, 60);
  s.traffic.push_back(open_loop("producers", "orders", 80));
  QueueSpec q;
  q.consumer = "worker";
  s.components.push_back(component("orders", ComponentKind::Queue, q));
  s.components.push_back(service("worker", 4, 1, {work(exp_dist(0.040))}));
  const RunResult r = simulate(s);
  const ComponentResult& c = component(r, "orders");
  const double lambda = 80, mu = 25, rho = 0.8;
  const double pw = erlang_c(4, lambda / mu);
  const double w = pw / (4 * mu - lambda) + 1 / mu;
  const double lq = pw * rho / (1 - rho);
  MESSAGE("M/M/4 delay " << figure(c, "delay_ms") << " ms (Erlang C " << w * 1e3 << "), lag "
                         << figure(c, "lag_messages") << " messages (" << lq << ")");
  CHECK(figure(c, "delay_ms") / 1e3 == Rel(w).epsilon(0.03));
  CHECK(figure(c, "lag_messages") == Rel(lq).epsilon(0.05));
  CHECK(c.wait.mean == Rel(pw / (4 * mu - lambda)).epsilon(0.05));
  CHECK(c.utilization == Rel(rho).epsilon(0.01));
  // The producer's call returns on enqueue: end to end is the ack, not the processing.
  CHECK(r.latency.mean < 1e-9);
  CHECK(figure(c, "redeliveries") == 0);
}

TEST_CASE("queue with partitions: each partition and its consumer is an M/M/1") {
  // 4 partitions, 4 consumers: messages spread at random (Poisson splitting),
  // each consumer serves its own partition: W = 1 / (mu - lambda / 4).
  ScenarioSpec s = scenario(7200, 60);
  s.traffic.push_back(open_loop("producers", "events", 80));
  QueueSpec q;
  q.consumer = "worker";
  q.partitions = 4;
  s.components.push_back(component("events", ComponentKind::Queue, q));
  s.components.push_back(service("worker", 4, 1, {work(exp_dist(0.040))}));
  const RunResult r = simulate(s);
  const ComponentResult& c = component(r, "events");
  const double w = 1 / (25.0 - 20.0);
  MESSAGE("partitioned delay " << figure(c, "delay_ms") << " ms (M/M/1 " << w * 1e3 << ")");
  CHECK(figure(c, "delay_ms") / 1e3 == Rel(w).epsilon(0.03));
  // Partitions pin messages to consumers: worse than competing consumers.
  CHECK(figure(c, "delay_ms") > 100);
}

TEST_CASE("a full queue rejects, drops the oldest, or blocks the producer") {
  const auto run = [](WhenFull when_full) {
    ScenarioSpec s = scenario(120, 10);
    s.traffic.push_back(open_loop("producers", "q", 100));  // twice what the consumer takes
    QueueSpec q;
    q.consumer = "slow";
    q.capacity = 50;
    q.when_full = when_full;
    s.components.push_back(component("q", ComponentKind::Queue, q));
    s.components.push_back(service("slow", 1, 1, {work(const_dist(0.020))}));
    return simulate(s);
  };
  {
    const RunResult r = run(WhenFull::Reject);
    const ComponentResult& c = component(r, "q");
    CHECK(c.errors.at("rejected") > 4000);
    CHECK(r.errors.at("rejected") > 4000);
    CHECK(c.queue_max == 50);
    CHECK(figure(c, "processed") == Rel(110 * 50).epsilon(0.02));
  }
  {
    const RunResult r = run(WhenFull::DropOldest);
    const ComponentResult& c = component(r, "q");
    CHECK(c.errors.count("rejected") == 0);
    CHECK(figure(c, "dropped") > 4000);
    CHECK(r.failed == 0);
    // Dropping the oldest keeps the backlog fresh: a message moves up one
    // place per departure, processed (50/s) or dropped at the head (50/s), so
    // it waits 50 places / 100 per second, then takes its 20 ms.
    CHECK(figure(c, "delay_ms") == Rel(500 + 20).epsilon(0.05));
  }
  {
    const RunResult r = run(WhenFull::Block);
    const ComponentResult& c = component(r, "q");
    CHECK(figure(c, "blocked") > 4000);
    CHECK(r.failed == 0);
    // Producers wait for room: their calls take longer and longer.
    CHECK(r.latency.mean > 1.0);
    CHECK(c.queue_max == 50);
  }
}

TEST_CASE("failed deliveries are redelivered, then dead-lettered") {
  // The consumer service takes one message at a time and has no waiting
  // room; 3 consumers deliver at once, so deliveries are rejected and
  // redelivered; after 2 attempts a message goes to the dead-letter queue.
  ScenarioSpec s = scenario(300, 10);
  s.traffic.push_back(open_loop("producers", "jobs", 40));
  QueueSpec q;
  q.consumer = "fragile";
  q.consumers = 3;
  q.max_attempts = 2;
  q.redelivery_delay = 0.005;
  q.dead_letter = "dlq";
  s.components.push_back(component("jobs", ComponentKind::Queue, q));
  s.components.push_back(service("fragile", 1, 1, {work(exp_dist(0.015))}, 0));
  s.components.push_back(component("dlq", ComponentKind::Queue, QueueSpec{}));
  const RunResult r = simulate(s);
  const ComponentResult& c = component(r, "jobs");
  const ComponentResult& dlq = component(r, "dlq");
  CHECK(figure(c, "redeliveries") > 100);
  CHECK(figure(c, "dead_letters") > 10);
  CHECK(figure(dlq, "published") == figure(c, "dead_letters"));
  // Every message is processed or dead-lettered (a few are in flight at the end).
  CHECK(std::abs(figure(c, "processed") + figure(c, "dead_letters") - figure(c, "published")) < 10);
  CHECK(component(r, "fragile").errors.at("rejected") > 100);
}

// ---------------------------------------------------------------- cache

TEST_CASE("a cache in simple mode hits with its configured ratio") {
  ScenarioSpec s = scenario(600, 10);
  s.traffic.push_back(open_loop("readers", "cache", 1000));
  CacheSpec c;
  c.hit_ratio = 0.9;
  c.hit_latency = const_dist(0.0005);
  c.miss_latency = const_dist(0.001);
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  const RunResult r = simulate(s);
  const ComponentResult& cr = component(r, "cache");
  CHECK(figure(cr, "hit_ratio") == Rel(0.9).epsilon(0.005));
  // Mean visit time: 0.9 * 0.5 ms + 0.1 * 1 ms.
  CHECK(cr.latency.mean == Rel(0.00055).epsilon(0.01));
}

TEST_CASE("a warmed keyed cache nobody fills hits exactly its warm keys") {
  // Reads straight from traffic: misses are never stored, so the cache holds
  // its warm set (the 100 most popular of 1000 Zipf(1) keys) for ever.
  ScenarioSpec s = scenario(600, 10);
  s.traffic.push_back(open_loop("readers", "cache", 1000));
  CacheSpec c;
  c.store.keys = 1000;
  c.store.popularity.zipf = 1.0;
  c.store.capacity = 100;
  c.store.warm = 100;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  const RunResult r = simulate(s);
  Popularity pop(1000, 1.0);
  double top = 0;
  for (int k = 0; k < 100; ++k) top += pop.probability(static_cast<std::uint64_t>(k));
  CHECK(figure(component(r, "cache"), "hit_ratio") == Rel(top).epsilon(0.01));
  CHECK(figure(component(r, "cache"), "entries") == 100);
}

TEST_CASE("a cache with few workers saturates and queues") {
  // workers: 1 and 1 ms per read at 900/s: an M/D/1 queue at rho = 0.9,
  // W = S + rho S / (2 (1 - rho)) (Pollaczek-Khinchine).
  ScenarioSpec s = scenario(3600, 10);
  s.traffic.push_back(open_loop("readers", "cache", 900));
  CacheSpec c;
  c.hit_ratio = 0.5;
  c.hit_latency = const_dist(0.001);
  c.workers = 1;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  const RunResult r = simulate(s);
  const ComponentResult& cr = component(r, "cache");
  CHECK(cr.utilization == Rel(0.9).epsilon(0.01));
  CHECK(cr.latency.mean == Rel(0.001 + 0.9 * 0.001 / (2 * 0.1)).epsilon(0.05));
}

// ---------------------------------------------------------------- database

namespace {

/// api (2 replicas, many workers) -> db with a pool of 5 per api replica,
/// reads of a constant 10 ms.
ScenarioSpec pool_scenario(double rate, double duration) {
  ScenarioSpec s = scenario(duration, 10);
  s.traffic.push_back(open_loop("users", "api", rate));
  s.components.push_back(service("api", 2, 200, {call("db")}));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.010), false, {}});
  d.pool = 5;
  d.acquire_timeout = 0.050;
  s.components.push_back(component("db", ComponentKind::Database, d));
  return s;
}

}  // namespace

TEST_CASE("database pool: connections per caller replica, waiting shows as pool wait") {
  // 600/s over 2 api replicas: 300/s per pool of 5 connections held 10 ms
  // each, utilisation 0.6. Queries wait for a connection now and then.
  const RunResult r = simulate(pool_scenario(600, 600));
  const ComponentResult& db = component(r, "db");
  CHECK(figure(db, "pool_wait_ms") > 0.05);
  CHECK(figure(db, "pool_wait_ms") < 5);
  CHECK(figure(db, "pool_exhausted") == 0);
  CHECK(r.failed == 0);
  // Both replicas' pools are in use: up to 10 queries at once at the database.
  CHECK(db.latency.mean == Rel(0.010 + figure(db, "pool_wait_ms") / 1e3).epsilon(0.01));
}

TEST_CASE("database pool exhaustion fails requests with pool_exhausted") {
  // 1200/s: 600/s per pool that serves at most 500/s. The line grows until
  // queries give up after the acquire timeout.
  const RunResult r = simulate(pool_scenario(1200, 120));
  const ComponentResult& db = component(r, "db");
  CHECK(figure(db, "pool_exhausted") > 1000);
  CHECK(db.errors.at("pool_exhausted") == static_cast<std::uint64_t>(figure(db, "pool_exhausted")));
  CHECK(r.errors.at("pool_exhausted") > 1000);
  // Those that got a connection waited close to the timeout.
  CHECK(figure(db, "pool_wait_ms") > 20);
  // Served at the pools' capacity: 2 x 5 connections / 10 ms.
  CHECK(db.throughput_rps == Rel(1000).epsilon(0.02));
}

TEST_CASE("database max_connections refuses connections beyond it") {
  ScenarioSpec s = pool_scenario(1200, 60);
  DatabaseSpec& d = *s.components[1].database();
  d.pool.reset();
  d.max_connections = 8;
  const RunResult r = simulate(s);
  const ComponentResult& db = component(r, "db");
  CHECK(figure(db, "connections_refused") > 1000);
  CHECK(db.errors.at("rejected") > 1000);
}

TEST_CASE("database workers bound the queries running at once") {
  // One node, 4 workers, exponential 20 ms reads at 160/s: M/M/4 at rho 0.8.
  ScenarioSpec s = scenario(7200, 60);
  s.traffic.push_back(open_loop("users", "db", 160));
  DatabaseSpec d;
  d.queries.push_back({"read", exp_dist(0.020), false, {}});
  d.workers = 4;
  s.components.push_back(component("db", ComponentKind::Database, d));
  const RunResult r = simulate(s);
  const double lambda = 160, mu = 50;
  const double w = erlang_c(4, lambda / mu) / (4 * mu - lambda) + 1 / mu;
  CHECK(r.latency.mean == Rel(w).epsilon(0.03));
  CHECK(component(r, "db").utilization == Rel(0.8).epsilon(0.01));
}

namespace {

/// Readers and writers of one database with replicas and a constant lag.
ScenarioSpec replica_scenario(double write_rate, double lag, std::uint64_t keys) {
  ScenarioSpec s = scenario(1800, 10);
  s.traffic.push_back(open_loop("readers", "reader", 200));
  s.traffic.push_back(open_loop("writers", "writer", write_rate));
  s.components.push_back(service("reader", 1, 1000, {call("db")}));
  s.components.push_back(service("writer", 1, 1000, {call("db", "write")}));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.001), false, {}});
  d.queries.push_back({"write", const_dist(0.002), true, {}});
  d.replicas = 2;
  d.replication_lag = const_dist(lag);
  d.read_from = ReadFrom::Replicas;
  d.keys = keys;
  s.components.push_back(component("db", ComponentKind::Database, d));
  return s;
}

}  // namespace

TEST_CASE("replica reads are stale with the probability that a write is still in flight") {
  // Writes commit as a Poisson stream at rate w and reach a replica exactly
  // L later. A read (Poisson too, so it sees time averages) finds its replica
  // behind when a write committed in the last L: P(stale) = 1 - exp(-w L).
  // A stale read misses a write of age A < L, A exponential(w) truncated:
  // E[A] = 1/w - L e^{-wL} / (1 - e^{-wL}).
  const double w = 10, lag = 0.050;
  const RunResult r = simulate(replica_scenario(w, lag, 0));
  const ComponentResult& db = component(r, "db");
  const double p = 1 - std::exp(-w * lag);
  const double age = 1 / w - lag * std::exp(-w * lag) / (1 - std::exp(-w * lag));
  MESSAGE("stale reads " << figure(db, "stale_read_ratio") << " (1 - e^-wL = " << p << "), staleness "
                         << figure(db, "staleness_ms") << " ms (" << age * 1e3 << ")");
  CHECK(figure(db, "stale_read_ratio") == Rel(p).epsilon(0.03));
  CHECK(figure(db, "staleness_ms") / 1e3 == Rel(age).epsilon(0.03));
  CHECK(figure(db, "replica_reads") == figure(db, "reads"));
  CHECK(figure(db, "replication_lag_ms") == Rel(lag * 1e3));
}

TEST_CASE("with keys, a read is stale only when its own key has a write in flight") {
  // 10 keys, uniform, writes at 100/s: 10/s per key, the same 1 - exp(-w L).
  const RunResult r = simulate(replica_scenario(100, 0.050, 10));
  const double p = 1 - std::exp(-10 * 0.050);
  CHECK(figure(component(r, "db"), "stale_read_ratio") == Rel(p).epsilon(0.03));
  // Reading from the primary is never stale.
  ScenarioSpec s = replica_scenario(100, 0.050, 10);
  s.components[2].database()->read_from = ReadFrom::Primary;
  CHECK(figure(component(simulate(s), "db"), "stale_read_ratio") == 0);
}

TEST_CASE("a hot shard takes its share and saturates first") {
  ScenarioSpec s = scenario(600, 10);
  s.traffic.push_back(open_loop("users", "db", 400));
  DatabaseSpec d;
  d.queries.push_back({"read", exp_dist(0.004), false, {}});
  d.workers = 1;
  d.shards = 4;
  d.hot_shard = 0.5;
  s.components.push_back(component("db", ComponentKind::Database, d));
  const RunResult r = simulate(s);
  const ComponentResult& db = component(r, "db");
  REQUIRE(db.shards.size() == 4);
  CHECK(shard_figure(db, 0, "share") == Rel(0.5).epsilon(0.02));
  for (std::size_t i = 1; i < 4; ++i) CHECK(shard_figure(db, i, "share") == Rel(1.0 / 6).epsilon(0.03));
  // Shard 0: 200/s at 4 ms, utilisation 0.8 (M/M/1: 20 ms); the others 0.27.
  CHECK(shard_figure(db, 0, "utilization") == Rel(0.8).epsilon(0.03));
  CHECK(shard_figure(db, 1, "utilization") == Rel(0.8 / 3).epsilon(0.05));
  CHECK(shard_figure(db, 0, "latency_mean_ms") == Rel(20).epsilon(0.1));
}

TEST_CASE("zipf shard skew: shard 0 is the hottest, in Zipf proportions") {
  ScenarioSpec s = scenario(300, 10);
  s.traffic.push_back(open_loop("users", "db", 1000));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.001), false, {}});
  d.shards = 4;
  d.shard_skew = PopularitySpec{1.2, {}};
  s.components.push_back(component("db", ComponentKind::Database, d));
  const RunResult r = simulate(s);
  Popularity pop(4, 1.2);
  for (std::size_t i = 0; i < 4; ++i)
    CHECK(shard_figure(component(r, "db"), i, "share") == Rel(pop.probability(i)).epsilon(0.03));
}

TEST_CASE("primary failure: writes are refused until a replica is promoted") {
  ScenarioSpec s = replica_scenario(50, 0.010, 0);
  s.warmup = 0;
  s.components[2].database()->failover = 30;
  Model m(s);
  m.run_until(100);
  Database& db = m.get<Database>("db");
  const std::uint64_t refused_before = db.stats().errors[static_cast<int>(ErrorKind::Killed)];
  CHECK(refused_before == 0);
  CHECK(db.primary(0) == 0);
  db.fail_primary();
  CHECK_FALSE(db.primary_up(0));
  m.run_until(129);
  // 29 s of writes at 50/s were refused; reads went on at the replicas.
  const std::uint64_t refused = db.stats().errors[static_cast<int>(ErrorKind::Killed)];
  CHECK(refused == Rel(29 * 50).epsilon(0.1));
  m.run_until(131);
  CHECK(db.primary_up(0));
  CHECK(db.primary(0) != 0);  // a replica took over
  const std::uint64_t at_promotion = db.stats().errors[static_cast<int>(ErrorKind::Killed)];
  m.run_until(200);
  CHECK(db.stats().errors[static_cast<int>(ErrorKind::Killed)] == at_promotion);
  CHECK(m.e2e.errors[static_cast<int>(ErrorKind::Killed)] == at_promotion);
  db.recover();
  m.run_until(210);
}

// ---------------------------------------------------------------- cdn

namespace {

ScenarioSpec cdn_scenario(bool coalesce) {
  ScenarioSpec s = scenario(1200, 200);
  s.traffic.push_back(open_loop("viewers", "edge", 2000));
  CdnSpec c;
  c.store.keys = 10000;
  c.store.popularity.zipf = 0.8;
  c.store.capacity = 1000;
  c.store.coalesce = coalesce;
  c.edge_latency = const_dist(0.001);
  c.origin = "origin";
  c.origin_latency = const_dist(0.020);
  c.object_size = 1e6;
  s.components.push_back(component("edge", ComponentKind::Cdn, c));
  s.components.push_back(service("origin", 1, 1000, {work(const_dist(0.010))}));
  return s;
}

}  // namespace

TEST_CASE("cdn: the edge hit ratio emerges from popularity and capacity" * doctest::test_suite("slow")) {
  const RunResult r = simulate(cdn_scenario(false));
  const ComponentResult& c = component(r, "edge");
  // Independent requests into an LRU of 1000 of 10000 Zipf(0.8) keys: Che's
  // approximation gives about 0.43 (a fetch takes 50 ms, so a few requests
  // miss a key that is on its way).
  const double hit = figure(c, "hit_ratio");
  CHECK(hit > 0.40);
  CHECK(hit < 0.45);
  CHECK(figure(c, "origin_fetches") == Rel((1 - hit) * figure(c, "requests")).epsilon(0.01));
  // Egress: 2000 responses/s of 1 MB is 16 Gb/s.
  CHECK(figure(c, "egress_gbps") == Rel(16).epsilon(0.02));
  CHECK(component(r, "origin").throughput_rps == Rel(2000 * (1 - hit)).epsilon(0.02));
  // A hit takes the edge's 1 ms, a miss adds the origin round trip (2 x 20 ms) and its 10 ms.
  CHECK(c.latency.mean == Rel(0.001 + (1 - hit) * 0.050).epsilon(0.01));
}

TEST_CASE("cdn request coalescing: concurrent misses of one object make one origin fetch" *
          doctest::test_suite("slow")) {
  const RunResult plain = simulate(cdn_scenario(false));
  const RunResult coalesced = simulate(cdn_scenario(true));
  const double f_plain = figure(component(plain, "edge"), "origin_fetches");
  const double f_coal = figure(component(coalesced, "edge"), "origin_fetches");
  CHECK(f_coal < f_plain);
  CHECK(figure(component(coalesced, "edge"), "coalesced") > 0);
  CHECK(coalesced.failed == 0);
}

// ---------------------------------------------------------------- cache-aside through services

namespace {

StepSpec cache_read(const std::string& cache, std::vector<StepSpec> on_miss) {
  StepSpec s = call(cache);
  s.on_miss = std::move(on_miss);
  return s;
}

}  // namespace

TEST_CASE("cache-aside: the keyed LRU hit ratio of a running system agrees with Che") {
  // A service reads through the cache; a miss fetches from the database
  // (1 ms) and stores the key. Requests draw keys independently, so Che's
  // approximation holds up to the few requests that arrive while their key
  // is being fetched.
  ScenarioSpec s = scenario(1200, 300);
  s.traffic.push_back(open_loop("users", "api", 1000));
  s.components.push_back(service("api", 1, 1000, {cache_read("cache", {call("db")})}));
  CacheSpec c;
  c.store.keys = 100'000;
  c.store.popularity.zipf = 0.8;
  c.store.capacity = 5'000;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.001), false, {}});
  s.components.push_back(component("db", ComponentKind::Database, d));
  const RunResult r = simulate(s);
  const ComponentResult& cache = component(r, "cache");
  // Che for these parameters (tests/cache_test.cpp computes it the same way).
  Popularity pop(100'000, 0.8);
  std::vector<double> p(100'000);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = pop.probability(i);
  double lo = 0, hi = 1e9;
  for (int i = 0; i < 200; ++i) {
    const double t = (lo + hi) / 2;
    double sum = 0;
    for (double pi : p) sum += -std::expm1(-pi * t);
    (sum < 5'000 ? lo : hi) = t;
  }
  double che = 0;
  for (double pi : p) che += pi * -std::expm1(-pi * lo);
  MESSAGE("cache-aside hit ratio " << figure(cache, "hit_ratio") << ", Che " << che);
  CHECK(std::abs(figure(cache, "hit_ratio") - che) < 0.02);
  // Every miss is one database read and one store.
  CHECK(figure(component(r, "db"), "reads") == Rel(figure(cache, "misses")).epsilon(0.001));
  CHECK(figure(cache, "stores") == Rel(figure(cache, "misses")).epsilon(0.001));
  CHECK(figure(cache, "entries") == 5'000);
}

TEST_CASE(
    "writes set keys and invalidations remove them: the hit ratio is the share of time a key is there") {
  // 100 keys, uniform. Writes at 30/s (0.3/s per key) and invalidations at
  // 10/s (0.1/s per key) alternate each key between present and absent with
  // exponential times: present a fraction w / (w + v) = 0.75 of the time,
  // which Poisson reads see (PASTA).
  ScenarioSpec s = scenario(3600, 60);
  s.traffic.push_back(open_loop("readers", "reader", 100));
  s.traffic.push_back(open_loop("writers", "writer", 30));
  s.traffic.push_back(open_loop("invalidators", "invalidator", 10));
  s.components.push_back(service("reader", 1, 100, {call("cache")}));
  s.components.push_back(service("writer", 1, 100, {call("cache", "write")}));
  s.components.push_back(service("invalidator", 1, 100, {call("cache", "invalidate")}));
  CacheSpec c;
  c.store.keys = 100;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  const RunResult r = simulate(s);
  const ComponentResult& cache = component(r, "cache");
  CHECK(figure(cache, "hit_ratio") == Rel(0.75).epsilon(0.02));
  CHECK(figure(cache, "writes") == Rel(30 * 3540).epsilon(0.02));
  CHECK(figure(cache, "invalidations") == Rel(10 * 3540).epsilon(0.03));
}

TEST_CASE("a TTL drops entries: a key is there if it was written within the TTL") {
  // Writes at 0.3/s per key, TTL 2 s: P(present) = 1 - exp(-0.3 * 2).
  ScenarioSpec s = scenario(3600, 60);
  s.traffic.push_back(open_loop("readers", "reader", 100));
  s.traffic.push_back(open_loop("writers", "writer", 30));
  s.components.push_back(service("reader", 1, 100, {call("cache")}));
  s.components.push_back(service("writer", 1, 100, {call("cache", "write")}));
  CacheSpec c;
  c.store.keys = 100;
  c.store.ttl = 2.0;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  const RunResult r = simulate(s);
  CHECK(figure(component(r, "cache"), "hit_ratio") == Rel(1 - std::exp(-0.6)).epsilon(0.02));
  CHECK(figure(component(r, "cache"), "expirations") > 1000);
}

TEST_CASE("flush empties a cache; the callers fill it again") {
  ScenarioSpec s = scenario(200, 0);
  s.traffic.push_back(open_loop("users", "api", 1000));
  s.components.push_back(service("api", 1, 1000, {cache_read("cache", {call("db")})}));
  CacheSpec c;
  c.store.keys = 1000;
  c.store.popularity.zipf = 1.0;
  c.store.capacity = 500;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.002), false, {}});
  s.components.push_back(component("db", ComponentKind::Database, d));
  Model m(s);
  m.run_until(100);
  Cache& cache = m.get<Cache>("cache");
  CHECK(cache.entries() == 500);
  const double warm = cache.hit_ratio();
  CHECK(warm > 0.8);
  cache.flush();
  CHECK(cache.entries() == 0);
  cache.reset_stats();
  m.run_until(100.05);  // the first 50 ms after the flush: mostly misses
  CHECK(cache.hit_ratio() < 0.5);
  m.run_until(200);
  CHECK(cache.entries() == 500);
  cache.reset_stats();
  m.run_until(200);
}

// ---------------------------------------------------------------- the examples

namespace {

RunResult run_data_example(const std::string& name, LoadOptions opt = {},
                           const std::function<void(ScenarioSpec&)>& edit = {}) {
  ScenarioSpec spec = load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/data/" + name, opt);
  if (edit) edit(spec);
  return simulate(spec);
}

}  // namespace

TEST_CASE("example cache_aside: a 60% hit ratio emerges and the database takes the misses") {
  const RunResult r = run_data_example("cache_aside.yaml");
  const ComponentResult& cache = component(r, "cache");
  CHECK(figure(cache, "hit_ratio") > 0.55);
  CHECK(figure(cache, "hit_ratio") < 0.67);
  CHECK(figure(cache, "invalidations") > 0);
  const ComponentResult& db = component(r, "db");
  CHECK(figure(db, "reads") == Rel(figure(cache, "misses")).epsilon(0.001));
  CHECK(r.slo_pass);
}

TEST_CASE("example cache_stampede: coalescing turns a stampede into a blip" * doctest::test_suite("slow")) {
  const RunResult with = run_data_example("cache_stampede.yaml");
  const RunResult without = run_data_example("cache_stampede.yaml", {}, [](ScenarioSpec& s) {
    s.components[static_cast<std::size_t>(s.find("cache"))].cache()->store.coalesce = false;
  });
  MESSAGE("stampede: " << with.failed << " failed with coalescing, " << without.failed << " without");
  CHECK(figure(component(with, "cache"), "coalesced") > 1000);
  CHECK(with.failed < 5'000);
  CHECK(without.failed > 20'000);
  CHECK(figure(component(without, "cache"), "misses") > figure(component(with, "cache"), "misses"));
}

TEST_CASE("example db_pool: the spike exhausts the pools, not the database") {
  const RunResult r = run_data_example("db_pool.yaml");
  const ComponentResult& db = component(r, "db");
  CHECK(r.errors.at("pool_exhausted") > 10'000);
  CHECK(figure(db, "pool_exhausted") == static_cast<double>(r.errors.at("pool_exhausted")));
  CHECK(figure(db, "pool_wait_ms") > 50);
  CHECK(db.utilization < 0.5);
  CHECK_FALSE(r.slo_pass);
}

TEST_CASE("example read_replicas: stale reads from the replicas, none from the primary") {
  const RunResult r = run_data_example("read_replicas.yaml");
  const double stale = figure(component(r, "db"), "stale_read_ratio");
  CHECK(stale > 0.10);
  CHECK(stale < 0.20);
  CHECK(figure(component(r, "db"), "replication_lag_ms") == Rel(100).epsilon(0.02));
  const RunResult primary = run_data_example("read_replicas.yaml", {}, [](ScenarioSpec& s) {
    s.components[static_cast<std::size_t>(s.find("db"))].database()->read_from = ReadFrom::Primary;
  });
  CHECK(figure(component(primary, "db"), "stale_read_ratio") == 0);
}

TEST_CASE("example sharded_db: the hot shard takes half the queries") {
  const RunResult r = run_data_example("sharded_db.yaml");
  const ComponentResult& db = component(r, "db");
  CHECK(shard_figure(db, 0, "share") == Rel(0.5).epsilon(0.02));
  CHECK(shard_figure(db, 0, "utilization") == Rel(0.8).epsilon(0.03));
  CHECK(shard_figure(db, 1, "utilization") == Rel(0.8 / 3).epsilon(0.05));
}

TEST_CASE("example queue: the order's delay is the M/M/4 queue's") {
  const RunResult r = run_data_example("queue.yaml");
  const ComponentResult& q = component(r, "orders");
  const double pw = erlang_c(4, 80.0 / 25.0);
  CHECK(figure(q, "delay_ms") / 1e3 == Rel(pw / (100.0 - 80.0) + 0.040).epsilon(0.05));
  CHECK(figure(q, "lag_messages") == Rel(pw * 4).epsilon(0.1));
  CHECK(r.latency.p99 < 0.02);  // checkout answers after the publish
}

TEST_CASE("example queue_dlq: redeliveries, and dead letters in their queue") {
  const RunResult r = run_data_example("queue_dlq.yaml");
  const ComponentResult& q = component(r, "payments");
  CHECK(figure(q, "redeliveries") > 1000);
  CHECK(figure(q, "dead_letters") > 5);
  CHECK(figure(component(r, "payments-dlq"), "published") == figure(q, "dead_letters"));
  CHECK(figure(q, "lag_s") < 1);
}

TEST_CASE("example cdn: edge hit ratios, origin load and egress" * doctest::test_suite("slow")) {
  const RunResult r = run_data_example("cdn.yaml");
  for (const char* edge : {"edge-us", "edge-eu"}) {
    const ComponentResult& c = component(r, edge);
    CHECK(figure(c, "hit_ratio") > 0.45);
    CHECK(figure(c, "hit_ratio") < 0.60);
  }
  // 3000/s x 150 KB = 3.6 Gb/s out of the US edge.
  CHECK(figure(component(r, "edge-us"), "egress_gbps") == Rel(3.6).epsilon(0.01));
  CHECK(r.failed == 0);
  // The EU edge is further from the origin: its misses take longer.
  CHECK(figure(component(r, "edge-eu"), "origin_fetch_ms") >
        figure(component(r, "edge-us"), "origin_fetch_ms") + 50);
}

// ---------------------------------------------------------------- outputs

TEST_CASE("kind figures appear in the JSON and in each timeline tick, and read back") {
  ScenarioSpec s = scenario(20, 5);
  s.traffic.push_back(open_loop("users", "api", 500));
  s.components.push_back(service("api", 1, 100, {cache_read("cache", {call("db")})}));
  CacheSpec c;
  c.store.keys = 1000;
  c.store.popularity.zipf = 1.0;
  c.store.capacity = 100;
  s.components.push_back(component("cache", ComponentKind::Cache, c));
  DatabaseSpec d;
  d.queries.push_back({"read", const_dist(0.002), false, {}});
  d.pool = 4;
  d.shards = 2;
  s.components.push_back(component("db", ComponentKind::Database, d));
  Simulation sim(s);
  std::ostringstream out;
  TimelineWriter w(out, sim);
  sim.add_observer(&w);
  const RunResult& r = sim.run();
  const auto j = to_json(r);
  CHECK(j["components"]["cache"]["hit_ratio"].get<double>() ==
        Rel(figure(component(r, "cache"), "hit_ratio")).epsilon(1e-5));
  CHECK(j["components"]["db"].contains("pool_wait_ms"));
  CHECK(j["components"]["db"]["shards"].size() == 2);
  CHECK(j["components"]["db"]["shards"][0].contains("utilization"));

  const std::string path = (std::filesystem::temp_directory_path() / "archsim_data_timeline.jsonl").string();
  std::ofstream(path) << out.str();
  const Timeline tl = read_timeline(path);
  std::filesystem::remove(path);
  REQUIRE(tl.ticks.size() == 20);
  const auto tick_figure = [&](const Tick& t, std::size_t comp, const std::string& name) {
    for (const Figure& f : t.components[comp].figures)
      if (f.name == name) return f.value;
    FAIL("tick figure " << name << " missing");
    return 0.0;
  };
  CHECK(tick_figure(tl.ticks.back(), 1, "hit_ratio") > 0.5);
  CHECK(tick_figure(tl.ticks.back(), 1, "entries") == 100);
  CHECK(tick_figure(tl.ticks.back(), 2, "pool_wait_ms") >= 0);
}

// ---------------------------------------------------------------- faults on the data tier

namespace {

const char* kCacheAsideWithFaults = R"(
duration: 120s
warmup: 10s
traffic:
  - {name: users, to: api, rate: 1000/s}
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: cache
        on_miss: [{call: db}]
  cache:
    kind: cache
    keys: 10k
    popularity: zipf(1.0)
    capacity: 2000
  db:
    kind: database
    pool: 20
    acquire_timeout: 200ms
    queries: {read: 2ms}
)";

}  // namespace

TEST_CASE("faults: a flushed cache misses until it is filled again") {
  const RunResult calm = run_text(kCacheAsideWithFaults);
  const RunResult flushed =
      run_text(std::string(kCacheAsideWithFaults) + "faults:\n  - {at: 60s, flush: cache}\n");
  const double extra =
      figure(component(flushed, "cache"), "misses") - figure(component(calm, "cache"), "misses");
  // Refilling costs at most a miss per entry (2000), fewer: the cold tail of
  // an LRU cache would have been evicted before its next read anyway.
  CHECK(extra > 300);
  CHECK(extra < 2000);
  CHECK(flushed.failed == 0);
}

TEST_CASE("faults: exhaust_pool fails queries with pool_exhausted while it lasts") {
  const RunResult r =
      run_text(std::string(kCacheAsideWithFaults) + "faults:\n  - {at: 60s, exhaust_pool: db, for: 10s}\n");
  // Every miss in those 10 s waits 200 ms for a connection, then fails.
  const double misses_per_s = figure(component(r, "cache"), "misses") / 110;
  const auto exhausted = static_cast<double>(r.errors.at("pool_exhausted"));
  CHECK(exhausted > 5 * misses_per_s);
  CHECK(exhausted < 11 * misses_per_s);
  CHECK(figure(component(r, "db"), "pool_exhausted") == exhausted);
}

TEST_CASE("faults: a killed database primary refuses writes until a replica is promoted") {
  const std::string text = R"(
duration: 100s
traffic:
  - {name: readers, to: reader, rate: 100/s}
  - {name: writers, to: writer, rate: 50/s}
components:
  reader: {kind: service, workers: 100, steps: [{call: db}]}
  writer: {kind: service, workers: 100, steps: [{write: db}]}
  db:
    kind: database
    queries: {read: 1ms, write: 2ms}
    replicas: 1
    replication_lag: 10ms
    failover: 15s
faults:
  - {at: 30s, kill: db}
)";
  const RunResult r = run_text(text);
  // 15 s of writes at 50/s fail; reads go on at the replica.
  CHECK(static_cast<double>(r.errors.at("killed")) == Rel(15 * 50).epsilon(0.1));
  CHECK(component(r, "reader").failed == 0);
  CHECK(figure(component(r, "db"), "failovers") == 1);
}

TEST_CASE("faults: the operator's pool action ends a pool shortage") {
  const std::string text = std::string(R"(
duration: 60s
traffic:
  - {name: users, to: api, rate: 500/s}
components:
  api: {kind: service, workers: 500, steps: [{call: db}]}
  db:
    kind: database
    pool: 4
    acquire_timeout: 100ms
    queries: {read: 10ms}
)");
  // 500/s x 10 ms = 5 connections busy: a pool of 4 cannot keep up; 8 can.
  const RunResult small = run_text(text);
  const RunResult fixed = run_text(text + "faults:\n  - {at: 30s, pool: db, size: 8}\n");
  CHECK(small.errors.at("pool_exhausted") > 1000);
  CHECK(fixed.errors.at("pool_exhausted") < small.errors.at("pool_exhausted") * 0.6);
}

TEST_CASE("faults: a killed queue refuses publishes and delivers its backlog when back") {
  const std::string text = R"(
duration: 60s
traffic:
  - {name: producers, to: q, rate: 100/s}
components:
  q: {kind: queue, consumer: worker}
  worker: {kind: service, replicas: 2, workers: 1, service_time: 5ms}
faults:
  - {at: 20s, kill: q, for: 10s}
)";
  const RunResult r = run_text(text);
  CHECK(static_cast<double>(r.errors.at("killed")) == Rel(1000).epsilon(0.1));
  const ComponentResult& q = component(r, "q");
  CHECK(std::abs(figure(q, "processed") - figure(q, "published")) < 5);
}

TEST_CASE("a scatter query runs once on every shard and waits for the slowest (E[max of n exponentials])") {
  const auto run = [](int shards) {
    return simulate(load_scenario_text(fmt::format(R"(
duration: 60s
traffic: [{{name: users, to: api, rate: 200/s}}]
components:
  api: {{kind: service, workers: 1000, steps: [{{call: db, query: latest}}]}}
  db:
    kind: database
    shards: {}
    queries: {{read: 1ms, latest: {{time: exp(10ms), scatter: true}}}}
)",
                                                   shards),
                                       "scatter.yaml"));
  };
  for (int n : {1, 4, 8}) {
    const RunResult r = run(n);
    const ComponentResult& db = component(r, "db");
    INFO(n << " shards");
    REQUIRE(db.shards.size() == (n > 1 ? static_cast<std::size_t>(n) : 0));  // one shard has no rows
    // One query per shard per request: each shard sees the request rate.
    for (std::size_t i = 0; i < db.shards.size(); ++i) {
      CHECK(shard_figure(db, i, "share") ==
            Rel(1.0 / n).epsilon(0.002));  // pinned: random routing is off by ~1%
      CHECK(shard_figure(db, i, "throughput_rps") == Rel(200).epsilon(0.05));
    }
    CHECK(static_cast<double>(db.arrivals) == Rel(n * static_cast<double>(r.started)).epsilon(0.01));
    // No worker limit, no network: a request takes the longest of n
    // independent exp(10 ms) queries, whose mean is 10 ms x H_n (H_n = 1 +
    // 1/2 + ... + 1/n).
    double harmonic = 0;
    for (int k = 1; k <= n; ++k) harmonic += 1.0 / k;
    CHECK(r.latency.mean == Rel(0.010 * harmonic).epsilon(0.03));
  }
}
