#include "backend/layout.hpp"

#include <algorithm>

#include "spec/kinds.hpp"

namespace archsim {

namespace {

// Enough cores that a kind without a worker limit never shares one.
constexpr int kUnlimitedCores = 4096;

}  // namespace

int cores_for(const ScenarioSpec& spec, const ComponentSpec& c) {
  // A balancer forwards and a broker hands messages on: their hosts have one
  // core (a broker's `consumers:` when set), whatever the consumers behind
  // them run on. Every other kind has a core per worker (the kinds table),
  // and no worker limit means no sharing.
  if (c.load_balancer()) return 1;
  if (const QueueSpec* q = c.queue()) return std::clamp(q->consumers > 0 ? q->consumers : 1, 1, kUnlimitedCores);
  const int workers = workers_per_replica(spec, c);
  return std::clamp(workers > 0 ? workers : kUnlimitedCores, 1, kUnlimitedCores);
}

Layout Layout::build(const ScenarioSpec& spec) {
  Layout L;
  const PlatformSpec* p = spec.platform && spec.platform->declared ? spec.platform.get() : nullptr;
  L.declared = p != nullptr;

  const auto add_link = [&](std::string name, double bandwidth, double latency) {
    L.links.push_back(Link{std::move(name), bandwidth, latency});
    return static_cast<int>(L.links.size() - 1);
  };
  const auto add_host = [&](std::string name, int zone, int cores, double speed, bool implicit, bool unlimited_nic) {
    const LinkSpec& lan = L.zones[static_cast<std::size_t>(zone)].lan;
    const int nic = unlimited_nic ? add_link(name + "-link", kUnlimitedBandwidth, 0)
                                  : add_link(name + "-link", lan.bandwidth, lan.latency);
    L.hosts.push_back(Host{std::move(name), zone, cores, speed, nic, implicit});
    return static_cast<int>(L.hosts.size() - 1);
  };

  if (p) {
    for (const RegionSpec& r : p->regions) L.regions.push_back(r.name);
    for (const ZoneSpec& z : p->zones) L.zones.push_back(Zone{z.name, z.region, z.lan});
    for (const HostSpec& h : p->hosts) add_host(h.name, h.zone, h.cores, h.speed * kReferenceSpeed, false, false);
  } else {
    L.regions.push_back("default");
    L.zones.push_back(Zone{"lan", 0, LinkSpec{}});
  }

  // Routes between zones: the region's backbone inside a region, the route's
  // links between regions.
  std::vector<int> backbone(L.regions.size(), -1);
  std::vector<std::vector<std::vector<Hop>>> region_route(L.regions.size(),
                                                          std::vector<std::vector<Hop>>(L.regions.size()));
  if (p) {
    std::vector<int> link_of(p->links.size(), -1);
    for (std::size_t i = 0; i < p->links.size(); ++i)
      link_of[i] = add_link(p->links[i].name, p->links[i].bandwidth, p->links[i].latency);
    for (std::size_t r = 0; r < p->regions.size(); ++r)
      if (const auto& b = p->regions[r].backbone) backbone[r] = add_link(b->name, b->bandwidth, b->latency);
    for (const RouteSpec& rt : p->routes) {
      const int a = p->find_region(rt.a), b = p->find_region(rt.b);
      if (a < 0 || b < 0) continue;
      std::vector<Hop> fwd, back;
      for (int l : rt.links) fwd.push_back(Hop{link_of[static_cast<std::size_t>(l)], true});
      for (auto it = fwd.rbegin(); it != fwd.rend(); ++it) back.push_back(Hop{it->link, false});
      region_route[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = fwd;
      region_route[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] = back;
    }
  }

  // Replicas: where the file places them, else a host of their own each in
  // the first zone. Traffic: in the zone it comes from, with its own link
  // that limits nothing (the users' side is not the design's).
  L.replica_host.resize(spec.components.size());
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ComponentSpec& comp = spec.components[c];
    const int n = comp.replica_count();
    const PlacementSpec* pl = p ? p->placement_of(comp.name) : nullptr;
    std::vector<int> pool;
    if (pl && !pl->hosts.empty()) {
      for (const std::string& h : pl->hosts) pool.push_back(L.find_host(h));
    } else if (pl && !pl->zone.empty()) {
      pool = p->hosts_in(pl->zone);  // declared hosts come first: same indices
    }
    pool.erase(std::remove(pool.begin(), pool.end(), -1), pool.end());
    for (int r = 0; r < n; ++r) {
      if (!pool.empty()) {
        L.replica_host[c].push_back(pool[static_cast<std::size_t>(r) % pool.size()]);
      } else {
        L.replica_host[c].push_back(
            add_host(comp.name + "." + std::to_string(r), 0, cores_for(spec, comp), kReferenceSpeed, true, false));
      }
    }
  }
  for (const TrafficSpec& t : spec.traffic) {
    int zone = 0;
    if (const PlacementSpec* pl = p ? p->placement_of(t.name, true) : nullptr) {
      if (const int z = p->find_zone(pl->zone); z >= 0) {
        zone = z;
      } else if (const int r = p->find_region(pl->zone); r >= 0) {
        for (std::size_t i = 0; i < p->zones.size(); ++i)
          if (p->zones[i].region == r) {
            zone = static_cast<int>(i);
            break;
          }
      }
    }
    L.source_host.push_back(add_host("traffic." + t.name, zone, 1, kReferenceSpeed, true, true));
  }

  const std::size_t nz = L.zones.size();
  L.zone_route.assign(nz, std::vector<std::vector<Hop>>(nz));
  for (std::size_t a = 0; a < nz; ++a) {
    for (std::size_t b = 0; b < nz; ++b) {
      if (a == b) continue;
      const auto ra = static_cast<std::size_t>(L.zones[a].region), rb = static_cast<std::size_t>(L.zones[b].region);
      if (ra == rb) {
        if (backbone[ra] >= 0) L.zone_route[a][b] = {Hop{backbone[ra], a < b}};
      } else {
        L.zone_route[a][b] = region_route[ra][rb];
      }
    }
  }
  return L;
}

int Layout::host_of(int node, int replica) const {
  if (node < 0) return source_host[static_cast<std::size_t>(-1 - node)];
  const auto& hs = replica_host[static_cast<std::size_t>(node)];
  return hs[static_cast<std::size_t>(replica < 0 ? 0 : replica) % hs.size()];
}

std::vector<Layout::Hop> Layout::route(int a, int b) const {
  if (a == b) return {};
  const Host& ha = hosts[static_cast<std::size_t>(a)];
  const Host& hb = hosts[static_cast<std::size_t>(b)];
  std::vector<Hop> out{Hop{ha.nic, true}};
  const auto& mid = zone_route[static_cast<std::size_t>(ha.zone)][static_cast<std::size_t>(hb.zone)];
  out.insert(out.end(), mid.begin(), mid.end());
  out.push_back(Hop{hb.nic, false});
  return out;
}

double Layout::route_latency(int a, int b) const {
  double sum = 0;
  for (const Hop& h : route(a, b)) sum += links[static_cast<std::size_t>(h.link)].latency;
  return sum;
}

int Layout::find_host(const std::string& name) const {
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == name) return static_cast<int>(i);
  return -1;
}

int Layout::find_link(const std::string& name) const {
  for (std::size_t i = 0; i < links.size(); ++i)
    if (links[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace archsim
