// Figures of queueing and caching theory that the rest of the suite does not
// check, each against its exact formula (named with the case), found by an
// outside-style check of the CLI's results (README, How exact it is).
#include <doctest/doctest.h>

#include "check.hpp"

#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/estimate.hpp"
#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"
#include "irm.hpp"
#include "results.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

/// The popularity mass of the `c` most popular of n Zipf(s) keys.
double top_mass(int n, double s, int c) {
  const std::vector<double> p = queueing::zipf(n, s);
  double top = 0;
  for (int i = 0; i < c; ++i) top += p[static_cast<std::size_t>(i)];
  return top;
}

}  // namespace

TEST_CASE("LFU under static Zipf keeps the most popular keys: hit ratio = their popularity mass") {
  KeyStore store(500, Eviction::Lfu, 0);
  const double sim = test::irm_hit_ratio(store, 10'000, 0.8, 200'000, 1'000'000, 11);
  const double top = top_mass(10'000, 0.8, 500);
  MESSAGE("LFU 10k keys zipf 0.8 capacity 500: " << sim << ", top-500 mass " << top);
  CHECK(sim == Rel(top, 0.02));
}

namespace {

using archsim::test::component;
using archsim::test::error_count;
using archsim::test::figure;
using archsim::test::run_text;

/// One service of `workers` workers (and `extra` keys) fed Poisson at `rate`/s.
std::string station(double rate, const std::string& service_keys, const std::string& duration = "4h") {
  return fmt::format(R"(
duration: {}
warmup: 1m
traffic: [{{name: users, to: s, rate: {}/s}}]
components:
  s: {{kind: service, {}}}
)",
                     duration, rate, service_keys);
}

/// Measured requests that failed (any cause) / measured requests started.
double failed_share(const RunResult& r) {
  std::uint64_t failed = 0;
  for (const auto& kv : r.errors) failed += kv.second;
  return static_cast<double>(failed) / static_cast<double>(r.started);
}

}  // namespace

TEST_CASE(
    "M/G/1: the mean response follows Pollaczek-Khinchine's second moment (uniform, Erlang-3, lognormal)") {
  // W = S + rho (1 + scv) S / (2 (1 - rho)) at rho = 0.8; 4 h at 80/s is
  // 1.15 M requests: seeds 11 and 22 land within 1% (tolerance 4%).
  struct Case {
    const char* dist;
    double mean, scv;
  };
  const double sigma = std::log(4.0) / 2.3263478740408408;  // lognormal from p99 / median = 4
  for (const Case c : {Case{"uniform(0ms, 20ms)", 0.010, 1.0 / 3}, Case{"erlang(3, 10ms)", 0.010, 1.0 / 3},
                       Case{"lognormal(median: 5ms, p99: 20ms)", 0.005 * std::exp(sigma * sigma / 2),
                            std::expm1(sigma * sigma)}}) {
    const double lambda = 0.8 / c.mean;
    const RunResult r = run_text(station(lambda, fmt::format("workers: 1, service_time: \"{}\"", c.dist)));
    const double pk = c.mean + queueing::mg1_wait(lambda, c.mean, c.scv);
    MESSAGE(std::string(c.dist) << ": " << r.latency.mean * 1e3 << " ms, P-K " << pk * 1e3 << " ms");
    CHECK(r.latency.mean == Rel(pk, 0.04));
    // The second moment matters: the exponential's (M/M/1) is far off.
    CHECK_FALSE(r.latency.mean == Rel(queueing::mm1_response(lambda, 1 / c.mean), 0.04));
  }
}

TEST_CASE("M/G/c/c: a loss system blocks Erlang B whatever the service distribution (lognormal, constant)") {
  // 4 workers, no waiting room, 30/s of mean service m: B(4, 30 m). Erlang B
  // is insensitive to the distribution beyond its mean.
  const double sigma = std::log(4.0) / 2.3263478740408408;
  const double m = 0.1 * std::exp(sigma * sigma / 2);
  for (const std::string& dist :
       {std::string("lognormal(median: 100ms, p99: 400ms)"), fmt::format("const({}ms)", m * 1e3)}) {
    const RunResult r = run_text(station(30, "workers: 4, queue: 0, service_time: \"" + dist + "\""));
    const double b = queueing::erlang_b(4, 30 * m);
    MESSAGE(dist << ": blocked " << failed_share(r) << ", Erlang B " << b);
    CHECK(failed_share(r) == Rel(b, 0.03));
    CHECK(failed_share(r) * static_cast<double>(r.started) == Rel(error_count(r, "rejected")));
  }
}

