// The simulator against queueing theory. Each example of examples/validation/
// runs as kReplications independent replications of kDuration; their mean
// response time must be within kTolerance (relative) of the exact formula
// stated with each case.
//
// Why the tolerance means something: each case also checks that the 95%
// Student-t half-width of those replications is at most half the tolerance
// (measured: 0.4% for the closed loop to 1.6% for M/M/1), so a correct
// engine fails only on a rare draw, while
// an engine off by a few percent in its service times moves every case by
// 10% or more. Each case is run a second time on a perturbed model (service
// 5% longer, the wrong policy, the wrong distribution) and the same
// agrees() must then say no: a check that cannot fail is not a check.
#include <doctest/doctest.h>

#include "check.hpp"

#include <cmath>
#include <functional>
#include <string>

#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "report/replications.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

constexpr std::size_t kReplications = 20;
constexpr double kDuration = 20 * 60;  // s per replication, after a 1 min warm-up
constexpr double kTolerance = 0.05;    // relative

ScenarioSpec example(const std::string& name) {
  ScenarioSpec spec = load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/" + name);
  spec.duration = kDuration;
  return spec;
}

report::Replications replicate(const ScenarioSpec& spec) {
  return report::replicate(spec, kReplications, 0.95, 0);
}

/// The mean response time over the replications, with its 95% interval.
report::Interval mean_response(const report::Replications& r) { return r.figures.front().value; }

/// The validation: the replications' mean is within `tolerance` (relative)
/// of the exact value. Used by the positive checks and the perturbed ones.
bool agrees(const report::Interval& measured, double exact, double tolerance) {
  return archsim::test::agrees(measured.mean, exact, tolerance);
}

/// Scales a duration distribution by f (every parameter in seconds).
void stretch(DistSpec& d, double f) {
  using K = DistSpec::Kind;
  switch (d.kind) {
    case K::Erlang: d.b *= f; break;  // erlang(k, mean)
    case K::Pareto: d.a *= f; break;  // pareto(min, shape)
    case K::Const:
    case K::Exp: d.a *= f; break;        // one time
    default: d.a *= f, d.b *= f; break;  // uniform, normal, lognormal: both times
  }
}

void stretch(std::vector<StepSpec>& steps, double f) {
  for (StepSpec& s : steps) {
    if (s.kind == StepSpec::Kind::Work) stretch(s.work, f);
    stretch(s.steps, f);
    for (auto& arm : s.arms) stretch(arm.steps, f);
  }
}

/// The perturbation most validation cases use: every service's work 5% longer.
ScenarioSpec five_percent_slower(ScenarioSpec spec) {
  for (ComponentSpec& c : spec.components)
    if (ServiceSpec* s = c.service()) stretch(s->steps, 1.05);
  return spec;
}

/// Runs the positive check and its perturbed negative.
void validate(const ScenarioSpec& spec, double exact, const ScenarioSpec& perturbed) {
  const report::Interval m = mean_response(replicate(spec));
  INFO("mean response ", m.mean * 1e3, " ms +- ", m.half_width * 1e3, " ms (95%, n = ", m.n, "); exact ",
       exact * 1e3, " ms; tolerance ", kTolerance * 100, "%");
  MESSAGE("mean response ", m.mean * 1e3, " ms +- ", m.half_width * 1e3, " ms; exact ", exact * 1e3, " ms");
  CHECK(m.half_width <= kTolerance * exact / 2);
  CHECK(agrees(m, exact, kTolerance));
  const report::Interval p = mean_response(replicate(perturbed));
  MESSAGE("perturbed: ", p.mean * 1e3, " ms");
  CHECK_FALSE(agrees(p, exact, kTolerance));
}

}  // namespace

TEST_SUITE("validation") {
  TEST_CASE("M/M/1 mean response time is 1/(mu - lambda) = 50 ms") {
    const ScenarioSpec spec = example("mm1.yaml");
    validate(spec, queueing::mm1_response(80.0, 100.0), five_percent_slower(spec));
    // Utilisation is lambda / mu = 0.8; 5% longer service makes it 0.84.
    const report::Replications r = replicate(spec);
    CHECK(r.utilization.front().value.mean == Rel(0.8, 0.01));
    CHECK_FALSE(replicate(five_percent_slower(spec)).utilization.front().value.mean == Rel(0.8, 0.01));
    for (const report::Replica& x : r.runs) CHECK(x.result.failed == 0);
  }

  TEST_CASE("M/D/1 mean response time follows Pollaczek-Khinchine: S + rho S / (2 (1 - rho)) = 30 ms") {
    const ScenarioSpec spec = example("md1.yaml");
    const double exact = 0.010 + queueing::mg1_wait(80.0, 0.010, 0.0);
    validate(spec, exact, five_percent_slower(spec));
    // The same mean service time, exponential: M/M/1's 50 ms must not pass as M/D/1.
    ScenarioSpec exponential = spec;
    exponential.components[0].service()->steps[0].work.kind = DistSpec::Kind::Exp;
    CHECK_FALSE(agrees(mean_response(replicate(exponential)), exact, kTolerance));
  }

  TEST_CASE("M/M/c mean response time follows Erlang C: C(c, a) / (c mu - lambda) + 1 / mu") {
    const ScenarioSpec spec = example("mmc.yaml");
    validate(spec, queueing::mmc_response(4, 80.0, 25.0), five_percent_slower(spec));
  }

  TEST_CASE("random balancer over 4 replicas: each is M/M/1, 50 ms") {
    const ScenarioSpec spec = example("lb_random.yaml");
    validate(spec, queueing::mm1_response(80.0, 100.0), five_percent_slower(spec));
  }

  TEST_CASE("round-robin balancer over 4 replicas: each is E4/M/1") {
    const ScenarioSpec spec = example("lb_round_robin.yaml");
    const double exact = queueing::ekm1_response(4, 80.0, 100.0);
    // Round robin beats random: the E4/M/1 response is shorter than M/M/1's 50 ms.
    CHECK(exact < 0.8 * queueing::mm1_response(80.0, 100.0));
    ScenarioSpec random = spec;
    for (ComponentSpec& c : random.components)
      if (LoadBalancerSpec* lb = c.load_balancer()) lb->policy = LbPolicy::Random;
    validate(spec, exact, random);
    CHECK_FALSE(agrees(mean_response(replicate(five_percent_slower(spec))), exact, kTolerance));
  }

  TEST_CASE("nested synchronous call: the caller is M/G/1 with S = own work + callee, 32 ms") {
    const ScenarioSpec spec = example("nested_call.yaml");
    // S = exp(4ms) + exp(4ms): E[S] = 8 ms, Var = 32 ms^2, scv = 32 / 64 = 0.5.
    const double exact = 0.008 + queueing::mg1_wait(100.0, 0.008, 0.5);
    CHECK(exact == Rel(0.032));
    validate(spec, exact, five_percent_slower(spec));
  }

  TEST_CASE("closed loop of users matches exact mean value analysis") {
    const ScenarioSpec spec = example("closed_loop.yaml");
    const queueing::MvaResult exact = queueing::mva(10, 0.100, {0.010});
    validate(spec, exact.response, five_percent_slower(spec));
    const report::Replications r = replicate(spec);
    CHECK(r.figures[4].name == "throughput");
    CHECK(r.figures[4].value.mean == Rel(exact.throughput, kTolerance));
  }

}  // TEST_SUITE
