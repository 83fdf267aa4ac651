// The platform as the view draws it (archsim/simulation.hpp PlatformMap),
// from the backend's layout: what each host and link is and what it joins.
#include <algorithm>

#include "archsim/simulation.hpp"
#include "backend/layout.hpp"

namespace archsim {

namespace {

bool traffic_host(const Layout::Host& h) { return h.implicit && h.name.rfind("traffic.", 0) == 0; }

int add_link(PlatformMap& m, const Layout& L, int layout_link, PlatformMap::Joins joins, int a, int b) {
  int& slot = m.from_layout_link[static_cast<std::size_t>(layout_link)];
  if (slot >= 0) return slot;  // a link on several routes: the first pair names its ends
  const Layout::Link& l = L.links[static_cast<std::size_t>(layout_link)];
  m.links.push_back(PlatformMap::Link{l.name, l.bandwidth, joins, a, b});
  slot = static_cast<int>(m.links.size() - 1);
  return slot;
}

}  // namespace

std::optional<PlatformMap> platform_map(const ScenarioSpec& spec) {
  if (!spec.platform || !spec.platform->declared) return std::nullopt;
  const Layout L = Layout::build(spec);
  PlatformMap m;
  m.regions = L.regions;
  for (const Layout::Zone& z : L.zones) m.zones.push_back(PlatformMap::Zone{z.name, z.region});
  m.from_layout_host.assign(L.hosts.size(), -1);
  m.from_layout_link.assign(L.links.size(), -1);
  for (std::size_t h = 0; h < L.hosts.size(); ++h) {
    const Layout::Host& lh = L.hosts[h];
    if (traffic_host(lh)) continue;
    m.from_layout_host[h] = static_cast<int>(m.hosts.size());
    m.hosts.push_back(PlatformMap::Host{lh.name, lh.zone, lh.cores, -1});
  }
  // Host links that limit something: a host's NIC can be what saturates.
  for (std::size_t h = 0; h < L.hosts.size(); ++h) {
    const int mh = m.from_layout_host[h];
    if (mh < 0 || L.links[static_cast<std::size_t>(L.hosts[h].nic)].bandwidth >= kUnlimitedBandwidth)
      continue;
    m.hosts[static_cast<std::size_t>(mh)].nic =
        add_link(m, L, L.hosts[h].nic, PlatformMap::Joins::Host, mh, mh);
  }
  // Links between zones: a region's backbone, or the links between regions.
  m.zone_links.assign(L.zones.size(), std::vector<std::vector<int>>(L.zones.size()));
  for (std::size_t a = 0; a < L.zones.size(); ++a) {
    for (std::size_t b = a + 1; b < L.zones.size(); ++b) {
      const int ra = L.zones[a].region, rb = L.zones[b].region;
      for (const Layout::Hop& hop : L.zone_route[a][b]) {
        const int l = ra == rb ? add_link(m, L, hop.link, PlatformMap::Joins::Zones, ra, ra)
                               : add_link(m, L, hop.link, PlatformMap::Joins::Regions, ra, rb);
        m.zone_links[a][b].push_back(l);
        m.zone_links[b][a].push_back(l);
      }
    }
  }
  for (const auto& hosts : L.replica_host) {
    std::vector<int> mapped;
    for (int h : hosts) mapped.push_back(m.from_layout_host[static_cast<std::size_t>(h)]);
    m.replica_host.push_back(std::move(mapped));
  }
  return m;
}

std::vector<int> links_between(const PlatformMap& m, int a, int b) {
  std::vector<int> out;
  const auto n = static_cast<int>(m.hosts.size());
  if (a < 0 || b < 0 || a >= n || b >= n || a == b) return out;
  const PlatformMap::Host& ha = m.hosts[static_cast<std::size_t>(a)];
  const PlatformMap::Host& hb = m.hosts[static_cast<std::size_t>(b)];
  if (ha.nic >= 0) out.push_back(ha.nic);
  if (ha.zone != hb.zone && static_cast<std::size_t>(ha.zone) < m.zone_links.size())
    for (int l : m.zone_links[static_cast<std::size_t>(ha.zone)][static_cast<std::size_t>(hb.zone)])
      out.push_back(l);
  if (hb.nic >= 0) out.push_back(hb.nic);
  return out;
}

}  // namespace archsim