TEST_CASE("M/M/c/K: a service's and a queue's finite waiting room block p_K; the admitted wait by Little") {
  // 2 workers, 3 waiting, 18/s of exp(100 ms): K = 5.
  const queueing::LossResult exact = queueing::mmck(2, 5, 18, 10);
  const RunResult r = run_text(station(18, "workers: 2, queue: 3, service_time: exp(100ms)"));
  MESSAGE("service: blocked " << failed_share(r) << " (p_K " << exact.blocking << "), response "
                              << r.latency.mean << " s (" << exact.response << ")");
  CHECK(failed_share(r) == Rel(exact.blocking, 0.04));
  CHECK(r.latency.mean == Rel(exact.response, 0.04));
  // The same station as a queue with 2 consumers and room for 3 messages.
  const RunResult q = run_text(R"(
duration: 4h
warmup: 1m
traffic: [{name: users, to: p, rate: 18/s}]
components:
  p: {kind: service, workers: 1000, steps: [{publish: q}]}
  q: {kind: queue, consumer: c, consumers: 2, capacity: 3, when_full: reject}
  c: {kind: service, replicas: 2, workers: 1, service_time: exp(100ms)}
)");
  MESSAGE("queue: rejected " << failed_share(q));
  CHECK(failed_share(q) == Rel(exact.blocking, 0.04));
}

TEST_CASE(
    "check: a queue's consumers: M/M/c/K with a capacity, one M/M/1 per partition, no wait at the consumer") {
  // check took a partitioned queue for one M/M/4 line (74.6 ms where each
  // partition's consumer is an M/M/1 at 80%: 400 ms), showed that wait again
  // at the consumer service (which never queues: one delivery per worker),
  // and ignored a capacity that rejects.
  const std::string partitioned = R"(
duration: 2h
warmup: 1m
traffic: [{name: users, to: p, rate: 32/s}]
components:
  p: {kind: service, workers: 1000, steps: [{publish: q}]}
  q: {kind: queue, consumer: c, partitions: 4}
  c: {kind: service, replicas: 4, workers: 1, service_time: exp(100ms)}
)";
  const std::optional<Estimate> est = estimate(load_scenario_text(partitioned, "t.yaml"));
  REQUIRE(est);
  CHECK(est->components[1].wait == Rel(queueing::mm1_response(8, 10) - 0.1));
  CHECK(est->components[2].wait == 0);
  const RunResult r = run_text(partitioned);
  MESSAGE("partitioned: wait " << component(r, "q").wait.mean << " s, consumer "
                               << component(r, "c").wait.mean);
  CHECK(component(r, "q").wait.mean == Rel(est->components[1].wait, 0.05));
  CHECK(component(r, "c").wait.mean == 0);
  // 2 consumers, room for 3: M/M/2/5.
  const std::string full = R"(
traffic: [{name: users, to: p, rate: 18/s}]
components:
  p: {kind: service, workers: 1000, steps: [{publish: q}]}
  q: {kind: queue, consumer: c, consumers: 2, capacity: 3, when_full: reject}
  c: {kind: service, replicas: 2, workers: 1, service_time: exp(100ms)}
)";
  const queueing::LossResult exact = queueing::mmck(2, 5, 18, 10);
  const std::optional<Estimate> fe = estimate(load_scenario_text(full, "t.yaml"));
  REQUIRE(fe);
  REQUIRE(fe->components[1].rejected);
  CHECK(*fe->components[1].rejected == Rel(exact.blocking));
  CHECK(fe->components[1].wait == Rel(exact.response - 0.1));
  CHECK(fe->components[2].wait == 0);
}

TEST_CASE("queue_deadline: M/M/c+D sheds as Baccelli-Hebuterne's deterministic patience") {
  // 2 workers, 19/s of exp(100 ms), dropped after 100 ms of waiting: a
  // request is shed when its offered wait V >= D (queueing::mmc_patience).
  const auto exact = queueing::mmc_patience(2, 19, 10, 0.1);
  const RunResult r = run_text(station(19, "workers: 2, queue_deadline: 100ms, service_time: exp(100ms)"));
  const double shed = static_cast<double>(error_count(r, "shed")) / static_cast<double>(r.started);
  MESSAGE("shed " << shed << ", M/M/2+D " << exact.abandon);
  CHECK(shed == Rel(exact.abandon, 0.04));
  // Without the deadline it would be M/M/2's P(W > D): more than twice as many.
  CHECK_FALSE(shed == Rel(queueing::mmc_wait_tail(2, 19, 10, 0.1), 0.04));
}

