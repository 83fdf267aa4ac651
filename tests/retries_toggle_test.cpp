// `retries` (issue 16): an operator action that turns off (or back on) the
// retries of every call a service makes, mid-run. With them off each
// request is one attempt (the callee's arrivals equal the caller's); back
// on, the callee sees each request once plus each retry, exactly.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <cmath>
#include <string>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;
using archsim::test::component;
using archsim::test::figure;
using archsim::test::Rel;
using archsim::test::run_text;

namespace {

// api calls backend (30% of its visits fail) with up to 3 retries; the
// measured window starts at 30 s, after the actions below have settled.
const std::string kFlaky = R"(name: retries-toggle
seed: 3
duration: 150s
warmup: 30s
traffic:
  - {name: users, to: api, rate: 200/s}
components:
  api:
    kind: service
    workers: 1000
    steps:
      - call: backend
        retry: {max: 3, backoff: constant, base: 10ms}
  backend:
    kind: service
    workers: 1000
    steps: [{work: 5ms}]
faults:
  - {at: 0s, errors: backend, p: 30%, for: 200s}
)";

}  // namespace

TEST_CASE("retries: turned off mid-run, every request is one attempt (callee arrivals = caller arrivals)") {
  const RunResult on = run_text(kFlaky);
  const RunResult off = run_text(kFlaky + "  - {at: 10s, retries: api, enabled: false}\n");
  const ComponentResult& api = component(off, "api");
  const ComponentResult& backend = component(off, "backend");
  CHECK(figure(api, "retries") == 0);
  CHECK(backend.arrivals == api.arrivals);
  // Without retries a request fails when its one attempt does: p = 30%.
  CHECK(static_cast<double>(api.failed) / static_cast<double>(api.arrivals) == Rel(0.30).epsilon(0.05));
  // With them on (the design) the callee sees the retries too, and fewer requests fail (p^4).
  const ComponentResult& api_on = component(on, "api");
  CHECK(figure(api_on, "retries") > 0.3 * static_cast<double>(api_on.arrivals));
  CHECK(std::abs(static_cast<double>(component(on, "backend").arrivals) -
                 (static_cast<double>(api_on.arrivals) + figure(api_on, "retries"))) <= 20);
  CHECK(static_cast<double>(api_on.failed) < 0.02 * static_cast<double>(api_on.arrivals));
}

TEST_CASE("retries: turned back on, the callee sees each request plus each retry") {
  const RunResult r = run_text(kFlaky +
                               "  - {at: 5s, retries: api, enabled: false}\n"
                               "  - {at: 15s, retries: api, enabled: true}\n");
  const ComponentResult& api = component(r, "api");
  CHECK(figure(api, "retries") > 0.3 * static_cast<double>(api.arrivals));
  // Each request once plus each retry, but for the few in flight at the
  // window's edges (a retry is counted when it is scheduled, the callee
  // counts it 10 ms later): 200/s x 15 ms is 3 on average at each edge.
  const double seen = static_cast<double>(component(r, "backend").arrivals);
  CHECK(std::abs(seen - (static_cast<double>(api.arrivals) + figure(api, "retries"))) <= 20);
}

TEST_CASE("retries: bad values are refused at their position, every one in one pass") {
  const std::string e = test::load_errors(kFlaky +
                                          "  - {at: 1s, retries: backend, enabled: false}\n"
                                          "  - {at: 2s, retries: api, enabled: maybe}\n"
                                          "  - {at: 3s, retries: api}\n");
  INFO(e);
  CHECK(e.find("t.yaml:20:23: error: 'retries' turns off (or back on) the retries of a service's calls; no "
               "call of 'backend' has 'retry:'") != std::string::npos);
  CHECK(e.find("t.yaml:21:37: error: expected true or false for 'enabled', got 'maybe'") !=
        std::string::npos);
  CHECK(e.find("t.yaml:22:5: error: missing required key 'enabled'") != std::string::npos);
  CHECK(test::load_errors(kFlaky + "  - {at: 1s, retries: api, enabled: false}\n").empty());
}
