// Designs that try to pass a graded problem without solving it (issue 16,
// the hostile checker): each case is a cheat that used to pass, and the
// general rule of spec/contract.cpp or report/grade.cpp that now refuses or
// fails it.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "check.hpp"
#include "graded_problems.hpp"
#include "report/analysis.hpp"
#include "report/cost.hpp"
#include "report/grade.hpp"

using namespace archsim;
using namespace archsim::test;
using archsim::test::Rel;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// slow-endpoint's naive design with the 4-second scan written as `STEP`.
std::string slow_endpoint_with(const std::string& scan) {
  return R"(components:
  api:
    kind: service
    instance: m6i.large
    steps:
      - work: handle
)" + scan +
         R"(
      - call: db
        query: order
      - repeat: 40
        steps: [{call: db, query: item}]
  db: {kind: database, data: shop, instance: db.r6g.4xlarge}
)";
}

}  // namespace

TEST_SUITE("grading") {
  TEST_CASE("a read or work nobody waits for answers nothing (was: slow-endpoint passed at 100/100)") {
    const std::string off_path = "runs 0% of it before it answers (it runs 100% in all)";
    SUBCASE("the scan fired and forgotten") {
      const std::string m =
          refusal("slow-endpoint", slow_endpoint_with("      - async: db\n        query: customer_by_email"));
      INFO(m);
      CHECK(has(m, "test.yaml:2:3: error: a request of 'agents' must run 'shop.customer_by_email'"));
      CHECK(has(m, off_path));
    }
    SUBCASE("the scan in a parallel block that waits for the first reply only") {
      const std::string m =
          refusal("slow-endpoint",
                  slow_endpoint_with(
                      "      - parallel: [{call: db, query: customer_by_email}, {call: db, query: read}]\n"
                      "        wait: 1"));
      INFO(m);
      CHECK(has(m, "must run 'shop.customer_by_email'"));
      CHECK(has(m, off_path));
      // Waiting for both is the scan on the path: accepted.
      CHECK(refusal("slow-endpoint",
                    slow_endpoint_with("      - parallel: [{call: db, query: customer_by_email}, {call: db, "
                                       "query: read}]")) == "");
    }
    SUBCASE("the scan timed out after 1 ms and answered by its fallback") {
      const std::string m = refusal(
          "slow-endpoint",
          slow_endpoint_with("      - call: db\n        query: customer_by_email\n        timeout: 1ms\n"
                             "        fallback: [{work: handle}]"));
      INFO(m);
      CHECK(has(m, "must run 'shop.customer_by_email'"));
      // A fallback that runs the same query elsewhere is still the operation.
      CHECK(refusal("slow-endpoint", slow_endpoint_with("      - call: db\n        query: customer_by_email\n"
                                                        "        timeout: 5s\n"
                                                        "        fallback: [{call: db, query: "
                                                        "customer_by_email}]")) == "");
    }
    SUBCASE("the card charged by a queue's consumer after the checkout was answered") {
      const std::string m = refusal("payments", R"(components:
  payments:
    kind: service
    instance: m6i.large
    steps: [{work: payment_logic}, {publish: charges}]
  charges: {kind: queue, consumer: charger}
  charger:
    kind: service
    replicas: 10
    instance: m6i.large
    steps: [{call: psp, timeout: 30s}, {work: record}]
)");
      INFO(m);
      CHECK(has(m, "must run 'psp_charge'"));
      CHECK(has(m, "must run 'record'"));
    }
    SUBCASE("a write may be handed off: the library's outbox and fan-out designs still load") {
      CHECK_NOTHROW(load_design("monolith-to-microservices", "good"));
      CHECK_NOTHROW(load_design("social-feed", "good"));
    }
  }

  TEST_CASE(
      "replicas an operator's scale action adds are billed (was: 40 api replicas at the price of one)") {
    // black-friday's window: 30 s of warm-up, 8 min in all.
    const auto api_per_hour = [](const std::string& replicas, const std::string& faults) {
      const ScenarioSpec s = load_design_text("black-friday", R"(components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    instance: m6i.large
    replicas: )" + replicas + R"(
    steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]
  db: {kind: database, data: orders, instance: db.r6g.large}
)" + faults);
      for (const report::CostLine& l : report::cost_of(s).lines)
        if (l.component == "api") return l.per_hour;
      FAIL("no cost line for api");
      return 0.0;
    };
    const double one = api_per_hour("1", "");
    CHECK(one > 0);
    CHECK(api_per_hour("1", "faults: [{at: 0s, scale: api, replicas: 40}]\n") == Rel(40 * one));
    // From 4m15s (half of the 7m30s window) on: 20.5 replicas on average.
    CHECK(api_per_hour("1", "faults: [{at: 4m15s, scale: api, replicas: 40}]\n") == Rel(20.5 * one));
    // Scaled down at the start of the window: billed for what it runs.
    CHECK(api_per_hour("40", "faults: [{at: 30s, scale: api, replicas: 2}]\n") == Rel(2 * one));
  }

  TEST_CASE("a message a queue drops is never delivered (was: delivery_p99 over the delivered ones only)") {
    // One consumer worker of 50 ms at 40 messages/s: it keeps up with half;
    // drop_oldest sheds the rest, so the delivered ones wait under 100 ms.
    const auto run = [](const std::string& when_full) {
      return simulate(load_scenario_text(R"(duration: 20s
traffic: [{name: posts, to: api, rate: 40/s}]
components:
  api: {kind: service, workers: 100, steps: [{publish: jobs}]}
  jobs: {kind: queue, consumer: worker, capacity: 2, when_full: )" +
                                             when_full + R"(}
  worker: {kind: service, service_time: 50ms}
slo: {delivery_p99: 1s}
)",
                                         "t.yaml"));
    };
    const RunResult dropped = run("drop_oldest");
    REQUIRE(dropped.slo.size() == 1);
    CHECK_FALSE(dropped.slo[0].pass);
    CHECK(dropped.slo[0].actual >= 20);
    // Rejected at the publish instead: the posts fail, and what is delivered is on time.
    const RunResult rejected = run("reject");
    REQUIRE(rejected.slo.size() == 1);
    CHECK(rejected.slo[0].pass);
    CHECK(rejected.failed > 0);
  }

  TEST_CASE(
      "a resize action cannot give an instance more workers than its vCPUs (was: 1,000 on a 2-vCPU db)") {
    const std::string m = refusal("black-friday", R"(components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    replicas: 4
    instance: m6i.2xlarge
    steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]
  db: {kind: database, data: orders, instance: db.r6g.large, pool: 1000}
faults:
  - {at: 0s, resize: db, workers: 1000}
  - {at: 1m, resize: db, instance: db.r6g.16xlarge, workers: 128}
)");
    INFO(m);
    CHECK(has(m,
              "test.yaml:10:5: error: 'resize' of 'db' gives db.r6g.large 1000 workers: it has 2 vCPUs, at "
              "most 4"));
    CHECK_FALSE(has(m, "test.yaml:11:"));  // 128 workers on 64 vCPUs fit
  }

  TEST_CASE(
      "a run shortened before the spike is practice, not a pass (was: black-friday naive 100/100 PASS)") {
    // `archsim grade problem.yaml --duration 40s`: the spike comes later.
    const report::Analysis a = report::run_analysed(load_design("black-friday", "naive", 40));
    const report::Grade g = report::grade(a);
    CHECK(g.pass);  // every item of the short run is met ...
    CHECK(g.practice == "duration 40s, not the file's 8m");
    CHECK_FALSE(report::grade_json(g)["pass"].get<bool>());  // ... but it is no verdict
    std::ostringstream out;
    report::print_grade(out, a, g);
    CHECK(has(out.str(), "/100  PRACTICE"));
    CHECK_FALSE(has(out.str(), "PASS"));
    // The problem's own seed and duration, given again, change nothing.
    LoadOptions o;
    o.design = design("black-friday", "naive");
    o.seed = 42;
    o.duration = 480;
    CHECK(load_scenario(problem("black-friday"), o).run_changed == "");
    o.seed = 7;
    CHECK(load_scenario(problem("black-friday"), o).run_changed == "seed 7, not the file's 42");
  }
}

