#include "engine/sampler.hpp"

#include <algorithm>
#include <cmath>

namespace archsim {

namespace {
// z such that P(Z <= z) = 0.99 for a standard normal.
constexpr double kZ99 = 2.3263478740408408;
}  // namespace

namespace {

/// Standard normal density and distribution function.
double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); }
double big_phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// Normal(m, s) conditioned on being >= 0 (the sampler's rejection):
/// with alpha = -m / s and lambda = phi(alpha) / (1 - Phi(alpha)),
/// mean = m + s lambda, Var = s^2 (1 + alpha lambda - lambda^2).
Moments truncated_normal(double m, double s) {
  if (s <= 0) return {std::max(m, 0.0), 0};
  const double alpha = -m / s;
  const double tail = big_phi(-alpha);  // P(X >= 0)
  if (tail < 1e-12) return {0, 0};      // the sampler gives up and returns 0
  const double lambda = phi(alpha) / tail;
  const double mean = m + s * lambda;
  const double var = s * s * (1 + alpha * lambda - lambda * lambda);
  return {mean, mean > 0 ? std::max(var, 0.0) / (mean * mean) : 0};
}

/// Pareto(xm, b) bounded at h = xm 2^(53/b) (the smallest uniform is 2^-53):
/// E[X^k] = b xm^b (h^(k-b) - xm^(k-b)) / ((k - b)(1 - (xm/h)^b)), k != b;
/// b xm^b ln(h/xm) / (1 - (xm/h)^b) when k = b.
Moments bounded_pareto(double xm, double b) {
  if (xm <= 0 || b <= 0) return {0, 0};
  const double log_ratio = 53 * std::log(2.0) / b;  // ln(h / xm)
  const double norm = -std::expm1(-b * log_ratio);  // 1 - (xm/h)^b
  // E[(X/xm)^k], computed in units of xm to keep it finite.
  const auto moment = [&](double k) {
    if (std::abs(k - b) < 1e-12) return b * log_ratio / norm;
    return b * std::expm1((k - b) * log_ratio) / ((k - b) * norm);
  };
  const double m1 = moment(1), m2 = moment(2);
  return {xm * m1, m2 / (m1 * m1) - 1};
}

}  // namespace

Moments sampled_moments(const DistSpec& d) {
  using K = DistSpec::Kind;
  switch (d.kind) {
    case K::Normal: return truncated_normal(d.a, d.b);
    case K::Pareto: return bounded_pareto(d.a, d.b);
    default: return {d.mean(), d.scv()};  // drawn exactly as written
  }
}

double sampled_tail(const DistSpec& d, double t) {
  using K = DistSpec::Kind;
  if (t < 0) return 1;
  switch (d.kind) {
    case K::Const: return t < d.a ? 1 : 0;
    case K::Exp: return d.a > 0 ? std::exp(-t / d.a) : 0;
    case K::Uniform: return d.b > d.a ? std::clamp((d.b - t) / (d.b - d.a), 0.0, 1.0) : (t < d.a ? 1 : 0);
    case K::Normal: {
      if (d.b <= 0) return t < d.a ? 1 : 0;
      const double kept = big_phi(d.a / d.b);  // P(X >= 0) before the rejection
      return kept > 0 ? std::min(1.0, (1 - big_phi((t - d.a) / d.b)) / kept) : 0;
    }
    case K::Lognormal: {
      if (t <= 0) return 1;
      const double sigma = std::log(d.b / d.a) / kZ99;
      return 1 - big_phi((std::log(t) - std::log(d.a)) / sigma);
    }
    case K::Erlang: {
      const int k = static_cast<int>(d.a);
      const double x = k / d.b * t;
      double term = std::exp(-x), sum = 0;
      for (int i = 0; i < k; ++i) {
        sum += term;
        term *= x / (i + 1);
      }
      return std::min(1.0, sum);
    }
    case K::Pareto: return t < d.a ? 1 : std::pow(d.a / t, d.b);
  }
  return 0;
}

double sampled_capped_mean(const DistSpec& d, double t) {
  if (t <= 0) return 0;
  // Simpson's rule over [0, t] on the tail, which is smooth but for const
  // and uniform, whose kinks cost at most a step's width.
  const int n = 512;
  const double h = t / n;
  double sum = sampled_tail(d, 0) + sampled_tail(d, t);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4 : 2) * sampled_tail(d, i * h);
  return std::min(sum * h / 3, sampled_moments(d).mean);
}

Sampler::Sampler(const DistSpec& d) : kind_(d.kind), mean_(sampled_moments(d).mean) {
  using K = DistSpec::Kind;
  switch (d.kind) {
    case K::Const:
    case K::Exp: p1_ = d.a; break;
    case K::Uniform:
      p1_ = d.a;
      p2_ = d.b - d.a;
      break;
    case K::Normal:
      p1_ = d.a;
      p2_ = d.b;
      break;
    case K::Lognormal:
      p1_ = std::log(d.a);               // mu = ln(median)
      p2_ = std::log(d.b / d.a) / kZ99;  // sigma from the 99th percentile
      break;
    case K::Erlang:
      k_ = static_cast<int>(d.a);
      p1_ = d.b / k_;  // mean of each phase
      break;
    case K::Pareto:
      p1_ = d.a;
      p2_ = -1.0 / d.b;
      break;
  }
}

double Sampler::slow(Rng& r) const {
  using K = DistSpec::Kind;
  switch (kind_) {
    case K::Uniform: return p1_ + p2_ * r.uniform();
    case K::Normal: {
      // Truncated at 0 by rejection; a clamp after many tries keeps it total.
      for (int i = 0; i < 64; ++i) {
        const double x = p1_ + p2_ * r.normal();
        if (x >= 0) return x;
      }
      return 0.0;
    }
    case K::Lognormal: return std::exp(p1_ + p2_ * r.normal());
    case K::Erlang: {
      double prod = 1.0;
      for (int i = 0; i < k_; ++i) prod *= r.uniform_pos();
      return -p1_ * std::log(prod);
    }
    case K::Pareto: return p1_ * std::pow(r.uniform_pos(), p2_);
    default: return p1_;
  }
}

}  // namespace archsim
