// Where things go on the screen: the architecture drawn left to right the way
// people draw it (clients, balancers, services, stores), and the frame of the
// heads-up display around it. Pure functions of the timeline header and the
// window size, so they are unit-tested without a display. No SFML here.
#pragma once

#include <string_view>
#include <vector>

#include "archsim/timeline.hpp"

namespace archsim::viz {

struct Point {
  float x = 0, y = 0;
};

/// An axis-aligned rectangle in pixels, (x, y) its top-left corner.
struct Rect {
  float x = 0, y = 0, w = 0, h = 0;
  float right() const { return x + w; }
  float bottom() const { return y + h; }
  float cx() const { return x + w / 2; }
  float cy() const { return y + h / 2; }
  bool contains(Point p) const { return p.x >= x && p.x <= right() && p.y >= y && p.y <= bottom(); }
  bool contains(const Rect& r) const {
    return r.x >= x && r.y >= y && r.right() <= right() && r.bottom() <= bottom();
  }
  bool overlaps(const Rect& r) const {
    return x < r.right() && r.x < right() && y < r.bottom() && r.y < bottom();
  }
};

/// The frame of the heads-up display for a window of this size: a top bar
/// (clock, speed, verdict), a right panel (charts, details), a bottom bar
/// (scrubber), a caption band over the architecture (the root cause) and
/// what is left for the architecture.
struct HudFrame {
  float scale = 1;  ///< text and margins relative to a 1280x720 window
  Rect top, right, bottom, caption, graph;
  Rect events;  ///< under the architecture: the latest faults and actions (never over a node)
};
HudFrame hud_frame(float width, float height);

/// How a kind of component is drawn; unknown kinds get Generic.
enum class Shape { Client, Balancer, Service, Cache, Queue, Database, Cdn, Generic };
Shape shape_of(std::string_view kind);

/// One box on the screen: a traffic source (client) or a component.
struct NodeBox {
  Rect rect;      ///< the node itself (the front replica)
  Rect bounds;    ///< rect plus the replica stack drawn behind it
  int layer = 0;  ///< column, 0 = clients
  bool pinned = false;
  Shape shape = Shape::Generic;
};

/// The path of one call-graph edge, as a dense polyline from caller to callee.
struct EdgeRoute {
  std::vector<Point> points;
  std::vector<float> along;  ///< distance from the start to each point, px
  float length() const { return along.empty() ? 0.f : along.back(); }
  /// The point at fraction s (0..1) of the length, and the unit normal there.
  Point at(float s, Point* normal = nullptr) const;
  /// Distance from p to the polyline.
  float distance(Point p) const;
};

struct Layout {
  Rect area;                        ///< the region it was laid out in
  std::vector<NodeBox> sources;     ///< traffic sources, index as header.sources
  std::vector<NodeBox> components;  ///< index as header.components
  std::vector<EdgeRoute> edges;     ///< index as header.edges
  int layers = 0;
  float node_w = 0, node_h = 0;

  /// A node by the edge convention: >= 0 a component, -1 - i source i.
  const NodeBox& node(int id) const { return id >= 0 ? components[id] : sources[-1 - id]; }
};

/// Lays the call graph out in `area`: layers by longest path from the
/// sources (cycles broken by a depth-first search), crossings reduced by
/// barycenter sweeps over the layers with dummy nodes on long edges, rows
/// placed near their neighbours, crowded layers staggered into sub-columns.
/// A pinned component (header pos, fractions 0..1 of the area) stays where
/// it was put.
Layout compute_layout(const TimelineHeader& h, const Rect& area);
/// The same in the graph region of a window of this size.
Layout compute_layout(const TimelineHeader& h, float width, float height);

}  // namespace archsim::viz