TEST_CASE(
    "check: a queue_deadline service is M/M/c+D: its shed share, wait and utilisation agree with the run") {
  // The napkin math took the deadline for an unbounded M/M/2 (wait 926 ms,
  // 95% busy, nothing shed) where the run sheds 20% and is 75% busy. A shed
  // request waits its offered wait V (>= D) before it leaves: E[min(V, D)] +
  // P(V >= D) / (c mu).
  const std::string text = station(19, "workers: 2, queue_deadline: 100ms, service_time: exp(100ms)");
  const auto exact = queueing::mmc_patience(2, 19, 10, 0.1);
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  const ComponentEstimate& e = est->components.front();
  REQUIRE(e.shed);
  CHECK(*e.shed == Rel(exact.abandon));
  CHECK(e.wait == Rel(exact.mean_wait + exact.abandon / 20));
  CHECK(e.utilization == Rel(1.9 * (1 - exact.abandon) / 2));
  const RunResult r = run_text(text);
  const ComponentResult& s = component(r, "s");
  CHECK(s.utilization == Rel(e.utilization, 0.02));
  CHECK(s.wait.mean == Rel(e.wait, 0.04));
  CHECK(static_cast<double>(error_count(r, "shed")) / static_cast<double>(r.started) == Rel(*e.shed, 0.04));
}

TEST_CASE("a bulkhead of k permits is a loss system: Erlang B, in the run and in check") {
  // 30 calls/s of exp(100 ms) (3 Erlangs) through 4 permits: B(4, 3) of the
  // calls fail at once with bulkhead_full and never reach the callee. check
  // ignored bulkheads (30/s reached db, nothing refused).
  const std::string text = R"(
duration: 2h
warmup: 1m
traffic: [{name: users, to: a, rate: 30/s}]
components:
  a: {kind: service, workers: 100000, bulkheads: {db: 4}, steps: [{call: db}]}
  db: {kind: service, workers: 100000, service_time: exp(100ms)}
)";
  const double b = queueing::erlang_b(4, 3);
  const RunResult r = run_text(text);
  const double full = static_cast<double>(error_count(r, "bulkhead_full")) / static_cast<double>(r.started);
  MESSAGE("bulkhead_full " << full << ", Erlang B " << b);
  CHECK(full == Rel(b, 0.03));
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  REQUIRE(est->components[0].bulkhead_full);
  CHECK(*est->components[0].bulkhead_full == Rel(b));
  CHECK(est->components[1].arrivals == Rel(30 * (1 - b)));
  CHECK(component(r, "db").arrivals / 7140.0 == Rel(est->components[1].arrivals, 0.02));
}

TEST_CASE(
    "rate limits: a one-token bucket admits 1 / (1/r + 1/lambda); a saturated sliding window its rate") {
  CHECK(queueing::token_bucket_admitted(30, 20, 1) == Rel(1 / (1 / 20.0 + 1 / 30.0)));
  const RunResult tb =
      run_text(station(30, "workers: 1000, rate_limit: {rate: 20/s, burst: 1}, service_time: 1ms", "2h"));
  MESSAGE("token bucket: " << tb.throughput_rps << "/s");
  CHECK(tb.throughput_rps == Rel(queueing::token_bucket_admitted(30, 20, 1), 0.01));
  // Offered far more than its limit, a sliding window admits `rate x
  // window` in each window: the rate exactly, down to a limit of 1.
  for (const int rate : {1, 20}) {
    const RunResult sw = run_text(
        station(1000,
                fmt::format("workers: 100000, rate_limit: {{rate: {}/s, kind: sliding_window, window: 1s}}, "
                            "service_time: 1ms",
                            rate),
                "10m"));
    MESSAGE("sliding window " << rate << "/s: " << sw.throughput_rps << "/s");
    CHECK(sw.throughput_rps == Rel(rate, 0.005));
  }
}

