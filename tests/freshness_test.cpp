// A keyed cache or CDN over time: a breaking story's new key (a stampede
// at the origin, and request coalescing against it) and the source's
// updates (stale serves under a TTL, none with a purge on update), each
// checked against its closed form (analysis/queueing.hpp).
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "graded_problems.hpp"
#include "results.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::queueing;
using archsim::test::component;
using archsim::test::figure;
using archsim::test::run_text;

namespace {

// A page service fans out `n` simultaneous reads of one cold key to the
// edge; the origin takes 10 ms. Bursts come 5 s apart on average: the key
// (no TTL) is cold only at the first.
RunResult burst(int n, bool coalesce) {
  std::string calls;
  for (int i = 0; i < n; ++i) calls += std::string(i ? ", " : "") + "{call: edge}";
  return run_text(fmt::format(R"(
duration: 60s
warmup: 0s
traffic: [{{name: readers, to: page, rate: 0.2/s}}]
components:
  page: {{kind: service, workers: 10, steps: [{{parallel: [{}]}}]}}
  edge: {{kind: cdn, origin: origin, keys: 1, coalesce: {}}}
  origin: {{kind: service, workers: 100, steps: [{{work: 10ms}}]}}
)",
                              calls, coalesce ? "true" : "false"));
}

// Poisson reads of one key at `rate`, a TTL of 1 s, a fetch of `fetch` s.
RunResult expiring(double rate, double fetch, bool coalesce) {
  return run_text(fmt::format(R"(
duration: 600s
warmup: 0s
traffic: [{{name: readers, to: edge, rate: {}/s}}]
components:
  edge: {{kind: cdn, origin: origin, keys: 1, ttl: 1s, coalesce: {}}}
  origin: {{kind: service, workers: 1000, steps: [{{work: {}ms}}]}}
)",
                              rate, coalesce ? "true" : "false", fetch * 1e3));
}

}  // namespace

TEST_CASE("stampede: n simultaneous reads of a cold key make n origin fetches, one with coalescing") {
  for (int n : {5, 40}) {
    INFO(n << " simultaneous reads");
    const ComponentResult plain = component(burst(n, false), "edge");
    CHECK(figure(plain, "origin_fetches") == n);
    const ComponentResult single = component(burst(n, true), "edge");
    CHECK(figure(single, "origin_fetches") == 1);
    CHECK(figure(single, "coalesced") == n - 1);
    CHECK(figure(single, "requests") == figure(plain, "requests"));
  }
}

TEST_CASE("stampede: Poisson reads at rate l of a key whose fetch takes F make 1 + l F fetches per expiry" *
          doctest::test_suite("slow")) {
  const double rate = 200, fetch = 0.050;
  const ComponentResult plain = component(expiring(rate, fetch, false), "edge");
  const double expiries = figure(plain, "expirations");
  REQUIRE(expiries > 400);  // 600 s of cycles of about 1.1 s
  // stampede_fetches: 1 + 200/s x 50 ms = 11.
  CHECK(figure(plain, "origin_fetches") / expiries == Rel(stampede_fetches(rate, fetch)).epsilon(0.05));
  const ComponentResult single = component(expiring(rate, fetch, true), "edge");
  // Exactly one per expiry, and the first (cold) fetch.
  CHECK(figure(single, "origin_fetches") == figure(single, "expirations") + 1);
}

TEST_CASE("a breaking story: from its time a share of reads asks for one new key, cold at every edge") {
  const auto run = [](bool coalesce) {
    return run_text(fmt::format(R"(
duration: 60s
warmup: 2s
traffic: [{{name: readers, to: edge, rate: 500/s}}]
components:
  edge:
    kind: cdn
    origin: origin
    keys: 1000
    warm: true                 # every old article is held and never expires
    hot: {{at: 1s, share: 100%}}
    ttl: 1s
    coalesce: {}
  origin: {{kind: service, workers: 1000, steps: [{{work: 20ms}}]}}
)",
                                coalesce ? "true" : "false"));
  };
  const ComponentResult plain = component(run(false), "edge");
  // After the warm-up only the story is read: every request is for it.
  CHECK(figure(plain, "hot_requests") == figure(plain, "requests"));
  CHECK(figure(plain, "requests") == Rel(500.0 * 58).epsilon(0.02));
  // Its expiries: 1 + 500/s x 20 ms = 11 fetches each (stampede_fetches).
  CHECK(figure(plain, "hot_fetches") / figure(plain, "expirations") ==
        Rel(stampede_fetches(500, 0.020)).epsilon(0.08));
  // The busiest second holds about one expiry's stampede.
  CHECK(figure(plain, "peak_fetch_rate") >= 11);
  const ComponentResult single = component(run(true), "edge");
  CHECK(figure(single, "hot_fetches") == figure(single, "expirations"));
  CHECK(figure(single, "peak_fetch_rate") <= 2);
}

namespace {

// Reads at 50/s of one key whose source changes at 2/s, a 1 s TTL, fetches
// that take no time; `purge` the delay of a purge on update ("" = none).
RunResult updated(const std::string& purge) {
  return run_text(fmt::format(R"(
duration: 1200s
warmup: 0s
traffic: [{{name: readers, to: edge, rate: 50/s}}]
components:
  edge: {{kind: cdn, origin: origin, keys: 1, ttl: 1s, updates: 2/s{}}}
  origin: {{kind: service, workers: 100, steps: [{{work: 0ms}}]}}
)",
                              purge.empty() ? "" : ", purge_on_update: " + purge));
}

}  // namespace

