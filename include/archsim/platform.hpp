// The `platform:` section of a scenario: the machines and the network the
// simgrid backend runs a design on. Regions hold zones, zones hold hosts on a
// LAN; routes between regions are WAN links. Components are placed on hosts
// (`hosts: [a, b]`) or spread over a zone or region (`zone: x`); a traffic
// source sits in a zone or region (`from: x`). Quantities are SI doubles:
// bytes per second, seconds; a host's speed is relative to the reference core.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

/// Work is written as time on a reference core (`work: 5ms`); a host of
/// speed 1 runs kReferenceSpeed flop/s, so 5 ms of work is 5e6 flop there.
inline constexpr double kReferenceSpeed = 1e9;
/// A link nobody limits (the default LAN, the users' own access): 8 Pbit/s.
inline constexpr double kUnlimitedBandwidth = 1e15;

/// A network link. Links are full duplex: each direction has `bandwidth`,
/// and flows in one direction share it equally.
struct LinkSpec {
  std::string name;
  Mark mark;
  double bandwidth = kUnlimitedBandwidth;  ///< bytes per second, each way
  double latency = 0;                      ///< seconds, one way
};

struct HostSpec {
  std::string name;
  Mark mark;
  int cores = 1;
  double speed = 1;  ///< relative to the reference core (1 = kReferenceSpeed flop/s)
  int zone = 0;      ///< index into PlatformSpec::zones
};

/// A group of hosts on one LAN: each host has its own link (`lan`) to the
/// zone's switch, so host-to-host traffic crosses the sender's and the
/// receiver's links.
struct ZoneSpec {
  std::string name;
  Mark mark;
  int region = 0;  ///< index into PlatformSpec::regions
  LinkSpec lan;    ///< every host's link (bandwidth and latency; the name is the host's)
};

struct RegionSpec {
  std::string name;
  Mark mark;
  std::optional<LinkSpec> backbone;  ///< between its zones; none: no link, no delay
};

/// The links a message between two regions crosses, in order from `a` to `b`
/// (the way back crosses them in reverse).
struct RouteSpec {
  std::string a, b;
  Mark a_mark, b_mark;
  Mark mark;
  std::vector<int> links;  ///< indices into PlatformSpec::links
};

/// Where the replicas of a component run, or where a traffic source's users are.
struct PlacementSpec {
  std::string owner;  ///< a component's name, or a traffic source's
  bool traffic = false;
  Mark mark;                       ///< the placement key
  std::vector<std::string> hosts;  ///< `hosts: [a, b]`: replica i on hosts[i % n]
  std::vector<Mark> host_marks;
  std::string zone;  ///< `zone: x` / `from: x`: a zone or a region (replicas round robin over its hosts)
  Mark zone_mark;
};

struct PlatformSpec {
  Mark mark;              ///< the `platform:` key
  bool declared = false;  ///< the file has a `platform:` section (placements alone do not count)
  std::vector<RegionSpec> regions;
  std::vector<ZoneSpec> zones;
  std::vector<HostSpec> hosts;  ///< in file order (a `count:` expands to name-1 .. name-N)
  std::vector<LinkSpec> links;  ///< named links, then those that routes declare inline
  std::vector<RouteSpec> routes;
  std::vector<PlacementSpec> placements;

  int find_region(std::string_view name) const;
  int find_zone(std::string_view name) const;
  int find_host(std::string_view name) const;
  int find_link(std::string_view name) const;
  /// The placement of a component (traffic = false) or traffic source, or nullptr.
  const PlacementSpec* placement_of(std::string_view owner, bool traffic = false) const;
  /// Hosts of a zone, or of every zone of a region, in file order; empty if neither.
  std::vector<int> hosts_in(std::string_view zone_or_region) const;
};

/// "1Gbps" (bits), "100MBps" or "100MB/s" (bytes), "10Gbit/s", "1.5GiBps"
/// -> bytes per second. On failure returns nullopt and sets `why`.
std::optional<double> parse_bandwidth(const std::string& text, std::string* why = nullptr);
/// A host's speed: "1.5x" (times the reference core) or "2Gf" (flop/s; the
/// reference core is 1Gf) -> relative speed. On failure nullopt and `why`.
std::optional<double> parse_speed(const std::string& text, std::string* why = nullptr);
/// A bandwidth as a person writes it: "1Gbps", "400Mbps".
std::string format_bandwidth(double bytes_per_second);

/// The resource backends: "fast" (always) and "simgrid" (when built with SimGrid).
std::vector<std::string_view> backend_names();
/// Whether this build has the simgrid backend.
bool simgrid_available();

/// The simgrid backend is in this build but its module (libarchsim_simgrid.so,
/// loaded on first use) cannot be loaded: archsim exits 2 with the message.
struct BackendUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace archsim
