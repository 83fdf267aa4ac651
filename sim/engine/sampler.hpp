// Draws durations from a DistSpec, with the parameters prepared once.
#pragma once

#include "archsim/spec.hpp"
#include "engine/rng.hpp"

namespace archsim {

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
  double mean() const { return mean_; }

 private:
  double slow(Rng& r) const;
  DistSpec::Kind kind_ = DistSpec::Kind::Const;
  double p1_ = 0, p2_ = 0;
  int k_ = 1;
  double mean_ = 0;
};

}  // namespace archsim
