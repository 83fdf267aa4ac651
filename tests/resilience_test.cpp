// Failure and resilience: the schema of the resilience keys and of the fault
// timeline, then each pattern in a whole simulation, checked against its
// configuration (breaker and autoscaler timings), an exact count (a token
// bucket admits rate x time + burst; every retry of a non-idempotent call is
// one duplicate) or the behaviour it exists for (a retry storm stays down,
// a retry budget or load shedding recovers). Each scenario is a file under
// examples/resilience/ (black-friday is in scenarios/).
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analysis/call_graph.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::test;

namespace {

std::string source(const std::string& relative) { return std::string(ARCHSIM_SOURCE_DIR) + "/" + relative; }
std::string example(const std::string& name) { return source("examples/resilience/" + name); }

// Keeps every tick: the per-second story of a run.
struct Recorder : Observer {
  std::vector<Tick> ticks;
  void on_tick(const Tick& t) override { ticks.push_back(t); }
};

struct Run {
  ScenarioSpec spec;
  RunResult result;
  std::vector<Tick> ticks;

  int index(const std::string& name) const {
    const int i = spec.find(name);
    REQUIRE_MESSAGE(i >= 0, "no component " << name);
    return i;
  }
  const ComponentResult& comp(const std::string& name) const {
    return result.components[static_cast<std::size_t>(index(name))];
  }
  /// Successful end-to-end completions per second over the ticks ending in (from, to].
  double goodput(double from, double to) const {
    double n = 0;
    for (const Tick& t : ticks)
      if (t.t > from + 1e-9 && t.t <= to + 1e-9) n += t.completed;
    return n / (to - from);
  }
  /// A per-tick figure of a component, or nullopt when it has none that tick.
  std::optional<double> figure(const Tick& t, const std::string& comp, const std::string& name) const {
    for (const Figure& f : t.components[static_cast<std::size_t>(index(comp))].figures)
      if (f.name == name) return f.value;
    return std::nullopt;
  }
  std::vector<Note> notes(const std::string& kind) const {
    std::vector<Note> out;
    for (const Note& n : result.notes)
      if (n.kind == kind) out.push_back(n);
    return out;
  }
};

Run simulate_spec(ScenarioSpec spec) {
  Run run;
  run.spec = std::move(spec);
  Simulation sim(run.spec);
  Recorder rec;
  sim.add_observer(&rec);
  run.result = sim.run();
  run.ticks = std::move(rec.ticks);
  return run;
}

Run run_file(const std::string& path, const LoadOptions& opt = {}) {
  return simulate_spec(load_scenario(path, opt));
}

}  // namespace

// ---------------------------------------------------------------------------
// The schema

