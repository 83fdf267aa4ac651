// Where the platform goes on the screen (simgrid runs with a `platform:`):
// regions side by side as boxes, their zones as boxes inside, hosts as small
// boxes with a CPU bar, and the links between regions as arcs above them
// (within a region, its backbone as a line between its zones). A band under
// the architecture holds it. Pure geometry: no SFML.
#pragma once

#include <vector>

#include "archsim/simulation.hpp"
#include "layout.hpp"

namespace archsim::viz {

struct PlatformLayout {
  Rect area;
  std::vector<Rect> regions;  ///< index as PlatformMap::regions
  std::vector<Rect> zones;    ///< index as PlatformMap::zones
  std::vector<Rect> hosts;    ///< index as PlatformMap::hosts
  /// Per link: a polyline from one end to the other (an arc between regions,
  /// a line across a region between its zones), empty for a host's own link
  /// (drawn as the host's second bar).
  std::vector<std::vector<Point>> links;
  /// Per link: where its label (name and utilisation) is centred.
  std::vector<Point> link_label;
};

/// The band for the platform at the bottom of the architecture's region
/// `graph`, which shrinks to make room (nothing changes when `m` is null).
Rect carve_platform_band(Rect& graph, const PlatformMap* m, float scale);

/// Lays the platform out in `area`.
PlatformLayout layout_platform(const PlatformMap& m, const Rect& area, float scale);

}  // namespace archsim::viz
