// The `slow` and `errors` faults, the same for every kind that does work:
// one piece of state and one way to apply them.
#pragma once

#include "archsim/spec.hpp"
#include "engine/rng.hpp"

namespace archsim {

struct Impairment {
  double x = 1, add = 0, p = 0;
  /// Applies a Slow or Errors fault (or its end); false for any other kind.
  bool apply(const FaultSpec& f, bool end) {
    if (f.kind == FaultSpec::Kind::Slow) {
      x = end ? 1.0 : f.x;
      add = end ? 0.0 : f.add;
      return true;
    }
    if (f.kind == FaultSpec::Kind::Errors) {
      p = end ? 0.0 : f.p;
      return true;
    }
    return false;
  }
  /// A work time as the fault stretches it.
  double stretch(double seconds) const { return seconds * x + add; }
  /// Should this visit fail with an injected error?
  bool fails(Rng& rng) const { return p > 0 && rng.chance(p); }
};

}  // namespace archsim