TEST_CASE("resilience keys of services and balancers are read into their specs") {
  const ScenarioSpec s = load_scenario_text(R"(
traffic: [{name: users, to: edge, rate: 100/s}]
components:
  edge:
    kind: load_balancer
    to: {v1: 90, v2: 10}
    rate_limit: {rate: 1000/s, burst: 100}
    health_check: {interval: 2s, failures: 2, successes: 3}
  v1:
    kind: service
    replicas: 4
    workers: 16
    steps: [{work: 1ms}, {call: db}]
    queue_policy: adaptive_lifo
    queue_deadline: 500ms
    concurrency_limit: {target_latency: 100ms, min: 4, max: 256, initial: 32}
    rate_limit: {rate: 50/s, kind: sliding_window, window: 10s}
    bulkheads: {db: 8}
    autoscale: {min: 2, max: 20, target_utilization: 70%, interval: 15s, cooldown: 2m, provision: 60s}
    idempotent: false
  v2:
    kind: service
    service_time: 1ms
    autoscale: {min: 3, max: 5, target_queue: 10}
  db:
    kind: service
    service_time: 1ms
)",
                                            "t.yaml");
  const LoadBalancerSpec& lb = *s.components[0].load_balancer();
  REQUIRE(lb.targets.size() == 2);
  CHECK(lb.targets[0] == std::pair<std::string, double>{"v1", 90});
  CHECK(lb.targets[1] == std::pair<std::string, double>{"v2", 10});
  CHECK(lb.to == "v1");  // the first target, for code that knows one
  CHECK(lb.to_mark == lb.target_marks[0]);
  REQUIRE(lb.rate_limit);
  CHECK(lb.rate_limit->kind == RateLimitSpec::Kind::TokenBucket);
  CHECK(lb.rate_limit->rate == 1000);
  CHECK(lb.rate_limit->burst == 100);
  REQUIRE(lb.health_check);
  CHECK(lb.health_check->interval == 2);
  CHECK(lb.health_check->failures == 2);
  CHECK(lb.health_check->successes == 3);

  const ServiceSpec& v1 = *s.components[1].service();
  CHECK(v1.queue_policy == QueuePolicy::AdaptiveLifo);
  CHECK(v1.queue_deadline == Rel(0.5));
  REQUIRE(v1.concurrency_limit);
  CHECK(v1.concurrency_limit->target_latency == Rel(0.1));
  CHECK(v1.concurrency_limit->min == 4);
  CHECK(v1.concurrency_limit->max == 256);
  CHECK(v1.concurrency_limit->initial == 32);
  REQUIRE(v1.rate_limit);
  CHECK(v1.rate_limit->kind == RateLimitSpec::Kind::SlidingWindow);
  CHECK(v1.rate_limit->window == 10);
  REQUIRE(v1.bulkheads.size() == 1);
  CHECK(v1.bulkheads[0].target == "db");
  CHECK(v1.bulkheads[0].permits == 8);
  REQUIRE(v1.autoscale);
  CHECK(v1.autoscale->min == 2);
  CHECK(v1.autoscale->max == 20);
  CHECK(v1.autoscale->target_utilization == Rel(0.7));
  CHECK_FALSE(v1.autoscale->target_queue);
  CHECK(v1.autoscale->interval == 15);
  CHECK(v1.autoscale->cooldown == 120);
  CHECK(v1.autoscale->provision == 60);
  CHECK(v1.replicas == 4);
  CHECK_FALSE(v1.idempotent);

  const ServiceSpec& v2 = *s.components[2].service();
  CHECK(v2.autoscale->target_queue == 10);
  CHECK(v2.replicas == 3);  // no `replicas`: an autoscaled service starts at its minimum
  CHECK(v2.idempotent);
  CHECK(v2.queue_policy == QueuePolicy::Fifo);

  // The call graph splits the balancer's visits by weight.
  const CallGraph g(s);
  const auto visits = g.visits_per_request(0);
  REQUIRE(visits);
  CHECK((*visits)[1] == Rel(0.9));
  CHECK((*visits)[2] == Rel(0.1));
  CHECK((*visits)[3] == Rel(0.9));  // db, called by v1
}

TEST_CASE("faults: every kind is read, and the timeline is sorted by time") {
  const ScenarioSpec s = load_scenario_text(R"(
traffic: [{name: shoppers, to: edge, rate: 100/s}]
components:
  edge: {kind: load_balancer, to: {v1: 100, v2: 0}}
  v1:
    kind: service
    replicas: 4
    steps: [{work: 1ms}, {call: db}, {call: cache}]
  v2: {kind: service, service_time: 1ms}
  db: {kind: database, pool: 10, queries: {read: 2ms}}
  cache: {kind: cache, hit_ratio: 80%}
faults:
  - {at: 9m, spike: shoppers, x: 3, for: 30s}
  - {at: 1m, kill: v1, replicas: 2, for: 30s}
  - {at: 2m, restart: v1, replicas: 1, restart_time: 20s}
  - {at: 3m, slow: db, x: 3, add: 50ms}
  - {at: 4m, errors: v1, p: 20%}
  - {at: 1m, partition: [v1, db], for: 10s}
  - {at: 5m, flush: cache}
  - {at: 5m, exhaust_pool: db, for: 1m}
  - {at: 6m, leak: v1, every: 10m, restart_time: 45s}
  - {at: 7m, deploy: v1, batch: 2, restart_time: 30s}
  - {at: 8m, scale: v1, replicas: 10}
  - {at: 8m, pool: db, size: 50}
  - {at: 8m, rate_limit: edge, rate: 1000/s, burst: 10}
  - {at: 8m, breaker: v1, consecutive: 5, open_for: 10s}
  - {at: 8m, shift: edge, weights: {v1: 50, v2: 50}}
)",
                                            "t.yaml");
  using K = FaultSpec::Kind;
  REQUIRE(s.faults.size() == 15);
  for (std::size_t i = 1; i < s.faults.size(); ++i) CHECK(s.faults[i - 1].at <= s.faults[i].at);
  // Equal times keep the order of the file (a stable sort).
  CHECK(s.faults[0].kind == K::Kill);
  CHECK(s.faults[1].kind == K::Partition);
  CHECK(s.faults.back().kind == K::Spike);
  const auto find = [&](K k) -> const FaultSpec& {
    for (const FaultSpec& f : s.faults)
      if (f.kind == k) return f;
    FAIL("no fault of kind " << name_of(k));
    return s.faults.front();
  };
  CHECK(find(K::Kill).replicas == 2);
  CHECK(find(K::Kill).duration == 30);
  CHECK(find(K::Kill).at == 60);
  CHECK(find(K::Restart).restart_time == 20);
  CHECK_FALSE(find(K::Restart).duration);
  CHECK(find(K::Slow).x == 3);
  CHECK(find(K::Slow).add == Rel(0.05));
  CHECK(find(K::Errors).p == Rel(0.2));
  CHECK(find(K::Partition).target == "v1");
  CHECK(find(K::Partition).other == "db");
  CHECK(find(K::Flush).target == "cache");
  CHECK(find(K::ExhaustPool).duration == 60);
  CHECK(find(K::Leak).every == 600);
  CHECK(find(K::Leak).restart_time == 45);
  CHECK(find(K::Deploy).batch == 2);
  CHECK(find(K::Scale).replicas == 10);
  CHECK(find(K::Pool).size == 50);
  REQUIRE(find(K::RateLimit).rate_limit);
  CHECK(find(K::RateLimit).rate_limit->rate == 1000);
  CHECK(find(K::RateLimit).rate_limit->burst == 10);
  REQUIRE(find(K::Breaker).breaker);
  CHECK(find(K::Breaker).breaker->consecutive == 5);
  CHECK(find(K::Breaker).breaker->open_for == 10);
  REQUIRE(find(K::Shift).weights.size() == 2);
  CHECK(find(K::Shift).weights[1] == std::pair<std::string, double>{"v2", 50});
  CHECK(find(K::Spike).x == 3);
  CHECK(find(K::Spike).target == "shoppers");
  // Every kind has a name, and it is the key that names it in the file.
  for (const std::string_view n : all_names<FaultSpec::Kind>())
    CHECK(name_of(*from_name<FaultSpec::Kind>(n)) == n);
}

