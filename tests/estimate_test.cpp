// `archsim check`'s napkin math: the exact helpers it is built from
// (sampled moments, Che and its FIFO variant, TTL renewal, M/M/c with
// patience) against their formulas or a direct simulation, and the whole
// estimate against runs of every example and library design.
#include <doctest/doctest.h>

#include "check.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/estimate.hpp"
#include "analysis/platform_estimate.hpp"
#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "engine/rng.hpp"
#include "engine/sampler.hpp"

using namespace archsim;
namespace fs = std::filesystem;
namespace q = archsim::queueing;

namespace {

/// |a / b - 1|: a relative difference, for values with units.
double rel(double a, double b) { return std::abs(a / b - 1); }

}  // namespace

TEST_CASE("sampled moments are those of the draws (truncated normal, bounded pareto)") {
  // normal(1ms, 1ms) truncated at 0: mean = m + s phi(1) / Phi(1) = 1.2876 ms.
  const Moments n = sampled_moments(*parse_distribution("normal(1ms, 1ms)"));
  CHECK(rel(n.mean, 1.2876e-3) < 1e-3);
  for (const char* text :
       {"normal(1ms, 1ms)", "normal(5ms, 1ms)", "normal(1ms, 3ms)", "exp(10ms)", "uniform(2ms, 4ms)",
        "erlang(4, 8ms)", "pareto(1ms, 3)", "lognormal(median: 3ms, p99: 20ms)"}) {
    INFO(text);
    const DistSpec d = *parse_distribution(text);
    const Moments m = sampled_moments(d);
    Sampler s(d);
    Rng r(11, text);
    double sum = 0, sq = 0;
    const int draws = 400'000;
    for (int i = 0; i < draws; ++i) {
      const double x = s(r);
      sum += x;
      sq += x * x;
    }
    const double mean = sum / draws;
    const double scv = (sq / draws - mean * mean) / (mean * mean);
    CHECK(rel(mean, m.mean) < 0.01);
    CHECK(rel(s.mean(), m.mean) < 1e-12);
    if (d.kind != DistSpec::Kind::Pareto) CHECK(std::abs(scv - m.scv) < 0.03 * std::max(1.0, m.scv));
  }
}

