// A migration's two stores (`mirror:` on a database) and the two ways to
// keep them together: a dual write (two writes from the service, one after
// the other) and an outbox (`write: DB, outbox: QUEUE`: the row and the
// outbox row commit in one transaction; the queue's consumer applies it to
// the old store, at least once). inconsistent_writes counts the writes the
// new store committed that the old store never got.
#include <doctest/doctest.h>

#include "check.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "graded_problems.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

RunResult run_text(const std::string& text) { return simulate(load_scenario_text(text, "m.yaml")); }

const ComponentResult& component(const RunResult& r, const std::string& name) {
  for (const ComponentResult& c : r.components)
    if (c.name == name) return c;
  FAIL("no component " << name);
  return r.components.front();
}

double figure(const RunResult& r, const std::string& comp, const std::string& name) {
  for (const Figure& f : component(r, comp).figures)
    if (f.name == name) return f.value;
  FAIL("component " << comp << " has no figure " << name);
  return 0;
}

// 100 orders a second for 100 measured seconds; writes take 1 ms and
// nothing queues. `steps` is the orders service's program; `extra` more
// components and the faults.
std::string migration(const std::string& steps, const std::string& extra) {
  return "seed: 11\nduration: 110s\nwarmup: 10s\n"
         "traffic:\n  - {name: users, to: orders, rate: 100/s}\n"
         "slo:\n  inconsistent_writes: 0\n"
         "components:\n"
         "  orders:\n    kind: service\n    workers: 200\n    steps:\n" +
         steps +
         "  orders_db:\n    kind: database\n    mirror: old_db\n"
         "    queries: {read: const(1ms), write: const(1ms)}\n"
         "  old_db:\n    kind: database\n    queries: {read: const(1ms), write: const(1ms)}\n" +
         extra;
}

const char* kDualWrite = "      - write: orders_db\n      - write: old_db\n";
const char* kOutbox = "      - {write: orders_db, outbox: relay}\n";

// The relay: a queue whose consumer applies each row to the old store.
std::string relay(const std::string& queue_keys) {
  return "  relay:\n    kind: queue\n    consumer: applier\n" + queue_keys +
         "  applier:\n    kind: service\n    workers: 8\n    steps:\n      - write: old_db\n";
}

}  // namespace

TEST_CASE(
    "dual write: with the old store failing a write with probability p, inconsistencies are Binomial(N, p)") {
  // Each order writes the new store (never fails) then the old one (fails
  // with p = 10%, independently): the stores disagree exactly when the
  // second write fails, so the count over N orders is Binomial(N, p):
  // mean N p, sd sqrt(N p (1 - p)). N is the new store's committed writes.
  const double p = 0.10;
  const RunResult r = run_text(migration(kDualWrite, "faults:\n  - {at: 0s, errors: old_db, p: 10%}\n"));
  const double n = figure(r, "orders_db", "writes");
  const double bad = figure(r, "orders_db", "inconsistent_writes");
  REQUIRE(n > 9000);
  const double sd = std::sqrt(n * p * (1 - p));
  CHECK(std::abs(bad - n * p) < 4 * sd);
  // Each one is also a failed order (the service saw its second write fail):
  // the figure is the same event seen from the stores.
  CHECK(std::abs(bad - static_cast<double>(r.failed)) <= 2);  // orders in flight at the end
  REQUIRE(r.slo.size() == 1);
  CHECK(r.slo[0].name == "inconsistent_writes");
  CHECK(r.slo[0].actual == bad);
  CHECK_FALSE(r.slo[0].pass);
}

TEST_CASE("dual write: the old store written first, a failure there leaves nothing to disagree") {
  // The failed write is the first: the order fails, neither store has it.
  const RunResult r = run_text(migration("      - write: old_db\n      - write: orders_db\n",
                                         "faults:\n  - {at: 0s, errors: old_db, p: 10%}\n"));
  CHECK(r.failed > 500);
  CHECK(figure(r, "orders_db", "inconsistent_writes") == 0);
}

TEST_CASE("outbox: the relay down for 20 s delays the rows by the outage, loses none") {
  // The row and the outbox row commit together; the relay (the queue) is
  // down from 40 s to 60 s: rows wait, then drain. The oldest waits the
  // whole outage; 20 of the 100 measured seconds' rows wait, uniformly from
  // 0 to 20 s, so the p99 of the publish-to-applied delay is the 95th
  // percentile of U(0, 20 s) = 19 s.
  const RunResult r =
      run_text(migration(kOutbox, relay("") + "faults:\n  - {at: 40s, kill: relay, for: 20s}\n"));
  CHECK(figure(r, "orders_db", "inconsistent_writes") == 0);
  CHECK(figure(r, "orders_db", "mirror_pending") == 0);  // drained before the end
  CHECK(figure(r, "relay", "lag_max_s") == Rel(20, 0.02));
  CHECK(figure(r, "relay", "delay_p99_ms") == Rel(19000, 0.03));
  CHECK(r.failed == 0);  // the orders never waited for the old store
  REQUIRE(r.slo.size() == 1);
  CHECK(r.slo[0].pass);
}