TEST_CASE("faults from the problem and the design's operator actions make one timeline") {
  // load_scenario_text reads the design named by LoadOptions::design_text.
  LoadOptions opt;
  opt.design = "d.yaml";
  opt.design_text = R"(
components:
  api: {kind: service, service_time: 1ms}
faults:
  - {at: 90s, scale: api, replicas: 3}
)";
  const ScenarioSpec s = load_scenario_text(R"(
traffic: [{name: users, to: api, rate: 10/s}]
faults:
  - {at: 2m, kill: api}
  - {at: 1m, spike: users, x: 2}
)",
                                            "p.yaml", opt);
  REQUIRE(s.faults.size() == 3);
  CHECK(s.faults[0].kind == FaultSpec::Kind::Spike);
  CHECK(s.faults[1].kind == FaultSpec::Kind::Scale);
  CHECK(s.faults[1].mark.file == 1);  // from the design
  CHECK(s.faults[2].kind == FaultSpec::Kind::Kill);
}

TEST_CASE("fault and resilience mistakes are reported where they are written") {
  const std::string base = R"(
traffic: [{name: users, to: edge, rate: 10/s}]
components:
  edge: {kind: load_balancer, to: {a: 1, b: 1}}
  a: {kind: service, service_time: 1ms}
  b: {kind: service, service_time: 1ms}
)";
  CHECK(test::load_errors(base + "faults:\n  - {at: 1m, shift: edge, weights: {a: 1, c: 1}}\n") ==
        "t.yaml:8:43: error: 'c' is not a target of balancer 'edge': did you mean 'a'?");
  CHECK(test::load_errors(base + "faults:\n  - {at: 1m, kill: a, slow: b}\n") ==
        "t.yaml:8:23: error: a fault is either 'kill' or 'slow', not both: make them two entries");
  CHECK(test::load_errors(base + "faults:\n  - {at: 1m, partition: [a, b]}\n") ==
        "t.yaml:8:5: error: the 'partition' fault at 1m: neither 'a' nor 'b' sends to the other, so cutting "
        "them "
        "apart changes nothing");
  CHECK(test::load_errors(base + "faults:\n  - {kill: a}\n") ==
        "t.yaml:8:5: error: missing required key 'at' in fault 1 (kill)");
  CHECK(test::load_errors(base + "faults:\n  - {at: 1m, kill: users}\n") ==
        "t.yaml:8:20: error: 'users' is a traffic source: 'kill' applies to a component ('spike' changes the "
        "rate "
        "of a traffic source)");
  CHECK(test::load_errors(base + "faults:\n  - {at: 1m, flush: a, for: 10s}\n") ==
        "t.yaml:8:21: error: 'flush' applies to a cache or a cdn; 'a' is a service\n"
        "t.yaml:8:24: error: 'for' does not apply to flush: a flush happens at once");
  CHECK(test::load_errors(R"(
traffic: [{name: people, to: a, users: 10, think: 1s}]
components:
  a: {kind: service, service_time: 1ms}
faults:
  - {at: 1m, spike: people, x: 2}
)") == "t.yaml:6:21: error: 'spike' multiplies the rate of an open-loop source; 'people' is a closed loop of "
       "10 users "
       "(their think time sets its rate)");
  // A balancer's weighted target that does not exist.
  CHECK(test::load_errors(R"(
traffic: [{name: users, to: edge, rate: 10/s}]
components:
  edge: {kind: load_balancer, to: {a: 1, bb: 1}}
  a: {kind: service, service_time: 1ms}
  b: {kind: service, service_time: 1ms}
)") == "t.yaml:4:42: error: unknown component 'bb' in 'to' of load balancer 'edge': did you mean 'b'?");
}

