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
  if (const QueueSpec* q = c.queue())
    return std::clamp(q->consumers > 0 ? q->consumers : 1, 1, kUnlimitedCores);
  const int workers = workers_per_replica(spec, c);
  return std::clamp(workers > 0 ? workers : kUnlimitedCores, 1, kUnlimitedCores);
}

namespace {

/// Layout::build in its phases, in the order that numbers hosts and links:
/// the declared platform, the routes between regions, the replicas, the
/// traffic sources, the routes between zones.
class LayoutBuilder {
 public:
  LayoutBuilder(const ScenarioSpec& spec, Layout& L)
      : spec_(spec), p_(spec.platform && spec.platform->declared ? spec.platform.get() : nullptr), L_(L) {
    L_.declared = p_ != nullptr;
  }

  void build() {
    platform();
    region_routes();
    replicas();
    traffic();
    zone_routes();
  }

 private:
  using Hop = Layout::Hop;

  int add_link(std::string name, double bandwidth, double latency) {
    L_.links.push_back(Layout::Link{std::move(name), bandwidth, latency});
    return static_cast<int>(L_.links.size() - 1);
  }
  int add_host(std::string name, int zone, int cores, double speed, bool implicit, bool unlimited_nic) {
    const LinkSpec& lan = L_.zones[static_cast<std::size_t>(zone)].lan;
    const int nic = unlimited_nic ? add_link(name + "-link", kUnlimitedBandwidth, 0)
                                  : add_link(name + "-link", lan.bandwidth, lan.latency);
    L_.hosts.push_back(Layout::Host{std::move(name), zone, cores, speed, nic, implicit});
    return static_cast<int>(L_.hosts.size() - 1);
  }

  /// Regions, zones and declared hosts; one LAN when nothing is declared.
  void platform() {
    if (p_) {
      for (const RegionSpec& r : p_->regions) L_.regions.push_back(r.name);
      for (const ZoneSpec& z : p_->zones) L_.zones.push_back(Layout::Zone{z.name, z.region, z.lan});
      for (const HostSpec& h : p_->hosts)
        add_host(h.name, h.zone, h.cores, h.speed * kReferenceSpeed, false, false);
    } else {
      L_.regions.push_back("default");
      L_.zones.push_back(Layout::Zone{"lan", 0, LinkSpec{}});
    }
    backbone_.assign(L_.regions.size(), -1);
    region_route_.assign(L_.regions.size(), std::vector<std::vector<Hop>>(L_.regions.size()));
  }

  /// The region's backbone inside a region, the route's links between regions.
  void region_routes() {
    if (!p_) return;
    std::vector<int> link_of(p_->links.size(), -1);
    for (std::size_t i = 0; i < p_->links.size(); ++i)
      link_of[i] = add_link(p_->links[i].name, p_->links[i].bandwidth, p_->links[i].latency);
    for (std::size_t r = 0; r < p_->regions.size(); ++r)
      if (const auto& b = p_->regions[r].backbone) backbone_[r] = add_link(b->name, b->bandwidth, b->latency);
    for (const RouteSpec& rt : p_->routes) {
      const int a = p_->find_region(rt.a), b = p_->find_region(rt.b);
      if (a < 0 || b < 0) continue;
      std::vector<Hop> fwd, back;
      for (int l : rt.links) fwd.push_back(Hop{link_of[static_cast<std::size_t>(l)], true});
      for (auto it = fwd.rbegin(); it != fwd.rend(); ++it) back.push_back(Hop{it->link, false});
      region_route_[static_cast<std::size_t>(a)][static_cast<std::size_t>(b)] = fwd;
      region_route_[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)] = back;
    }
  }

  /// Where the file places them, else a host of their own each in the first zone.
  void replicas() {
    L_.replica_host.resize(spec_.components.size());
    for (std::size_t c = 0; c < spec_.components.size(); ++c) {
      const ComponentSpec& comp = spec_.components[c];
      const PlacementSpec* pl = p_ ? p_->placement_of(comp.name) : nullptr;
      std::vector<int> pool;
      if (pl && !pl->hosts.empty()) {
        for (const std::string& h : pl->hosts) pool.push_back(L_.find_host(h));
      } else if (pl && !pl->zone.empty()) {
        pool = p_->hosts_in(pl->zone);  // declared hosts come first: same indices
      }
      pool.erase(std::remove(pool.begin(), pool.end(), -1), pool.end());
      for (int r = 0; r < comp.replica_count(); ++r) {
        L_.replica_host[c].push_back(!pool.empty()
                                         ? pool[static_cast<std::size_t>(r) % pool.size()]
                                         : add_host(comp.name + "." + std::to_string(r), 0,
                                                    cores_for(spec_, comp), kReferenceSpeed, true, false));
      }
    }
  }

  /// In the zone it comes from, with its own link that limits nothing (the
  /// users' side is not the design's).
  void traffic() {
    for (const TrafficSpec& t : spec_.traffic) {
      int zone = 0;
      if (const PlacementSpec* pl = p_ ? p_->placement_of(t.name, true) : nullptr) {
        if (const int z = p_->find_zone(pl->zone); z >= 0) {
          zone = z;
        } else if (const int r = p_->find_region(pl->zone); r >= 0) {
          for (std::size_t i = 0; i < p_->zones.size(); ++i)
            if (p_->zones[i].region == r) {
              zone = static_cast<int>(i);
              break;
            }
        }
      }
      L_.source_host.push_back(add_host("traffic." + t.name, zone, 1, kReferenceSpeed, true, true));
    }
  }

  void zone_routes() {
    const std::size_t nz = L_.zones.size();
    L_.zone_route.assign(nz, std::vector<std::vector<Hop>>(nz));
    for (std::size_t a = 0; a < nz; ++a) {
      for (std::size_t b = 0; b < nz; ++b) {
        if (a == b) continue;
        const auto ra = static_cast<std::size_t>(L_.zones[a].region),
                   rb = static_cast<std::size_t>(L_.zones[b].region);
        if (ra == rb) {
          if (backbone_[ra] >= 0) L_.zone_route[a][b] = {Hop{backbone_[ra], a < b}};
        } else {
          L_.zone_route[a][b] = region_route_[ra][rb];
        }
      }
    }
  }

  const ScenarioSpec& spec_;
  const PlatformSpec* p_;
  Layout& L_;
  std::vector<int> backbone_;                                ///< link of each region's backbone, or -1
  std::vector<std::vector<std::vector<Hop>>> region_route_;  ///< [a][b]: links from region a to b
};

}  // namespace

Layout Layout::build(const ScenarioSpec& spec) {
  Layout L;
  LayoutBuilder(spec, L).build();
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
