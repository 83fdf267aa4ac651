// `disable:` / `enable:` (issue 16): operator actions that turn a
// resilience feature of a component off mid-run and the design's back on:
// a call's breaker or timeout, a balancer's health check, a service's
// concurrency limit or queue deadline (and retries, as `retries:` does).
// Each is checked against an exact expectation of what the feature does.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <string>

#include "analysis/queueing.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::component;
using archsim::test::figure;
using archsim::test::Rel;
using archsim::test::run_text;

namespace {

std::vector<Note> notes_of(const RunResult& r, const std::string& kind) {
  std::vector<Note> out;
  for (const Note& n : r.notes)
    if (n.kind == kind) out.push_back(n);
  return out;
}

// api calls backend, which fails every visit; api's breaker opens after 5
// failures in a row and stays open 10 s, then lets one probe through.
const std::string kBroken = R"(name: breaker-toggle
seed: 5
duration: 120s
warmup: 20s
traffic:
  - {name: users, to: api, rate: 200/s}
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: backend
        breaker: {consecutive: 5, open_for: 10s}
  backend:
    kind: service
    workers: 1000
    steps: [{work: 1ms}]
faults:
  - {at: 0s, errors: backend, p: 100%, for: 200s}
)";

// A balancer in front of 4 replicas, one of which is down from 61.3 s to
// 101.3 s; probes every 5 s, 2 s timeout, 3 failures eject.
const std::string kHealth = R"(name: health-toggle
duration: 120s
traffic: [{name: users, to: lb, rate: 400/s}]
components:
  lb:
    kind: load_balancer
    to: api
    health_check: {interval: 5s, timeout: 2s, failures: 3, successes: 2}
  api: {kind: service, replicas: 4, workers: 8, service_time: const(5ms)}
faults:
  - {at: 61.3s, kill: api, replicas: 1, for: 40s}
)";

// One worker, exponential 5 ms, 100/s: M/M/1 at rho = 0.5. The concurrency
// limit is pinned at 1 (min = max = 1): a request that finds the worker busy
// is shed, M/M/1/1.
const std::string kLimited = R"(name: limit-toggle
seed: 11
duration: 2000s
warmup: 100s
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 1
    service_time: exp(5ms)
    concurrency_limit: {target_latency: 1s, min: 1, max: 1, initial: 1}
)";

// api calls a backend that takes 50 ms with a 20 ms timeout: every call times out.
const std::string kSlow = R"(name: timeout-toggle
seed: 2
duration: 60s
warmup: 20s
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: backend
        timeout: 20ms
  backend:
    kind: service
    workers: 1000
    service_time: const(50ms)
)";

// One worker, constant 8 ms, 100/s: M/D/1 at rho = 0.8, whose mean wait is
// 16 ms; a queue deadline of 1 ms drops almost every request that waits.
const std::string kDeadline = R"(name: deadline-toggle
seed: 4
duration: 1000s
warmup: 50s
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 1
    service_time: const(8ms)
    queue_deadline: 1ms
)";

}  // namespace

TEST_CASE("disable: breaker: every call reaches the failing callee (callee arrivals = caller arrivals)") {
  const RunResult on = run_text(kBroken);
  const RunResult off = run_text(kBroken + "  - {at: 10s, disable: breaker, on: api}\n");
  const ComponentResult& api = component(off, "api");
  CHECK(component(off, "backend").arrivals == api.arrivals);
  CHECK(api.failed == api.arrivals);
  // Its counts so far are still reported: it opened before 10 s and refused since.
  CHECK(figure(api, "breaker_opened") >= 1);
  // On throughout: it is open but for one probe every open_for (10 s), so
  // over the 100 s window the callee sees about 100 / 10 = 10 calls.
  const double seen = static_cast<double>(component(on, "backend").arrivals);
  CHECK(seen >= 9);
  CHECK(seen <= 11);
  // Off, the callee also sees every call the breaker would have refused.
  CHECK(component(off, "backend").arrivals - component(on, "backend").arrivals ==
        component(on, "api").arrivals - component(on, "backend").arrivals);
}

