#include "particles.hpp"

#include <algorithm>
#include <cmath>

namespace archsim::viz {

namespace {
const sf::Color kDot(96, 206, 255);
const sf::Color kErrorDot(255, 64, 56);
}  // namespace

float Particles::travel_time(double latency) {
  if (!(latency > 0)) return 0.8f;
  const double ms = latency * 1e3;
  return static_cast<float>(std::clamp(0.8 + 0.5 * std::log10(ms), 0.5, 3.0));
}

double Particles::uniform() {
  // splitmix64: fast, and the same dots on every machine.
  std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

void Particles::clear() {
  dots_.clear();
  owed_.clear();
}

std::size_t Particles::red() const {
  return static_cast<std::size_t>(
      std::count_if(dots_.begin(), dots_.end(), [](const Dot& d) { return d.red; }));
}

void Particles::step(float dt, const std::vector<EdgeRoute>& routes, const std::vector<EdgeFlow>& flows,
                     double max_rate) {
  if (dt <= 0) return;
  // Move, dropping the dots that arrived (order does not matter: swap-pop).
  for (std::size_t i = 0; i < dots_.size();) {
    Dot& d = dots_[i];
    d.s += d.speed * dt;
    if (d.s >= 1 || d.edge >= routes.size()) {
      d = dots_.back();
      dots_.pop_back();
    } else {
      ++i;
    }
  }
  owed_.resize(routes.size(), 0);
  if (max_rate <= 0) return;
  for (std::size_t e = 0; e < routes.size() && e < flows.size(); ++e) {
    const EdgeFlow& f = flows[e];
    if (f.rate <= 0 || routes[e].points.size() < 2) {
      owed_[e] = 0;
      continue;
    }
    // Proportional to the rate, but a trickle stays visible.
    const double per_s = std::max(0.7, peak_density * f.rate / max_rate);
    owed_[e] += per_s * dt;
    const int n = static_cast<int>(owed_[e]);
    owed_[e] -= n;
    const float speed = 1.0f / travel_time(f.latency);
    for (int j = 0; j < n && dots_.size() < cap; ++j) {
      // Spread the new dots over the frame so that long frames do not clump.
      const float age = dt * static_cast<float>((j + uniform()) / n);
      Dot d;
      d.s = age * speed;
      d.speed = speed * static_cast<float>(0.92 + 0.16 * uniform());
      d.lateral = static_cast<float>(uniform() * 2 - 1);
      d.edge = static_cast<std::uint32_t>(e);
      d.red = uniform() < f.failed_share;
      if (d.s < 1) dots_.push_back(d);
    }
  }
}

void Particles::build(sf::VertexArray& quads, const std::vector<EdgeRoute>& routes, float size) const {
  if (dots_.empty()) return;
  const std::size_t base = quads.getVertexCount();
  quads.resize(base + dots_.size() * 4);
  sf::Vertex* v = &quads[base];
  const float spread = size * 0.6f, half = size / 2;
  // Error dots last, so that they stay visible inside a dense stream.
  for (const bool red_pass : {false, true}) {
    for (const Dot& d : dots_) {
      if (d.red != red_pass) continue;
      Point n;
      const Point p = routes[d.edge].at(d.s, &n);
      const float x = std::round(p.x + n.x * d.lateral * spread - half);
      const float y = std::round(p.y + n.y * d.lateral * spread - half);
      const sf::Color c = d.red ? kErrorDot : kDot;
      v[0] = sf::Vertex({x, y}, c, {0, 0});
      v[1] = sf::Vertex({x + size, y}, c, {size, 0});
      v[2] = sf::Vertex({x + size, y + size}, c, {size, size});
      v[3] = sf::Vertex({x, y + size}, c, {0, size});
      v += 4;
    }
  }
}

}  // namespace archsim::viz
