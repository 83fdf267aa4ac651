// Step kinds of a service (repeat, branch, parallel, async, fallback) and the
// call policies (retry, hedge), each against an exact answer.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <cmath>
#include <string>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::test;

namespace {}  // namespace

TEST_CASE("repeat: the N+1 pattern, 47 sequential queries of 10 ms take 470 ms") {
  const RunResult r = run_text(R"(
duration: 100s
traffic: [{name: users, to: page, rate: 10/s}]
components:
  page:
    kind: service
    workers: 1000
    steps:
      - repeat: 47
        steps: [{call: db}]
  db:
    kind: service
    workers: 1000
    service_time: const(10ms)
)");
  CHECK(r.latency.mean == Rel(0.470).epsilon(1e-9));
  // Visits finished within the run made exactly 47 queries each; the last one may be cut off.
  CHECK(component(r, "db").arrivals >= 47 * component(r, "page").completed);
  CHECK(component(r, "db").arrivals <= 47 * component(r, "page").arrivals);
}

TEST_CASE("repeat nested in repeat multiplies") {
  const RunResult r = run_text(R"(
duration: 20s
traffic: [{name: users, to: a, rate: 5/s}]
components:
  a:
    kind: service
    workers: 100
    steps:
      - repeat: 3
        steps:
          - work: const(1ms)
          - repeat: 4
            steps: [{work: const(2ms)}]
)");
  CHECK(r.latency.mean == Rel(3 * (0.001 + 4 * 0.002)).epsilon(1e-9));
}

TEST_CASE("branch: a 30% arm is taken 30% of the time") {
  const RunResult r = run_text(R"(
duration: 2000s
traffic: [{name: users, to: a, rate: 50/s}]
components:
  a:
    kind: service
    workers: 1000
    steps:
      - branch:
          - p: 30%
            steps: [{call: b}]
          - p: 0.2
            steps: [{work: const(5ms)}]
  b:
    kind: service
    workers: 1000
    service_time: const(10ms)
)");
  const double share =
      static_cast<double>(component(r, "b").arrivals) / static_cast<double>(component(r, "a").arrivals);
  CHECK(share == Rel(0.3).epsilon(0.02));
  // Mean: 0.3 * 10 ms + 0.2 * 5 ms + 0.5 * 0.
  CHECK(r.latency.mean == Rel(0.3 * 0.010 + 0.2 * 0.005).epsilon(0.02));
}

TEST_CASE("parallel: waiting for all of 3 exponentials is the expected maximum, for one the minimum") {
  // E[max of n iid exp(mean m)] = m (1 + 1/2 + ... + 1/n); E[min] = m / n.
  const std::string fanout = R"(
duration: 2000s
traffic: [{name: users, to: a, rate: 20/s}]
components:
  a:
    kind: service
    workers: 1000
    steps:
      - parallel:
          - call: b
          - call: c
          - call: d
        wait: WAIT
  b: {kind: service, workers: 1000, service_time: exp(10ms)}
  c: {kind: service, workers: 1000, service_time: exp(10ms)}
  d: {kind: service, workers: 1000, service_time: exp(10ms)}
)";
  auto with_wait = [&](const std::string& w) {
    std::string text = fanout;
    text.replace(text.find("WAIT"), 4, w);
    return run_text(text);
  };
  const RunResult all = with_wait("3");
  CHECK(all.latency.mean == Rel(0.010 * (1 + 0.5 + 1.0 / 3)).epsilon(0.02));
  const RunResult first = with_wait("1");
  CHECK(first.latency.mean == Rel(0.010 / 3).epsilon(0.02));
}

TEST_CASE("async: the caller does not wait, the callee still works") {
  const RunResult r = run_text(R"(
duration: 100s
traffic: [{name: users, to: api, rate: 10/s}]
components:
  api:
    kind: service
    workers: 100
    steps:
      - work: const(2ms)
      - async: audit
  audit:
    kind: service
    workers: 100
    service_time: const(500ms)
)");
  CHECK(r.latency.mean == Rel(0.002).epsilon(1e-9));
  CHECK(component(r, "audit").completed >= component(r, "api").completed - 10);
}

TEST_CASE("retry after timeouts: every attempt is made, the budget limits them") {
  const std::string text = R"(
duration: 100s
traffic: [{name: users, to: api, rate: 10/s}]
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: db
        timeout: 20ms
        retry: {max: 2, backoff: constant, base: 5ms BUDGET}
  db:
    kind: service
    workers: 1000
    service_time: const(30ms)
)";
  std::string plain = text;
  plain.replace(plain.find(" BUDGET"), 7, "");
  const RunResult r = run_text(plain);
  // Every attempt times out: 3 attempts per request, 2 retries, and all fail.
  CHECK(r.completed == 0);
  CHECK(component(r, "db").arrivals >= 3 * component(r, "api").failed);
  CHECK(component(r, "db").arrivals <= 3 * component(r, "api").arrivals);
  CHECK(figure(component(r, "api"), "retries") ==
        Rel(2.0 * static_cast<double>(component(r, "api").arrivals)).epsilon(0.01));

  std::string budget = text;
  budget.replace(budget.find(" BUDGET"), 7, ", budget: 10%");
  const RunResult b = run_text(budget);
  // With a 10% budget, retries are at most 10% of first tries (plus the initial credit of 10).
  const double firsts = static_cast<double>(component(b, "api").arrivals);
  CHECK(figure(component(b, "api"), "retries") <= 0.1 * firsts + 10);
  CHECK(figure(component(b, "api"), "retries") >= 0.1 * firsts - 10);
}

/// A hedged call to an exp(10ms) service, or the same call without the hedge.
const char* kHedge = R"(
duration: 3000s
traffic: [{name: users, to: api, rate: 10/s}]
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: db
        hedge: 10ms
  db:
    kind: service
    workers: 1000
    service_time: exp(10ms)
)";

TEST_CASE("hedged request: min(X1, d + X2) for exponential service") {
  // E[min(X1, d + X2)] with X ~ exp(mean m): m (1 - e^(-d/m)) + (m/2) e^(-d/m); for d = m: m - (m/2)/e = 8.16
  // ms. 30,000 requests: the standard error of the mean is about 0.05 ms (0.6%); tolerance 2% (3.5 standard
  // errors).
  const double exact = 0.010 - 0.005 / std::exp(1.0);
  const RunResult r = run_text(kHedge);
  CHECK(r.latency.mean == Rel(exact, 0.02));
  CHECK(figure(component(r, "api"), "hedges") > 0);
  // Without the hedge the mean is the plain 10 ms: the same check must fail.
  std::string plain = kHedge;
  plain.replace(plain.find("        hedge: 10ms\n"), 20, "");
  const RunResult n = run_text(plain);
  CHECK(n.latency.mean == Rel(0.010, 0.02));
  CHECK_FALSE(n.latency.mean == Rel(exact, 0.02));
}

TEST_CASE("fallback steps run when a call fails") {
  const RunResult r = run_text(R"(
duration: 50s
traffic: [{name: users, to: api, rate: 10/s}]
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: slow
        timeout: 10ms
        fallback: [{work: const(1ms)}]
  slow:
    kind: service
    workers: 1000
    service_time: const(1s)
)");
  CHECK(r.failed == 0);
  CHECK(r.latency.mean == Rel(0.011).epsilon(1e-6));
  CHECK(figure(component(r, "api"), "fallbacks") == static_cast<double>(r.completed));
}
