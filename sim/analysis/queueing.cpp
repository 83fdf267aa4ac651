#include "analysis/queueing.hpp"

#include <cmath>
#include <limits>

namespace archsim::queueing {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

double erlang_c(int c, double a) {
  if (a >= c) return 1.0;
  const double b = erlang_b(c, a);
  return c * b / (c - a * (1 - b));
}

double mmc_wait(int c, double lambda, double mu) {
  if (lambda >= c * mu) return kInf;
  return erlang_c(c, lambda / mu) / (c * mu - lambda);
}

double mmc_response(int c, double lambda, double mu) { return mmc_wait(c, lambda, mu) + 1.0 / mu; }

double mm1_response(double lambda, double mu) { return lambda >= mu ? kInf : 1.0 / (mu - lambda); }

double mm1_response_quantile(double lambda, double mu, double q) {
  return lambda >= mu ? kInf : -std::log(1 - q) / (mu - lambda);
}

double ekm1_response(int k, double lambda, double mu) {
  if (lambda >= mu) return std::numeric_limits<double>::infinity();
  // Fixed-point iteration from below converges to the root in (0, 1) for rho < 1.
  double sigma = 0;
  for (int i = 0; i < 100000; ++i) {
    const double next = std::pow(k * lambda / (k * lambda + mu * (1.0 - sigma)), k);
    if (std::abs(next - sigma) < 1e-15) break;
    sigma = next;
  }
  return 1.0 / (mu * (1.0 - sigma));
}

double mg1_wait(double lambda, double mean_service, double scv) {
  const double rho = lambda * mean_service;
  if (rho >= 1) return kInf;
  return rho * (1 + scv) / (2 * (1 - rho)) * mean_service;
}

LossResult mmck(int c, int k, double lambda, double mu) {
  // Birth-death: p_n proportional to a^n / n! for n <= c, a^c/c! (a/c)^(n-c) above.
  const double a = lambda / mu;
  std::vector<double> p(static_cast<std::size_t>(k) + 1);
  p[0] = 1;
  for (int n = 1; n <= k; ++n) p[n] = p[n - 1] * a / (n <= c ? n : c);
  double sum = 0, l = 0, busy = 0;
  for (int n = 0; n <= k; ++n) {
    sum += p[n];
    l += n * p[n];
    busy += (n < c ? n : c) * p[n];
  }
  LossResult r;
  r.blocking = p[k] / sum;
  const double admitted = lambda * (1 - r.blocking);
  r.response = admitted > 0 ? (l / sum) / admitted : 0;
  r.utilization = busy / sum / c;
  return r;
}

MvaResult mva(int customers, double think, const std::vector<double>& demands) {
  std::vector<double> q(demands.size(), 0.0);
  MvaResult r;
  for (int n = 1; n <= customers; ++n) {
    double resp = 0;
    std::vector<double> rk(demands.size());
    for (std::size_t i = 0; i < demands.size(); ++i) {
      rk[i] = demands[i] * (1 + q[i]);
      resp += rk[i];
    }
    r.throughput = n / (think + resp);
    r.response = resp;
    for (std::size_t i = 0; i < demands.size(); ++i) q[i] = r.throughput * rk[i];
  }
  return r;
}

double che_lru_hit_ratio(const std::vector<double>& p, double capacity) {
  if (capacity >= static_cast<double>(p.size())) return 1.0;
  if (capacity <= 0) return 0.0;
  auto occupied = [&](double t) {
    double s = 0;
    for (double pi : p) s += 1 - std::exp(-pi * t);
    return s;
  };
  double lo = 0, hi = 1;
  while (occupied(hi) < capacity) hi *= 2;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (occupied(mid) < capacity ? lo : hi) = mid;
  }
  const double t = 0.5 * (lo + hi);
  double h = 0;
  for (double pi : p) h += pi * (1 - std::exp(-pi * t));
  return h;
}

std::vector<double> zipf(int n, double s) {
  std::vector<double> p(static_cast<std::size_t>(n));
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += p[i] = 1.0 / std::pow(i + 1.0, s);
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace archsim::queueing
