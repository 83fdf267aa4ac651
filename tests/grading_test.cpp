// Graded problems (the problem/design contract, spec/contract.cpp; the grade,
// report/grade.cpp): a design cannot rewrite the world, correctness and the
// budget are graded like latency, capacity has a price, and each converted
// library problem survives its cheap single-knob non-answers.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "archsim/contract.hpp"
#include "archsim/load.hpp"
#include "report/analysis.hpp"
#include "report/cost.hpp"
#include "report/grade.hpp"

using namespace archsim;
using namespace archsim::report;
namespace fs = std::filesystem;

namespace {

const fs::path kLibrary = fs::path(ARCHSIM_SOURCE_DIR) / "scenarios";

std::string problem(const std::string& p) { return (kLibrary / p / "problem.yaml").string(); }
std::string design(const std::string& p, const std::string& d) {
  return (kLibrary / p / "designs" / (d + ".yaml")).string();
}

// A design given as text (named as if it sat beside the problem).
ScenarioSpec load_design_text(const std::string& p, const std::string& text, double duration = 0) {
  LoadOptions o;
  o.design = (kLibrary / p / "designs" / "test.yaml").string();
  o.design_text = text;
  if (duration > 0) o.duration = duration;
  return load_scenario(problem(p), o);
}

// Every diagnostic of a refused design, one per line, or "" when it loads.
std::string refusal(const std::string& p, const std::string& text) {
  try {
    load_design_text(p, text);
  } catch (const InputError& e) {
    std::string out;
    for (const Diagnostic& d : e.diagnostics()) out += d.str() + "\n";
    return out;
  }
  return "";
}

Grade graded_run(const ScenarioSpec& spec) { return grade(run_analysed(spec)); }

const GradeItem& item(const Grade& g, const std::string& name) {
  for (const GradeItem& i : g.items)
    if (i.name == name) return i;
  FAIL("no graded item " << name);
  throw;
}

}  // namespace

TEST_SUITE("grading") {

TEST_CASE("a design that rewrites the work or skips it is refused, positioned, with the problem's line") {
  // The four-line Black Friday "answer" of issue 12, kept as a bad input.
  LoadOptions o;
  o.design = (fs::path(ARCHSIM_SOURCE_DIR) / "tests/bad/graded/black-friday-four-lines.yaml").string();
  std::string msg;
  try {
    load_scenario(problem("black-friday"), o);
  } catch (const InputError& e) {
    for (const Diagnostic& d : e.diagnostics()) msg += d.str() + "\n";
  }
  INFO(msg);
  CHECK(msg.find("black-friday-four-lines.yaml:13:19: error: 'exp(1ms)' sets the cost of work") != std::string::npos);
  CHECK(msg.find("must run 'orders.checkout'") != std::string::npos);
  CHECK(msg.find("problem.yaml:") != std::string::npos);
  CHECK(msg.find(": note: the problem requires it here") != std::string::npos);

  SUBCASE("a database that sets its own query times") {
    const std::string m = refusal("black-friday", R"(components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]
  db:
    kind: database
    data: orders
    queries: {read: 0.1ms, checkout: {time: 0.1ms, write: true}}
)");
    CHECK(m.find("test.yaml:9:5: error: 'queries' of database 'db' is a fact of the problem's world") !=
          std::string::npos);
  }
  SUBCASE("the orders table written as a service still owes the problem's queries") {
    const std::string m = refusal("black-friday", R"(components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    steps: [{work: checkout_logic}, {call: db}, {work: render}]
  db:
    kind: service
    service_time: render
)");
    CHECK(m.find("must run 'orders.read'") != std::string::npos);
    CHECK(m.find("must run 'orders.checkout'") != std::string::npos);
  }
  SUBCASE("traffic and SLOs are the problem's; a design's fault is not an operator action") {
    const std::string m = refusal("black-friday", R"(slo: {latency_p99: 10s}
faults: [{at: 1m, kill: api}]
components:
  edge: {kind: load_balancer, to: api}
  api: {kind: service, steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]}
  db: {kind: database, data: orders}
)");
    CHECK(m.find("test.yaml:1:1: error: 'slo' belongs to the problem") != std::string::npos);
    CHECK(m.find("'kill' is part of the problem's script") != std::string::npos);
  }
  SUBCASE("a named work item is accepted, and a sandbox file is untouched") {
    CHECK(refusal("black-friday", R"(components:
  edge: {kind: load_balancer, to: api}
  api: {kind: service, steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]}
  db: {kind: database, data: orders}
)") == "");
    const ScenarioSpec s = load_scenario((fs::path(ARCHSIM_SOURCE_DIR) / "examples/data/cache_aside.yaml").string());
    CHECK_FALSE(s.graded());
  }
}

