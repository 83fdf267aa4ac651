// Exact results of queueing theory, written once: the napkin math
// (`archsim check`) and the test suite's validation cases both use them.
// Times in seconds, rates per second. Each function names its formula.
#pragma once

#include <vector>

namespace archsim::queueing {

/// Erlang B: the probability that an arrival finds all c servers busy in an
/// M/M/c/c loss system with offered load a = lambda / mu (Erlangs).
/// Recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
double erlang_b(int c, double a);

/// Erlang C: the probability that an arrival waits in M/M/c with offered
/// load a = lambda / mu < c. C = c B / (c - a (1 - B)). Returns 1 when a >= c.
double erlang_c(int c, double a);

/// M/M/c mean wait in queue Wq = C(c, a) / (c mu - lambda); infinite when lambda >= c mu.
double mmc_wait(int c, double lambda, double mu);

/// M/M/c mean response time W = Wq + 1/mu.
double mmc_response(int c, double lambda, double mu);

/// M/M/1 mean response time 1 / (mu - lambda).
double mm1_response(double lambda, double mu);

/// M/M/1 (FIFO) response-time quantile: the response time is exponential
/// with rate mu - lambda, so t_q = -ln(1 - q) / (mu - lambda).
double mm1_response_quantile(double lambda, double mu, double q);

/// E_k/M/1 (Erlang-k gaps of mean 1/lambda, exponential service of rate mu)
/// mean response time W = 1 / (mu (1 - sigma)), where sigma in (0, 1) solves
/// sigma = A*(mu (1 - sigma)), A*(s) = (k lambda / (k lambda + s))^k the
/// Laplace transform of the gaps. Infinite when lambda >= mu.
double ekm1_response(int k, double lambda, double mu);

/// M/G/1 mean wait in queue by Pollaczek-Khinchine:
/// Wq = lambda E[S^2] / (2 (1 - rho)) = rho (1 + scv) / (2 (1 - rho)) E[S],
/// where scv is the squared coefficient of variation of the service time.
double mg1_wait(double lambda, double mean_service, double scv);

/// M/M/c/K (K = servers + waiting room): the blocking probability p_K and the
/// mean response time of admitted customers (Little: W = L / (lambda (1 - p_K))).
struct LossResult {
  double blocking = 0;    ///< share of arrivals turned away
  double response = 0;    ///< mean time in system of those admitted, s
  double utilization = 0; ///< busy servers / c
};
LossResult mmck(int c, int k, double lambda, double mu);

/// Exact mean value analysis of a closed network of N customers with a
/// think time Z (a delay station) and single-server FIFO stations of service
/// demands D_i (visit count x service time): throughput and response time.
struct MvaResult {
  double throughput = 0;  ///< requests per second
  double response = 0;    ///< seconds, excluding think time
};
MvaResult mva(int customers, double think, const std::vector<double>& demands);

/// Che's approximation of an LRU cache of C items under the independent
/// reference model with item probabilities p (sum 1): the characteristic
/// time T solves sum_i (1 - exp(-p_i T)) = C; hit ratio sum_i p_i (1 - exp(-p_i T)).
double che_lru_hit_ratio(const std::vector<double>& p, double capacity);

/// Item probabilities of a Zipf(s) popularity over n items: p_i ~ 1 / i^s.
std::vector<double> zipf(int n, double s);

}  // namespace archsim::queueing