// ---------------------------------------------------------------------------
// Metastable failure: a retry storm, and two ways out

namespace {
constexpr double kOffered = 700;  // requests/s of the users (70% of the API's 1000/s)
constexpr double kSpikeEnd = 90;  // the 2x spike runs from 60 s to 90 s

// The end of the first tick after the spike from which goodput stays above
// 90% of the offered rate (each tick, and on average over the next 30 s);
// -1 if it never does.
double recovered_at(const Run& run) {
  for (const Tick& t : run.ticks) {
    if (t.t <= kSpikeEnd || t.completed < 0.9 * kOffered) continue;
    if (t.t + 30 > run.spec.duration) break;
    if (run.goodput(t.t - 1, t.t + 30) >= 0.9 * kOffered) return t.t;
  }
  return -1;
}
}  // namespace

TEST_CASE("metastable failure: after a 30 s spike, client retries keep the API down") {
  const Run run = run_file(example("retry_storm.yaml"));
  // Healthy at 70% load before the spike.
  CHECK(run.goodput(10, 60) >= 0.95 * kOffered);
  // Down for good after it: nothing succeeds in the last minute, although
  // the users are back to their normal rate ...
  const double end = run.spec.duration;
  MESSAGE("goodput before the spike " << run.goodput(10, 60) << "/s, in the last minute "
                                      << run.goodput(end - 60, end) << "/s");
  CHECK(run.goodput(end - 60, end) <= 0.02 * kOffered);
  CHECK(recovered_at(run) < 0);
  // ... because the API is busy all the time with requests whose clients have
  // already given up: it completes as many visits as it can serve.
  double api_done = 0, api_busy = 0;
  int n = 0;
  for (const Tick& t : run.ticks)
    if (t.t > end - 60) {
      api_done += t.components[0].completed;
      api_busy += t.components[0].utilization;
      ++n;
    }
  CHECK(api_busy / n >= 0.98);
  CHECK(api_done / 60 >= 0.95 * 1000);
  CHECK(run.result.errors.count("timeout"));
}

TEST_CASE("metastable failure: a retry budget with jittered exponential backoff recovers in bounded time") {
  const Run run = run_file(example("retry_budget.yaml"));
  CHECK(run.goodput(10, 60) >= 0.95 * kOffered);
  const double back = recovered_at(run);
  MESSAGE("goodput back above 90% at " << back << " s, " << back - kSpikeEnd << " s after the spike");
  // The backlog of the spike (about 0.54 x 1000/s x 30 s of work) drains at
  // 1000 - 770 requests/s: about 70 s, then waits fall under the timeout.
  CHECK(back > kSpikeEnd);
  CHECK(back - kSpikeEnd <= 120);
  const double end = run.spec.duration;
  CHECK(run.goodput(end - 60, end) >= 0.95 * kOffered);
  CHECK_FALSE(has_figure(run.comp("api"), "shed"));  // no shedding here: the budget alone does it
}

// A replica's waiting line is linked through the jobs (model/replica_set.hpp,
// WaitLine): LIFO takes the newest from its back. M/M/1, rho = 0.8: the
// waiting time has the same mean under FIFO and non-preemptive LIFO (the
// order does not change the work, Wq = rho / (mu - lambda)), FIFO's tail is
// P(Wq > t) = rho e^-(mu - lambda) t, and LIFO's is far longer (its second
// moment is 1 / (1 - rho) = 5 times FIFO's; Kleinrock, Queueing Systems I).
TEST_CASE("queue_policy lifo: M/M/1 waits keep FIFO's mean, rho/(mu - lambda), with a longer tail") {
  const double lambda = 80, mu = 100, rho = lambda / mu;
  auto wait_of = [](const std::string& policy) {
    const Run run = simulate_spec(load_scenario_text(
        "seed: 7\nduration: 4000s\nwarmup: 100s\ntraffic: [{name: u, to: s, rate: 80/s}]\n"
        "components:\n  s: {kind: service, workers: 1, service_time: exp(10ms), queue_policy: " +
            policy + "}\n",
        "t.yaml"));
    return run.comp("s").wait;
  };
  const LatencyStats fifo = wait_of("fifo"), lifo = wait_of("lifo");
  const double wq = rho / (mu - lambda);                         // 40 ms
  const double fifo_p99 = std::log(rho / 0.01) / (mu - lambda);  // 219 ms
  CHECK(fifo.mean == Rel(wq, 0.08));
  CHECK(lifo.mean == Rel(wq, 0.08));
  CHECK(fifo.p99 == Rel(fifo_p99, 0.08));
  CHECK(lifo.p99 > 1.5 * fifo.p99);
  CHECK(lifo.count == Rel(static_cast<double>(fifo.count), 0.02));
}