TEST_CASE(
    "outbox: the consumer down, at-least-once redelivery loses nothing; giving up loses exactly the rows "
    "given up") {
  const std::string down = "faults:\n  - {at: 40s, kill: applier, for: 20s}\n";
  // Redelivered every second for up to 100 tries: every row outlives the outage.
  const RunResult kept =
      run_text(migration(kOutbox, relay("    max_attempts: 100\n    redelivery_delay: 1s\n") + down));
  CHECK(figure(kept, "orders_db", "inconsistent_writes") == 0);
  CHECK(figure(kept, "relay", "redeliveries") > 100);  // 8 consumers, each retrying its row for 20 s
  CHECK(figure(kept, "relay", "lag_max_s") > 15);
  // Three tries a second apart: the rows the consumer could not take are
  // dead-lettered (dropped: no dead-letter queue), and each is one order
  // the old store never gets.
  const RunResult lost =
      run_text(migration(kOutbox, relay("    max_attempts: 3\n    redelivery_delay: 1s\n") + down));
  const double dead = figure(lost, "relay", "dead_letters");
  CHECK(dead > 30);
  CHECK(figure(lost, "orders_db", "inconsistent_writes") == dead);
}

TEST_CASE("migration keys: positioned errors with did-you-mean") {
  const auto refusal = [](const std::string& text) {
    try {
      load_scenario_text(text, "m.yaml");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string typo = refusal(migration("      - {write: orders_db, outbox: realy}\n", relay("")));
  CHECK(typo.find("m.yaml:") != std::string::npos);
  CHECK(typo.find("did you mean 'relay'") != std::string::npos);
  const std::string not_queue =
      refusal(migration("      - {write: orders_db, outbox: applier}\n", relay("")));
  CHECK(not_queue.find("'outbox' of service 'orders' names 'applier', a service") != std::string::npos);
  const std::string to_queue = refusal(migration("      - {write: relay, outbox: relay}\n", relay("")));
  CHECK(to_queue.find("commits with a database write") != std::string::npos);
  const std::string on_call = refusal(migration("      - {call: orders_db, outbox: relay}\n", relay("")));
  CHECK(on_call.find("outbox") != std::string::npos);
  std::string self = migration(kDualWrite, "");
  self.replace(self.find("mirror: old_db"), 14, "mirror: orders_db");
  CHECK(refusal(self).find("cannot be its own mirror") != std::string::npos);
  std::string typo_db = migration(kDualWrite, "");
  typo_db.replace(typo_db.find("mirror: old_db"), 14, "mirror: old_bd");
  CHECK(refusal(typo_db).find("did you mean 'old_db'") != std::string::npos);
}

namespace {

// The library's good design with one text replaced (must be there).
std::string good_with(const std::string& from, const std::string& to) {
  std::ifstream in(archsim::test::design("monolith-to-microservices", "good"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

report::Grade graded(const std::string& text) {
  return archsim::test::graded_run(archsim::test::load_design_text("monolith-to-microservices", text));
}

}  // namespace

TEST_CASE(
    "monolith-to-microservices: a dual write leaves orders in one store when the old one fails over; an "
    "outbox does not") {
  using archsim::test::item;
  const std::string outbox = "      - {write: orders_db, outbox: to_monolith}\n";
  // The good design: a canary, then an outbox and its relay. The old
  // database has no primary for 30 s (10m20s, its failover): the relay's
  // rows wait and are applied after it, none is lost.
  const report::Analysis a =
      report::run_analysed(archsim::test::load_design("monolith-to-microservices", "good"));
  const report::Grade good = report::grade(a);
  CHECK(good.pass);
  CHECK(item(good, "inconsistent_writes").actual == 0);
  CHECK(figure(a.result, "to_monolith", "lag_max_s") == Rel(30, 0.1));  // late by the failover
  // At the end only the last moment's rows are still on their way (300 orders a second).
  CHECK(figure(a.result, "orders_db", "mirror_pending") < 30);
  // The same plan with a dual write: every order of the failover is in the
  // new store only (about 300/s for 30 s), and each fails its user.
  const report::Grade sync =
      graded(good_with(outbox, "      - write: orders_db\n      - write: monolith_db\n"));
  CHECK_FALSE(item(sync, "inconsistent_writes").pass);
  CHECK(item(sync, "inconsistent_writes").actual == Rel(300 * 30, 0.1));
  CHECK_FALSE(item(sync, "error_rate").pass);
  // Fired off without waiting: the users see nothing, the stores still disagree.
  const report::Grade async =
      graded(good_with(outbox, "      - write: orders_db\n      - {async: monolith_db, query: write}\n"));
  CHECK(item(async, "error_rate").pass);
  CHECK(item(async, "latency_p99").pass);
  CHECK_FALSE(item(async, "inconsistent_writes").pass);
  CHECK(item(async, "inconsistent_writes").actual == Rel(300 * 30, 0.1));
  // Retries narrow it, and cost the users: the failover outlasts them.
  const report::Grade retried = graded(good_with(
      outbox, "      - write: orders_db\n      - {write: monolith_db, retry: {max: 3, base: 200ms}}\n"));
  CHECK_FALSE(item(retried, "inconsistent_writes").pass);
  CHECK_FALSE(item(retried, "error_rate").pass);
  // An outbox whose relay gives up before the failover is over loses rows.
  const report::Grade gives_up = graded(good_with("max_attempts: 100", "max_attempts: 5"));
  CHECK_FALSE(item(gives_up, "inconsistent_writes").pass);
  CHECK(item(gives_up, "inconsistent_writes").actual > 0);
}

TEST_CASE("monolith-to-microservices: the mirror is the problem's") {
  const std::string m =
      archsim::test::refusal("monolith-to-microservices",
                             good_with("    data: orders\n", "    data: orders\n    mirror: orders_db\n"));
  CHECK(m.find("'mirror' of database 'orders_db' is a fact of the problem's world") != std::string::npos);
  // Without a store of the old data set, the new store's writes have nowhere to go.
  const std::string none = archsim::test::refusal("monolith-to-microservices",
                                                  good_with("    data: legacy\n", "    data: orders\n"));
  CHECK(none.find("the design has no database of 'legacy'") != std::string::npos);
}
