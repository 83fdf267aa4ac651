// The fault kinds that act on the platform (hosts, links, regions) rather
// than on a component: host_down, host_slow, link_down, link_degraded and
// region_partition. Only the simgrid backend has a platform: on the fast
// backend they are refused before anything runs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"

namespace archsim {

/// Whether a fault kind acts on the platform (the simgrid backend's).
bool is_platform_fault(FaultSpec::Kind k);

/// The names a platform fault may target, as the simgrid backend's Layout
/// names them: declared hosts and the hosts of unplaced replicas ("api.0");
/// every host's own link ("HOST-link"), declared links, routes' links
/// ("us-east/ap-south"), backbones ("REGION-backbone"); declared regions.
/// The users' side (traffic sources' hosts) is left out.
struct PlatformNames {
  std::vector<std::string> hosts, links, regions;
};
PlatformNames platform_names(const ScenarioSpec& spec);

/// Checks the target of platform fault `f`: a host, a link or two regions
/// that exist, else an error at the name with the valid names.
void check_platform_fault(const ScenarioSpec& spec, const FaultSpec& f, Diagnostics& diags);

/// One error per platform fault of `spec` when `backend` is not "simgrid",
/// at the fault's entry (FILE:LINE:COL), saying it needs --backend simgrid.
std::vector<Diagnostic> platform_faults_need_simgrid(const ScenarioSpec& spec, std::string_view backend);

}  // namespace archsim