TEST_CASE("capacity has a price: a database with 256 workers costs more than one with 32") {
  const auto cost_with = [](int workers) {
    ScenarioSpec s;
    ComponentSpec c;
    c.name = "db";
    DatabaseSpec d;
    d.workers = workers;
    c.body = d;
    s.components.push_back(c);
    return cost_of(s).per_hour;
  };
  CHECK(cost_with(32) < cost_with(64));
  CHECK(cost_with(64) < cost_with(256));
  // 32 concurrent queries at 2 per vCPU: a 16-vCPU db.r6g.4xlarge, $2/h.
  CHECK(cost_with(32) == doctest::Approx(2.0).scale(0).epsilon(1e-9));
  // A service's workers follow its instance's vCPUs (16 per vCPU) in a graded design.
  const ScenarioSpec g = load_design_text("dashboard-47-queries", R"(levers: [eager_loading]
components:
  dashboard:
    kind: service
    instance: m6i.xlarge
    steps: [{work: render}, {repeat: 5, steps: [{call: db, query: batch}]}]
  db: {kind: database, data: analytics}
)");
  CHECK(g.components[0].service()->workers == 64);
  CHECK(g.components[1].database()->workers == 4);  // the smallest db.r6g.large: 2 vCPUs
  const std::string m = refusal("dashboard-47-queries", R"(components:
  dashboard: {kind: service, instance: m6i.large, workers: 500, steps: [{work: render}]}
  db: {kind: database, data: analytics}
)");
  CHECK(m.find("m6i.large has 2 vCPUs: at most 32 workers") != std::string::npos);
}

TEST_CASE("dashboard-47-queries: the 47 queries cannot be made fast by decree; the eager-loading lever can") {
  // One query standing for 47: the operation's requirement refuses it.
  const std::string one = refusal("dashboard-47-queries", R"(components:
  dashboard: {kind: service, steps: [{work: render}, {call: db, query: widget}]}
  db: {kind: database, data: analytics}
)");
  CHECK(one.find("must run 'analytics.widget' 47 times or 'analytics.batch' 5 times") != std::string::npos);
  // The batch query without pulling the lever.
  CHECK(refusal("dashboard-47-queries", R"(components:
  dashboard:
    kind: service
    steps: [{work: render}, {repeat: 5, steps: [{call: db, query: batch}]}]
  db: {kind: database, data: analytics}
)").find("query 'batch' of 'analytics' comes with the lever 'eager_loading'") != std::string::npos);

  // Single-knob non-answers on the naive design: a larger database, more
  // dashboard replicas. The 47 round trips stay 47 round trips (12 s).
  const char* naive = R"(components:
  dashboard:
    kind: service
    replicas: %d
    instance: m6i.xlarge
    steps: [{work: render}, {repeat: 47, steps: [{call: db, query: widget}]}]
  db: {kind: database, data: analytics, instance: %s}
)";
  for (const auto& [replicas, db] : {std::pair{2, "db.r6g.8xlarge"}, std::pair{4, "db.r6g.16xlarge"},
                                     std::pair{8, "db.r6g.8xlarge"}}) {
    char text[512];
    std::snprintf(text, sizeof text, naive, replicas, db);
    const Grade g = graded_run(load_design_text("dashboard-47-queries", text, 180));
    INFO(replicas << " replicas, " << db);
    CHECK_FALSE(g.pass);
    CHECK_FALSE(item(g, "latency_p50").pass);
    CHECK(g.score <= 59);
  }
  LoadOptions o;
  o.design = design("dashboard-47-queries", "good");
  o.duration = 180;
  const Grade good = graded_run(load_scenario(problem("dashboard-47-queries"), o));
  CHECK(good.pass);
  CHECK(good.score == 100);
  CHECK(good.levers == std::vector<std::string>{"eager_loading"});
}