TEST_CASE("a breaker action keeps what the breaker counted (times opened, calls refused), on or off") {
  const RunResult plain = run_text(kBroken);
  // The same thresholds again at 60 s: the breaker starts again closed
  // (five more failures reach the callee, then it opens once more).
  const RunResult retuned =
      run_text(kBroken + "  - {at: 60s, breaker: api, consecutive: 5, open_for: 10s}\n");
  const double opens = figure(component(plain, "api"), "breaker_opened");
  const double refused = figure(component(plain, "api"), "breaker_refused");
  REQUIRE(opens >= 10);
  CHECK(figure(component(retuned, "api"), "breaker_opened") >= opens);
  CHECK(figure(component(retuned, "api"), "breaker_opened") <= opens + 1);
  CHECK(figure(component(retuned, "api"), "breaker_refused") >= refused - 10);
  CHECK(figure(component(retuned, "api"), "breaker_refused") <= refused);
  // Retuned while turned off: the counts from before 10 s are still there.
  const RunResult off = run_text(kBroken + "  - {at: 10s, disable: breaker, on: api}\n");
  const RunResult off_retuned = run_text(kBroken +
                                         "  - {at: 10s, disable: breaker, on: api}\n"
                                         "  - {at: 30s, breaker: api, consecutive: 5, open_for: 10s}\n");
  CHECK(figure(component(off, "api"), "breaker_opened") >= 1);
  CHECK(figure(component(off_retuned, "api"), "breaker_opened") ==
        figure(component(off, "api"), "breaker_opened"));
}

TEST_CASE("enable: breaker: back on, it takes up where it was and is open but for a probe each 10 s") {
  const RunResult r = run_text(kBroken +
                               "  - {at: 10s, disable: breaker, on: api}\n"
                               "  - {at: 70s, enable: breaker, on: api}\n");
  // Off from 10 s to 70 s: the callee sees every call of the window's first
  // 50 s (200/s x 50 s = 10,000, Poisson); from 70 s one probe per 10 s, 5 or so.
  const double seen = static_cast<double>(component(r, "backend").arrivals);
  CHECK(seen == Rel(200.0 * 50 + 5).epsilon(0.03));
  CHECK(seen < static_cast<double>(component(r, "api").arrivals) * 0.6);
}

TEST_CASE("disable: health_check during an outage: errors as with no check; enable: a fresh check ejects") {
  const RunResult checked = run_text(kHealth);
  std::string unchecked_text = kHealth;
  unchecked_text.replace(
      unchecked_text.find("    health_check:"),
      std::string("    health_check: {interval: 5s, timeout: 2s, failures: 3, successes: 2}\n").size(), "");
  const RunResult unchecked = run_text(unchecked_text);
  const RunResult off = run_text(kHealth + "  - {at: 30s, disable: health_check, on: lb}\n");
  // Checked: ejected at the third failed probe, 75 s + 2 s; round robin sends
  // a quarter of 400/s to the dead replica until then.
  CHECK(test::error_count(checked, "killed") == Rel(100 * (77 - 61.3)).epsilon(0.05));
  // Off: no probe, no ejection; the dead replica gets its quarter for the
  // whole 40 s outage, exactly as with no check at all.
  CHECK(notes_of(off, "health").empty());
  CHECK(test::error_count(off, "killed") == test::error_count(unchecked, "killed"));
  CHECK(test::error_count(off, "killed") == Rel(100 * 40.0).epsilon(0.05));
  // Back on at 71 s: the check starts afresh; the probes at 75, 80 and 85 s
  // fail, the third's timeout ends at 87 s.
  const RunResult back = run_text(kHealth +
                                  "  - {at: 30s, disable: health_check, on: lb}\n"
                                  "  - {at: 71s, enable: health_check, on: lb}\n");
  const std::vector<Note> health = notes_of(back, "health");
  REQUIRE_FALSE(health.empty());
  CHECK(health[0].what == "eject");
  CHECK(health[0].t == Rel(87.0).epsilon(1e-9));
  CHECK(test::error_count(back, "killed") == Rel(100 * (87 - 61.3)).epsilon(0.05));
}

TEST_CASE("disable: concurrency_limit: no request is shed, M/M/1; on, M/M/1/1 sheds Erlang B") {
  const double lambda = 100, mu = 200;
  const RunResult on = run_text(kLimited);
  const ComponentResult& api_on = component(on, "api");
  // Limit 1: a request finding the worker busy is shed, B(1, 0.5) = 1/3.
  CHECK(figure(api_on, "shed") / static_cast<double>(api_on.arrivals) ==
        Rel(queueing::erlang_b(1, lambda / mu)).epsilon(0.03));
  const RunResult off = run_text(kLimited + "faults:\n  - {at: 50s, disable: concurrency_limit, on: api}\n");
  const ComponentResult& api = component(off, "api");
  CHECK_FALSE(archsim::test::has_figure(api, "shed"));
  CHECK(api.failed == 0);
  // Nothing shed, it is an M/M/1 queue: mean response 1 / (mu - lambda) = 10 ms.
  CHECK(api.latency.mean == Rel(queueing::mm1_response(lambda, mu)).epsilon(0.05));
  // Back on: shedding again, over the part of the window it is on.
  const RunResult back = run_text(kLimited +
                                  "faults:\n  - {at: 50s, disable: concurrency_limit, on: api}\n"
                                  "  - {at: 1050s, enable: concurrency_limit, on: api}\n");
  const double share =
      figure(component(back, "api"), "shed") / static_cast<double>(component(back, "api").arrivals);
  CHECK(share == Rel(queueing::erlang_b(1, lambda / mu) * 950 / 1900).epsilon(0.05));
}

