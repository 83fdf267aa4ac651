#include "platform_layout.hpp"

#include <algorithm>
#include <cmath>

namespace archsim::viz {

Rect carve_platform_band(Rect& graph, const PlatformMap* m, float scale) {
  if (!m || m->hosts.empty()) return {};
  // About a third of the architecture's height: enough for an arc row, a
  // region title, a zone title and a row of hosts with their bars.
  const float h = std::round(std::clamp(graph.h * 0.3f, 110 * scale, 200 * scale));
  const float gap = std::round(8 * scale);
  const Rect band{graph.x, graph.bottom() - h, graph.w, h};
  graph.h = std::max(0.f, graph.h - h - gap);
  return band;
}

namespace {

/// The hosts of each zone, in the map's order.
std::vector<std::vector<int>> hosts_by_zone(const PlatformMap& m) {
  std::vector<std::vector<int>> out(m.zones.size());
  for (std::size_t h = 0; h < m.hosts.size(); ++h)
    if (m.hosts[h].zone >= 0 && m.hosts[h].zone < static_cast<int>(out.size()))
      out[static_cast<std::size_t>(m.hosts[h].zone)].push_back(static_cast<int>(h));
  return out;
}

/// Hosts in a grid of `cols` columns inside a zone box (under its title).
void place_hosts(PlatformLayout& L, const std::vector<int>& hosts, const Rect& z, float title, float s) {
  if (hosts.empty()) return;
  const float pad = 5 * s, gap = 5 * s;
  const Rect in{z.x + pad, z.y + title, z.w - 2 * pad, z.h - title - pad};
  // As many columns as fit at 70 px a host, then rows for the rest.
  const int cols =
      std::clamp(static_cast<int>((in.w + gap) / (70 * s + gap)), 1, static_cast<int>(hosts.size()));
  const int rows = (static_cast<int>(hosts.size()) + cols - 1) / cols;
  const float w = (in.w - gap * static_cast<float>(cols - 1)) / static_cast<float>(cols);
  const float hh = std::min(44 * s, (in.h - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows));
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    L.hosts[static_cast<std::size_t>(hosts[i])] = {std::round(in.x + static_cast<float>(c) * (w + gap)),
                                                   std::round(in.y + static_cast<float>(r) * (hh + gap)),
                                                   std::floor(w), std::floor(hh)};
  }
}

/// An arc over the boxes from the top of region a to the top of region b.
void region_arc(PlatformLayout& L, std::size_t l, const Rect& a, const Rect& b, float lift, int lane,
                float s) {
  const Point p{a.cx() + static_cast<float>(lane) * 10 * s, a.y};
  const Point q{b.cx() - static_cast<float>(lane) * 10 * s, b.y};
  std::vector<Point> pts;
  constexpr int kSteps = 24;
  for (int i = 0; i <= kSteps; ++i) {
    const float u = static_cast<float>(i) / kSteps;
    // A quadratic curve through the lifted midpoint.
    const Point mid{(p.x + q.x) / 2, std::min(p.y, q.y) - lift};
    const float x = (1 - u) * (1 - u) * p.x + 2 * u * (1 - u) * mid.x + u * u * q.x;
    const float y = (1 - u) * (1 - u) * p.y + 2 * u * (1 - u) * mid.y + u * u * q.y;
    pts.push_back({x, y});
  }
  L.link_label[l] = pts[kSteps / 2];
  L.links[l] = std::move(pts);
}

}  // namespace

PlatformLayout layout_platform(const PlatformMap& m, const Rect& area, float s) {
  PlatformLayout L;
  L.area = area;
  L.regions.assign(m.regions.size(), {});
  L.zones.assign(m.zones.size(), {});
  L.hosts.assign(m.hosts.size(), {});
  L.links.assign(m.links.size(), {});
  L.link_label.assign(m.links.size(), {});
  const auto by_zone = hosts_by_zone(m);
  // Regions get width by their hosts (at least one's worth each).
  std::vector<float> weight(m.regions.size(), 0.f);
  for (std::size_t z = 0; z < m.zones.size(); ++z)
    weight[static_cast<std::size_t>(m.zones[z].region)] +=
        std::max<float>(1, static_cast<float>(by_zone[z].size()));
  float total = 0;
  for (float& w : weight) total += (w = std::max(w, 1.f));
  const float gap = std::round(18 * s), arc_h = std::round(44 * s);
  const float avail = area.w - gap * static_cast<float>(std::max<std::size_t>(1, m.regions.size()) - 1);
  float x = area.x;
  for (std::size_t r = 0; r < m.regions.size(); ++r) {
    const float w = std::floor(avail * weight[r] / total);
    L.regions[r] = {x, area.y + arc_h, w, area.h - arc_h};
    x += w + gap;
  }
  // Zones side by side in their region, under its title.
  const float title = std::round(18 * s), pad = std::round(6 * s);
  for (std::size_t r = 0; r < m.regions.size(); ++r) {
    std::vector<int> zs;
    for (std::size_t z = 0; z < m.zones.size(); ++z)
      if (m.zones[z].region == static_cast<int>(r)) zs.push_back(static_cast<int>(z));
    const Rect& R = L.regions[r];
    float wsum = 0;
    for (int z : zs)
      wsum += std::max<float>(1, static_cast<float>(by_zone[static_cast<std::size_t>(z)].size()));
    const float zgap = std::round(14 * s);
    const float zavail = R.w - 2 * pad - zgap * static_cast<float>(std::max<std::size_t>(1, zs.size()) - 1);
    float zx = R.x + pad;
    for (int z : zs) {
      const float zw = std::floor(
          zavail * std::max<float>(1, static_cast<float>(by_zone[static_cast<std::size_t>(z)].size())) /
          wsum);
      const Rect zr{zx, R.y + title, zw, R.h - title - pad};
      L.zones[static_cast<std::size_t>(z)] = zr;
      place_hosts(L, by_zone[static_cast<std::size_t>(z)], zr, std::round(16 * s), s);
      zx += zw + zgap;
    }
  }
  // Links: arcs between regions (lanes apart when several join the same
  // pair), a line between a region's zones; a host's link is its bar.
  int lane = 0;
  for (std::size_t l = 0; l < m.links.size(); ++l) {
    const PlatformMap::Link& pl = m.links[l];
    if (pl.joins == PlatformMap::Joins::Host) continue;
    const Rect& a = L.regions[static_cast<std::size_t>(pl.a)];
    if (pl.joins == PlatformMap::Joins::Regions) {
      const Rect& b = L.regions[static_cast<std::size_t>(pl.b)];
      const float span = std::abs(b.cx() - a.cx());
      const float lift = std::min(arc_h - 14 * s, 10 * s + span / std::max(1.f, area.w) * (arc_h - 18 * s));
      region_arc(L, l, a.cx() <= b.cx() ? a : b, a.cx() <= b.cx() ? b : a, lift, lane++ % 3, s);
    } else {
      // Over the zones' tops, from the first zone's centre to the last's.
      float x0 = a.right(), x1 = a.x;
      for (std::size_t z = 0; z < m.zones.size(); ++z)
        if (m.zones[z].region == pl.a) x0 = std::min(x0, L.zones[z].cx()), x1 = std::max(x1, L.zones[z].cx());
      const float y = a.y + title - 1;
      if (x1 <= x0) x0 = a.x + pad, x1 = a.right() - pad;
      L.links[l] = {{x0, y}, {(x0 + x1) / 2, y}, {x1, y}};
      L.link_label[l] = {(x0 + x1) / 2, y};
    }
  }
  return L;
}

}  // namespace archsim::viz