namespace {

// sql-vs-nosql with its store named `store` and `db` (where the problem's
// script kills a node at 2m) called as `DB_CALL` from the profile reads.
std::string sql_with_decoy(const std::string& db_call) {
  return R"(components:
  profiles:
    kind: service
    replicas: 2
    instance: m6i.2xlarge
    steps:
      - work: profile_logic
)" + db_call +
         R"(
  editor:
    kind: service
    instance: m6i.large
    steps: [{work: profile_logic}, {write: store}]
  store: {kind: database, data: profiles, instance: db.r6g.2xlarge}
  db: {kind: database, data: profiles, instance: db.r6g.large}
)";
}

}  // namespace

TEST_SUITE("grading") {
  TEST_CASE("the problem's script strikes the component that does the work (was: a decoy 'db', 100/100)") {
    const std::string decoy =
        "test.yaml:14:3: error: 'db' is where the problem's script strikes ('kill' at 2m)";
    SUBCASE("an idle database named db beside the real store") {
      const std::string m = refusal("sql-vs-nosql", sql_with_decoy("      - call: store"));
      INFO(m);
      CHECK(has(m, decoy));
      CHECK(has(m, "problem.yaml:28:5: note: the problem's script"));
    }
    SUBCASE("db called by one read in 10,000") {
      const std::string m = refusal("sql-vs-nosql", sql_with_decoy(R"(      - branch:
          - {p: 0.9999, steps: [{call: store}]}
          - {p: 0.0001, steps: [{call: db}]})"));
      INFO(m);
      CHECK(has(m, "'db' is where the problem's script strikes"));
    }
    SUBCASE("db called off the path") {
      CHECK(has(refusal("sql-vs-nosql", sql_with_decoy("      - call: store\n      - async: db")),
                "'db' is where the problem's script strikes"));
    }
    SUBCASE("db on every read's path is the store: accepted") {
      CHECK(refusal("sql-vs-nosql", sql_with_decoy("      - call: db")) == "");
      // Every library design's component the script names is one its requests need.
      for (const char* p : {"sql-vs-nosql", "memory-leak", "monolith-to-microservices", "payments"})
        for (const char* d : {"naive", "good"}) CHECK_NOTHROW(load_design(p, d));
    }
  }
}

TEST_SUITE("grading") {
  TEST_CASE(
      "operator actions only where the problem allows them (was: a shift 1 s before the kill, 100/100)") {
    // sql-vs-nosql: all reads and edits move to a second store a second
    // before the script kills a node of `db`, which then carries nothing.
    const std::string dodge = R"(components:
  profiles: {kind: service, instance: m6i.large, steps: [{call: rpick}]}
  editor: {kind: service, instance: m6i.large, steps: [{call: wpick}]}
  rpick: {kind: load_balancer, to: {ra: 100, rb: 0}}
  wpick: {kind: load_balancer, to: {wa: 100, wb: 0}}
  ra: {kind: service, replicas: 2, instance: m6i.2xlarge, steps: [{work: profile_logic}, {call: db}]}
  rb: {kind: service, replicas: 2, instance: m6i.2xlarge, steps: [{work: profile_logic}, {call: spare}]}
  wa: {kind: service, instance: m6i.large, steps: [{work: profile_logic}, {write: db}]}
  wb: {kind: service, instance: m6i.large, steps: [{work: profile_logic}, {write: spare}]}
  db: {kind: database, data: profiles, instance: db.r6g.2xlarge}
  spare: {kind: database, data: profiles, instance: db.r6g.2xlarge}
faults:
  - {at: 1m59s, shift: rpick, weights: {ra: 0, rb: 100}}
  - {at: 1m59s, shift: wpick, weights: {wa: 0, wb: 100}}
)";
    const std::string m = refusal("sql-vs-nosql", dodge);
    INFO(m);
    CHECK(has(m,
              "test.yaml:13:5: error: 'shift' is an operator action this problem does not let a design plan "
              "(it allows: none)"));
    CHECK(has(m, "test.yaml:14:5: error: 'shift'"));
    CHECK(has(m, "problem.yaml:1:1: note: the problem (it gives no 'actions:')"));
    // Without the shifts the same design loads: the refusal is the actions'.
    CHECK(refusal("sql-vs-nosql", dodge.substr(0, dodge.find("faults:"))) == "");
    // A problem that lists an action lets a design plan it, and only it.
    const std::string bf = R"(components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    instance: m6i.large
    steps: [{work: checkout_logic}, {call: db}, {call: db, query: checkout}, {work: render}]
  db: {kind: database, data: orders, instance: db.r6g.large}
faults:
  - {at: 1m50s, scale: api, replicas: 3}
  - {at: 1m50s, pool: db, size: 20}
)";
    const std::string b = refusal("black-friday", bf);
    INFO(b);
    CHECK_FALSE(has(b, "test.yaml:9:"));
    CHECK(has(b,
              "test.yaml:10:5: error: 'pool' is an operator action this problem does not let a design plan "
              "(it allows: scale, resize)"));
    CHECK(has(b, "problem.yaml:41:1: note: the problem's actions"));
  }
}