TEST_CASE("metastable failure: load shedding (a queue deadline) recovers as soon as the spike is over") {
  const Run run = run_file(example("load_shedding.yaml"));
  CHECK(run.goodput(10, 60) >= 0.95 * kOffered);
  const double back = recovered_at(run);
  MESSAGE("goodput back above 90% at " << back << " s, " << back - kSpikeEnd << " s after the spike");
  CHECK(back > kSpikeEnd);
  CHECK(back - kSpikeEnd <= 10);
  // During the spike the API still serves at capacity, every request useful.
  CHECK(run.goodput(65, 90) >= 0.9 * 1000);
  CHECK(figure(run.comp("api"), "shed") > 0);
  const double end = run.spec.duration;
  CHECK(run.goodput(end - 60, end) >= 0.95 * kOffered);
}

// ---------------------------------------------------------------------------
// Circuit breaker

TEST_CASE(
    "circuit breaker: opens on failures, short-circuits while open, half-opens after open_for, closes") {
  const Run run = run_file(example("circuit_breaker.yaml"));
  const BreakerSpec& cfg = *run.spec.components[0].service()->steps[1].call.breaker;
  const double fault_from = run.spec.faults[0].at, fault_to = fault_from + *run.spec.faults[0].duration;
  const std::vector<Note> notes = run.notes("breaker");
  REQUIRE(notes.size() >= 4);
  std::string seq;
  for (const Note& n : notes) {
    seq += (seq.empty() ? "" : " ") + n.what;
    CHECK(n.target == "api");
    CHECK(n.detail == "calls to db");
  }
  // Open during the fault; each half-open finds the database still failing
  // and trips again, until the first half-open after the fault closes it.
  CHECK(seq == "open half_open open half_open open half_open closed");

  // Opens after `consecutive` failures: at 200 calls/s, within a few tens of ms.
  CHECK(notes[0].what == "open");
  CHECK(notes[0].t >= fault_from);
  CHECK(notes[0].t - fault_from <= 0.1);
  for (std::size_t i = 0; i + 1 < notes.size(); ++i) {
    if (notes[i].what == "open") {
      // Half-open exactly `open_for` later (at the first call after it).
      CHECK(notes[i + 1].what == "half_open");
      CHECK(notes[i + 1].t - notes[i].t >= cfg.open_for);
      CHECK(notes[i + 1].t - notes[i].t <= cfg.open_for + 0.05);
    } else if (notes[i].what == "half_open") {
      // The probes decide within a query's time.
      CHECK(notes[i + 1].t - notes[i].t <= 0.1);
      CHECK((notes[i + 1].what == "closed") == (notes[i].t >= fault_to));
    }
  }
  CHECK(notes.back().what == "closed");
  CHECK(notes.back().t >= fault_to);
  CHECK(notes.back().t <= fault_to + cfg.open_for + 0.1);

  // While open, the database sees no calls and the callers fail at once.
  int open_ticks = 0;
  for (std::size_t i = 0; i + 1 < notes.size(); ++i) {
    if (notes[i].what != "open") continue;
    for (const Tick& t : run.ticks) {
      if (t.t - t.dt < notes[i].t || t.t > notes[i + 1].t) continue;
      ++open_ticks;
      CHECK(t.components[static_cast<std::size_t>(run.index("db"))].arrivals == 0);
      CHECK(t.errors.count("circuit_open"));
      CHECK(run.figure(t, "api", "breaker_db") == 1.0);  // Breaker::State::Open
    }
  }
  CHECK(open_ticks >= 3 * (static_cast<int>(cfg.open_for) - 1));
  // Closed again: traffic flows and succeeds.
  CHECK(run.goodput(notes.back().t + 1, run.spec.duration) >= 0.95 * 200);
  CHECK(figure(run.comp("api"), "breaker_opened") == 3);
  CHECK(figure(run.comp("api"), "breaker_refused") > 0);
}

// ---------------------------------------------------------------------------
// Autoscaling

