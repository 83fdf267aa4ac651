// The scenario library (scenarios/<problem>/): every problem's naive design
// fails and its good design passes, each for the reason its README states.
#include <doctest/doctest.h>

#include "check.hpp"

#include <cmath>
#include <filesystem>
#include <string>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "report/analysis.hpp"
#include "spec/instances.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::report;
namespace fs = std::filesystem;

namespace {

const fs::path kLibrary = fs::path(ARCHSIM_SOURCE_DIR) / "scenarios";

Analysis run_design(const std::string& problem, const std::string& design) {
  LoadOptions o;
  o.design = (kLibrary / problem / "designs" / (design + ".yaml")).string();
  return run_analysed(load_scenario((kLibrary / problem / "problem.yaml").string(), o));
}

const SloCheck& slo(const Analysis& a, const std::string& name) {
  for (const SloCheck& c : a.result.slo)
    if (c.name == name) return c;
  FAIL("no SLO " << name);
  throw;
}

double figure(const Analysis& a, const std::string& comp, const std::string& name) {
  for (const ComponentResult& c : a.result.components)
    if (c.name == comp)
      for (const Figure& f : c.figures)
        if (f.name == name) return f.value;
  return -1;
}

const ComponentResult& component(const Analysis& a, const std::string& name) {
  for (const ComponentResult& c : a.result.components)
    if (c.name == name) return c;
  FAIL("no component " << name);
  throw;
}

double error_share(const Analysis& a, const std::string& kind) {
  const auto it = a.result.errors.find(kind);
  if (it == a.result.errors.end() || a.result.failed == 0) return 0;
  return static_cast<double>(it->second) / static_cast<double>(a.result.failed);
}

/// The good design of a problem ("mitigated" for Black Friday, which predates the library's naming).
std::string good_of(const std::string& problem) { return problem == "black-friday" ? "mitigated" : "good"; }

}  // namespace

