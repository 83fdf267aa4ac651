#include "engine/sampler.hpp"

#include <cmath>

namespace archsim {

namespace {
// z such that P(Z <= z) = 0.99 for a standard normal.
constexpr double kZ99 = 2.3263478740408408;
}  // namespace

Sampler::Sampler(const DistSpec& d) : kind_(d.kind), mean_(d.mean()) {
  using K = DistSpec::Kind;
  switch (d.kind) {
    case K::Const:
    case K::Exp:
      p1_ = d.a;
      break;
    case K::Uniform:
      p1_ = d.a;
      p2_ = d.b - d.a;
      break;
    case K::Normal:
      p1_ = d.a;
      p2_ = d.b;
      break;
    case K::Lognormal:
      p1_ = std::log(d.a);                 // mu = ln(median)
      p2_ = std::log(d.b / d.a) / kZ99;    // sigma from the 99th percentile
      break;
    case K::Erlang:
      k_ = static_cast<int>(d.a);
      p1_ = d.b / k_;                      // mean of each phase
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
