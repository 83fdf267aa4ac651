// A leaderless replicated store (`consistency:` on a database) against its
// closed forms: a request's time is the k-th order statistic of the
// replicas' times (Renyi), a read of r random replicas misses the newest
// write with the hypergeometric probability C(n - have, r) / C(n, r), a
// quorum that cannot be met fails for exactly as long as too few replicas
// are up, and last-writer-wins loses 1 - e^(-lambda d) of Poisson writes.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <string>

#include "analysis/queueing.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::test;

namespace {

const ComponentResult& db_of(const RunResult& r) { return component(r, "db"); }

// Reads straight from the clients to a store of n replicas with unlimited
// workers (no queueing), exponential replica times of mean 10 ms.
std::string store(int n, const std::string& read, const std::string& write, const std::string& extra = "") {
  return "seed: 5\nduration: 70s\nwarmup: 10s\ntraffic:\n"
         "  - {name: readers, to: db, rate: 1000/s}\n" +
         extra +
         "components:\n  db:\n    kind: database\n    keys: 1k\n"
         "    consistency: {replication_factor: " +
         std::to_string(n) + ", read: " + read + ", write: " + write +
         "}\n"
         "    queries: {read: exp(10ms), write: exp(10ms)}\n";
}

}  // namespace

TEST_CASE("quorum: a read's time is the R-th fastest of N exponential replicas (Renyi)") {
  // E[X_(k:n)] = m * sum_{i<k} 1/(n - i): 3.33 ms, 8.33 ms, 18.3 ms for n = 3.
  for (const auto& lk : {std::pair<const char*, int>{"one", 1}, {"quorum", 2}, {"all", 3}}) {
    const char* level = lk.first;
    const int k = lk.second;
    CAPTURE(level);
    const RunResult r = run_text(store(3, level, "one"));
    const double expected = queueing::exp_order_statistic_mean(3, k, 0.010);
    CHECK(r.latency.mean == Rel(expected, 0.03));
    CHECK(r.failed == 0);
  }
  // Five replicas, R = 4: 10 ms x (1/5 + 1/4 + 1/3 + 1/2) = 12.8 ms.
  const RunResult five = run_text(store(5, "4", "one"));
  CHECK(five.latency.mean == Rel(queueing::exp_order_statistic_mean(5, 4, 0.010), 0.03));
}

TEST_CASE("quorum: a write's time is the W-th fastest acknowledgement") {
  const std::string text =
      "seed: 9\nduration: 70s\nwarmup: 10s\ntraffic:\n"
      "  - {name: writers, to: w, rate: 500/s}\n"
      "components:\n"
      "  w: {kind: service, workers: 1000, steps: [{write: db}]}\n"
      "  db:\n    kind: database\n    keys: 100k\n"
      "    consistency: {replication_factor: 3, read: one, write: quorum}\n"
      "    queries: {read: exp(10ms), write: exp(10ms)}\n";
  const RunResult r = run_text(text);
  CHECK(r.latency.mean == Rel(queueing::exp_order_statistic_mean(3, 2, 0.010), 0.03));
}

TEST_CASE("quorum: a level that too few replicas can meet fails for as long as they are down") {
  // One of three replicas down for 20 s of the 60 s measured.
  const std::string fault = "faults:\n  - {at: 20s, kill: db, replicas: 1, for: 20s}\n";
  const RunResult quorum = run_text(store(3, "quorum", "quorum") + fault);
  CHECK(quorum.failed == 0);  // 2 of 3 still answer
  const RunResult all = run_text(store(3, "all", "one") + fault);
  // Reads at ALL are refused at once while a replica is down: 20 s x 1000/s.
  CHECK(static_cast<double>(test::error_count(all, "unavailable")) == Rel(20000, 0.03));
  CHECK(figure(db_of(all), "unavailable") == static_cast<double>(test::error_count(all, "unavailable")));
  CHECK(static_cast<double>(all.failed) / static_cast<double>(all.completed + all.failed) ==
        Rel(1.0 / 3, 0.03));
  // Two of five down: R = 3 is met, R = 4 is not.
  const std::string two = "faults:\n  - {at: 20s, kill: db, replicas: 2, for: 20s}\n";
  CHECK(run_text(store(5, "3", "one") + two).failed == 0);
  CHECK(static_cast<double>(test::error_count(run_text(store(5, "4", "one") + two), "unavailable")) ==
        Rel(20000, 0.03));
}

TEST_CASE("quorum: reads after a replica missed writes are stale with the hypergeometric probability") {
  // One key, five replicas. Two are down for the first 10 s, while every
  // write happens (writes at ONE stop at 10 s); they come back without the
  // writes (no hinted handoff). A read at R then takes the R fastest of five
  // identical replicas, a uniformly random R-subset, and is stale when all
  // of them are among the two that missed: C(2, R) / C(5, R).
  for (int r : {1, 2, 3}) {
    CAPTURE(r);
    const std::string text =
        "seed: 11\nduration: 70s\nwarmup: 20s\ntraffic:\n"
        "  - {name: readers, to: db, rate: 1000/s}\n"
        "  - {name: writers, to: w, rate: 20/s, profile: [{at: 10s, x: 0}]}\n"
        "components:\n"
        "  w: {kind: service, workers: 100, steps: [{write: db}]}\n"
        "  db:\n    kind: database\n    keys: 1\n"
        "    consistency: {replication_factor: 5, read: " +
        std::to_string(r) +
        ", write: one}\n"
        "    queries: {read: exp(10ms), write: exp(10ms)}\n"
        "faults:\n  - {at: 0s, kill: db, replicas: 2, for: 10s}\n";
    const RunResult run = run_text(text);
    const double expected = queueing::quorum_miss_probability(5, 3, r);  // 0.4, 0.1, 0
    const double ratio = figure(db_of(run), "stale_read_ratio");
    if (expected > 0) CHECK(ratio == Rel(expected, 0.06));
    else CHECK(ratio == 0);
  }
}

