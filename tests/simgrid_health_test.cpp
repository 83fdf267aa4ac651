// A balancer's health check on the simgrid backend sees a platform host that
// is down: its replica stops answering probes and is ejected, so only the
// requests sent before the ejection fail. Without a health check the
// balancer keeps sending half of them to the dead host.
#include <doctest/doctest.h>

#include "check.hpp"

#ifdef ARCHSIM_WITH_SIMGRID

#include <string>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;

namespace {

// api: two replicas on hosts app-1 and app-2 behind a round-robin balancer;
// app-2 is off from 10 s to 30 s. 100 requests/s, half to each replica.
std::string scenario(const std::string& health_check) {
  return R"(
name: health-host-down
seed: 5
duration: 40s
backend: simgrid
platform:
  regions:
    dc:
      hosts:
        app: {cores: 4, count: 2}
        lb-host: {cores: 4}
traffic:
  - {name: users, to: lb, rate: 100/s, timeout: 5s}
components:
  lb:
    kind: load_balancer
    to: api
    policy: round_robin
    hosts: [lb-host]
)" + health_check +
         R"(
  api:
    kind: service
    replicas: 2
    workers: 4
    service_time: exp(5ms)
    hosts: [app-1, app-2]
faults:
  - {at: 10s, host_down: app-2, for: 20s}
)";
}

std::uint64_t host_down_errors(const RunResult& r) {
  const auto it = r.errors.find("host_down");
  return it == r.errors.end() ? 0 : it->second;
}

}  // namespace

TEST_SUITE("simgrid") {
  TEST_CASE("simgrid: a health check ejects the replica whose host is down") {
    const RunResult blind = simulate(load_scenario_text(scenario(""), "blind.yaml"));
    // Half of 20 s at 100/s go to the dead host: about 1,000 (Poisson sd ~32).
    CHECK(host_down_errors(blind) > 800);

    // Probes every 1 s, a probe unanswered after 0.5 s fails, one failure
    // ejects: the dead host gets requests for at most 1.5 s (about 75).
    const RunResult checked = simulate(load_scenario_text(
        scenario("    health_check: {interval: 1s, timeout: 500ms, failures: 1, successes: 1}"),
        "checked.yaml"));
    CHECK(host_down_errors(checked) > 0);    // the requests before the ejection
    CHECK(host_down_errors(checked) < 150);  // and no more: 1.5 s x 50/s, with room for chance
    // Every other request is served by app-1 while app-2 is out.
    CHECK(checked.failed == host_down_errors(checked));
  }
}

#endif
