// Draws durations from a DistSpec, with the parameters prepared once.
#pragma once

#include "archsim/spec.hpp"
#include "engine/rng.hpp"

namespace archsim {

/// The first two moments of a distribution as the Sampler draws it (not as
/// written): a normal is truncated at 0 by rejection, so normal(1ms, 1ms)
/// has mean 1.29 ms; a Pareto's uniform has 53 bits, so it is bounded at
/// min x 2^(53/shape) and has a finite mean even for shape <= 1. The napkin
/// math (`archsim check`) and the sampler's tests both read these.
struct Moments {
  double mean = 0;  ///< seconds
  double scv = 0;   ///< squared coefficient of variation, Var / mean^2
};
Moments sampled_moments(const DistSpec& d);
/// P(X > t) for a draw X of the sampler (t in seconds).
double sampled_tail(const DistSpec& d, double t);
/// E[min(X, t)]: the mean time a caller waits for X with a timeout t, s
/// (the integral of the tail from 0 to t).
double sampled_capped_mean(const DistSpec& d, double t);

class Sampler {
 public:
  Sampler() = default;
  explicit Sampler(const DistSpec& d);
  /// One draw, in seconds, never negative.
  double operator()(Rng& r) const {
    switch (kind_) {
      case DistSpec::Kind::Const: return p1_;
      case DistSpec::Kind::Exp: return r.exponential(p1_);
      default: return slow(r);
    }
  }
  /// Mean of the draws (sampled_moments), seconds.
  double mean() const { return mean_; }

 private:
  double slow(Rng& r) const;
  DistSpec::Kind kind_ = DistSpec::Kind::Const;
  double p1_ = 0, p2_ = 0;
  int k_ = 1;
  double mean_ = 0;
};

}  // namespace archsim