TEST_CASE("payments: without the idempotency key every retry policy double-charges") {
  // Retry policies and timeouts over a sensible range, no key: each one
  // either double-charges or fails the error budget.
  const char* tmpl = R"(components:
  payments:
    kind: service
    replicas: 3
    instance: m6i.2xlarge
    steps:
      - work: payment_logic
      - call: psp
        timeout: %s
        retry: {max: %d, backoff: exponential, base: 200ms, cap: 2s, jitter: full, budget: 10%%}
      - work: record
)";
  for (const char* timeout : {"1s", "3s"})
    for (int max : {0, 1, 3}) {
      char text[1024];
      std::snprintf(text, sizeof text, tmpl, timeout, max);
      const Grade g = graded_run(load_design_text("payments", text));
      INFO("timeout " << std::string(timeout) << ", retries " << max);
      if (max > 0) {
        // Any retry of a charge whose reply was lost (a timeout) charges twice.
        CHECK_FALSE(g.pass);
        CHECK_FALSE(item(g, "duplicates").pass);
      } else if (std::string(timeout) == "1s") {
        CHECK_FALSE(item(g, "error_rate").pass);  // no retries, a tight timeout: the slow provider's tail fails
      } else {
        // Never retrying, with a timeout that fits the provider's tail, is a
        // valid answer (no retry, no duplicate); the README says so.
        CHECK(g.pass);
      }
    }

  LoadOptions o;
  o.design = design("payments", "naive");
  const Grade naive = graded_run(load_scenario(problem("payments"), o));
  CHECK_FALSE(item(naive, "duplicates").pass);
  CHECK(item(naive, "duplicates").earned == 0);  // correctness earns nothing when missed
  o.design = design("payments", "good");
  const Grade good = graded_run(load_scenario(problem("payments"), o));
  CHECK(good.pass);
  CHECK(item(good, "duplicates").actual == 0);
}

TEST_CASE("black-friday: a bigger database does not fix empty pools; the mitigated design passes within budget") {
  const char* tmpl = R"(components:
  edge: {kind: load_balancer, policy: least_connections, latency: 0.2ms, to: api}
  api:
    kind: service
    replicas: 4
    instance: m6i.8xlarge
    steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]
  db:
    kind: database
    data: orders
    instance: %s
    pool: 10
    acquire_timeout: 500ms
    max_connections: 100
)";
  for (const char* db : {"db.r6g.8xlarge", "db.r6g.16xlarge"}) {
    char text[1024];
    std::snprintf(text, sizeof text, tmpl, db);
    const Grade g = graded_run(load_design_text("black-friday", text, 240));
    INFO(db);
    CHECK_FALSE(g.pass);
    CHECK_FALSE(item(g, "error_rate").pass);
  }
  LoadOptions o;
  o.design = design("black-friday", "mitigated");
  o.duration = 240;
  const Analysis a = run_analysed(load_scenario(problem("black-friday"), o));
  const Grade g = grade(a);
  CHECK(g.pass);
  CHECK(item(g, "budget").actual == doctest::Approx(a.cost.per_hour).scale(0).epsilon(1e-12));
  CHECK(item(g, "budget").actual < item(g, "budget").target);
}

TEST_CASE("sql-vs-nosql: only quorums that overlap and survive a node pass; SQL replicas and a big primary fail") {
  // The good design's store at every other consistency level, and the SQL
  // answers: a big primary that serves everything, more async replicas.
  const std::string head = R"(components:
  profiles: {kind: service, replicas: 2, instance: m6i.2xlarge, steps: [{work: profile_logic}, {call: db}]}
  editor: {kind: service, instance: m6i.large, steps: [{work: profile_logic}, {write: db}]}
  db:
    kind: database
    data: profiles
)";
  struct Case {
    const char* db;
    const char* fails;
  };
  for (const Case& c : {
           Case{"    instance: db.r6g.xlarge\n    shards: 2\n    consistency: {replication_factor: 3, read: one, write: one}\n",
                "stale_reads"},  // the node back from the fault answers without the edits it missed
           Case{"    instance: db.r6g.xlarge\n    shards: 2\n    consistency: {replication_factor: 3, read: all, write: all}\n",
                "error_rate"},   // unavailable while a node is down
           Case{"    instance: db.r6g.xlarge\n    shards: 2\n    consistency: {replication_factor: 3, read: one, write: all}\n",
                "error_rate"},   // overlapping, but edits are unavailable
           Case{"    instance: db.r6g.4xlarge\n    replicas: 2\n    read_from: primary\n", "error_rate"},  // no stale read, but 30 s of failover
           Case{"    instance: db.r6g.xlarge\n    replicas: 4\n    replication_lag: lognormal(median: 20ms, p99: 150ms)\n",
                "stale_reads"},
       }) {
    INFO(c.db);
    const Grade g = graded_run(load_design_text("sql-vs-nosql", head + c.db, 240));
    CHECK_FALSE(g.pass);
    CHECK_FALSE(item(g, c.fails).pass);
  }
  const Grade good = graded_run(load_design_text(
      "sql-vs-nosql",
      head + "    instance: db.r6g.xlarge\n    shards: 2\n    consistency: {replication_factor: 3, read: quorum, write: quorum}\n",
      240));
  CHECK(good.pass);
}

