// The engine's building blocks: event order, random streams, histogram error,
// determinism of whole runs and bounded memory.
#include <doctest/doctest.h>

#include "check.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "engine/event_queue.hpp"
#include "engine/histogram.hpp"
#include "engine/rng.hpp"
#include "engine/sampler.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {
struct Ev {
  double time;
  std::uint64_t seq;
};
}  // namespace

TEST_CASE("event queue pops by time, then in scheduling order") {
  EventQueue<Ev> q;
  Rng r(3, "q");
  std::vector<Ev> all;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const Ev e{static_cast<double>(r.below(100)), i};  // many equal times
    all.push_back(e);
    q.push(e);
  }
  std::stable_sort(all.begin(), all.end(), [](const Ev& a, const Ev& b) { return a.time < b.time; });
  for (const Ev& want : all) {
    const Ev got = q.pop();
    REQUIRE(got.time == want.time);
    REQUIRE(got.seq == want.seq);
  }
  CHECK(q.empty());
}

TEST_CASE("event queue keeps (time, sequence) order with 10^5 pending events") {
  // Past 32k pending events the queue is a timing wheel (engine/event_queue.hpp):
  // its pops must be those of one heap. A reference set gives the order.
  EventQueue<Ev> q;
  std::set<std::pair<double, std::uint64_t>> ref;
  Rng r(11, "wheel");
  std::uint64_t seq = 0;
  auto push = [&](double t) {
    q.push(Ev{t, seq});
    ref.emplace(t, seq++);
  };
  double now = 0;
  std::uint64_t wrong = 0;  // pops out of order
  auto pop_check = [&] {
    const Ev got = q.pop();
    const auto want = *ref.begin();
    ref.erase(ref.begin());
    wrong += got.time != want.first || got.seq != want.second;
    now = got.time;
  };
  // 300k think timers, exp(30 s), some at equal times; then a steady
  // state (each pop schedules a short event or a long one, some at `now`);
  // then a drain, through the switch back to a heap.
  for (int i = 0; i < 300'000; ++i) push(i % 7 ? r.exponential(30.0) : std::floor(r.exponential(30.0)));
  for (int i = 0; i < 600'000; ++i) {
    pop_check();
    const std::uint64_t k = r.below(10);
    push(k == 0  ? now
         : k < 4 ? now + r.exponential(0.01)
         : k < 9 ? now + r.exponential(30.0)
                 : now + 3600.0 * r.uniform());
  }
  for (int popped = 1; !ref.empty(); ++popped) {
    REQUIRE(!q.empty());
    pop_check();
    if (popped % 50'000 == 0) push(now + r.exponential(1.0));  // pushes while it shrinks
  }
  CHECK(wrong == 0);
  CHECK(q.empty());
  CHECK(q.size() == 0);
}

TEST_CASE("event queue order around the size at which a pop stops branching") {
  // From 128 pending events a pop picks the earliest of four children by
  // index arithmetic on (time bits, seq) keys (engine/event_queue.hpp); below
  // it, by comparisons. Both must give the (time, sequence) order of a
  // reference set, with ties, at -0.0 (which orders as +0.0), while the heap
  // grows and shrinks through the threshold.
  EventQueue<Ev> q;
  std::set<std::pair<double, std::uint64_t>> ref;
  Rng r(5, "branchless");
  std::uint64_t seq = 0, wrong = 0;
  double now = 0;
  auto push = [&](double t) {
    q.push(Ev{t, seq});
    ref.emplace(t == 0 ? 0.0 : t, seq++);
  };
  auto pop_check = [&] {
    const Ev got = q.pop();
    const auto want = *ref.begin();
    ref.erase(ref.begin());
    wrong += !(got.time == want.first) || got.seq != want.second;
    now = got.time;
  };
  for (int i = 0; i < 40; ++i) push(i % 2 ? -0.0 : 0.0);
  for (int round = 0; round < 6; ++round) {
    const std::size_t target = round % 2 ? 20 : 1000;  // through 128 each way
    for (int i = 0; i < 20'000; ++i) {
      if (ref.size() < target) push(now + (r.below(4) == 0 ? 0.0 : r.exponential(0.001)));
      if (ref.size() > target / 2 || r.below(2)) pop_check();
      push(now + std::floor(r.exponential(0.002) * 1e4) / 1e4);  // equal times
      pop_check();
    }
  }
  while (!ref.empty()) pop_check();
  CHECK(wrong == 0);
  CHECK(q.empty());
}

TEST_CASE("random streams depend on seed and name only") {
  Rng a(42, "db"), b(42, "db"), c(42, "api"), d(43, "db");
  bool differ_name = false, differ_seed = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next();
    CHECK(x == b.next());
    differ_name |= x != c.next();
    differ_seed |= x != d.next();
  }
  CHECK(differ_name);
  CHECK(differ_seed);
  // Pinned values: a change to the generator or the seeding (which would
  // change every published result) shows up here.
  Rng p(1, "server");
  CHECK(p.next() == 10255460950231943733ull);
  CHECK(p.next() == 17188501300448710850ull);
}

TEST_CASE("samplers have the right means") {
  Rng r(5, "s");
  auto mean_of = [&](const char* text) {
    Sampler s(*parse_distribution(text));
    double sum = 0;
    const int n = 400000;
    for (int i = 0; i < n; ++i) sum += s(r);
    return sum / n;
  };
  CHECK(mean_of("exp(10ms)") == Rel(0.010).epsilon(0.01));
  CHECK(mean_of("uniform(2ms, 4ms)") == Rel(0.003).epsilon(0.01));
  CHECK(mean_of("erlang(4, 8ms)") == Rel(0.008).epsilon(0.01));
  CHECK(mean_of("pareto(1ms, 3)") == Rel(0.0015).epsilon(0.02));
  // lognormal(median, p99): mean = median * exp(sigma^2 / 2), sigma = ln(p99/median) / z_0.99.
  const double sigma = std::log(20.0 / 3.0) / 2.3263478740408408;
  CHECK(mean_of("lognormal(median: 3ms, p99: 20ms)") ==
        Rel(0.003 * std::exp(sigma * sigma / 2)).epsilon(0.02));
  CHECK(mean_of("const(7ms)") == Rel(0.007));
  // 400,000 draws: the standard error of the exponential's mean is 0.16%, so
  // 1% is six standard errors; a mean 5% off must fail the same check.
  CHECK_FALSE(mean_of("exp(10.5ms)") == Rel(0.010, 0.01));
  CHECK_FALSE(mean_of("uniform(2ms, 4.3ms)") == Rel(0.003, 0.01));
}

TEST_CASE("histogram quantiles are within 1% of the exact order statistic") {
  Rng r(9, "h");
  std::vector<double> xs;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    const double x = r.exponential(0.05) + 1e-6;
    xs.push_back(x);
    h.record(x);
  }
  std::sort(xs.begin(), xs.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double exact = xs[static_cast<std::size_t>(std::ceil(q * xs.size())) - 1];
    CHECK(h.quantile(q) == Rel(exact).epsilon(0.01));
  }
  CHECK(h.quantile(1.0) == xs.back());
  // Merging two halves gives the same answer as one histogram.
  Histogram a, b;
  for (std::size_t i = 0; i < xs.size(); ++i) (i % 2 ? a : b).record(xs[i]);
  a.merge(b);
  CHECK(a.count() == h.count());
  CHECK(a.quantile(0.99) == h.quantile(0.99));
}

