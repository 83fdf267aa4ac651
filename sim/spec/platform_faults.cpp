#include "spec/platform_faults.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"

namespace archsim {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

bool has(const std::vector<std::string>& names, const std::string& n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// Whether component `c` gets hosts of its own (Layout: no placement, or one
// that names no host that exists).
bool unplaced(const PlatformSpec* p, const ComponentSpec& c) {
  const PlacementSpec* pl = p ? p->placement_of(c.name) : nullptr;
  if (!pl) return true;
  if (!pl->hosts.empty())
    return std::none_of(pl->hosts.begin(), pl->hosts.end(),
                        [p](const std::string& h) { return p->find_host(h) >= 0; });
  return pl->zone.empty() || p->hosts_in(pl->zone).empty();
}

/// "unknown host 'h9' in the 'host_down' fault at 10s: did you mean 'h1'? hosts: h1, h2".
std::string unknown_name(std::string_view what, const std::string& name, const FaultSpec& f,
                         const std::vector<std::string>& valid) {
  const std::string where = fmt::format("the '{}' fault at {}", name_of(f.kind), format_duration(f.at));
  if (valid.empty())
    return fmt::format("unknown {} '{}' in {}: the platform has no {}s", what, name, where, what);
  const std::string guess = did_you_mean(name, valid);
  return fmt::format("unknown {} '{}' in {}: {}{}s: {}", what, name, where,
                     guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess), what, joined(valid));
}

}  // namespace

bool is_platform_fault(FaultSpec::Kind k) {
  using K = FaultSpec::Kind;
  return k == K::HostDown || k == K::HostSlow || k == K::LinkDown || k == K::LinkDegraded ||
         k == K::RegionPartition;
}

PlatformNames platform_names(const ScenarioSpec& spec) {
  PlatformNames out;
  const PlatformSpec* p = spec.platform && spec.platform->declared ? spec.platform.get() : nullptr;
  if (p) {
    for (const HostSpec& h : p->hosts) out.hosts.push_back(h.name);
    for (const RegionSpec& r : p->regions) out.regions.push_back(r.name);
  }
  for (const ComponentSpec& c : spec.components)
    if (unplaced(p, c))
      for (int r = 0; r < c.replica_count(); ++r) out.hosts.push_back(c.name + "." + std::to_string(r));
  for (const std::string& h : out.hosts) out.links.push_back(h + "-link");
  if (p) {
    for (const LinkSpec& l : p->links) out.links.push_back(l.name);
    for (const RegionSpec& r : p->regions)
      if (r.backbone) out.links.push_back(r.backbone->name);
  }
  return out;
}

void check_platform_fault(const ScenarioSpec& spec, const FaultSpec& f, Diagnostics& diags) {
  using K = FaultSpec::Kind;
  const PlatformNames names = platform_names(spec);
  const auto error = [&](Mark m, std::string message) {
    diags.error(spec.file_of(m), m, std::move(message));
  };
  switch (f.kind) {
    case K::HostDown:
    case K::HostSlow:
      if (!has(names.hosts, f.target)) error(f.target_mark, unknown_name("host", f.target, f, names.hosts));
      break;
    case K::LinkDown:
    case K::LinkDegraded:
      if (!has(names.links, f.target)) error(f.target_mark, unknown_name("link", f.target, f, names.links));
      break;
    case K::RegionPartition:
      if (names.regions.empty()) {
        error(f.target_mark,
              "'region_partition' cuts two regions of the platform apart: declare them in 'platform: "
              "{regions: ...}'");
        break;
      }
      if (!has(names.regions, f.target))
        error(f.target_mark, unknown_name("region", f.target, f, names.regions));
      if (!has(names.regions, f.other))
        error(f.other_mark, unknown_name("region", f.other, f, names.regions));
      break;
    default: break;
  }
}

std::vector<Diagnostic> platform_faults_need_simgrid(const ScenarioSpec& spec, std::string_view backend) {
  std::vector<Diagnostic> out;
  if (backend == "simgrid") return out;
  for (const FaultSpec& f : spec.faults) {
    if (!is_platform_fault(f.kind)) continue;
    out.push_back(Diagnostic{
        spec.file_of(f.mark), f.mark,
        fmt::format("'{}' acts on the platform's hosts and links, which only the simgrid backend has: run "
                    "with '--backend simgrid' (or write 'backend: simgrid' in the file)",
                    name_of(f.kind))});
  }
  return out;
}

}  // namespace archsim