TEST_SUITE("grading") {
  TEST_CASE("the machines are the problem's (was: a design's own hosts of speed 1000x, 100/100)") {
    // slow-endpoint's naive design (a 4 s scan) on hosts of its own making.
    const std::string m = refusal("slow-endpoint", R"(backend: simgrid
platform:
  regions: {r: {hosts: {fast: {cores: 64, speed: 1000x}}}}
components:
  api:
    kind: service
    instance: m6i.large
    hosts: [fast]
    steps: [{work: handle}, {call: db, query: customer_by_email}, {call: db, query: order}]
  db: {kind: database, data: shop, instance: db.r6g.4xlarge, hosts: [fast]}
)");
    INFO(m);
    CHECK(has(m, "test.yaml:1:1: error: 'backend' belongs to the problem, not to a design"));
    CHECK(has(m, "test.yaml:2:1: error: 'platform' belongs to the problem, not to a design"));
  }
}

TEST_SUITE("grading") {
  TEST_CASE(
      "every traffic source meets the request SLOs (was: 30% of social-feed's posts refused, 100/100)") {
    // The library's good design with a rate limit on the post service: the
    // posters send 14/s against the readers' ~1,680/s, so refusing 30% of
    // the posts is 0.26% of all requests, under the 0.5% error_rate.
    const auto with_limit = [](const std::string& limit) {
      std::ifstream in(design("social-feed", "good"));
      std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
      const std::string post = "  post:\n    kind: service\n";
      REQUIRE(text.find(post) != std::string::npos);
      text.insert(text.find(post) + post.size(), limit);
      return report::run_analysed(load_design_text("social-feed", text));
    };
    const report::Analysis shed = with_limit("    rate_limit: {rate: 10/s, burst: 5}\n");
    const SourceResult* posters = nullptr;
    std::uint64_t finished = 0, failed = 0;
    for (const SourceResult& s : shed.result.sources) {
      if (s.name == "posters") posters = &s;
      finished += s.completed + s.failed;
      failed += s.failed;
    }
    REQUIRE(posters != nullptr);
    const double posters_rate =
        static_cast<double>(posters->failed) / static_cast<double>(posters->completed + posters->failed);
    CHECK(posters_rate > 0.2);
    CHECK(static_cast<double>(failed) / static_cast<double>(finished) < 0.005);  // pooled: it would pass
    const report::Grade g = report::grade(shed);
    CHECK_FALSE(g.pass);
    const report::GradeItem& e = item(g, "error_rate");
    CHECK_FALSE(e.pass);
    CHECK(e.actual == Rel(posters_rate));
    CHECK(has(e.actual_text, "(posters)"));
    CHECK_FALSE(shed.result.slo_pass);  // the run's verdict and its explanation agree
    // The good design itself: every source meets every objective.
    CHECK(graded_run(load_design("social-feed", "good")).pass);
  }
}