TEST_CASE("histogram buckets recorded but not yet counted are seen by quantiles, merges, copies and clears") {
  // Histogram::record counts buckets in batches (of 16): every reader must
  // see the last few values. Five values: none of them counted yet.
  Histogram h;
  for (double x : {0.001, 0.002, 0.004, 0.008, 0.016}) h.record(x);
  CHECK(h.quantile(0.2) == Rel(0.001).epsilon(0.01));
  CHECK(h.quantile(0.6) == Rel(0.004).epsilon(0.01));
  const Histogram copy = h;
  CHECK(copy.quantile(0.4) == Rel(0.002).epsilon(0.01));
  // A merge of two histograms with values pending on both sides.
  Histogram a, b;
  for (int i = 0; i < 3; ++i) a.record(0.1);
  for (int i = 0; i < 7; ++i) b.record(1.0);
  a.merge(b);
  CHECK(a.count() == 10);
  CHECK(a.quantile(0.3) == Rel(0.1).epsilon(0.01));
  CHECK(a.quantile(0.4) == Rel(1.0).epsilon(0.01));
  // A clear forgets the pending values too: only what follows is counted.
  h.clear();
  for (int i = 0; i < 3; ++i) h.record(0.5);
  CHECK(h.quantile(0.01) == Rel(0.5).epsilon(0.01));
  CHECK(h.quantile(0.99) == Rel(0.5).epsilon(0.01));
}