TEST_CASE("quorum: R + W > N reads every acknowledged write; R + W <= N does not") {
  // Busy replicas (8 workers each, 70% busy) and one replica down for a while:
  // overlapping quorums never return a stale value, ONE/ONE does.
  const std::string extra = "  - {name: writers, to: w, rate: 500/s}\n";
  const std::string service = "  w: {kind: service, workers: 1000, steps: [{write: db}]}\n";
  const auto text = [&](const char* read, const char* write) {
    std::string t = store(3, read, write, extra);
    t.replace(t.find("components:\n"), 12, "components:\n" + service);
    t.replace(t.find("keys: 1k"), 8, "keys: 100\n    workers: 8\n    popularity: zipf(1.0)");
    return t + "faults:\n  - {at: 20s, kill: db, replicas: 1, for: 10s}\n";
  };
  const RunResult q = run_text(text("quorum", "quorum"));
  CHECK(figure(db_of(q), "reads") > 50000);
  CHECK(figure(db_of(q), "stale_reads") == 0);
  const RunResult mixed =
      run_text(text("one", "all"));  // 1 + 3 > 3, but writes at ALL fail while one is down
  CHECK(figure(db_of(mixed), "stale_reads") == 0);
  CHECK(test::error_count(mixed, "unavailable") > 0);
  const RunResult one = run_text(text("one", "one"));
  CHECK(figure(db_of(one), "stale_read_ratio") > 0.004);
  CHECK(one.failed == 0);
}

TEST_CASE("quorum: last-writer-wins loses 1 - e^(-lambda d) of concurrent Poisson writes") {
  // One key, 200 writes/s, each acknowledged after exactly 1 ms (constant
  // replica time, no queueing): a write is lost when another begins within
  // its 1 ms. 1 - e^(-0.2) = 18.1%.
  for (const char* level : {"one", "all"}) {
    CAPTURE(level);
    const std::string text = std::string(
                                 "seed: 4\nduration: 110s\nwarmup: 10s\ntraffic:\n"
                                 "  - {name: writers, to: w, rate: 200/s}\n"
                                 "components:\n"
                                 "  w: {kind: service, workers: 100, steps: [{write: db}]}\n"
                                 "  db:\n    kind: database\n    keys: 1\n"
                                 "    consistency: {replication_factor: 3, read: one, write: ") +
                             level +
                             "}\n"
                             "    queries: {read: 1ms, write: 1ms}\n"
                             "slo:\n  lost_writes: 0\n";
    const RunResult r = run_text(text);
    const ComponentResult& db = db_of(r);
    const double lost = figure(db, "lost_writes") / figure(db, "writes");
    CHECK(lost == Rel(queueing::lww_lost_write_probability(200, 0.001), 0.05));
    REQUIRE(r.slo.size() == 1);
    CHECK(r.slo[0].name == "lost_writes");
    CHECK(r.slo[0].actual == figure(db, "lost_writes"));
    CHECK_FALSE(r.slo[0].pass);
  }
}

TEST_CASE("quorum: check refuses levels the replicas cannot meet and primary-replica keys, with positions") {
  const std::string text = R"(traffic:
  - {name: u, to: db, rate: 10/s}
components:
  db:
    kind: database
    queries: {read: 1ms}
    replicas: 2
    consistency: {replication_factor: 3, read: 4, write: most}
)";
  try {
    load_scenario_text(text, "bad.yaml");
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("bad.yaml:7:5: error: 'replicas' is for a primary with read replicas") != std::string::npos);
    CHECK(m.find("bad.yaml:8:48: error: 'read: 4' waits for more replicas than the replication_factor (3)") !=
          std::string::npos);
    CHECK(m.find("bad.yaml:8:58: error: expected an integer for 'write', got 'most'") !=
          std::string::npos);  // 'most' is no level
  }
}

TEST_CASE("example quorum_store: QUORUM survives a node down with no stale read; ONE goes stale, ALL fails") {
  const std::string path = std::string(ARCHSIM_SOURCE_DIR) + "/examples/data/quorum_store.yaml";
  const RunResult q = simulate(load_scenario(path));
  CHECK(q.failed == 0);
  CHECK(figure(db_of(q), "stale_reads") == 0);
  CHECK(figure(db_of(q), "lost_writes") > 0);  // concurrent edits of a hot key
  const auto with = [&](int read, int write) {
    ScenarioSpec s = load_scenario(path);
    for (ComponentSpec& c : s.components)
      if (DatabaseSpec* d = c.database(); d && d->consistency) {
        d->consistency->read = read;
        d->consistency->write = write;
      }
    return simulate(s);
  };
  const RunResult one = with(1, 1);
  CHECK(one.failed == 0);
  CHECK(figure(db_of(one), "stale_read_ratio") >
        0.01);  // the node back from the fault missed a minute of writes
  const RunResult all = with(3, 1);
  // Reads at ALL fail for the minute the node is down: 3,000/s x 60 s.
  CHECK(static_cast<double>(test::error_count(all, "unavailable")) == Rel(180000, 0.02));
}