TEST_CASE(
    "a token bucket of b tokens is M/D/1+D: Erlang's M/D/1 workload below (b - 1) / r, in the run and in "
    "check") {
  // Offered exactly its rate (rho = 1), 20/s: burst 2 admits 14.62/s, burst
  // 5 17.93/s (check said 20/s, everything). Erlang's formula F(tau) =
  // sum_k (-rho (n - k))^k / k! e^(rho (n - k)), n = b - 1, and the admitted
  // rate lambda F / (1 + rho F).
  for (const int b : {2, 5}) {
    double f = 0;
    for (int k = 0; k < b; ++k)
      f += std::pow(-(b - 1 - k), k) / std::tgamma(k + 1.0) * std::exp(static_cast<double>(b - 1 - k));
    const double exact = 20 * f / (1 + f);
    CHECK(queueing::token_bucket_admitted(20, 20, b) == Rel(exact, 1e-5));
    const std::string text = station(
        20, fmt::format("workers: 100000, rate_limit: {{rate: 20/s, burst: {}}}, service_time: 1ms", b));
    const RunResult r = run_text(text);
    MESSAGE("burst " << b << ": " << r.throughput_rps << "/s, M/D/1+D " << exact);
    CHECK(r.throughput_rps == Rel(exact, 0.01));
    const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
    REQUIRE(est);
    REQUIRE(est->components[0].rate_limited);
    CHECK(*est->components[0].rate_limited == Rel(1 - exact / 20, 1e-4));
  }
}

TEST_CASE("M/G/infinity: the mean response is E[S] and the mean in system lambda E[S] (Little)") {
  const RunResult r =
      run_text(station(200, "workers: 100000, service_time: \"uniform(10ms, 190ms)\"", "30m"));
  CHECK(r.latency.mean == Rel(0.1, 0.01));
  CHECK(component(r, "s").in_flight_mean == Rel(20, 0.01));
}

namespace {

/// Cache-aside over `keys` keys: a miss fetches (instantly) and stores.
std::string cache_aside(double rate, const std::string& cache_keys, const std::string& duration) {
  return fmt::format(R"(
duration: {}
warmup: 2m
traffic: [{{name: users, to: api, rate: {}/s}}]
components:
  api:
    kind: service
    workers: 100000
    steps: [{{call: cache, on_miss: [{{call: db}}]}}]
  cache: {{kind: cache, {}}}
  db: {{kind: service, workers: 100000, service_time: 1us}}
)",
                     duration, rate, cache_keys);
}

}  // namespace

TEST_CASE("a TTL cache: each key hits r T / (1 + r T) (renewal: one miss, then r T hits in T)") {
  // Uniform: 100 keys at 0.5/s each, TTL 4 s: 2/3.
  const RunResult u = run_text(cache_aside(50, "keys: 100, popularity: uniform, ttl: 4s", "1h"));
  CHECK(figure(component(u, "cache"), "hit_ratio") == Rel(queueing::ttl_hit_ratio(0.5, 4), 0.01));
  // Zipf(0.8) over 1000 keys at 200/s, TTL 2 s: the mean over keys.
  const RunResult z = run_text(cache_aside(200, "keys: 1000, popularity: zipf(0.8), ttl: 2s", "1h"));
  double exact = 0;
  for (const double p : queueing::zipf(1000, 0.8)) exact += p * queueing::ttl_hit_ratio(200 * p, 2);
  MESSAGE("zipf TTL: " << figure(component(z, "cache"), "hit_ratio") << ", renewal " << exact);
  CHECK(figure(component(z, "cache"), "hit_ratio") == Rel(exact, 0.01));
}

