// One frame of the view: the architecture (edges, moving dots, nodes) and
// the heads-up display (clock, speed, SLO verdict, charts, scrubber,
// details). The live window, the replay, the headless renderer and the tests
// all draw through this class; it only reads the Playback.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <SFML/Graphics/RenderTarget.hpp>
#include <SFML/Graphics/Texture.hpp>
#include <SFML/Graphics/VertexArray.hpp>
#include <SFML/System/Clock.hpp>

#include "layout.hpp"
#include "particles.hpp"
#include "platform_layout.hpp"
#include "playback.hpp"
#include "text_batch.hpp"
#include "theme.hpp"

namespace archsim::viz {

/// What the HUD shows besides the data: where the user is and what they do.
struct ViewState {
  double t = 0;            ///< simulated time shown, s
  double speed = 1;        ///< simulated seconds per wall second
  bool max_speed = false;  ///< as fast as the simulation runs
  bool paused = false;
  bool live = false;            ///< a simulation running now (chaos keys work)
  std::string mode;             ///< shown next to the clock: "LIVE", "REPLAY", nothing when rendering
  bool sim_done = true;         ///< live: the simulation reached its end
  bool interactive = false;     ///< a window: hover, tooltips, throttled verdict
  std::optional<int> selected;  ///< node id: >= 0 component, -1 - i source
  std::optional<Point> mouse;
  std::string status;        ///< a transient message in the bottom bar
  float details_scroll = 0;  ///< rows of the details panel scrolled past (mouse wheel)
  float zoom = 1;            ///< the architecture's magnification (wheel, 0 resets)
  Point pan;                 ///< where the architecture's view is centred, px from its centre at zoom 1
  bool searching = false;    ///< "/" typed: letters go to the search
  bool p99_timeouts = false;  ///< `P`: the p99 chart counts timed-out requests at their timeout
  std::string search;        ///< nodes whose name contains it are ringed
};

class Scene {
 public:
  Scene(const Playback& pb, unsigned width, unsigned height, const Fonts& fonts);

  /// Lays out again for a new window size (or a new header).
  void resize(unsigned width, unsigned height);
  /// Moves the dots by `wall_dt` seconds using the flows of the tick at `t`.
  void advance(float wall_dt, double t);
  /// Puts the dots where they would be at `t` had the run been playing at
  /// `speed` (replays the last few seconds at `fps`): a still frame or the
  /// first frame of a video looks like any other frame.
  void warm(double t, double speed, double fps = 30);
  void draw(sf::RenderTarget& target, const ViewState& s);

  /// The region the architecture is drawn in (between the bars and the panel).
  Rect world_region() const;
  /// A point of the window in the architecture's own coordinates (zoom and
  /// pan as last drawn).
  Point to_world(Point screen) const;
  /// The node under p, a point of the window (>= 0 a component, -1 - i a source).
  std::optional<int> node_at(Point p) const;
  /// The edge closest to p (a point of the window) within a few pixels, or -1.
  int edge_at(Point p) const;
  /// The simulated time under p if p is on the scrubber.
  std::optional<double> scrub_time_at(Point p) const;

  const Layout& layout() const { return layout_; }
  const HudFrame& frame() const { return frame_; }
  const Particles& particles() const { return particles_; }
  Particles& particles() { return particles_; }
  /// The plot of chart i (0 throughput, 1 p99, 2 error rate): x from 0 to
  /// the run's duration.
  Rect chart_plot(int i) const;
  /// A node's second label line (public for tests).
  std::string label_figures(int c, double t) const { return node_figures(c, pb_.tick_at(t)); }
  /// A point inside a component's box painted in its health colour.
  Point health_probe(int component) const;
  /// The platform as drawn (simgrid runs with a `platform:`; empty otherwise).
  const PlatformLayout& platform_layout() const { return platform_; }

 private:
  void draw_edges(sf::RenderTarget& rt, const ViewState& s, int hovered);
  void draw_nodes(sf::RenderTarget& rt, const ViewState& s);
  void node_shape(const NodeBox& b, sf::Color hc, int replicas, bool selected, double util, bool bar);
  void node_words(sf::RenderTarget& rt, const NodeBox& b, std::string name, const std::string& badge,
                  const std::string& line2, const std::string& icon);
  void draw_top(sf::RenderTarget& rt, const ViewState& s);
  void draw_charts(sf::RenderTarget& rt, const ViewState& s, const Rect& area);
  void draw_chart(sf::RenderTarget& rt, const ViewState& s, int i);
  void draw_details(sf::RenderTarget& rt, const ViewState& s, const Rect& area);
  void draw_legend(sf::RenderTarget& rt, const Rect& area);
  void draw_scrubber(sf::RenderTarget& rt, const ViewState& s);
  void draw_events(sf::RenderTarget& rt, const ViewState& s);
  void draw_tooltip(sf::RenderTarget& rt, const ViewState& s, int edge);
  void draw_node_tooltip(sf::RenderTarget& rt, const ViewState& s, int node);
  void draw_cause(sf::RenderTarget& rt, const ViewState& s);
  void draw_cause_caption(sf::RenderTarget& rt, const ViewState& s);
  void draw_search(sf::RenderTarget& rt, const ViewState& s);
  // The platform band (scene.cpp, at the end): regions, zones, hosts, links.
  void draw_platform(sf::RenderTarget& rt, const ViewState& s);
  void draw_platform_hosts(sf::RenderTarget& rt, const PlatformMap& m, const Tick* k);
  void draw_platform_links(sf::RenderTarget& rt, const ViewState& s, const PlatformMap& m, const Tick* k);
  void draw_box_lines(sf::RenderTarget& rt, const ViewState& s, const std::vector<std::string>& lines);
  /// The label's second line: the failing figure first (errors, pool
  /// waiters), then the queue, then finished requests per second.
  std::string node_figures(int c, const Tick* k) const;
  /// Every figure of a node at t, as (label, value) rows: details and hover.
  std::vector<std::pair<std::string, std::string>> node_rows(int id, double t) const;
  const std::vector<SloStatus>& verdict(const ViewState& s);
  Rect scrub_track() const;
  Rect charts_area() const;

  // Text, queued in batch_ and drawn at the next flush; align 0 left,
  // 1 centre, 2 right. Returns the width.
  float text(sf::RenderTarget& rt, const std::string& str, const sf::Font& f, float size, float x, float y,
             sf::Color c, int align = 0);
  float text_width(const std::string& str, const sf::Font& f, float size);
  std::string elide(const std::string& str, const sf::Font& f, float size, float width);

  const Playback& pb_;
  const Fonts& fonts_;
  unsigned width_ = 0, height_ = 0;
  HudFrame frame_;
  Layout layout_;
  PlatformLayout platform_;
  Particles particles_;
  sf::Texture dot_texture_;
  sf::VertexArray tris_{sf::Triangles};
  sf::VertexArray dots_{sf::Quads};
  TextBatch batch_;
  int dot_px_ = 5;  // dot diameter
  float zoom_ = 1;  // the camera of the last frame drawn (hit tests use it)
  Point pan_;
  std::vector<EdgeFlow> flows_;
  // The SLO verdict is costly over long runs: cached per tick index, and in a
  // window recomputed at most a few times a second.
  int verdict_index_ = -2;
  std::vector<SloStatus> verdict_;
  sf::Clock verdict_clock_;
};

}  // namespace archsim::viz