TEST_SUITE("library") {
  TEST_CASE("every problem has a problem file, a README, a naive and a good design, and they load") {
    int problems = 0;
    for (const auto& e : fs::directory_iterator(kLibrary)) {
      if (!e.is_directory()) continue;
      const std::string p = e.path().filename().string();
      INFO("problem " << p);
      CHECK(fs::exists(e.path() / "problem.yaml"));
      CHECK(fs::exists(e.path() / "README.md"));
      CHECK(fs::exists(e.path() / "designs" / "naive.yaml"));
      CHECK(fs::exists(e.path() / "designs" / (good_of(p) + ".yaml")));
      for (const auto& d : fs::directory_iterator(e.path() / "designs")) {
        LoadOptions o;
        o.design = d.path().string();
        CHECK_NOTHROW(load_scenario((e.path() / "problem.yaml").string(), o));
      }
      ++problems;
    }
    CHECK(problems >= 5);
  }

  TEST_CASE(
      "black-friday: the database's pools run dry at the spike and nothing recovers; sized pools hold") {
    const Analysis naive = run_design("black-friday", "naive");
    CHECK_FALSE(naive.pass());
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "db");
    CHECK(naive.why.saturated.front().at == Rel(130).epsilon(0.05));  // the spike's ramp, 2m-2m30s
    CHECK(naive.why.saturated.front().at_end);                        // metastable: no recovery
    CHECK(error_share(naive, "timeout") >
          0.95);  // the rest are pool_exhausted (500s); see resilience_test.cpp
    CHECK(error_share(naive, "pool_exhausted") > 0);
    CHECK(naive.why.errors.front().at_client);
    const Analysis good = run_design("black-friday", "mitigated");
    CHECK(good.pass());
    CHECK(good.why.saturated.empty());
  }

  TEST_CASE(
      "slow-endpoint: nothing saturates, 42 database visits make it slow; the index and eager loading fix "
      "it") {
    const Analysis naive = run_design("slow-endpoint", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "latency_p99").pass);
    CHECK(slo(naive, "error_rate").pass);
    CHECK(naive.why.saturated.empty());
    CHECK(naive.result.latency.mean > 3.5);  // "a 5-second endpoint"
    const ComponentResult& db = component(naive, "db");
    CHECK(static_cast<double>(db.arrivals) / naive.result.started == Rel(42).epsilon(0.01));
    CHECK(naive.why.headline.find("a request spends") != std::string::npos);
    CHECK(naive.why.headline.find("at db (42 visits") != std::string::npos);
    const Analysis good = run_design("slow-endpoint", "good");
    CHECK(good.pass());
    CHECK(good.result.latency.p99 < 0.05);
  }

  TEST_CASE("dashboard-47-queries: 47 sequential queries take 12 s; 5 batched ones in parallel about 1.2 s") {
    const Analysis naive = run_design("dashboard-47-queries", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "latency_p50").pass);
    CHECK(naive.result.latency.mean == Rel(12).epsilon(0.1));
    CHECK(naive.why.headline.find("47 visits") != std::string::npos);
    const Analysis good = run_design("dashboard-47-queries", "good");
    CHECK(good.pass());
    CHECK(good.result.latency.mean == Rel(1.2).epsilon(0.15));
  }

  TEST_CASE("launch-pool-exhaustion: the pools run dry at Little's law capacity; larger pools pass") {
    const Analysis naive = run_design("launch-pool-exhaustion", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "error_rate").pass);
    // The API's 64 handlers per replica (m6i.xlarge) wait for the 10
    // connections; orders queue for a handler and customers give up.
    CHECK(error_share(naive, "timeout") == 1.0);
    REQUIRE_FALSE(naive.why.saturated.empty());
    const Saturation& s = naive.why.saturated.front();
    CHECK(s.name == "db");
    CHECK(s.pool);
    // 40 connections, each held 19.4 ms on average: at most 2,060 orders/s.
    CHECK(s.served_rps == Rel(40 / 0.0194).epsilon(0.05));
    CHECK(s.at == Rel(137).epsilon(0.02));  // 2m17s
    const Analysis good = run_design("launch-pool-exhaustion", "good");
    CHECK(good.pass());
    CHECK(figure(good, "db", "pool_exhausted") == 0);
  }

  TEST_CASE(
      "memory-leak: GC pauses slow an instance before it is killed; health checks alone do not hide it") {
    const Analysis naive = run_design("memory-leak", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "error_rate").pass);
    CHECK(error_share(naive, "killed") > 0.5);
    CHECK(naive.faults.size() >= 4);  // the leak and a kill every 4 minutes
    // Health checks eject the dead instances, but the latency breaks before
    // the first kill (6m): the instance in GC pauses still passes its checks.
    const Analysis checks = run_design("memory-leak", "health-checks");
    CHECK_FALSE(checks.pass());
    CHECK_FALSE(slo(checks, "latency_p99").pass);
    bool before_kill = false;
    for (const SloBreak& b : checks.why.breaks)
      if (b.slo == "latency_p99" && b.timed && b.at < 360) before_kill = true;
    CHECK(before_kill);
    const Analysis good = run_design("memory-leak", "good");
    int ejections = 0;
    for (const Note& n : good.result.notes) ejections += n.kind == "health" && n.what == "eject";
    CHECK(ejections >= 4);
  }

  // Health checks wait for their probes' timeout (a crash is detected 0.5 to
  // 1.5 s after it with a 1 s interval): a least_connections balancer would
  // send retries back to the dead instance in that window (its requests fail
  // at once, so it has the fewest open connections). The good design balances
  // by power of two choices and passes.
  TEST_CASE("memory-leak: the good design passes") { CHECK(run_design("memory-leak", "good").pass()); }

  TEST_CASE(
      "payments: immediate retries without idempotency keys double-charge and storm; keys, backoff and a "
      "budget pass") {
    const Analysis naive = run_design("payments", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "error_rate").pass);
    CHECK(figure(naive, "psp", "duplicates") > 1000);
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "psp");
    CHECK(naive.why.saturated.front().at == Rel(180).epsilon(0.02));  // the provider's slowdown at 3m
    CHECK(naive.why.errors.front().kind == "timeout");
    CHECK(naive.why.errors.front().origin == "payments");
    CHECK(naive.why.errors.front().waiting_for == "psp");
    const Analysis good = run_design("payments", "good");
    CHECK(good.pass());
    CHECK(figure(good, "psp", "duplicates") <= 0);  // idempotent: nothing counted
    CHECK(good.why.saturated.empty());
  }

  TEST_CASE(
      "sql-vs-nosql: async replicas read stale and lose edits at failover; QUORUM reads every confirmed "
      "edit") {
    const Analysis naive = run_design("sql-vs-nosql", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(
        slo(naive, "stale_reads").pass);  // replication lag: a reload after an edit sees the old profile
    CHECK(figure(naive, "db", "stale_read_ratio") > 0.01);
    CHECK_FALSE(slo(naive, "error_rate").pass);  // the primary fails: edits fail until the promotion
    CHECK(error_share(naive, "killed") > 0.05);
    CHECK(figure(naive, "db", "failovers") == 1);
    const Analysis good = run_design("sql-vs-nosql", "good");
    CHECK(good.pass());
    CHECK(figure(good, "db", "stale_reads") == 0);  // R + W > N, through the node failure and its return
    CHECK(figure(good, "db", "unavailable") == 0);  // two of three up
    CHECK(figure(good, "db", "lost_writes") > 0);   // the price README names: last-writer-wins
  }

  TEST_CASE("news-caching: the database saturates at the breaking story; regional CDN edges and Redis pass") {
    const Analysis naive = run_design("news-caching", "naive");
    CHECK_FALSE(naive.pass());
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "db");
    CHECK(naive.why.saturated.front().at >= 180);  // the spike at 3m, not before
    const Analysis good = run_design("news-caching", "good");
    CHECK(good.result.slo_pass);
    CHECK(figure(good, "eu-entry", "hit_ratio") > 0.6);
    CHECK(figure(good, "us-entry", "hit_ratio") > 0.6);
    CHECK(component(good, "db").arrivals * 10 < component(naive, "db").arrivals);
  }

  TEST_CASE("social-feed: fan-out on read saturates the post shards; fan-out on write passes") {
    const Analysis naive = run_design("social-feed", "naive");
    CHECK_FALSE(naive.pass());
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "posts");
    const Analysis good = run_design("social-feed", "good");
    CHECK(good.pass());
    // Graded: the timelines hold every concurrent user's (warm), so reads hit;
    // the shards see the posts only.
    CHECK(figure(good, "timelines", "hit_ratio") > 0.99);
    CHECK(component(good, "posts").utilization < 0.2);
    CHECK(naive.why.saturated.front().at < 5);  // from the start: each shard answers every read
    // Fan-out on write for every author: reads are as fast as the hybrid's,
    // but a celebrity's post is 20,000 pushes (about 18 s of a consumer) and
    // the posts behind it on its partition wait: delivery_p99 fails.
    const Analysis all = run_design("social-feed", "fan-out-on-write");
    CHECK_FALSE(all.pass());
    CHECK(all.result.latency.p99 < 0.2);
    CHECK(figure(all, "new-posts", "delay_p99_ms") > 10'000);
    CAPTURE(all.why.headline);
    CHECK(all.why.headline.find("delivery_p99 failed: new-posts held its messages") != std::string::npos);
    CHECK(figure(good, "new-posts", "delay_p99_ms") < 100);  // the hybrid pulls celebrities at read time
  }

  TEST_CASE(
      "monolith-to-microservices: a big-bang cutover saturates the new service; a canary then a strangler "
      "fig passes") {
    const Analysis naive = run_design("monolith-to-microservices", "naive");
    CHECK_FALSE(naive.pass());
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "orders");
    CHECK(naive.why.saturated.front().at == Rel(180).epsilon(0.02));  // the cutover at 3m
    CHECK(naive.result.errors.count("injected_error"));               // the latent defect, shown to everyone
    // Its dual write leaves the old database's failover's orders in the new store only; the outbox none.
    CHECK(figure(naive, "orders_db", "inconsistent_writes") > 1000);
    const Analysis good = run_design("monolith-to-microservices", "good");
    CHECK(good.pass());
    CHECK(figure(good, "orders_db", "inconsistent_writes") == 0);
    // The defect shows with the canary's first request (2m) and is fixed 3 min later.
    std::vector<double> defect;
    for (const Note& n : good.result.notes)
      if (n.kind == "fault" && (n.what == "defect" || n.what == "fixed")) defect.push_back(n.t);
    REQUIRE(defect.size() == 2);
    CHECK(defect[0] == Rel(120).epsilon(0.01));
    CHECK(defect[1] - defect[0] == Rel(180).epsilon(1e-9));
    int scalings = 0;
    for (const Note& n : good.result.notes) scalings += n.kind == "autoscale" && n.what == "scale";
    CHECK(scalings >= 2);
    // Billed for the replicas it ran: between the 2 it started with and its maximum of 8.
    CHECK(good.cost.lines[2].mean_replicas > 2);
    CHECK(good.cost.lines[2].mean_replicas < 8);
  }

  TEST_CASE(
      "storefront-black-friday: 24 queries a page run the inventory pool dry at the spike; eager loading "
      "passes") {
    // A variants query: lognormal(median 0.8 ms, p99 4 ms), mean median x e^(sigma^2/2) with
    // sigma = ln(4 / 0.8) / z99: 1.016 ms. 20 connections (5 per app instance x 4) hold one each.
    const double sigma = std::log(4.0 / 0.8) / 2.3263478740408408;
    const double hold = 0.0008 * std::exp(sigma * sigma / 2);
    const Analysis naive = run_design("storefront-black-friday", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "latency_p99").pass);
    CHECK_FALSE(slo(naive, "error_rate").pass);
    CHECK(error_share(naive, "timeout") > 0.95);  // shoppers give up at 3 s, and reload
    REQUIRE_FALSE(naive.why.saturated.empty());
    const Saturation& s = naive.why.saturated.front();
    CHECK(s.name == "inventory");
    CHECK(s.pool);  // the connections, not the database's 32 workers (56% busy)
    CHECK(component(naive, "inventory").utilization < 0.7);
    // Little's law: 20 connections / 1.016 ms = 19,680 queries/s, 820 pages a second of 24 queries,
    // reached on the ramp from 400 (1m30s) to 1,600 (2m) pages/s at about 1m40s.
    CHECK(s.served_rps == Rel(20 / hold).epsilon(0.03));
    CHECK(s.at == Rel(100).epsilon(0.05));
    CHECK(naive.why.headline.find("inventory's pool") != std::string::npos);
    const Analysis good = run_design("storefront-black-friday", "good");
    CHECK(good.pass());
    CHECK(good.why.saturated.empty());
    CHECK(figure(good, "inventory", "pool_exhausted") == 0);
    // One inventory query per page (eager loading), against 24.
    CHECK(static_cast<double>(component(good, "inventory").arrivals) ==
          Rel(static_cast<double>(component(good, "storefront").arrivals)).epsilon(0.001));
    CHECK(figure(good, "page-cache", "hit_ratio") > 0.7);  // Zipf(1.0) over 20k pages, 5k kept for 60 s
    CHECK(good.cost.per_hour < naive.cost.per_hour);
  }

  TEST_CASE(
      "video-streaming: the origin cannot serve the audience; a warmed edge and shield can, at the price of "
      "egress") {
    const Analysis naive = run_design("video-streaming", "naive");
    CHECK_FALSE(naive.pass());
    REQUIRE_FALSE(naive.why.saturated.empty());
    CHECK(naive.why.saturated.front().name == "origin");
    const Analysis good = run_design("video-streaming", "good");
    CHECK(good.pass());
    CHECK(figure(good, "entry", "hit_ratio") > 0.8);
    CHECK(figure(good, "entry", "egress_gbps") == Rel(8).epsilon(0.1));  // 2,000 players x 2 MB / 4 s
    CHECK(good.cost.lines[0].usage);
    CHECK(good.cost.per_hour > 50);
    CHECK(component(good, "origin").utilization < 0.8);  // the problem's origin fleet, behind two tiers
  }

  TEST_CASE(
      "video-egress: one CDN site saturates the routes to the other regions; an edge per region passes") {
    if (!simgrid_available()) {
      archsim::test::skip("video-egress runs on the simgrid backend, not in this build");
      return;
    }
    const auto link = [](const Analysis& a, const std::string& name) {
      for (const LinkResult& l : a.result.links)
        if (l.name == name) return l.utilization;
      FAIL("no link " << name);
      return -1.0;
    };
    const Analysis naive = run_design("video-egress", "naive");
    CHECK_FALSE(naive.pass());
    CHECK_FALSE(slo(naive, "latency_p99").pass);
    // The routes carry what the eu-west and ap-south players ask: 800 Mbit/s of 400.
    CHECK(link(naive, "us-east/eu-west") > 0.97);
    CHECK(link(naive, "us-east/ap-south") > 0.97);
    REQUIRE_FALSE(naive.why.saturated_links.empty());
    CHECK(naive.why.saturated_links.front().name.find("us-east/") == 0);
    CHECK(naive.why.headline.find("the link us-east/") != std::string::npos);
    // All egress leaves us-east, half of it (eu-west's and ap-south's) over a route.
    REQUIRE(naive.result.egress.size() == 1);
    CHECK(naive.result.egress[0].region == "us-east");
    CHECK(naive.result.egress[0].cross_region_bytes_per_s / naive.result.egress[0].bytes_per_s ==
          Rel(0.5, 0.05));
    CHECK(figure(naive, "edge-eu", "hit_ratio") > 0.85);  // the CDN works; the WAN is the limit

    const Analysis good = run_design("video-egress", "good");
    CHECK(good.pass());
    CHECK(link(good, "us-east/eu-west") < 0.4);  // only the misses cross
    REQUIRE(good.result.egress.size() == 3);
    for (const RegionEgress& e : good.result.egress) {
      CAPTURE(e.region);
      CHECK(e.cross_region_bytes_per_s == 0);
      // 200 players x 2 MB every 4 s on average: 100 MB/s.
      CHECK(e.bytes_per_s == Rel(1e8, 0.05));
      CHECK(e.per_hour == Rel(e.gb_per_hour * cdn_price_per_gb(), 1e-6));
    }

    // A non-answer: an edge in us-east that holds every segment, warmed.
    LoadOptions o;
    const std::string design = R"(
name: big-edge
components:
  edge-us: &cdn {kind: cdn, data: segments, origin: origin, capacity: 400k, ttl: 24h, warm: 400k, hosts: [pop-us]}
  edge-eu: {<<: *cdn}
  edge-ap: {<<: *cdn}
)";
    o.design_text = design;
    const Analysis big =
        run_analysed(load_scenario((kLibrary / "video-egress" / "problem.yaml").string(), o));
    CHECK(figure(big, "edge-eu", "hit_ratio") > 0.99);
    CHECK_FALSE(big.pass());
    CHECK(link(big, "us-east/eu-west") > 0.97);
  }

}  // TEST_SUITE