TEST_CASE("autoscaling: a ramp is met after the evaluation interval plus the provisioning delay") {
  const Run run = run_file(example("autoscale.yaml"));
  const AutoscaleSpec& a = *run.spec.components[0].service()->autoscale;
  const double ramp_at = run.spec.traffic[0].profile[0].at;
  const std::vector<Note> notes = run.notes("autoscale");
  REQUIRE(notes.size() == 2);
  // Evaluations run every `interval` from the start; the first one that sees
  // the ramp asks for ceil(2 x 80% / 60%) = 3 replicas ...
  const double decided = std::ceil((ramp_at + 1e-9) / a.interval) * a.interval;
  CHECK(notes[0].what == "scale");
  CHECK(notes[0].t == Rel(decided));
  CHECK(notes[0].detail == "2 -> 3 replicas");
  // ... which serves `provision` later.
  CHECK(notes[1].what == "ready");
  CHECK(notes[1].t == Rel(decided + a.provision));
  CHECK(notes[1].t - ramp_at <= a.interval + a.provision);

  // The replicas serving, tick by tick: 2 until the new one is ready, then 3.
  int checked = 0;
  for (const Tick& t : run.ticks) {
    const auto replicas = run.figure(t, "api", "replicas");
    REQUIRE(replicas);
    if (t.t < decided + a.provision) CHECK(*replicas == 2);
    if (t.t >= decided + a.provision + 1) CHECK(*replicas == 3);
    ++checked;
  }
  CHECK(checked == static_cast<int>(run.spec.duration));
  // At 3 replicas the utilisation is back at the target: 1800 / 3000.
  double util = 0;
  int n = 0;
  for (const Tick& t : run.ticks)
    if (t.t > decided + a.provision + 10) {
      util += t.components[0].utilization;
      ++n;
    }
  CHECK(util / n == Rel(*a.target_utilization).epsilon(0.05));
  CHECK(figure(run.comp("api"), "replicas_at_end") == 3);
}

// ---------------------------------------------------------------------------
// Rate limits

TEST_CASE("a token bucket admits exactly its rate over a long window, plus its burst") {
  const Run run = run_file(example("token_bucket.yaml"));
  const RateLimitSpec& rl = *run.spec.components[0].load_balancer()->rate_limit;
  const double admitted = static_cast<double>(run.comp("api").arrivals);
  const double expected = rl.rate * run.spec.duration + rl.burst;
  MESSAGE("admitted " << admitted << " of " << run.comp("edge").arrivals
                      << " (rate x duration + burst = " << expected << ")");
  CHECK(std::fabs(admitted - expected) <= 0.005 * expected);
  CHECK(admitted <= expected);
  // The rest failed at once, as rate_limited, at the balancer.
  const auto& edge = run.comp("edge");
  CHECK(edge.errors.at("rate_limited") == edge.arrivals - run.comp("api").arrivals);
  CHECK(run.result.errors.at("rate_limited") == edge.errors.at("rate_limited"));

  SUBCASE("a sliding window admits rate x window in every window") {
    ScenarioSpec spec = run.spec;
    RateLimitSpec& sw = *spec.components[0].load_balancer()->rate_limit;
    sw.kind = RateLimitSpec::Kind::SlidingWindow;
    sw.window = 1;
    const Run s = simulate_spec(spec);
    const double in = static_cast<double>(s.comp("api").arrivals);
    MESSAGE("sliding window admitted " << in);
    CHECK(std::fabs(in - sw.rate * spec.duration) <= 0.01 * sw.rate * spec.duration);
    for (const Tick& t : s.ticks) CHECK(t.components[1].arrivals <= sw.rate * 1.05);
  }
}

TEST_CASE("an operator's rate limit with 'for:' gives way to the configured one when it ends") {
  const Run run = simulate_spec(load_scenario_text(R"(
duration: 40s
traffic: [{name: users, to: api, rate: 400/s}]
components:
  api:
    kind: service
    workers: 100
    service_time: 1ms
    rate_limit: {rate: 100/s, burst: 10}
faults:
  - {at: 10s, rate_limit: api, rate: 50/s, burst: 10, for: 10s}
)",
                                                   "rl.yaml"));
  CHECK(run.goodput(1, 10) == Rel(100).epsilon(0.03));
  CHECK(run.goodput(11, 20) == Rel(50).epsilon(0.03));
  CHECK(run.goodput(21, 40) == Rel(100).epsilon(0.03));
}

// ---------------------------------------------------------------------------
// Idempotency