TEST_CASE("TTL invalidation: the share of stale serves has the renewal closed form" *
          doctest::test_suite("slow")) {
  const RunResult r = updated("");
  const ComponentResult& e = component(r, "edge");
  CHECK(figure(e, "updates") == Rel(2.0 * 1200).epsilon(0.05));
  // ttl_stale_ratio(50, 2, 1) = 50 (1 - (1 - e^-2) / 2) / 51 = 0.557
  CHECK(figure(e, "stale_serve_ratio") == Rel(ttl_stale_ratio(50, 2, 1)).epsilon(0.04));
  CHECK(figure(e, "stale_serves") == figure(e, "stale_serve_ratio") * figure(e, "requests"));
  CHECK(figure(e, "hit_ratio") == Rel(ttl_hit_ratio(50, 1)).epsilon(0.01));
}

TEST_CASE("purge on update: no stale serve, and the hit ratio the purges leave (min of TTL and update)" *
          doctest::test_suite("slow")) {
  const ComponentResult e = component(updated("0s"), "edge");
  CHECK(figure(e, "stale_serves") == 0);
  CHECK(figure(e, "purges") > 1000);
  // purge_hit_ratio(50, 2, 1): entries live (1 - e^-2) / 2 = 0.43 s: 0.956 (the TTL alone: 0.980).
  CHECK(figure(e, "hit_ratio") == Rel(purge_hit_ratio(50, 2, 1)).epsilon(0.01));
  // A purge that takes 200 ms leaves stale serves in its window, fewer than the TTL alone.
  const ComponentResult late = component(updated("200ms"), "edge");
  CHECK(figure(late, "stale_serve_ratio") > 0.05);
  CHECK(figure(late, "stale_serve_ratio") < ttl_stale_ratio(50, 2, 1) / 2);
}

TEST_CASE("stale_serves is an objective over every cache and CDN") {
  ScenarioSpec s = load_scenario_text(R"(
duration: 120s
warmup: 0s
traffic: [{name: readers, to: edge, rate: 50/s}]
components:
  edge: {kind: cdn, origin: origin, keys: 1, ttl: 1s, updates: 2/s}
  origin: {kind: service, workers: 100, steps: [{work: 0ms}]}
slo:
  stale_serves: 1%
)",
                                      "slo.yaml");
  const RunResult r = simulate(s);
  REQUIRE(r.slo.size() == 1);
  CHECK(r.slo[0].name == "stale_serves");
  CHECK(r.slo[0].correctness);
  CHECK(r.slo[0].actual == Rel(figure(component(r, "edge"), "stale_serve_ratio")).epsilon(1e-9));
  CHECK_FALSE(r.slo[0].pass);
}

TEST_CASE("personalised copies: a cache keyed by (article, reader) has Che's hit ratio over the pairs" *
          doctest::test_suite("slow")) {
  // 100 articles, Zipf(0.8); 1000 readers, uniform; 5000 copies fit.
  const auto run = [](bool vary) {
    return run_text(
        fmt::format(R"(
duration: 240s
warmup: 60s
traffic: [{{name: readers, to: edge, rate: 2000/s}}]
components:
  edge:
    kind: cdn
    origin: origin
    keys: 100
    popularity: zipf(0.8)
    {}
  origin: {{kind: service, workers: 1000, steps: [{{work: 1ms}}]}}
)",
                    vary ? "capacity: 5000\n    vary: {keys: 1000, popularity: uniform}" : "capacity: 100"));
  };
  const ComponentResult page = component(run(true), "edge");
  std::vector<double> pairs;
  for (const KeyClass& c : product_classes(zipf_classes(100, 0.8), zipf_classes(1000, 0)))
    for (int i = 0; i < static_cast<int>(c.count); ++i) pairs.push_back(c.p);
  REQUIRE(pairs.size() == 100000);
  const double che = che_lru_hit_ratio(pairs, 5000);
  CHECK(che < 0.25);  // 5% of the copies fit: the personalised page rarely hits
  CHECK(figure(page, "hit_ratio") == Rel(che).epsilon(0.05));
  // The shared fragment (no reader in the key): every article fits.
  const ComponentResult fragment = component(run(false), "edge");
  CHECK(figure(fragment, "hit_ratio") > 0.99);
}

TEST_CASE("the breaking story, the edits and the readers are the problem's; the purge is the design's") {
  const std::string msg = archsim::test::refusal("news-caching", R"(components:
  us-entry: {kind: cdn, data: articles, origin: web, hot: {at: 1m, share: 1%}, updates: 0/s}
  eu-entry: {kind: cdn, data: pages, region: eu-west, origin: web, vary: {keys: 1}}
  ap-entry: {kind: load_balancer, to: web}
  web: {kind: service, steps: [{work: render_page}, {work: render_panel}, {call: db}]}
  db: {kind: database, data: articles}
)");
  INFO(msg);
  CHECK(msg.find("test.yaml:2:54: error: 'hot' of cdn 'us-entry' is a fact of the problem's world") !=
        std::string::npos);
  CHECK(msg.find("'updates' of cdn 'us-entry' is a fact") != std::string::npos);
  CHECK(msg.find("'vary' of cdn 'eu-entry' is a fact") != std::string::npos);
  // The data set's facts reach every cache of it; the design's purge stays.
  const ScenarioSpec s = archsim::test::load_design("news-caching", "good");
  const CdnSpec* edge = s.components[static_cast<std::size_t>(s.find("ap-entry"))].cdn();
  REQUIRE(edge);
  REQUIRE(edge->store.hot);
  CHECK(edge->store.hot->at == 180);
  CHECK(edge->store.hot->share == doctest::Approx(0.3));
  CHECK(edge->store.updates == doctest::Approx(0.5));
  CHECK(edge->store.purge_on_update == doctest::Approx(0.150));
  CHECK_FALSE(edge->store.vary);
  CHECK(edge->include == "panel-ap");
}