TEST_CASE("keyed hit ratio: Che (LRU) and its FIFO variant, exact limits, TTL renewal") {
  const auto p = q::zipf(100'000, 0.8);
  const auto classes = q::zipf_classes(100'000, 0.8);
  q::CacheLoad load{1000, 0, 0, 0};
  // Without TTL, writes or fill time the general model is Che's formula.
  const double che = q::che_lru_hit_ratio(p, 5'000);
  const double fifo = q::che_fifo_hit_ratio(p, 5'000);
  CHECK(std::abs(q::keyed_hit_ratio(classes, 5'000, q::CachePolicy::Lru, INFINITY, load, false).hit - che) <
        0.002);
  CHECK(std::abs(q::keyed_hit_ratio(classes, 5'000, q::CachePolicy::Fifo, INFINITY, load, false).hit - fifo) <
        0.002);
  CHECK(q::che_random_hit_ratio(p, 5'000) == fifo);
  // LFU keeps the most popular keys: their total probability.
  double top = 0;
  for (int i = 0; i < 5'000; ++i) top += p[static_cast<std::size_t>(i)];
  CHECK(std::abs(q::keyed_hit_ratio(classes, 5'000, q::CachePolicy::Lfu, INFINITY, load, false).hit - top) <
        0.002);
  // TTL alone (room for every key), one key at rate r: r T / (1 + r T).
  const std::vector<q::KeyClass> one{{1.0, 1}};
  CHECK(std::abs(q::keyed_hit_ratio(one, 10, q::CachePolicy::Lru, 2.0, {3, 0, 0, 0}, false).hit -
                 q::ttl_hit_ratio(3, 2)) < 1e-9);
  CHECK(q::ttl_hit_ratio(3, 2) == doctest::Approx(6.0 / 7.0));
  // Invalidations at rate v end the entry: r / (r + v) without a TTL.
  CHECK(q::keyed_hit_ratio(one, 10, q::CachePolicy::Lru, INFINITY, {3, 0, 1, 0}, false).hit ==
        doctest::Approx(0.75));
}

TEST_CASE("keyed LRU with a TTL and invalidations agrees with the key store") {
  // A direct simulation of the store under Poisson requests: reads at 2000/s
  // over Zipf(0.9) keys, invalidations at 100/s, TTL 20 s, LRU of 5k keys.
  const std::uint64_t keys = 50'000, capacity = 5'000;
  const double reads = 2000, inval = 100, ttl = 20;
  KeyStore store(capacity, Eviction::Lru, ttl);
  const Popularity pop(keys, 0.9);
  Rng rng(5, "ttl");
  double t = 0;
  std::uint64_t hits = 0, n = 0;
  for (int i = 0; i < 3'000'000; ++i) {
    t += rng.exponential(1 / (reads + inval));
    const std::uint64_t k = pop(rng);
    if (rng.chance(inval / (reads + inval))) {
      store.erase(k);
      continue;
    }
    const bool hit = store.get(k, t);
    if (!hit) store.put(k, t);
    if (i > 1'000'000) {
      ++n;
      hits += hit;
    }
  }
  const double sim = static_cast<double>(hits) / static_cast<double>(n);
  const double model = q::keyed_hit_ratio(q::zipf_classes(keys, 0.9), capacity, q::CachePolicy::Lru, ttl,
                                          {reads, 0, inval, 0}, false)
                           .hit;
  MESSAGE("LRU + TTL + invalidations: simulated " << sim << ", model " << model);
  CHECK(std::abs(sim - model) < 0.02);
}

TEST_CASE("M/M/c with deterministic patience (a connection pool with an acquire timeout)") {
  // No patience limit: Erlang C; the mean wait is Wq of M/M/c.
  const auto inf = q::mmc_patience(10, 8, 1, 1e9);
  CHECK(inf.wait_probability == doctest::Approx(q::erlang_c(10, 8)).epsilon(1e-6));
  CHECK(rel(inf.mean_wait, q::mmc_wait(10, 8, 1)) < 1e-6);
  CHECK(inf.abandon < 1e-9);
  // Zero patience: Erlang B loss.
  CHECK(q::mmc_patience(10, 8, 1, 0).abandon == doctest::Approx(q::erlang_b(10, 8)).epsilon(1e-6));
  // Overloaded (lambda = 2 c mu) stays finite; served load at most c.
  const auto over = q::mmc_patience(10, 200, 10, 0.5);
  CHECK(over.abandon > 0.45);
  CHECK(over.utilization <= 1.0);
  // Against a direct simulation of a FIFO pool whose waiters give up.
  Rng r(3, "pool");
  const int c = 5;
  const double lambda = 5.0, mu = 1.0, d = 0.3;
  std::vector<double> free_at(c, 0.0);
  double t = 0, waited = 0;
  int gave_up = 0;
  const int n = 400'000;
  for (int i = 0; i < n; ++i) {
    t += r.exponential(1 / lambda);
    auto it = std::min_element(free_at.begin(), free_at.end());
    const double wait = std::max(0.0, *it - t);
    if (wait >= d) {
      ++gave_up;
      waited += d;
      continue;
    }
    waited += wait;
    *it = t + wait + r.exponential(1 / mu);
  }
  const auto m = q::mmc_patience(c, lambda, mu, d);
  MESSAGE("M/M/5+D: simulated abandon " << static_cast<double>(gave_up) / n << " wait " << waited / n
                                        << "; exact " << m.abandon << " " << m.mean_wait);
  CHECK(std::abs(static_cast<double>(gave_up) / n - m.abandon) < 0.005);
  CHECK(rel(waited / n, m.mean_wait) < 0.03);
}

namespace {

/// Every example and library design (whatever files exist now).
std::vector<std::pair<std::string, std::string>> all_designs() {
  std::vector<std::pair<std::string, std::string>> out;  // (scenario, design or "")
  const fs::path root(ARCHSIM_SOURCE_DIR);
  for (const auto& e : fs::recursive_directory_iterator(root / "examples"))
    if (e.path().extension() == ".yaml") out.emplace_back(e.path().string(), "");
  if (fs::exists(root / "scenarios"))
    for (const auto& dir : fs::directory_iterator(root / "scenarios")) {
      const fs::path problem = dir.path() / "problem.yaml";
      if (!fs::exists(problem) || !fs::exists(dir.path() / "designs")) continue;
      for (const auto& d : fs::directory_iterator(dir.path() / "designs"))
        if (d.path().extension() == ".yaml") out.emplace_back(problem.string(), d.path().string());
    }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE(
    "estimate agrees with the run: utilisation within 10%, waits within 30%, hit ratios within 0.03 [slow]") {
  int within = 0, compared = 0, skipped = 0, hits = 0, waits = 0;
  for (const auto& [file, design] : all_designs()) {
    LoadOptions opt;
    if (!design.empty()) opt.design = design;
    ScenarioSpec spec;
    try {
      spec = load_scenario(file, opt);
      // At most 3 minutes measured: the long validation runs (2 h) are for
      // their exact figures; utilisation and hit ratios settle sooner.
      if (spec.duration > spec.warmup + 180) {
        opt.duration = spec.warmup + 180;
        spec = load_scenario(file, opt);
      }
    } catch (const InputError&) {
      continue;  // a file under rework by someone else; the library test reports it
    }
    const auto est = estimate(spec);
    REQUIRE(est);
    // Nothing to compare (every component "no estimate"): no need to run it.
    if (std::all_of(est->components.begin(), est->components.end(),
                    [](const ComponentEstimate& e) { return !e.no_estimate.empty(); })) {
      skipped += static_cast<int>(est->components.size());
      continue;
    }
    RunOptions ro;
    ro.backend = spec.backend;
    Simulation sim(spec, ro);
    const RunResult& run = sim.run();
    for (std::size_t i = 0; i < est->components.size(); ++i) {
      const ComponentEstimate& e = est->components[i];
      const ComponentResult& r = run.components[i];
      INFO(file << " " << design << ": " << e.name << " estimated " << e.mean_utilization << " measured "
                << r.utilization);
      if (!e.no_estimate.empty()) {
        ++skipped;
        continue;
      }
      if (e.capacity > 0 && r.utilization > 0 && r.utilization < 0.85) {
        ++compared;
        CHECK(rel(e.mean_utilization, r.utilization) <= 0.10);
        if (rel(e.mean_utilization, r.utilization) <= 0.10) ++within;
        // The wait is check's at the base rate: compared where the rate
        // stays there (no profile or spike) and either waits over 1 ms.
        // Within 30%: a 3-minute run's mean wait at rho 0.8 is that noisy
        // (mmc.yaml: 32 ms in 3 minutes for Erlang C's 29.8). Not where a
        // closed loop's users are in step (Estimate::in_step: waves).
        if (est->peak_multiplier == 1 && est->mean_multiplier == 1 && !est->in_step &&
            std::max(e.wait, r.wait.mean) > 1e-3) {
          ++waits;
          INFO("wait estimated " << e.wait << " s, measured " << r.wait.mean);
          CHECK(rel(e.wait, r.wait.mean) <= 0.30);
        }
      }
      for (const Figure& f : r.figures)
        if (f.name == "hit_ratio" && e.hit_ratio) {
          ++hits;
          INFO("hit ratio estimated " << *e.hit_ratio << " measured " << f.value);
          CHECK(std::abs(*e.hit_ratio - f.value) <= 0.03);
        }
    }
  }
  MESSAGE(within << " of " << compared << " utilisations within 10%, " << waits << " waits, " << hits
                 << " hit ratios compared, " << skipped << " components with no estimate");
  CHECK(compared > 20);
  CHECK(waits >= 10);
}

TEST_CASE("check uses the mean as sampled: normal(1ms, 1ms) at 600/s is 77% busy, saturating at 777/s") {
  const char* text = R"(
name: truncated
duration: 3m
warmup: 20s
traffic:
  - {name: users, to: api, rate: 600/s}
components:
  api:
    kind: service
    workers: 1
    service_time: normal(1ms, 1ms)
)";
  const ScenarioSpec spec = load_scenario_text(text, "truncated.yaml");
  const auto est = estimate(spec);
  REQUIRE(est);
  const ComponentEstimate& api = est->components[0];
  // Truncated at 0: mean 1.2876 ms, so 600/s keeps the worker 77.3% busy
  // (the untruncated 1 ms would say 60%) and saturation comes at 1/1.2876 ms.
  CHECK(rel(api.utilization, 600 * 1.2876e-3) < 1e-3);
  CHECK(rel(api.saturation_rate, 1 / 1.2876e-3) < 1e-3);
  REQUIRE(est->first_limit);
  CHECK(rel(est->first_limit->entry_rate, 1 / 1.2876e-3) < 0.01);
  Simulation sim(spec);
  const RunResult& run = sim.run();
  CHECK(rel(api.mean_utilization, run.components[0].utilization) < 0.03);
}

TEST_CASE("check's pool model: waits and pool_exhausted share from the acquire timeout") {
  // One caller replica (several would share the arrivals round robin, which
  // is not Poisson) with a pool of 10, queries of exp(10ms) at 800/s:
  // a = 8 of 10 connections; a 20 ms acquire timeout.
  const char* text = R"(
name: pool
duration: 4m
warmup: 20s
traffic:
  - {name: users, to: api, rate: 800/s}
components:
  api:
    kind: service
    workers: 200
    steps:
      - call: db
  db:
    kind: database
    pool: 10
    acquire_timeout: 20ms
    queries:
      read: exp(10ms)
)";
  const ScenarioSpec spec = load_scenario_text(text, "pool.yaml");
  const auto est = estimate(spec);
  REQUIRE(est);
  const ComponentEstimate& db = est->components[1];
  REQUIRE(db.pool_exhausted);
  const auto exact = queueing::mmc_patience(10, 800, 100, 0.020);
  CHECK(rel(*db.pool_exhausted, exact.abandon) < 1e-9);
  CHECK(rel(*db.pool_wait, exact.mean_wait) < 1e-9);
  Simulation sim(spec);
  const RunResult& run = sim.run();
  double exhausted = 0, wait_ms = 0;
  const auto reads = static_cast<double>(run.components[1].arrivals);
  for (const Figure& f : run.components[1].figures) {
    if (f.name == "pool_exhausted") exhausted = f.value;
    if (f.name == "pool_wait_ms") wait_ms = f.value;
  }
  MESSAGE("pool: exhausted share simulated " << exhausted / reads << ", M/M/10+D " << exact.abandon
                                             << "; wait simulated " << wait_ms << " ms, exact "
                                             << exact.mean_wait * 1e3);
  CHECK(rel(exhausted / reads, exact.abandon) < 0.2);
  CHECK(rel(wait_ms / 1e3, exact.mean_wait) < 0.10);
}

TEST_CASE("the simgrid run measures CPU per host and bytes per link, as the platform estimate predicts") {
  if (!simgrid_available()) {
    test::skip("built without SimGrid");
    return;
  }
  // Two replicas on one 2-core host: 4 workers share 2 cores. 150/s of
  // exp(10ms) work is 1.5 reference cores: the host is 75% busy, whatever
  // the workers' occupancy. Each call sends 10 KB and gets 40 KB back over
  // 10 MB/s links.
  const char* text = R"(
name: cpu
backend: simgrid
duration: 3m
warmup: 20s
platform:
  lan: {bandwidth: 10MBps, latency: 0.1ms}
  regions:
    r:
      hosts:
        box: {cores: 2}
        front: {cores: 4}
traffic:
  - {name: users, to: web, rate: 150/s}
components:
  web:
    kind: service
    hosts: [front]
    workers: 8
    steps:
      - call: api
        request: 10KB
        response: 40KB
  api:
    kind: service
    replicas: 2
    workers: 2
    hosts: [box]
    service_time: exp(10ms)
)";
  const ScenarioSpec spec = load_scenario_text(text, "cpu.yaml");
  const auto est = estimate(spec);
  REQUIRE(est);
  const PlatformEstimate pe = estimate_platform(spec, *est, true);
  RunOptions ro;
  ro.backend = "simgrid";
  Simulation sim(spec, ro);
  const RunResult& run = sim.run();
  bool box = false;
  for (const HostResult& h : run.hosts)
    if (h.name == "box") {
      box = true;
      CHECK(rel(h.cpu_utilization, 0.75) < 0.03);
      for (const HostEstimate& e : pe.host_list)
        if (e.name == "box") CHECK(rel(e.utilization, h.cpu_utilization) < 0.03);
    }
  CHECK(box);
  bool link = false;
  for (const LinkResult& l : run.links)
    if (l.name == "box-link") {
      link = true;
      // 150/s x 40 KB out of box (6 MB/s of 10 MB/s), 150/s x 10 KB in.
      CHECK(rel(l.up_bytes_per_s, 150 * 40e3) < 0.03);
      CHECK(rel(l.down_bytes_per_s, 150 * 10e3) < 0.03);
      CHECK(rel(l.utilization, 0.6) < 0.03);
    }
  CHECK(link);
}