TEST_CASE("payments: every retry of a non-idempotent call after a lost reply is a duplicate execution") {
  const Run run = run_file(example("payments.yaml"));
  const double retries = figure(run.comp("checkout"), "retries");
  const double duplicates = figure(run.comp("payments"), "duplicates");
  MESSAGE("retries " << retries << ", duplicate charges " << duplicates << " of "
                     << run.comp("payments").completed << " executions");
  REQUIRE(retries > 0);
  // Payments never fails: each retry (after a timeout) makes one more
  // execution of a request that already ran, or will. Only the attempts
  // still running at the end are not counted yet.
  CHECK(duplicates <= retries);
  CHECK(duplicates >= retries - 30);
  CHECK(static_cast<double>(run.comp("payments").completed) - duplicates <=
        static_cast<double>(run.result.started));

  SUBCASE("with idempotency keys there is nothing to count") {
    ScenarioSpec spec = run.spec;
    spec.components[1].service()->idempotent = true;
    const Run s = simulate_spec(spec);
    CHECK_FALSE(has_figure(s.comp("payments"), "duplicates"));
    CHECK(figure(s.comp("checkout"), "retries") == retries);  // the same random numbers, the same retries
  }
}

// ---------------------------------------------------------------------------
// Weighted targets, traffic shifts, health checks

TEST_CASE("blue-green: weights split the traffic, shifts move it, health checks eject a crashed replica") {
  const Run run = run_file(example("blue_green.yaml"));
  const std::size_t blue = static_cast<std::size_t>(run.index("blue")),
                    green = static_cast<std::size_t>(run.index("green"));
  const auto arrivals = [&](std::size_t c, double from, double to) {
    double n = 0;
    for (const Tick& t : run.ticks)
      if (t.t > from && t.t <= to) n += t.components[c].arrivals;
    return n;
  };
  // Before the first shift green has weight 0; then 10%; then everything.
  CHECK(arrivals(green, 0, 60) == 0);
  const double canary = arrivals(green, 60, 120) / (arrivals(green, 60, 120) + arrivals(blue, 60, 120));
  CHECK(canary == Rel(0.10).epsilon(0.1));
  CHECK(arrivals(blue, 121, 240) == 0);

  // A green replica crashes at 3m: the balancer sends it its share until two
  // checks (2 s apart) have failed, then no more; it returns when it is back.
  const HealthCheckSpec& hc = *run.spec.components[0].load_balancer()->health_check;
  const std::vector<Note> health = run.notes("health");
  REQUIRE(health.size() == 2);
  CHECK(health[0].what == "eject");
  // Probes every 2 s from the start: the one sent at 3m (the instant of the
  // crash) gets no answer, nor does the next; the second verdict comes when
  // its timeout (1 s, the default) runs out: 180 + (2 - 1) x 2 + 1 = 183 s.
  CHECK(hc.timeout == 1);
  CHECK(health[0].t == Rel(180 + (hc.failures - 1) * hc.interval + hc.timeout).epsilon(1e-9));
  CHECK(health[1].what == "return");
  CHECK(health[1].t >= 210);
  CHECK(health[1].t <= 210 + hc.successes * hc.interval);
  // Requests lost meanwhile: a quarter of 400/s, from the crash to the ejection.
  const double lost = static_cast<double>(run.result.errors.at("killed"));
  const double expected = 400.0 / 4 * (health[0].t - 180);
  CHECK(lost == Rel(expected).epsilon(0.15));
  CHECK(run.goodput(health[0].t + 1, 240) >= 0.97 * 400);
}

TEST_CASE("health checks detect a crash after the failed probes and the probe's timeout, not at the crash") {
  // Probes every 5 s (at 5, 10, ... s); a replica that does not answer fails
  // a probe when the probe's 2 s timeout runs out; 3 failures eject it. A
  // crash at 61.3 s is first probed at 65 s, then at 70 and 75 s: the third
  // failed probe ends at 75 + 2 = 77 s. In general: the first probe after
  // the crash + (failures - 1) x interval + timeout, between
  // (failures - 1) x interval + timeout and failures x interval + timeout
  // after the crash.
  const char* text = R"(
duration: 100s
traffic: [{name: users, to: lb, rate: 400/s}]
components:
  lb:
    kind: load_balancer
    to: api
    health_check: {interval: 5s, timeout: 2s, failures: 3, successes: 2}
  api: {kind: service, replicas: 4, workers: 8, service_time: const(5ms)}
faults:
  - {at: 61.3s, kill: api, replicas: 1, for: 20s}
)";
  const Run run = simulate_spec(load_scenario_text(text, "hc.yaml"));
  const std::vector<Note> health = run.notes("health");
  REQUIRE(health.size() == 2);
  CHECK(health[0].what == "eject");
  CHECK(health[0].t == Rel(77.0).epsilon(1e-9));
  // Back at 81.3 s: the probes at 85 and 90 s pass (2 successes): it returns at 90 s.
  CHECK(health[1].what == "return");
  CHECK(health[1].t == Rel(90.0).epsilon(1e-9));
  // Round robin sends a quarter of 400/s to the dead replica from 61.3 s to 77 s.
  const double lost = static_cast<double>(run.result.errors.at("killed"));
  CHECK(lost == Rel(100 * (77 - 61.3)).epsilon(0.05));

  SUBCASE("a probe's timeout must end before the next probe") {
    CHECK_THROWS_AS(
        load_scenario_text("traffic: [{name: u, to: lb, rate: 1/s}]\ncomponents:\n  lb: {kind: "
                           "load_balancer, to: a, health_check: {interval: 1s, timeout: 1s}}\n  a: "
                           "{kind: service, service_time: 1ms}\n",
                           "bad.yaml"),
        InputError);
  }
}

