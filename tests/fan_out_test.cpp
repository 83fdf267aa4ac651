// Fan-out on write by followers (spec/parse_followers, the RepeatBegin of
// model/service): a post's pushes follow its author's followers, drawn per
// post from the shares; a hybrid leaves authors above `pull_above` unpushed.
// The count of pushes is exact given the number K of celebrity posts, and
// K is Binomial(posts, share).
#include <doctest/doctest.h>

#include "check.hpp"
#include "graded_problems.hpp"
#include "results.hpp"

#include <cmath>
#include <string>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::test;

namespace {

// 100 posts/s for 90 s, then none: every post's pushes are done at the end.
// 90% of the authors have 100 followers (2 batches of 50), 10% have 10,000
// (200 batches), or none with pull_above below 10,000.
std::string fan_out_scenario(const std::string& repeat_extra) {
  return R"(seed: 3
duration: 100s
traffic:
  - name: posters
    to: post
    rate: 100/s
    profile: [{at: 90s, x: 0}]
components:
  post:
    kind: service
    workers: 1000
    steps:
      - repeat: {followers: [{share: 90%, count: 100}, {share: 10%, count: 10k}], batch: 50)" +
         repeat_extra + R"(}
        steps: [{call: store}]
  store: {kind: service, workers: 1000, steps: [{work: 10us}]}
)";
}

// K ~ Binomial(n, p): within 4 standard deviations of n p.
void check_binomial(double k, double n, double p) {
  CAPTURE(k);
  CAPTURE(n);
  CHECK(std::abs(k - n * p) < 4 * std::sqrt(n * p * (1 - p)));
}

}  // namespace

TEST_CASE("fan-out by followers: pushes = 2 (posts - K) + 200 K, K celebrity posts ~ Binomial(posts, 10%)") {
  const RunResult r = simulate(load_scenario_text(fan_out_scenario(""), "fan.yaml"));
  const double posts = static_cast<double>(component(r, "post").completed);
  const double pushes = static_cast<double>(component(r, "store").completed);
  REQUIRE(posts > 8000);
  CHECK(component(r, "post").arrivals == component(r, "post").completed);  // nothing left in flight
  // pushes - 2 posts = 198 K exactly: an integer count of celebrity posts.
  const double k = (pushes - 2 * posts) / 198;
  CHECK(k == std::round(k));
  check_binomial(k, posts, 0.10);
  // The mean pushes per post: 0.9 x 2 + 0.1 x 200 = 21.8.
  CHECK(pushes / posts == Rel(21.8, 0.1));
}

TEST_CASE("fan-out by followers: pull_above leaves the celebrities' posts unpushed") {
  const RunResult r = simulate(load_scenario_text(fan_out_scenario(", pull_above: 1k"), "fan.yaml"));
  const double posts = static_cast<double>(component(r, "post").completed);
  const double pushes = static_cast<double>(component(r, "store").completed);
  REQUIRE(posts > 8000);
  // pushes = 2 (posts - K): the K celebrity posts push nothing.
  const double k = (2 * posts - pushes) / 2;
  CHECK(k == std::round(k));
  check_binomial(k, posts, 0.10);
}

TEST_CASE("fan-out by followers: shares must add up to 100%, and a name needs a graded problem") {
  const std::string text = R"(traffic:
  - {name: u, to: post, rate: 10/s}
components:
  post:
    kind: service
    steps:
      - repeat: {followers: [{share: 90%, count: 100}, {share: 5%, count: 1M}], batch: 50}
        steps: [{call: store}]
      - repeat: {followers: timelines}
        steps: [{call: store}]
      - repeat: {followers: [{share: 100%}], batchs: 2}
        steps: [{call: store}]
  store: {kind: service, steps: [{work: 1ms}]}
)";
  try {
    load_scenario_text(text, "fan.yaml");
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CAPTURE(m);
    CHECK(m.find("fan.yaml:7:29: error: the shares of 'followers' add up to 95%, not 100%") !=
          std::string::npos);
    CHECK(m.find("fan.yaml:9:29: error: 'followers: NAME' names a data set of a graded problem") !=
          std::string::npos);
    CHECK(m.find("fan.yaml:11:46: error: unknown key 'batchs' in 'repeat'") != std::string::npos);
    CHECK(m.find("fan.yaml:11:30: error: missing required key 'count'") != std::string::npos);
  }
}

TEST_CASE("delivery_p99: the worst queue's publish-to-processed p99, over the whole system only") {
  const std::string text = R"(seed: 5
duration: 60s
traffic:
  - {name: u, to: api, rate: 50/s}
components:
  api: {kind: service, workers: 8, steps: [{publish: jobs}]}
  jobs: {kind: queue, consumer: worker}
  worker: {kind: service, workers: 1, steps: [{work: exp(10ms)}]}
slo:
  delivery_p99: 100ms
)";
  const RunResult r = simulate(load_scenario_text(text, "q.yaml"));
  double delay_p99_ms = 0;
  for (const Figure& f : component(r, "jobs").figures)
    if (f.name == "delay_p99_ms") delay_p99_ms = f.value;
  REQUIRE(r.slo.size() == 1);
  CHECK(r.slo[0].actual == Rel(delay_p99_ms / 1e3, 1e-9));
  // M/M/1 at rho = 0.5: the sojourn is exp(mean 1 / (mu - lambda)) = exp(20 ms), p99 = 20 ms x ln 100 = 92
  // ms.
  CHECK(r.slo[0].actual == Rel(0.020 * std::log(100.0), 0.15));
  CHECK_FALSE(r.slo[0].correctness);
  try {
    load_scenario_text(std::string(text) + "  per_source: {u: {delivery_p99: 1s}}\n", "q.yaml");
    FAIL("accepted");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("'delivery_p99' counts over the whole system") != std::string::npos);
  }
}
