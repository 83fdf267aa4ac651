// `resize` (issue 16): an operator action that sets a service's or a
// database's workers and/or instance size mid-run. After the change the
// station is an M/M/c' (Erlang C, sim/analysis/queueing); the bill follows
// the size from the change on; bad values are refused at their position.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <string>

#include <fmt/format.h>

#include "analysis/queueing.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "report/cost.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

// One service, Poisson arrivals at `lambda`/s, exponential work of 100 ms
// (mu = 10/s), `c` workers on one replica, resized to `resize` at 100 s;
// measured from `warmup` on.
std::string mmc_text(int c, const std::string& kind_line, const std::string& resize, double warmup,
                     double duration, double lambda = 40) {
  return fmt::format(R"(name: resize
seed: 11
duration: {}s
warmup: {}s
traffic:
  - name: users
    to: api
    rate: {}/s
components:
  {}:
    kind: {}
    {}
    workers: {}
{}
faults:
  - {{at: 100s, resize: api, {}}}
)",
                     duration, warmup, lambda, "api", kind_line, "replicas: 1", c,
                     "    steps:\n      - work: exp(100ms)", resize);
}

// Erlang C for the station after the change: the mean wait Wq and the mean
// number waiting Lq = lambda Wq (Little), M/M/c' with lambda = 40, mu = 10.
void check_mmc(const RunResult& r, int c) {
  const double lambda = 40, mu = 10;
  const double wq = queueing::mmc_wait(c, lambda, mu);
  const ComponentResult& api = r.components.at(0);
  MESSAGE("M/M/" << c << ": wait " << api.wait.mean * 1e3 << " ms (Erlang C " << wq * 1e3 << "), queue "
                 << api.queue_mean << " (" << lambda * wq << "), workers " << api.workers);
  CHECK(api.workers == c);
  CHECK(api.wait.mean == Rel(wq).epsilon(0.05));
  CHECK(api.queue_mean == Rel(lambda * wq).epsilon(0.05));
  CHECK(api.utilization == Rel(lambda / mu / c).epsilon(0.02));
}

}  // namespace

