// Traffic as moving dots: each edge emits dots at a rate proportional to its
// calls per second, they travel along the edge's route in a time tied to the
// call latency, a share of them red for the failed calls. All dots go into
// one vertex array of quads (one draw call for tens of thousands of dots).
#pragma once

#include <cstdint>
#include <vector>

#include <SFML/Graphics/VertexArray.hpp>

#include "layout.hpp"

namespace archsim::viz {

/// What one edge carries in the tick being shown.
struct EdgeFlow {
  double rate = 0;          ///< calls per simulated second
  double failed_share = 0;  ///< 0..1
  double latency = 0;       ///< typical call latency, s (p50)
};

class Particles {
 public:
  explicit Particles(std::uint64_t seed = 1) : rng_(seed) {}

  /// Dots per wall second on the busiest edge; others get a proportional share.
  float peak_density = 45;
  /// Never more dots than this on the screen.
  std::size_t cap = 60000;

  /// Wall seconds a dot takes along an edge whose calls take `latency`:
  /// 0.5 s for sub-millisecond calls up to 3 s for multi-second ones, so that
  /// slow edges look slow while every dot stays watchable.
  static float travel_time(double latency);

  /// Moves the dots by `dt` wall seconds and emits new ones. `max_rate` is the
  /// call rate that gets `peak_density`.
  void step(float dt, const std::vector<EdgeRoute>& routes, const std::vector<EdgeFlow>& flows,
            double max_rate);
  /// Appends one quad per dot, `size` px square on whole pixels, textured
  /// with a disc of the same size.
  void build(sf::VertexArray& quads, const std::vector<EdgeRoute>& routes, float size) const;
  void clear();
  std::size_t size() const { return dots_.size(); }
  std::size_t red() const;

 private:
  struct Dot {
    float s;        // 0..1 along the route
    float speed;    // fraction of the route per wall second
    float lateral;  // px off the centre line
    std::uint32_t edge;
    bool red;
  };
  double uniform();
  std::uint64_t rng_;
  std::vector<Dot> dots_;
  std::vector<double> owed_;  // fractional dots carried between frames, per edge
};

}  // namespace archsim::viz