TEST_CASE("a histogram's quantiles do not depend on the order its octaves were first seen in") {
  // Histogram keeps counts only for the octaves between the smallest and
  // the largest value seen, widening that window downwards or upwards as
  // values come: ascending, descending and interleaved orders widen it in
  // different steps, and must count every bucket the same.
  Rng r(3, "window");
  std::vector<double> xs;
  for (int i = 0; i < 5000; ++i) xs.push_back(std::exp(r.uniform() * 38.0 - 23.0));  // ~1e-10 .. 3e6 s
  xs.push_back(1e-30);  // below the table: its first bucket
  xs.push_back(1e30);   // above it: its last
  std::vector<double> up = xs, down = xs;
  std::sort(up.begin(), up.end());
  std::sort(down.rbegin(), down.rend());
  Histogram h_up, h_down, h_mixed, a, b;
  for (double x : up) h_up.record(x);
  for (double x : down) h_down.record(x);
  for (double x : xs) h_mixed.record(x);
  // A merge of two windows that do not overlap: a holds the small half, b the large.
  for (std::size_t i = 0; i < up.size(); ++i) (i < up.size() / 2 ? a : b).record(up[i]);
  b.merge(a);
  for (double q : {0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999}) {
    const double exact = up[static_cast<std::size_t>(std::ceil(q * static_cast<double>(up.size()))) - 1];
    CHECK(h_up.quantile(q) == Rel(exact).epsilon(0.01));
    CHECK(h_down.quantile(q) == h_up.quantile(q));
    CHECK(h_mixed.quantile(q) == h_up.quantile(q));
    CHECK(b.quantile(q) == h_up.quantile(q));
  }
  // After a clear, values outside the old window widen it again.
  h_down.clear();
  for (double x : {1e-3, 2e-3, 1e-9, 4e5}) h_down.record(x);
  CHECK(h_down.quantile(0.25) == Rel(1e-9).epsilon(0.01));
  CHECK(h_down.quantile(0.5) == Rel(1e-3).epsilon(0.01));
  CHECK(h_down.quantile(0.75) == Rel(2e-3).epsilon(0.01));
}

TEST_CASE("same file and seed give byte-identical JSON and timeline") {
  const std::string path = std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/nested_call.yaml";
  LoadOptions o;
  o.duration = 120;
  auto once = [&](std::string* timeline) {
    const ScenarioSpec spec = load_scenario(path, o);
    Simulation sim(spec);
    std::ostringstream tl;
    TimelineWriter w(tl, sim);
    sim.add_observer(&w);
    const RunResult& r = sim.run();
    *timeline = tl.str();
    return to_json_deterministic(r).dump();
  };
  std::string t1, t2;
  const std::string a = once(&t1), b = once(&t2);
  CHECK(a == b);
  CHECK(t1 == t2);
  CHECK(t1.size() > 1000);
  // A different seed gives a different run.
  o.seed = 99;
  std::string t3;
  CHECK(once(&t3) != a);
}

