// Made-up runs for the tests and the benchmark of the view: an architecture
// of any size drawn the way real scenarios look (balancer, services, caches,
// queues, databases) and ticks with a known incident, without the engine.
#pragma once

#include "archsim/timeline.hpp"

namespace archsim::viz {

struct SyntheticRun {
  int components = 6;  ///< 3 to a few hundred
  int sources = 1;
  double duration = 60;     ///< s, one tick per second
  double rate = 1000;       ///< requests/s from all sources together
  int failing = -1;         ///< component that starts failing (-1 none)
  double fail_from = 30;    ///< s
  double fail_share = 0.4;  ///< share of its calls that fail from then on
  unsigned seed = 1;
};

/// A timeline header and one tick per second for the run described.
Timeline synthetic_timeline(const SyntheticRun& run);

}  // namespace archsim::viz