TEST_SUITE("resize") {
  TEST_CASE("resize: more workers mid-run: the queue drains and then waits as M/M/c' (Erlang C)") {
    // 3 workers for 4 erlangs: overloaded, a backlog of ~1000 by 100 s. Then
    // 5 (rho 0.8): the added workers take the backlog, which is gone well
    // before the window (from 600 s) where M/M/5 holds.
    const RunResult r =
        simulate(load_scenario_text(mmc_text(3, "service", "workers: 5", 600, 20600), "t.yaml"));
    check_mmc(r, 5);
  }

  TEST_CASE("resize: fewer workers mid-run: running visits finish, then M/M/c' (Erlang C)") {
    const RunResult r =
        simulate(load_scenario_text(mmc_text(9, "service", "workers: 5", 300, 20300), "t.yaml"));
    check_mmc(r, 5);
  }

  TEST_CASE("resize: a larger instance moves the workers with the vCPUs (m6i.large 3 -> m6i.xlarge 6)") {
    std::string text = mmc_text(3, "service", "instance: m6i.xlarge", 600, 20600);
    text.replace(text.find("    replicas: 1"), 15, "    replicas: 1\n    instance: m6i.large");
    const RunResult r = simulate(load_scenario_text(text, "t.yaml"));
    check_mmc(r, 6);
  }

  TEST_CASE("resize: the bill follows the instance size from the change on (time-weighted)") {
    // m6i.large ($0.096/h) for 0-100 s, m6i.2xlarge ($0.384/h) for 100-400 s.
    std::string text = mmc_text(8, "service", "instance: m6i.2xlarge", 0, 400, 20);
    text.replace(text.find("    replicas: 1"), 15, "    replicas: 1\n    instance: m6i.large");
    const ScenarioSpec s = load_scenario_text(text, "t.yaml");
    Simulation sim(s);
    struct Keep : Observer {
      std::vector<Tick> ticks;
      void on_tick(const Tick& t) override { ticks.push_back(t); }
    } keep;
    sim.add_observer(&keep);
    const RunResult& r = sim.run();
    const report::Cost c = report::cost_of(s, keep.ticks, &r);
    const double want = (100 * 0.096 + 300 * 0.384) / 400;
    CHECK(c.lines.at(0).unit == Rel(want).epsilon(1e-9));
    CHECK(c.lines.at(0).instance == "m6i.2xlarge");
    // Without a run: what the design declares.
    CHECK(report::cost_of(s).lines.at(0).unit == Rel(0.096).epsilon(1e-9));
    // Workers alone move the smallest size that fits them: 8 (m6i.large, 32
    // per instance) to 40 (m6i.xlarge, 64) at 100 s.
    const ScenarioSpec w = load_scenario_text(mmc_text(8, "service", "workers: 40", 0, 400, 20), "t.yaml");
    const RunResult rw = simulate(w);
    CHECK(report::cost_of(w, {}, &rw).lines.at(0).unit ==
          Rel((100 * 0.096 + 300 * 0.192) / 400).epsilon(1e-9));
  }

  TEST_CASE("resize: a database's workers per node change mid-run (M/M/c' per node, Erlang C)") {
    const std::string text = R"(name: db-resize
seed: 3
duration: 20600s
warmup: 600s
traffic:
  - name: users
    to: db
    rate: 40/s
components:
  db:
    kind: database
    workers: 3
    queries:
      read: exp(100ms)
faults:
  - {at: 100s, resize: db, workers: 5}
)";
    const RunResult r = simulate(load_scenario_text(text, "t.yaml"));
    const ComponentResult& db = r.components.at(0);
    const double wq = queueing::mmc_wait(5, 40, 10);
    CHECK(db.workers == 5);
    CHECK(db.wait.mean == Rel(wq).epsilon(0.05));
  }

  TEST_CASE("resize: bad values are refused at their position, every one in one pass") {
    const std::string base = R"(name: bad
traffic:
  - name: users
    to: api
    rate: 10/s
components:
  api:
    kind: service
    steps:
      - work: 1ms
      - call: db
  db:
    kind: database
    queries:
      read: 1ms
  c:
    kind: cache
    hit_ratio: 0.5
    hit_latency: 1ms
    miss_latency: 2ms
faults:
  - {at: 10s, resize: api, instance: m6i.xlarg}
  - {at: 20s, resize: api, instance: db.r6g.large}
  - {at: 30s, resize: api}
  - {at: 40s, resize: api, workers: 0}
  - {at: 50s, resize: c, workers: 4}
  - {at: 60s, resize: db, instance: db.r6g.large, workers: 9}
  - {at: 70s, resize: api, workers: 4, for: 10s}
)";
    const std::string e = test::load_errors(base);
    INFO(e);
    CHECK(e.find("t.yaml:22:38: error: unknown instance 'm6i.xlarg': did you mean 'm6i.xlarge'?") !=
          std::string::npos);
    CHECK(e.find("t.yaml:23:38: error: 'db.r6g.large' is an instance for a database, not a service") !=
          std::string::npos);
    CHECK(e.find("t.yaml:24:15: error: 'resize' needs 'workers: N'") != std::string::npos);
    CHECK(e.find("t.yaml:25:37: error: 'workers' must be at least 1") != std::string::npos);
    CHECK(e.find("t.yaml:26:23: error: 'resize' applies to a service or a database; 'c' is a cache") !=
          std::string::npos);
    CHECK(e.find("db.r6g.large has 2 vCPUs: at most 4 workers") != std::string::npos);
    CHECK(e.find("'for' does not apply to resize") != std::string::npos);
    // And good ones load.
    const std::string good = base.substr(0, base.find("  - {at: 10s")) +
                             "  - {at: 10s, resize: api, instance: m6i.xlarge, workers: 64}\n"
                             "  - {at: 20s, resize: db, workers: 8}\n";
    CHECK(test::load_errors(good).empty());
  }
}
