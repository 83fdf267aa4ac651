// Which key of a key space a request asks for. Keys are ranks: key 0 is the
// most popular. Zipf(s) gives key k (0-based) a probability proportional to
// 1 / (k + 1)^s; uniform gives every key the same.
#pragma once

#include <cmath>
#include <cstdint>

#include "engine/rng.hpp"

namespace archsim {

/// Draws keys in O(1) time and memory for any number of keys, by
/// rejection-inversion (W. Hormann and G. Derflinger, "Rejection-inversion to
/// generate variates from monotone discrete distributions", ACM TOMACS 6(3),
/// 1996), as in Apache Commons RNG's RejectionInversionZipfSampler. Only
/// uniform draws from the given Rng and <cmath>: the same keys on any machine.
class Popularity {
 public:
  Popularity() = default;
  /// n keys; s = 0 is uniform, s > 0 Zipf with exponent s.
  Popularity(std::uint64_t n, double s) : n_(n), s_(s) {
    if (s_ <= 0 || n_ < 2) return;
    const double nd = static_cast<double>(n_);
    h_x1_ = h_integral(1.5) - 1.0;
    h_n_ = h_integral(nd + 0.5);
    squeeze_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
  }

  std::uint64_t keys() const { return n_; }
  double exponent() const { return s_; }

  /// One key in [0, n).
  std::uint64_t operator()(Rng& r) const {
    if (n_ < 2) return 0;
    if (s_ <= 0) return r.below(n_);
    for (;;) {
      // u is uniform in (h_x1_, h_n_]; x its inverse under the integral of h.
      const double u = h_n_ + r.uniform() * (h_x1_ - h_n_);
      const double x = h_integral_inverse(u);
      double k = std::floor(x + 0.5);
      if (k < 1) k = 1;
      else if (k > static_cast<double>(n_)) k = static_cast<double>(n_);
      // Accept at once inside the squeeze, otherwise against the hat.
      if (k - x <= squeeze_ || u >= h_integral(k + 0.5) - h(k)) return static_cast<std::uint64_t>(k) - 1;
    }
  }

  /// Probability of key k (0-based); O(n) the first time for Zipf (the
  /// normalising constant), for tests and analysis only.
  double probability(std::uint64_t k) {
    if (s_ <= 0) return 1.0 / static_cast<double>(n_);
    if (norm_ == 0) {
      // Smallest terms first: less rounding error.
      for (std::uint64_t i = n_; i >= 1; --i) norm_ += std::pow(static_cast<double>(i), -s_);
    }
    return std::pow(static_cast<double>(k + 1), -s_) / norm_;
  }

 private:
  // h(x) = x^-s, its integral H(x) = (x^(1-s) - 1) / (1 - s) (log x for s = 1)
  // written with expm1/log1p so that s near 1 loses no precision.
  double h(double x) const { return std::exp(-s_ * std::log(x)); }
  double h_integral(double x) const {
    const double lx = std::log(x);
    return helper2((1.0 - s_) * lx) * lx;
  }
  double h_integral_inverse(double x) const {
    double t = x * (1.0 - s_);
    if (t < -1.0) t = -1.0;  // rounding: keeps log1p defined
    return std::exp(helper1(t) * x);
  }
  /// log1p(x) / x, continuous at 0.
  static double helper1(double x) {
    return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
  }
  /// expm1(x) / x, continuous at 0.
  static double helper2(double x) {
    return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
  }

  std::uint64_t n_ = 1;
  double s_ = 0;
  double h_x1_ = 0, h_n_ = 0, squeeze_ = 0;
  double norm_ = 0;
};

}  // namespace archsim