TEST_CASE("memory-leak: more instances behind health checks do not hide the GC slowdown") {
  // Round robin with health checks, 4 to 6 instances: each still sends its
  // share to an instance stalled in GC pauses (it passes its checks).
  const char* tmpl = R"(components:
  edge: {kind: service, replicas: 2, workers: 512, steps: [{work: proxy_hop}, {call: lb}]}
  lb:
    kind: load_balancer
    policy: round_robin
    latency: 0.2ms
    to: api
    health_check: {interval: 1s, failures: 1, successes: 2}
  api: {kind: service, replicas: %d, workers: 16, steps: [{work: catalogue_page}]}
)";
  for (int replicas : {4, 6}) {
    char text[1024];
    std::snprintf(text, sizeof text, tmpl, replicas);
    const Grade g = graded_run(load_design_text("memory-leak", text));
    INFO(replicas << " instances");
    CHECK_FALSE(g.pass);
    CHECK_FALSE(item(g, "latency_p99").pass);
  }
  // The same problem without the GC pauses: health checks and 4 instances
  // then pass the latency objective; the pauses are what break it.
  ScenarioSpec s = load_design_text("memory-leak", std::string(tmpl).replace(std::string(tmpl).find("%d"), 2, "4"));
  for (FaultSpec& f : s.faults) f.gc_pause = 0;
  CHECK(item(graded_run(s), "latency_p99").pass);
}

TEST_CASE("the rubric: a missed SLO earns half its points by how close it came; anything missed caps at 59") {
  Analysis a;
  a.spec.slo.push_back(SloSpec{SloSpec::Kind::LatencyP99, "latency_p99", 0.5, {}, ""});
  SloCheck lat{"latency_p99", 0.5, 1.0, false, false, false, "", "s"};
  SloCheck dup{"duplicates", 0, 3, false, false, true, "", "count"};
  a.result.slo = {lat, dup};
  a.cost.per_hour = 1;
  a.cost.budget = 2;
  const Grade g = grade(a);
  CHECK(item(g, "latency_p99").earned == doctest::Approx(0.25).scale(0).epsilon(1e-12));  // 1 x 0.5 x 0.5/1.0
  CHECK(item(g, "duplicates").earned == 0);
  CHECK(item(g, "budget").earned == 2);
  CHECK(g.total == 5);
  CHECK(g.score == 45);  // 100 x 2.25 / 5
  a.result.slo = {SloCheck{"latency_p99", 0.5, 0.1, true, false, false, "", "s"}};
  CHECK(grade(a).score == 100);
}

TEST_CASE("per-source SLOs and correctness SLOs are computed from the run") {
  const std::string text = R"(
traffic:
  - {name: fast, to: api, rate: 50/s}
  - {name: slow, to: batch, rate: 20/s}
components:
  api: {kind: service, workers: 16, service_time: exp(5ms)}
  batch: {kind: service, workers: 16, service_time: const(300ms)}
slo:
  latency_p99: 1s
  per_source:
    fast: {latency_p99: 50ms}
    slow: {latency_p99: 100ms, availability: 99%}
duration: 60s
)";
  const ScenarioSpec s = load_scenario_text(text, "per_source.yaml");
  const Analysis a = run_analysed(s);
  REQUIRE(a.result.slo.size() == 4);
  CHECK(a.result.slo[1].name == "fast.latency_p99");
  CHECK(a.result.slo[1].pass);
  CHECK(a.result.slo[2].name == "slow.latency_p99");
  CHECK_FALSE(a.result.slo[2].pass);  // a constant 300 ms
  CHECK(a.result.slo[2].actual == doctest::Approx(0.3).scale(0).epsilon(0.01));
  CHECK(a.result.slo[3].pass);
  CHECK(a.result.sources.size() == 2);
  // A correctness SLO per source is refused: it counts over the system.
  CHECK_THROWS_AS(load_scenario_text("traffic: [{name: a, to: x, rate: 1/s}]\ncomponents: {x: {kind: service, "
                                     "service_time: 1ms}}\nslo: {per_source: {a: {duplicates: 0}}}\n",
                                     "bad.yaml"),
                  InputError);
}

TEST_CASE("hints come from the run and the problem's levers") {
  LoadOptions o;
  o.design = design("dashboard-47-queries", "naive");
  o.duration = 120;
  const Analysis a = run_analysed(load_scenario(problem("dashboard-47-queries"), o));
  const Grade g = grade(a);
  const auto h1 = hints(a, g, 1), h3 = hints(a, g, 3);
  REQUIRE(h1.size() == 1);
  CHECK(h1[0].find("at db (") != std::string::npos);  // "at db (46.9 visits of 257 ms each)": the symptom and where
  REQUIRE(h3.size() >= 3);
  CHECK(h3[1].find("round trips") != std::string::npos);  // the lever family the problem offers
  CHECK(h3[2].find("eager_loading") != std::string::npos);
}

}  // TEST_SUITE