TEST_CASE("disable: timeout: calls wait for the slow callee and succeed") {
  const RunResult on = run_text(kSlow);
  const ComponentResult& api_on = component(on, "api");
  CHECK(api_on.completed == 0);  // 20 ms timeout on a 50 ms callee
  CHECK(api_on.failed > 3900);
  CHECK(test::error_count(on, "timeout") > 0);
  const RunResult off = run_text(kSlow + "faults:\n  - {at: 10s, disable: timeout, on: api}\n");
  const ComponentResult& api = component(off, "api");
  CHECK(api.failed == 0);
  CHECK(test::error_count(off, "timeout") == 0);
  CHECK(api.latency.mean == Rel(0.050).epsilon(1e-6));
  // Back on: every call from then on times out again.
  const RunResult back = run_text(kSlow +
                                  "faults:\n  - {at: 10s, disable: timeout, on: api}\n"
                                  "  - {at: 40s, enable: timeout, on: api}\n");
  CHECK(static_cast<double>(component(back, "api").failed) ==
        Rel(static_cast<double>(component(back, "api").arrivals) / 2).epsilon(0.06));
}

TEST_CASE(
    "disable: a feature the component lacks, of the wrong kind, or misspelt, is refused at its position") {
  const std::string e = test::load_errors(kBroken +
                                          "  - {at: 1s, disable: breaker, on: backend}\n"
                                          "  - {at: 2s, disable: health_check, on: api}\n"
                                          "  - {at: 3s, disable: brekaer, on: api}\n"
                                          "  - {at: 4s, enable: concurrency_limit, on: api}\n"
                                          "  - {at: 5s, disable: breaker, on: apii}\n"
                                          "  - {at: 6s, disable: breaker}\n"
                                          "  - {at: 7s, disable: breaker, on: api, for: 1s}\n");
  INFO(e);
  CHECK(e.find("t.yaml:20:36: error: 'disable: breaker' turns off (or back on) the breaker of a service's "
               "calls; no call of 'backend' has 'breaker:'") != std::string::npos);
  CHECK(e.find("t.yaml:21:41: error: 'health_check' is a feature of a load balancer; 'api' is a service") !=
        std::string::npos);
  CHECK(e.find("t.yaml:22:23: error: unknown feature 'brekaer' to disable: did you mean 'breaker'? features "
               "are retries, breaker, timeout, health_check, concurrency_limit, queue_deadline") !=
        std::string::npos);
  CHECK(e.find("t.yaml:23:45: error: 'enable: concurrency_limit' turns off (or back on) a feature 'api' does "
               "not have (give it 'concurrency_limit:')") != std::string::npos);
  CHECK(e.find("t.yaml:24:36: error: unknown component 'apii' in the 'disable' fault at 5s: did you mean "
               "'api'?") != std::string::npos);
  CHECK(e.find("t.yaml:25:5: error: missing required key 'on'") != std::string::npos);
  CHECK(e.find("t.yaml:26:41: error: 'for' does not apply to disable") != std::string::npos);
  CHECK(test::load_errors(kBroken + "  - {at: 1s, disable: breaker, on: api}\n").empty());
  // `disable: retries` is the general spelling of `retries: NAME, enabled: false`.
  CHECK(test::load_errors(kBroken + "  - {at: 1s, disable: retries, on: api}\n")
            .find("no call of 'api' has 'retry:'") != std::string::npos);
}

TEST_CASE("disable: queue_deadline: nothing is dropped, the mean wait is M/D/1's (Pollaczek-Khinchine)") {
  const RunResult on = run_text(kDeadline);
  CHECK(figure(component(on, "api"), "shed") > 0.3 * static_cast<double>(component(on, "api").arrivals));
  const RunResult off = run_text(kDeadline + "faults:\n  - {at: 20s, disable: queue_deadline, on: api}\n");
  const ComponentResult& api = component(off, "api");
  CHECK_FALSE(archsim::test::has_figure(api, "shed"));
  CHECK(api.failed == 0);
  // P-K: Wq = lambda E[S^2] / (2 (1 - rho)) = 16 ms for constant 8 ms at 100/s; response = Wq + 8 ms.
  CHECK(api.latency.mean == Rel(queueing::mg1_wait(100, 0.008, 0) + 0.008).epsilon(0.05));
  // Back on from 520 s: about half the window's requests are dropped as in `on`.
  const RunResult back = run_text(kDeadline +
                                  "faults:\n  - {at: 20s, disable: queue_deadline, on: api}\n"
                                  "  - {at: 520s, enable: queue_deadline, on: api}\n");
  CHECK(figure(component(back, "api"), "shed") ==
        Rel(figure(component(on, "api"), "shed") * 480 / 950).epsilon(0.05));
}
