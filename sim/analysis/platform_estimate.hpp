// Napkin math over the platform (what `--backend simgrid` would share): CPU
// utilisation of each host from the work of the replicas placed on it, and
// the bytes per second each link carries in each direction against its
// bandwidth, from the call rates and the calls' request and response sizes.
// Replicas share a component's load evenly; no queueing, no retries.
#pragma once

#include <string>
#include <vector>

#include "analysis/estimate.hpp"
#include "archsim/spec.hpp"

namespace archsim {

struct HostEstimate {
  std::string name;
  std::string zone;
  int cores = 1;
  double speed = 1;               ///< times the reference core
  double demand = 0;              ///< reference-core seconds of work per second
  double utilization = 0;         ///< demand / (cores x speed)
  std::vector<std::string> runs;  ///< "api.0", "db.1": the replicas on it
};

struct LinkEstimate {
  std::string name;
  double bandwidth = 0;              ///< bytes/s each way
  double latency = 0;                ///< s
  double up = 0, down = 0;           ///< bytes/s: host to switch (a to b for a route) and back
  double utilization = 0;            ///< the busier direction over the bandwidth
  std::string up_label, down_label;  ///< "out"/"in", or "us-east->eu-west"
};

struct PlatformEstimate {
  bool declared = false;  ///< the scenario has a `platform:` section
  std::size_t regions = 0, zones = 0, hosts = 0, links = 0;
  std::vector<HostEstimate> host_list;  ///< declared hosts, then archsim's own for unplaced replicas
  std::vector<LinkEstimate> link_list;  ///< links that carry something or have a finite bandwidth
  std::vector<std::string> notes;
};

/// From the spec and the component estimate (visit rates at the base rate,
/// or with `window_mean` averaged over the measured window, as a run measures).
PlatformEstimate estimate_platform(const ScenarioSpec& spec, const Estimate& est, bool window_mean = false);

}  // namespace archsim
