// The peer archsim-bench measures against: a bare, hand-written event loop
// of the same queueing models, with no metrics beyond a count and a mean.
// It is the floor on what any request-level simulator can cost per request.
#pragma once

#include <cstdint>

namespace bench {

struct BareResult {
  std::uint64_t completed = 0;  ///< requests that left the last station
  std::uint64_t events = 0;     ///< arrivals + departures processed
  double mean_sojourn_s = 0;    ///< so that the work cannot be optimised away
};

/// Poisson arrivals (rate /s) into c servers with exp(mean_service_s)
/// service, FIFO, until `requests` have arrived and all have left.
BareResult bare_mmc(std::uint64_t requests, double rate, int c, double mean_service_s, std::uint64_t seed);

/// The same into station 1 (c1 servers, exp(s1)), then station 2 (c2, exp(s2)).
BareResult bare_tandem(std::uint64_t requests, double rate, int c1, double s1, int c2, double s2,
                       std::uint64_t seed);

}  // namespace bench