TEST_CASE("memory follows requests in flight, not requests simulated") {
  const std::string path = std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/mm1.yaml";
  LoadOptions o;
  o.duration = 600;
  const ScenarioSpec spec = load_scenario(path, o);
  Simulation sim(spec);
  sim.run_until(300);
  // The job pool grows in chunks of 1,024 jobs. At rho = 0.8 a few requests
  // are in flight (mean 4), so one chunk holds them all; the second half of
  // the run, 24,000 more requests, must not grow it.
  const std::size_t half = sim.job_pool_capacity();
  const RunResult& r = sim.run();
  CHECK(r.started > 40000);
  CHECK(r.in_flight < 200);
  CHECK(half >= 1);
  CHECK(half <= 1024);
  CHECK(sim.job_pool_capacity() == half);
  // The check can fail: an overloaded server (rho = 2) keeps its backlog in
  // flight, and the pool grows with it, far beyond one chunk.
  ScenarioSpec overload = spec;
  overload.traffic[0].rate = 200;
  Simulation big(overload);
  big.run_until(300);
  const std::size_t backlog = big.job_pool_capacity();
  CHECK(backlog > 10 * 1024);
  big.run();
  CHECK(big.job_pool_capacity() > backlog);
}

TEST_CASE("a queued request holds one job when its source's call needs no timer") {
  // One worker whose service takes ~1,000 s: every request after the first
  // waits to the end. Without a client timeout (nor retry, hedge, breaker)
  // the source keeps no job of its own (Kernel::start_request): each
  // request in flight is its visit's job alone. With a timeout that never
  // fires, the source's job waits too: two jobs per request, and the same
  // results (the lean path changes memory, not the simulation).
  const auto pile = [](const std::string& timeout) {
    return load_scenario_text(R"(
name: pile-up
seed: 7
duration: 20s
traffic:
  - {name: clients, to: sink, rate: 1000/s)" +
                                  timeout + R"(}
components:
  sink:
    kind: service
    workers: 1
    service_time: exp(1000s)
)",
                              "pile-up.yaml");
  };
  Simulation lean(pile(""));
  const RunResult& a = lean.run();
  Simulation full(pile(", timeout: 100000s"));
  const RunResult& b = full.run();
  REQUIRE(a.started > 19000);
  CHECK(a.in_flight + a.completed == a.started);
  // The pool grows in chunks of 1,024 jobs: one job per request in flight.
  CHECK(lean.job_pool_capacity() >= a.in_flight);
  CHECK(lean.job_pool_capacity() <= a.in_flight + 1024);
  CHECK(full.job_pool_capacity() >= 2 * b.in_flight);
  CHECK(b.started == a.started);
  CHECK(b.completed == a.completed);
  CHECK(b.in_flight == a.in_flight);
  CHECK(b.latency.count == a.latency.count);
  CHECK(b.latency.p99 == a.latency.p99);
  CHECK(b.in_flight_mean == a.in_flight_mean);
}

TEST_CASE("a full queue rejects and a client timeout abandons") {
  const ScenarioSpec spec = load_scenario_text(R"(
name: overload
duration: 200s
traffic:
  - {name: c, to: s, rate: 200/s, timeout: 100ms}
components:
  s:
    kind: service
    workers: 1
    queue: 5
    service_time: const(10ms)
)",
                                               "overload.yaml");
  const RunResult r = simulate(spec);
  // Offered 200/s to a server of 100/s: about half is turned away or times out.
  CHECK(r.errors.count("rejected") == 1);
  CHECK(r.throughput_rps == Rel(100.0).epsilon(0.02));
  // With 5 waiting at most, the wait is at most 50 ms + 10 ms service < 100 ms: no timeouts.
  CHECK(r.errors.count("timeout") == 0);
  CHECK(r.latency.max <= 0.0601);
}

TEST_CASE("client timeouts fire when service is slow, and the work is still spent") {
  const ScenarioSpec spec = load_scenario_text(R"(
name: slow
duration: 100s
traffic:
  - {name: c, to: s, rate: 60/s, timeout: 15ms}
components:
  s:
    kind: service
    workers: 1
    service_time: const(20ms)
)",
                                               "slow.yaml");
  const RunResult r = simulate(spec);
  CHECK(r.completed == 0);
  CHECK(r.errors.at("timeout") == r.failed);
  // The server keeps working on abandoned requests: it is saturated.
  CHECK(r.components[0].utilization > 0.99);
}
