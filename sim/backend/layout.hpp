// The platform a scenario runs on, resolved: every host (declared, or made
// for an unplaced component's replicas and for each traffic source), every
// link, the links between any two hosts, and which host runs each replica.
// Built from the spec alone (no SimGrid): the simgrid backend builds its
// NetZones from it, and `archsim check` estimates utilisation over it.
#pragma once

#include <string>
#include <vector>

#include "archsim/platform.hpp"
#include "archsim/spec.hpp"

namespace archsim {

struct Layout {
  struct Host {
    std::string name;
    int zone = 0;
    int cores = 1;
    double speed = kReferenceSpeed;  ///< flop/s of one core
    int nic = 0;                     ///< the host's own link to its zone's switch
    bool implicit = false;           ///< made by archsim (unplaced replicas, traffic)
  };
  struct Link {
    std::string name;
    double bandwidth = kUnlimitedBandwidth;  ///< bytes/s, each way
    double latency = 0;                      ///< s
  };
  /// One link of a route and the way it is crossed ("up": from the host to
  /// its switch for a NIC, from `a` to `b` for a route between regions).
  struct Hop {
    int link = 0;
    bool up = true;
    friend bool operator==(const Hop&, const Hop&) = default;
  };
  struct Zone {
    std::string name;
    int region = 0;
    LinkSpec lan;
  };

  std::vector<std::string> regions;
  std::vector<Zone> zones;
  std::vector<Host> hosts;
  std::vector<Link> links;
  /// zone_route[a][b]: the links from zone a's switch to zone b's (empty within a zone).
  std::vector<std::vector<std::vector<Hop>>> zone_route;
  /// replica_host[c][r]: the host of replica r of component c.
  std::vector<std::vector<int>> replica_host;
  /// source_host[s]: the host of traffic source s (its users' side).
  std::vector<int> source_host;
  bool declared = false;  ///< from a `platform:` section (else the default LAN)

  /// From the spec: the declared platform, or one host per replica on a LAN
  /// that neither delays nor limits.
  static Layout build(const ScenarioSpec& spec);

  /// The host of a node: component index >= 0 and its replica, or a traffic
  /// source as -1 - index.
  int host_of(int node, int replica) const;
  /// Links from host a to host b in order; empty when a == b.
  std::vector<Hop> route(int a, int b) const;
  /// Sum of the latencies along route(a, b), s.
  double route_latency(int a, int b) const;
  int find_host(const std::string& name) const;
  int find_link(const std::string& name) const;
};

/// Cores that make a component's replica behave as the fast backend: one
/// per worker (a large number for kinds with no worker limit).
int cores_for(const ScenarioSpec& spec, const ComponentSpec& c);

}  // namespace archsim