// ---------------------------------------------------------------------------
// Black Friday (scenarios/black-friday): the naive design fails for the
// reasons an incident review would give; the mitigated one holds.

namespace {
Run black_friday(const std::string& design) {
  LoadOptions o;
  o.design = source("scenarios/black-friday/designs/" + design + ".yaml");
  return run_file(source("scenarios/black-friday/problem.yaml"), o);
}

const SloCheck& slo_check(const RunResult& r, const std::string& name) {
  for (const SloCheck& c : r.slo)
    if (c.name == name) return c;
  FAIL("no SLO " << name);
  throw;
}

}  // namespace

TEST_CASE("black friday, naive: the pools run dry, shoppers get 500s and timeouts, retries keep it down" *
          doctest::test_suite("slow")) {
  const Run run = black_friday("naive");
  const RunResult& r = run.result;
  CHECK_FALSE(r.slo_pass);
  CHECK_FALSE(slo_check(r, "latency_p99").pass);
  CHECK_FALSE(slo_check(r, "error_rate").pass);
  // Pool exhaustion: queries fail for want of a connection ...
  const ComponentResult& db = run.comp("db");
  CHECK(figure(db, "pool_exhausted") > 10000);
  CHECK(db.errors.at("pool_exhausted") > 10000);
  // ... although the database itself has room: it never runs more than the
  // 40 pooled connections at once on its 64 workers.
  CHECK(db.utilization < 0.67);
  // The shoppers see 500s (pool_exhausted) and time out.
  CHECK(test::error_count(r, "pool_exhausted") > 0);
  CHECK(test::error_count(r, "timeout") > test::error_count(r, "pool_exhausted"));
  // Healthy before the spike, down after it: the page's retries and the
  // API's backlog of abandoned checkouts keep it saturated at normal traffic.
  CHECK(run.goodput(40, 120) >= 0.95 * 600);
  const double end = run.spec.duration;
  MESSAGE("naive: goodput before the spike " << run.goodput(40, 120) << "/s, in the last minute "
                                             << run.goodput(end - 60, end) << "/s");
  CHECK(run.goodput(end - 60, end) <= 0.1 * 600);
}

TEST_CASE("black friday, mitigated: sized pools, read replicas, budgets, breaker and an edge limit pass" *
          doctest::test_suite("slow")) {
  const Run run = black_friday("mitigated");
  const RunResult& r = run.result;
  CHECK(r.slo_pass);
  CHECK(figure(run.comp("db"), "pool_exhausted") == 0);
  CHECK(r.latency.p99 < 0.5);
  // The whole spike is served: 3 x 600/s from 2m30s to 5m.
  CHECK(run.goodput(150, 300) >= 0.97 * 1800);
  // The reads went to the replicas, the orders to the primary.
  CHECK(figure(run.comp("db"), "replica_reads") >= 0.99 * figure(run.comp("db"), "reads"));

  SUBCASE("beyond the plan: 5x instead of 3x, the edge admits its 2,200/s and the rest fail fast") {
    // Another 5/3 on top of the 3x peak, from 3m to 4m.
    ScenarioSpec spec = run.spec;
    FaultSpec more;
    more.kind = FaultSpec::Kind::Spike;
    more.target = "shoppers";
    more.at = 180;
    more.duration = 60;
    more.x = 5.0 / 3.0;
    spec.faults.push_back(more);
    const Run s = simulate_spec(spec);
    const double admitted = s.spec.components[0].load_balancer()->rate_limit->rate;
    MESSAGE("5x: goodput " << s.goodput(185, 240) << "/s while 3,000/s arrive");
    CHECK(s.goodput(185, 240) >= 0.97 * admitted);
    CHECK(s.goodput(185, 240) <= 1.03 * admitted);
    for (const Tick& t : s.ticks)
      if (t.t > 185 && t.t <= 240) CHECK(t.p99 < 0.5);  // the admitted checkouts stay fast
    CHECK(test::error_count(s.result, "rate_limited") > 0);
    CHECK(test::error_count(s.result, "pool_exhausted") == 0);
    // And it is over when the surge is: the next minute serves the 3x peak in full.
    CHECK(s.goodput(241, 290) >= 0.97 * 1800);
  }
}