TEST_CASE("a running LFU cache holds the most popular keys: the hit ratio is their popularity mass") {
  // In-cache LFU froze on the keys of its first fill: 43% here for ever.
  const RunResult r =
      run_text(cache_aside(1000, "keys: 10000, popularity: zipf(0.8), capacity: 500, eviction: lfu", "10m"));
  const double hit = figure(component(r, "cache"), "hit_ratio");
  MESSAGE("LFU cache-aside: " << hit << ", top-500 mass " << top_mass(10'000, 0.8, 500));
  CHECK(hit == Rel(top_mass(10'000, 0.8, 500), 0.02));
}

TEST_CASE(
    "balancer policies over 4 replicas at rho 0.8: M/M/4 <= least connections < power of two < random") {
  // Join-the-shortest-queue has no closed form for 4 servers; the bounds
  // are exact: one shared queue (M/M/4, Erlang C) is the best any dispatcher
  // can do, a random split (4 x M/M/1 at lambda / 4) the worst of these.
  const auto mean = [](const std::string& policy) {
    return run_text(fmt::format(R"(
duration: 4h
warmup: 1m
traffic: [{{name: users, to: lb, rate: 32/s}}]
components:
  lb: {{kind: load_balancer, policy: {}, to: s}}
  s: {{kind: service, replicas: 4, workers: 1, service_time: exp(100ms)}}
)",
                                policy))
        .latency.mean;
  };
  const double mmc = queueing::mmc_response(4, 32, 10), random = queueing::mm1_response(8, 10);
  const double lc = mean("least_connections"), p2 = mean("power_of_two"), rnd = mean("random");
  MESSAGE("M/M/4 " << mmc << ", least connections " << lc << ", power of two " << p2 << ", random " << rnd
                   << " (M/M/1 " << random << ")");
  CHECK(rnd == Rel(random, 0.05));
  CHECK(mmc < lc);
  CHECK(lc < 0.9 * p2);
  CHECK(p2 < 0.6 * rnd);
}

TEST_CASE(
    "check's waits on the validation examples are their exact formulas (E_k/M/1, P-K of a nested call)") {
  // check took every replica's arrivals for Poisson and every multi-step
  // visit for exponential: round robin over 4 replicas said 40 ms (M/M/1)
  // where E4/M/1 waits 22.7 ms, the nested call 32 ms where P-K gives 24.
  const auto wait = [](const std::string& file, const std::string& name) {
    const std::optional<Estimate> est =
        estimate(load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/" + file));
    REQUIRE(est);
    for (const ComponentEstimate& e : est->components)
      if (e.name == name) return e.wait;
    FAIL("no component " << name);
    return 0.0;
  };
  CHECK(wait("mm1.yaml", "server") == Rel(queueing::mm1_response(80, 100) - 0.01));
  CHECK(wait("md1.yaml", "server") == Rel(queueing::mg1_wait(80, 0.01, 0)));
  CHECK(wait("mmc.yaml", "server") == Rel(queueing::mmc_wait(4, 80, 25)));
  CHECK(wait("lb_random.yaml", "app") == Rel(queueing::mm1_response(80, 100) - 0.01));
  CHECK(wait("lb_round_robin.yaml", "app") == Rel(queueing::ekm1_response(4, 80, 100) - 0.01));
  // S = exp(4 ms) + exp(4 ms): E[S] = 8 ms, E[S^2] = 96 ms^2, scv 0.5.
  CHECK(wait("nested_call.yaml", "api") == Rel(queueing::mg1_wait(100, 0.008, 0.5)));
  // 10 users thinking exp(100 ms) at one exp(10 ms) worker: exact MVA (the
  // open M/M/1 at the same throughput said 36.6 ms).
  CHECK(wait("closed_loop.yaml", "server") == Rel(queueing::mva(10, 0.1, {0.01}).response - 0.01));
}

TEST_CASE("check: a sharded database's wait is the mean over queries of each node's M/M/c (a hot shard)") {
  // 4 shards, shard 0 takes half the queries, 4 workers per node, exp(8 ms)
  // at 800/s: the hot node waits as M/M/4 at 400/s, the others at 133/s.
  // check gave the hot node's wait alone (5.96 ms) for the mean (3.02).
  const std::string text = R"(
duration: 1h
warmup: 1m
traffic: [{name: users, to: api, rate: 800/s}]
components:
  api: {kind: service, workers: 100000, steps: [{call: db}]}
  db: {kind: database, workers: 4, shards: 4, hot_shard: 0.5, queries: {read: exp(8ms)}}
)";
  const double exact = 0.5 * queueing::mmc_wait(4, 400, 125) + 0.5 * queueing::mmc_wait(4, 800.0 / 6, 125);
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  CHECK(est->components[1].wait == Rel(exact));
  const RunResult r = run_text(text);
  MESSAGE("sharded db: wait " << component(r, "db").wait.mean << " s, exact " << exact);
  CHECK(component(r, "db").wait.mean == Rel(exact, 0.05));
}

TEST_CASE("a sliding window below its limit refuses what bunches: a Markov chain over the windows' counts") {
  // 15/s against 20 per 1 s window: the previous window's count P weighs
  // (1 - x) into the window, so a busy window refuses early arrivals of the
  // next. check said min(lambda, r): nothing refused (the run: 2.65%).
  const double admitted = queueing::sliding_window_admitted(15, 20, 1);
  // The rule itself (sim/model/rate_limiter.hpp), 3 M Poisson arrivals.
  Rng rng(5, "window");
  double t = 0, prev = 0, cur = 0;
  long long window = 0, n = 0, in = 0;
  for (; n < 3'000'000; ++n) {
    t += rng.exponential(1 / 15.0);
    const auto w = static_cast<long long>(std::floor(t));
    if (w != window) {
      prev = w == window + 1 ? cur : 0;
      cur = 0;
      window = w;
    }
    if (prev * (1 - (t - static_cast<double>(w))) + cur >= 20) continue;
    ++cur;
    ++in;
  }
  const double rule = 15.0 * static_cast<double>(in) / static_cast<double>(n);
  MESSAGE("sliding window 15/s vs 20/s: chain " << admitted << "/s, rule simulated " << rule << "/s");
  CHECK(1 - admitted / 15 == Rel(1 - rule / 15, 0.02));
  CHECK(1 - admitted / 15 > 0.02);  // not min(lambda, r)
  const std::string text = station(
      15, "workers: 100, rate_limit: {rate: 20/s, kind: sliding_window, window: 1s}, service_time: 1ms",
      "3h");
  const RunResult r = run_text(text);
  MESSAGE("run: " << failed_share(r) << " refused");
  CHECK(failed_share(r) == Rel(1 - admitted / 15, 0.05));
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  REQUIRE(est->components[0].rate_limited);
  CHECK(*est->components[0].rate_limited == Rel(1 - admitted / 15, 1e-6));
  CHECK(est->notes.empty());
  // Offered 5 times its rate, the chain is not solved: the estimate is the
  // bound min(offered, rate), and check says so.
  CHECK(queueing::sliding_window_admitted(100, 20, 1) == Rel(20));
  const std::optional<Estimate> over = estimate(load_scenario_text(
      station(100,
              "workers: 100, rate_limit: {rate: 20/s, kind: sliding_window, window: 1s}, service_time: 1ms"),
      "t.yaml"));
  REQUIRE(over);
  REQUIRE(over->notes.size() == 1);
  CHECK(over->notes[0].find("upper bound") != std::string::npos);
}

TEST_CASE("check: a queue's redeliveries are one service per message, P-K with a random sum of deliveries") {
  // A delivery fails 25% of the time (a call the callee's rate limit
  // refuses at once), independent of its exp(40 ms) work; after 50 ms it is
  // delivered again, 4 times at most. A message holds its consumer for
  // S = V_1 + ... + V_N + (N - 1) d: E[S] = E[N] E[V] + (E[N] - 1) d,
  // Var S = E[N] Var V + Var N (E[V] + d)^2. Each of 2 partitions is one
  // consumer's M/G/1 at 8 messages/s. check took a delivery for the unit
  // (rate x E[N], exponential): 66 ms where P-K says 92.
  const std::string text = R"(
duration: 2h
warmup: 1m
traffic: [{name: users, to: jobs, rate: 16/s}]
components:
  jobs: {kind: queue, partitions: 2, consumer: worker, consumers: 2, max_attempts: 4, redelivery_delay: 50ms,
         dead_letter: dlq}
  dlq: {kind: queue}
  worker:
    kind: service
    replicas: 2
    workers: 1
    steps:
      - work: exp(40ms)
      - branch: [{p: 25%, steps: [{call: refuser}]}]
  refuser: {kind: service, workers: 1000, service_time: 1ms, rate_limit: {rate: 0.001/s, burst: 1}}
)";
  const double p = 0.25, v = 0.040, d = 0.050;
  double en = 0, en2 = 0;
  for (int k = 1; k <= 4; ++k) {
    const double share = std::pow(p, k - 1) * (k < 4 ? 1 - p : 1);
    en += k * share;
    en2 += k * k * share;
  }
  const double mean = en * v + (en - 1) * d;
  const double var = en * v * v + (en2 - en * en) * (v + d) * (v + d);
  const double exact = queueing::mg1_wait(8, mean, var / (mean * mean));
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  CHECK(est->components[2].visits == Rel(en, 1e-4));  // a 25% branch fails 25% (it said 97%)
  CHECK(est->components[0].wait == Rel(exact, 1e-3));
  // Every delivery failed: dead letters (p a hair under 25%: the bucket admits 0.001/s).
  CHECK(est->components[1].arrivals == Rel(16 * std::pow(p, 4), 2e-3));
  const RunResult r = run_text(text);
  MESSAGE("queue wait: run " << component(r, "jobs").wait.mean * 1e3 << " ms, P-K " << exact * 1e3 << " ms");
  CHECK(component(r, "jobs").wait.mean == Rel(exact, 0.05));
  MESSAGE("dead letters: run " << component(r, "dlq").arrivals << ", p^4 x 16/s x 7140 s "
                               << 7140 * 16 * std::pow(p, 4));
  CHECK(static_cast<double>(component(r, "dlq").arrivals) == Rel(7140 * 16 * std::pow(p, 4), 0.15));
}

TEST_CASE("check: M/D/4 waits as Cosmetatos corrects Allen-Cunneen, in check and in the run") {
  // 4 workers of const(100 ms) at 24/s (rho 0.6): Allen-Cunneen's
  // Wq(M/M/4) / 2 is 8.97 ms, 9% under what the queue waits (9.86 and 9.73
  // ms, seeds 1 and 2); Cosmetatos's factor
  // 1 + (1 - rho)(c - 1)(sqrt(4 + 5c) - 2) / (16 rho c) = 1.0906 gives 9.78.
  const double rho = 0.6, ac = queueing::mmc_wait(4, 24, 10) / 2;
  const double exact = ac * (1 + (1 - rho) * 3 * (std::sqrt(24.0) - 2) / (16 * rho * 4));
  CHECK(queueing::ggc_wait(4, 24, 10, 1, 0) == Rel(exact, 1e-9));
  CHECK(queueing::ggc_wait(1, 8, 10, 1, 0) == Rel(queueing::mg1_wait(8, 0.1, 0), 1e-9));  // P-K for c = 1
  CHECK(queueing::ggc_wait(4, 24, 10, 1, 1) == Rel(queueing::mmc_wait(4, 24, 10), 1e-9));
  const std::string text = station(24, "workers: 4, service_time: const(100ms)");
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  CHECK(est->components[0].wait == Rel(exact, 1e-6));
  const RunResult r = run_text(text);
  MESSAGE("M/D/4: run " << component(r, "s").wait.mean * 1e3 << " ms, Cosmetatos " << exact * 1e3
                        << " ms, Allen-Cunneen " << ac * 1e3);
  CHECK(component(r, "s").wait.mean == Rel(exact, 0.04));
  CHECK_FALSE(component(r, "s").wait.mean == Rel(ac, 0.04));
}

TEST_CASE("check: a closed loop thinking a constant time runs in step, in waves, and check says so") {
  // 2,000 users thinking const(2s), 50 ms at a front of unlimited workers,
  // one in ten calls s (4 workers, exp(20 ms), 49% busy). They all start
  // after one think and nothing spreads them: s waits 6.1 ms where Erlang C
  // (arrivals spread out) says 1.6. check cannot give the waves' wait: it
  // says so (Estimate::in_step, a note); with an exponential think it does not.
  const std::string text = R"(
duration: 20m
warmup: 1m
traffic: [{name: users, to: front, users: 2000, think: const(2s)}]
components:
  front:
    kind: service
    workers: 100000
    steps:
      - work: const(50ms)
      - branch: [{p: 10%, steps: [{call: s}]}]
  s: {kind: service, workers: 4, service_time: exp(20ms)}
)";
  const std::optional<Estimate> est = estimate(load_scenario_text(text, "t.yaml"));
  REQUIRE(est);
  CHECK(est->in_step);
  CHECK(est->notes.back().find("in step") != std::string::npos);
  const RunResult r = run_text(text);
  const ComponentResult& s = component(r, "s");
  const double erlang_c = queueing::mmc_wait(4, s.throughput_rps, 50);
  MESSAGE("in step: s waits " << s.wait.mean * 1e3 << " ms, M/M/4 " << erlang_c * 1e3 << ", check "
                              << est->components[1].wait * 1e3);
  CHECK(s.wait.mean > 2 * erlang_c);
  CHECK(est->components[1].wait == Rel(erlang_c, 0.05));
  std::string spread = text;
  spread.replace(spread.find("const(2s)"), 9, "exp(2s)");
  const std::optional<Estimate> exp_think = estimate(load_scenario_text(spread, "t.yaml"));
  REQUIRE(exp_think);
  CHECK_FALSE(exp_think->in_step);
}
