// The simulator against queueing theory. Each example in examples/validation/
// runs long enough that the sampling error of the mean is well inside the 3%
// tolerance; the exact formula is stated next to each check.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;

namespace {

RunResult run_example(const std::string& name) {
  const ScenarioSpec spec = load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/" + name);
  return simulate(spec);
}

using archsim::queueing::erlang_c;  // one copy: sim/analysis/queueing

/// E_k/M/1: sigma solves sigma = A*(mu (1 - sigma)) with A*(s) = (k lambda / (k lambda + s))^k,
/// the Laplace transform of Erlang-k gaps of mean 1/lambda. Fixed-point iteration converges for rho < 1.
double ek_m1_sigma(int k, double lambda, double mu) {
  double sigma = 0.5;
  for (int i = 0; i < 10000; ++i) sigma = std::pow(k * lambda / (k * lambda + mu * (1.0 - sigma)), k);
  return sigma;
}

constexpr double kTolerance = 0.03;

}  // namespace

TEST_CASE("M/M/1 mean response time is 1/(mu - lambda)") {
  const RunResult r = run_example("mm1.yaml");
  const double exact = 1.0 / (100.0 - 80.0);
  CHECK(r.latency.mean == doctest::Approx(exact).epsilon(kTolerance));
  CHECK(r.components[0].utilization == doctest::Approx(0.8).epsilon(0.01));
  CHECK(r.failed == 0);
}

TEST_CASE("M/D/1 mean response time follows Pollaczek-Khinchine") {
  const RunResult r = run_example("md1.yaml");
  const double s = 0.010, rho = 0.8;
  const double exact = s + rho * s / (2.0 * (1.0 - rho));  // 30 ms
  CHECK(r.latency.mean == doctest::Approx(exact).epsilon(kTolerance));
}

TEST_CASE("M/M/c mean response time follows Erlang C") {
  const RunResult r = run_example("mmc.yaml");
  const int c = 4;
  const double lambda = 80.0, mu = 25.0;
  const double exact = erlang_c(c, lambda / mu) / (c * mu - lambda) + 1.0 / mu;
  CHECK(r.latency.mean == doctest::Approx(exact).epsilon(kTolerance));
  CHECK(r.components[0].utilization == doctest::Approx(0.8).epsilon(0.01));
}

TEST_CASE("random balancer over 4 replicas: each is M/M/1") {
  const RunResult r = run_example("lb_random.yaml");
  CHECK(r.latency.mean == doctest::Approx(1.0 / (100.0 - 80.0)).epsilon(kTolerance));
}

TEST_CASE("round-robin balancer over 4 replicas: each is E4/M/1") {
  const RunResult r = run_example("lb_round_robin.yaml");
  const double sigma = ek_m1_sigma(4, 80.0, 100.0);
  const double exact = 1.0 / (100.0 * (1.0 - sigma));
  CHECK(r.latency.mean == doctest::Approx(exact).epsilon(kTolerance));
  // Round robin beats random: the E4/M/1 wait is shorter than M/M/1's 50 ms.
  CHECK(exact < 0.05);
  CHECK(r.latency.mean < 0.045);
}

TEST_CASE("nested synchronous call: the caller is M/G/1 with S = own work + callee") {
  const RunResult r = run_example("nested_call.yaml");
  const double lambda = 100.0, es = 0.008, es2 = 96e-6;  // E[S] = 8 ms, E[S^2] = 96 ms^2
  const double rho = lambda * es;
  const double exact = es + lambda * es2 / (2.0 * (1.0 - rho));  // 32 ms
  CHECK(r.latency.mean == doctest::Approx(exact).epsilon(kTolerance));
}

TEST_CASE("closed loop of users matches mean value analysis") {
  const RunResult r = run_example("closed_loop.yaml");
  const double s = 0.010, z = 0.100;
  double q = 0, resp = 0, x = 0;
  for (int n = 1; n <= 10; ++n) {
    resp = s * (1.0 + q);
    x = n / (resp + z);
    q = x * resp;
  }
  CHECK(r.latency.mean == doctest::Approx(resp).epsilon(kTolerance));
  CHECK(r.throughput_rps == doctest::Approx(x).epsilon(kTolerance));
}
