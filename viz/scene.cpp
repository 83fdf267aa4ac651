#include "scene.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <SFML/Graphics/Image.hpp>
#include <SFML/Graphics/RenderStates.hpp>

#include "archsim/platform.hpp"
#include "text_batch.hpp"

namespace archsim::viz {

namespace {

using V = sf::Vector2f;

constexpr float kPi = 3.14159265358979f;

sf::Color mix(sf::Color a, sf::Color b, float f) {
  f = std::clamp(f, 0.f, 1.f);
  auto m = [f](sf::Uint8 x, sf::Uint8 y) { return static_cast<sf::Uint8>(std::lround(x + (y - x) * f)); };
  return {m(a.r, b.r), m(a.g, b.g), m(a.b, b.b), m(a.a, b.a)};
}

sf::Color alpha(sf::Color c, int a) {
  c.a = static_cast<sf::Uint8>(std::clamp(a, 0, 255));
  return c;
}

void tri(sf::VertexArray& va, V a, V b, V c, sf::Color col) {
  va.append({a, col});
  va.append({b, col});
  va.append({c, col});
}

void quad(sf::VertexArray& va, V a, V b, V c, V d, sf::Color col) {
  tri(va, a, b, c, col);
  tri(va, a, c, d, col);
}

void box(sf::VertexArray& va, const Rect& r, sf::Color col) {
  quad(va, {r.x, r.y}, {r.right(), r.y}, {r.right(), r.bottom()}, {r.x, r.bottom()}, col);
}

// A convex polygon as a triangle fan.
void fill(sf::VertexArray& va, const std::vector<V>& p, sf::Color col) {
  for (std::size_t i = 1; i + 1 < p.size(); ++i) tri(va, p[0], p[i], p[i + 1], col);
}

// A line of width w along p; each segment is extended by half the width so
// that sharp corners close.
void stroke(sf::VertexArray& va, const std::vector<V>& p, bool closed, float w, sf::Color col,
            bool caps = true) {
  const std::size_t n = p.size();
  const std::size_t segs = closed ? n : (n ? n - 1 : 0);
  for (std::size_t i = 0; i < segs; ++i) {
    V a = p[i], b = p[(i + 1) % n];
    const V d = b - a;
    const float len = std::hypot(d.x, d.y);
    if (len < 1e-4f) continue;
    const V u = d / len, nrm{-u.y * w / 2, u.x * w / 2};
    if (caps) {
      a -= u * (w / 2);
      b += u * (w / 2);
    }
    quad(va, a + nrm, b + nrm, b - nrm, a - nrm, col);
  }
}

std::vector<V> arc(float cx, float cy, float rx, float ry, float a0, float a1, int n) {
  std::vector<V> p;
  for (int i = 0; i <= n; ++i) {
    const float a = a0 + (a1 - a0) * static_cast<float>(i) / static_cast<float>(n);
    p.push_back({cx + rx * std::cos(a), cy + ry * std::sin(a)});
  }
  return p;
}

std::vector<V> rounded(const Rect& r, float rad) {
  rad = std::min({rad, r.w / 2, r.h / 2});
  if (rad < 0.5f) return {{r.x, r.y}, {r.right(), r.y}, {r.right(), r.bottom()}, {r.x, r.bottom()}};
  std::vector<V> p;
  auto corner = [&](float cx, float cy, float a0) {
    auto a = arc(cx, cy, rad, rad, a0, a0 + kPi / 2, std::clamp(static_cast<int>(rad / 3), 3, 8));
    p.insert(p.end(), a.begin(), a.end());
  };
  corner(r.right() - rad, r.y + rad, -kPi / 2);
  corner(r.right() - rad, r.bottom() - rad, 0);
  corner(r.x + rad, r.bottom() - rad, kPi / 2);
  corner(r.x + rad, r.y + rad, kPi);
  return p;
}

float cap_height(const Rect& r) { return std::min(r.h * 0.14f, 8.f); }  // database lid

std::vector<V> outline(Shape shape, const Rect& r) {
  switch (shape) {
    case Shape::Client: return rounded(r, r.h / 2);
    case Shape::Cdn: return rounded(r, r.h * 0.38f);
    case Shape::Balancer: {
      const float i = std::min(r.h * 0.32f, r.w * 0.18f);
      return {{r.x, r.cy()},
              {r.x + i, r.y},
              {r.right() - i, r.y},
              {r.right(), r.cy()},
              {r.right() - i, r.bottom()},
              {r.x + i, r.bottom()}};
    }
    case Shape::Database: {
      const float ry = cap_height(r);
      auto top = arc(r.cx(), r.y + ry, r.w / 2, ry, kPi, 2 * kPi, 12);
      auto bottom = arc(r.cx(), r.bottom() - ry, r.w / 2, ry, 0, kPi, 12);
      top.insert(top.end(), bottom.begin(), bottom.end());
      return top;
    }
    case Shape::Queue: return rounded(r, 2);
    case Shape::Generic: return rounded(r, 0);
    case Shape::Service:
    case Shape::Cache: return rounded(r, std::min(7.f, r.h * 0.18f));
  }
  return rounded(r, 0);
}

Rect offset(const Rect& r, float dx, float dy) { return {r.x + dx, r.y + dy, r.w, r.h}; }

// The left inner margin before the health strip, per shape.
float inset_of(Shape shape, const Rect& r) {
  switch (shape) {
    case Shape::Client: return r.h * 0.32f;
    case Shape::Cdn: return r.h * 0.26f;
    case Shape::Balancer: return std::min(r.h * 0.32f, r.w * 0.18f) * 0.75f + 1;
    default: return 3;
  }
}

Rect strip_of(const NodeBox& b) {
  const Rect& r = b.rect;
  const float w = std::clamp(r.h * 0.09f, 3.f, 6.f);
  const float top = b.shape == Shape::Database ? r.y + 2 * cap_height(r) + 1 : r.y + r.h * 0.22f;
  const float bottom = b.shape == Shape::Database ? r.bottom() - cap_height(r) - 1 : r.bottom() - r.h * 0.22f;
  return {std::round(r.x + inset_of(b.shape, r)), std::round(top), w, std::round(bottom - top)};
}

sf::Color util_color(double u) {
  if (u < 0.7) return health_color(Health::Healthy);
  if (u <= kSaturatedUtil) return health_color(Health::Saturated);
  return health_color(Health::Failing);
}

std::string slo_label(const std::string& key) {
  if (key == "latency_p50") return "p50";
  if (key == "latency_p90") return "p90";
  if (key == "latency_p99") return "p99";
  if (key == "latency_p999") return "p99.9";
  if (key == "latency_mean") return "mean";
  if (key == "error_rate") return "errors";
  if (key == "throughput_min") return "throughput";
  return key;
}

std::string slo_value(const std::string& key, double v) {
  if (key.rfind("latency", 0) == 0) return format_duration(v);
  if (key == "error_rate") return format_percent(v);
  if (key == "throughput_min") return format_rate(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// A kind's figure in its unit: names end in _ms, _s or ratio where they have one.
std::string figure_text(const Figure& f) {
  auto ends = [&](const char* suffix) {
    const std::string_view n = f.name, x = suffix;
    return n.size() >= x.size() && n.substr(n.size() - x.size()) == x;
  };
  if (ends("_ms")) return format_duration(f.value / 1e3);
  if (ends("_s")) return format_duration(f.value);
  if (ends("ratio")) return format_percent(f.value);
  char buf[32];
  std::snprintf(buf, sizeof buf, f.value == std::floor(f.value) && std::abs(f.value) < 1e12 ? "%.0f" : "%.3g",
                f.value);
  return buf;
}

// "kill api: all replicas down", "spike users: traffic x3", "api breaker: open".
std::string note_text(const Note& n) {
  std::string s = n.what + " " + n.target;
  if (!n.detail.empty()) s += ": " + n.detail;
  return s;
}

// A shape for each health, so that it reads without colour (legend, labels).
std::string health_icon(Health h) {
  switch (h) {
    case Health::Idle: return "\u25cb";       // ○ hollow: nothing arrives
    case Health::Healthy: return "\u25cf";    // ● solid
    case Health::Saturated: return "\u25b2";  // ▲ warning
    case Health::Failing: return "\u2716";    // ✖ errors
    case Health::Down: return "\u25a0";       // ■ stopped
  }
  return "";
}

std::string name_of_node(const TimelineHeader& h, int id) {
  if (id >= 0) return id < static_cast<int>(h.components.size()) ? h.components[id].name : "?";
  const int s = -1 - id;
  return s < static_cast<int>(h.sources.size()) ? h.sources[s] : "?";
}

}  // namespace

Scene::Scene(const Playback& pb, unsigned width, unsigned height, const Fonts& fonts)
    : pb_(pb), fonts_(fonts), particles_(pb.header().seed) {
  resize(width, height);
}

void Scene::resize(unsigned width, unsigned height) {
  width_ = width;
  height_ = height;
  frame_ = hud_frame(static_cast<float>(width), static_cast<float>(height));
  // A platform run: its regions, hosts and links in a band under the architecture.
  const auto& plat = pb_.header().platform;
  const Rect band = carve_platform_band(frame_.graph, plat ? &*plat : nullptr, frame_.scale);
  platform_ = plat && band.w > 0 ? layout_platform(*plat, band, frame_.scale) : PlatformLayout{};
  layout_ = compute_layout(pb_.header(), frame_.graph);
  particles_.clear();
  // A disc for the dots, drawn texel for texel (no filtering): an opaque
  // core and an antialiased rim, the cheapest dot that still looks round.
  dot_px_ = std::max(3, static_cast<int>(std::lround(5 * frame_.scale)));
  const unsigned n = static_cast<unsigned>(dot_px_);
  const float r = n / 2.0f - 0.2f;
  sf::Image img;
  img.create(n, n, sf::Color::Transparent);
  for (unsigned y = 0; y < n; ++y)
    for (unsigned x = 0; x < n; ++x) {
      const float d = std::hypot(x + 0.5f - n / 2.0f, y + 0.5f - n / 2.0f);
      const float a = std::clamp(r + 0.5f - d, 0.f, 1.f);
      img.setPixel(x, y, sf::Color(255, 255, 255, static_cast<sf::Uint8>(a * 255)));
    }
  dot_texture_.loadFromImage(img);
  dot_texture_.setSmooth(false);
}

void Scene::advance(float wall_dt, double t) {
  const Tick* k = pb_.tick_at(t);
  flows_.assign(layout_.edges.size(), {});
  if (k) {
    const double dt = k->dt > 0 ? k->dt : 1;
    for (std::size_t e = 0; e < flows_.size() && e < k->edges.size(); ++e) {
      const EdgeTick& et = k->edges[e];
      flows_[e].rate = et.calls / dt;
      flows_[e].failed_share = et.calls ? static_cast<double>(et.failed) / et.calls : 0;
      flows_[e].latency = et.p50;
    }
  }
  particles_.step(wall_dt, layout_.edges, flows_, pb_.max_edge_rate());
}

void Scene::warm(double t, double speed, double fps) {
  particles_.clear();
  if (!(speed > 0)) speed = 1;
  const double frame = speed / fps;   // simulated seconds per frame
  const double window = 3.2 * speed;  // the slowest dot lives 3 s
  const double t0 = std::max(0.0, t - window);
  const int n = static_cast<int>(std::ceil((t - t0) / frame - 1e-9));
  for (int i = n - 1; i >= 0; --i) advance(static_cast<float>(1 / fps), t - i * frame);
}

Point Scene::health_probe(int c) const {
  const Rect s = strip_of(layout_.components.at(c));
  return {s.cx(), s.cy()};
}

std::optional<int> Scene::node_at(Point screen) const {
  if (!world_region().contains(screen)) return std::nullopt;
  const Point p = to_world(screen);
  for (std::size_t c = 0; c < layout_.components.size(); ++c)
    if (layout_.components[c].bounds.contains(p)) return static_cast<int>(c);
  for (std::size_t s = 0; s < layout_.sources.size(); ++s)
    if (layout_.sources[s].bounds.contains(p)) return -1 - static_cast<int>(s);
  return std::nullopt;
}

int Scene::edge_at(Point screen) const {
  if (!world_region().contains(screen) || node_at(screen)) return -1;
  const Point p = to_world(screen);
  int best = -1;
  float best_d = 7 * frame_.scale / zoom_;
  for (std::size_t e = 0; e < layout_.edges.size(); ++e) {
    const float d = layout_.edges[e].distance(p);
    if (d < best_d) {
      best_d = d;
      best = static_cast<int>(e);
    }
  }
  return best;
}

Rect Scene::scrub_track() const {
  const float s = frame_.scale;
  const Rect& b = frame_.bottom;
  return {std::round(b.x + 70 * s), std::round(b.y + 14 * s), std::round(b.w - 140 * s), std::round(8 * s)};
}

std::optional<double> Scene::scrub_time_at(Point p) const {
  const Rect t = scrub_track();
  const float s = frame_.scale;
  const Rect hit{t.x - 8 * s, t.y - 10 * s, t.w + 16 * s, t.h + 20 * s};
  if (!hit.contains(p)) return std::nullopt;
  return std::clamp((p.x - t.x) / t.w, 0.f, 1.f) * pb_.duration();
}

float Scene::text_width(const std::string& str, const sf::Font& f, float size) {
  return TextBatch::width(str, f, static_cast<unsigned>(std::lround(size)));
}

float Scene::text(sf::RenderTarget&, const std::string& str, const sf::Font& f, float size, float x, float y,
                  sf::Color c, int align) {
  const unsigned px = static_cast<unsigned>(std::lround(size));
  const float w = align ? TextBatch::width(str, f, px) : 0;
  return batch_.add(str, f, px, std::round(x - w * align / 2), std::round(y), c);
}

std::string Scene::elide(const std::string& str, const sf::Font& f, float size, float width) {
  if (text_width(str, f, size) <= width) return str;
  std::string s = str;
  while (!s.empty()) {
    do s.pop_back();
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80);  // whole UTF-8 characters
    if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80)) s.pop_back();
    if (text_width(s + "\u2026", f, size) <= width) return s + "\u2026";
  }
  return "";
}

const std::vector<SloStatus>& Scene::verdict(const ViewState& s) {
  const int idx = pb_.index_at(s.t);
  const bool stale = idx != verdict_index_;
  if (stale && (!s.interactive || s.paused || verdict_index_ == -2 ||
                verdict_clock_.getElapsedTime().asSeconds() > 0.2f)) {
    verdict_ = pb_.slo_at(s.t);
    verdict_index_ = idx;
    verdict_clock_.restart();
  }
  return verdict_;
}

void Scene::draw(sf::RenderTarget& rt, const ViewState& s) {
  // A target larger than the window (a test proving that nothing lands
  // outside it) gets the window's rectangle; the window itself is cleared.
  if (rt.getSize() == sf::Vector2u(width_, height_)) {
    rt.clear(color::background);
  } else {
    tris_.clear();
    box(tris_, {0, 0, static_cast<float>(width_), static_cast<float>(height_)}, color::background);
    rt.draw(tris_);
  }
  zoom_ = std::clamp(s.zoom, 0.25f, 8.f);
  pan_ = s.pan;
  int hovered = -1;
  std::optional<int> hovered_node;
  if (s.interactive && s.mouse) {
    hovered = edge_at(*s.mouse);
    if (world_region().contains(*s.mouse)) hovered_node = node_at(*s.mouse);
  }
  // The architecture through its camera (zoom, pan), clipped to its region.
  const sf::View screen = rt.getView();
  const Rect wr = world_region();
  sf::View cam(sf::FloatRect(wr.x, wr.y, wr.w, wr.h));
  cam.setCenter(wr.cx() + pan_.x, wr.cy() + pan_.y);
  cam.zoom(1 / zoom_);
  // The region's place on the target as the target's own view maps it.
  const auto size = rt.getSize();
  const sf::Vector2i a = rt.mapCoordsToPixel({wr.x, wr.y}, screen),
                     b = rt.mapCoordsToPixel({wr.right(), wr.bottom()}, screen);
  cam.setViewport(sf::FloatRect(static_cast<float>(a.x) / size.x, static_cast<float>(a.y) / size.y,
                                static_cast<float>(b.x - a.x) / size.x,
                                static_cast<float>(b.y - a.y) / size.y));
  rt.setView(cam);
  draw_edges(rt, s, hovered);

  dots_.clear();
  particles_.build(dots_, layout_.edges, static_cast<float>(dot_px_));
  sf::RenderStates st;
  st.texture = &dot_texture_;
  rt.draw(dots_, st);

  draw_nodes(rt, s);
  batch_.flush(rt);
  draw_cause(rt, s);
  draw_search(rt, s);
  batch_.flush(rt);
  rt.setView(screen);
  draw_platform(rt, s);
  batch_.flush(rt);
  draw_cause_caption(rt, s);
  batch_.flush(rt);
  draw_events(rt, s);
  batch_.flush(rt);
  draw_top(rt, s);

  // Right panel: charts, then details of the selection or the legend.
  const Rect& p = frame_.right;
  tris_.clear();
  box(tris_, p, color::panel);
  box(tris_, {p.x, p.y, 1, p.h}, color::panel_edge);
  rt.draw(tris_);
  const float sc = frame_.scale;
  const Rect charts = charts_area();
  draw_charts(rt, s, charts);
  const Rect below{p.x + 12 * sc, charts.bottom() + 6 * sc, p.w - 22 * sc, p.h - charts.h - 20 * sc};
  if (s.selected) draw_details(rt, s, below);
  else draw_legend(rt, below);

  draw_scrubber(rt, s);
  batch_.flush(rt);  // the HUD's words, over its panels
  if (hovered_node) {
    draw_node_tooltip(rt, s, *hovered_node);
    batch_.flush(rt);
  } else if (hovered >= 0) {
    draw_tooltip(rt, s, hovered);
    batch_.flush(rt);
  }
}

Rect Scene::charts_area() const {
  const Rect& p = frame_.right;
  const float sc = frame_.scale;
  return {p.x + 12 * sc, p.y + 8 * sc, p.w - 22 * sc, std::min(p.h * 0.62f, 3 * 150 * sc)};
}

Rect Scene::chart_plot(int i) const {
  const Rect area = charts_area();
  const float sc = frame_.scale, fs = 12 * sc, block = area.h / 3;
  const Rect blk{area.x, area.y + i * block, area.w, block};
  return {blk.x, blk.y + fs * 1.6f, blk.w, std::round(blk.h - fs * 1.6f - 10 * sc)};
}

void Scene::draw_edges(sf::RenderTarget& rt, const ViewState& s, int hovered) {
  tris_.clear();
  const float sc = frame_.scale;
  const double max_rate = pb_.max_edge_rate();
  const Tick* k = pb_.tick_at(s.t);
  for (std::size_t e = 0; e < layout_.edges.size(); ++e) {
    const EdgeRoute& r = layout_.edges[e];
    if (r.points.size() < 2) continue;
    double rate = 0, fail = 0;
    if (k && e < k->edges.size()) {
      rate = k->edges[e].calls / (k->dt > 0 ? k->dt : 1);
      fail = k->edges[e].calls ? static_cast<double>(k->edges[e].failed) / k->edges[e].calls : 0;
    }
    const float f = max_rate > 0 ? static_cast<float>(std::sqrt(rate / max_rate)) : 0;
    const float w = (1.2f + 3.5f * f) * sc;
    sf::Color c = rate > 0 ? mix(color::edge_line, color::edge_hot, f * 0.6f) : sf::Color(34, 44, 56);
    if (fail > kFailingShare) c = mix(c, sf::Color(150, 48, 52), 0.7f);
    if (static_cast<int>(e) == hovered) c = mix(c, sf::Color::White, 0.35f);
    std::vector<V> pts;
    pts.reserve(r.points.size());
    for (const Point& q : r.points) pts.push_back({q.x, q.y});
    stroke(tris_, pts, false, w, c, false);
    // Arrow head at the callee.
    const V tip = pts.back(), prev = pts[pts.size() - 2];
    V d = tip - prev;
    const float len = std::hypot(d.x, d.y);
    if (len > 0) {
      d /= len;
      const V n{-d.y, d.x};
      const float a = (5 + w) * 0.9f;
      tri(tris_, tip, tip - d * a + n * (a * 0.55f), tip - d * a - n * (a * 0.55f), c);
    }
  }
  rt.draw(tris_);
}

// A node's outline, replica stack, health strip and load bar, into tris_.
void Scene::node_shape(const NodeBox& b, sf::Color hc, int replicas, bool selected, double util, bool bar) {
  const float sc = frame_.scale;
  const Rect& r = b.rect;
  const float o = std::max(2.f, std::round(r.h * 0.08f));
  for (int i = std::min(replicas - 1, 2); i >= 1; --i) {
    auto p = outline(b.shape, offset(r, i * o, -i * o));
    fill(tris_, p, mix(color::node_fill, color::background, 0.3f));
    stroke(tris_, p, true, 1, alpha(hc, 120));
  }
  auto p = outline(b.shape, r);
  fill(tris_, p, mix(color::node_fill, hc, 0.16f));
  if (selected)
    stroke(tris_, outline(b.shape, {r.x - 3, r.y - 3, r.w + 6, r.h + 6}), true, 2 * sc, sf::Color::White);
  stroke(tris_, p, true, std::max(1.f, 1.5f * sc), hc);
  if (b.shape == Shape::Database) {
    const float ry = cap_height(r);
    auto rim = arc(r.cx(), r.y + ry, r.w / 2, ry, 0, kPi, 12);
    stroke(tris_, rim, false, std::max(1.f, 1.2f * sc), hc);
  }
  if (b.shape == Shape::Cache) {
    const float i = std::max(2.f, 3 * sc);
    stroke(tris_, outline(b.shape, {r.x + i, r.y + i, r.w - 2 * i, r.h - 2 * i}), true, 1, alpha(hc, 90));
  }
  if (b.shape == Shape::Queue && r.h >= 24) {  // slots of a queue, right end
    for (int i = 0; i < 3; ++i) {
      const float x = r.right() - (6 + i * 5) * sc;
      box(tris_, {x, r.y + r.h * 0.25f, 2 * sc, r.h * 0.22f}, alpha(hc, 150));
    }
  }
  const Rect strip = strip_of(b);
  box(tris_, strip, hc);
  if (bar) {
    const float bh = std::max(2.f, std::round(r.h * 0.07f));
    const float left = strip.right() + 4 * sc;
    const float bottom =
        b.shape == Shape::Database ? r.bottom() - cap_height(r) - 2 : r.bottom() - std::max(3.f, r.h * 0.12f);
    const Rect track{left, std::round(bottom - bh), r.right() - left - std::max(6.f, r.h * 0.16f), bh};
    box(tris_, track, sf::Color(44, 54, 68));
    box(tris_, {track.x, track.y, track.w * static_cast<float>(std::clamp(util, 0.0, 1.0)), bh},
        util_color(util));
  }
}

// A node's name, badge and figures line, fitted to its box.
void Scene::node_words(sf::RenderTarget& rt, const NodeBox& b, std::string name, const std::string& badge,
                       const std::string& line2, const std::string& icon) {
  const float sc = frame_.scale;
  const Rect& r = b.rect;
  const Rect strip = strip_of(b);
  const float left = strip.right() + 5 * sc;
  const float right = r.right() - std::max(5.f, r.h * (b.shape == Shape::Client ? 0.3f : 0.1f));
  const bool two_lines = r.h >= 34 && !line2.empty();
  if (!two_lines && !icon.empty()) name = icon + " " + name;  // the health's shape still shows
  // The font follows the node, within limits that scale with the window.
  float fs1 = two_lines ? std::clamp(r.h * 0.27f, 9.f, 16.f * sc) : std::clamp(r.h * 0.42f, 8.f, 13.f * sc);
  const float fs2 = std::clamp(r.h * 0.21f, 7.f, 12.f * sc);
  // A long name in a narrow box gets a smaller font before it gets cut.
  const float room =
      right - left - (!badge.empty() && r.h >= 22 ? text_width(badge, fonts_.regular, fs2) + 4 : 0);
  const float need = text_width(name, fonts_.bold, fs1);
  if (need > room) fs1 = std::max(std::min(8.f, fs1), std::floor(fs1 * room / need));
  float badge_w = 0;
  if (!badge.empty() && r.h >= 22) badge_w = text_width(badge, fonts_.regular, fs2) + 4;
  const float y1 = two_lines ? r.y + r.h * 0.13f : r.cy() - fs1 * 0.68f;
  text(rt, elide(name, fonts_.bold, fs1, right - left - badge_w), fonts_.bold, fs1, left, y1, color::text);
  if (badge_w > 0)
    text(rt, badge, fonts_.regular, fs2, right, r.y + r.h * 0.13f + (fs1 - fs2) * 0.5f, color::text_dim, 2);
  if (two_lines)
    text(rt, elide(line2, fonts_.regular, fs2, right - left), fonts_.regular, fs2, left, y1 + fs1 * 1.3f,
         color::text_dim);
}

void Scene::draw_nodes(sf::RenderTarget& rt, const ViewState& s) {
  const auto& h = pb_.header();
  const Tick* k = pb_.tick_at(s.t);
  const int nc = static_cast<int>(layout_.components.size());
  const int ns = static_cast<int>(layout_.sources.size());

  // Shapes first, all in one draw call.
  tris_.clear();
  // Requests that failed end to end (a client that gave up waiting is not
  // a component's error): the traffic sources show it.
  const double e2e_fail = k ? pb_.value(Metric::ErrorRate, *k) : 0;
  const bool clients_fail = e2e_fail > kFailingShare;
  for (int i = 0; i < ns; ++i) {
    const bool sel = s.selected && *s.selected == -1 - i;
    node_shape(layout_.sources[i], clients_fail ? health_color(Health::Failing) : color::client, 1, sel, 0,
               false);
  }
  std::vector<Health> health(nc);
  std::vector<int> live(nc);
  for (int c = 0; c < nc; ++c) {
    health[c] = pb_.health(c, s.t);
    live[c] = pb_.replicas_at(c, s.t);
    const double util = k && c < static_cast<int>(k->components.size()) ? k->components[c].utilization : 0;
    const bool sel = s.selected && *s.selected == c;
    const bool has_workers = h.components[c].workers > 0 && h.components[c].kind != "load_balancer";
    node_shape(layout_.components[c], health_color(health[c]), std::max(live[c], h.components[c].replicas),
               sel, util, has_workers);
  }
  rt.draw(tris_);

  // Then the words.
  for (int i = 0; i < ns; ++i)
    node_words(
        rt, layout_.sources[i], h.sources[i], "",
        (clients_fail ? health_icon(Health::Failing) + " " + format_percent(e2e_fail) + " failed \u00b7 "
                      : "") +
            format_rate(pb_.source_rate(i, s.t)),
        "");
  for (int c = 0; c < nc; ++c) {
    const auto& comp = h.components[c];
    const std::string icon = health_icon(health[c]);
    const std::string line2 = icon + " " + node_figures(c, k);
    std::string badge;
    if (live[c] != comp.replicas)
      badge = std::to_string(live[c]) + "/" + std::to_string(comp.replicas) + " up";
    else if (comp.replicas > 1) badge = "\u00d7" + std::to_string(comp.replicas);
    node_words(rt, layout_.components[c], comp.name, badge, line2, icon);
  }
}

std::string Scene::node_figures(int c, const Tick* k) const {
  if (!k || c < 0 || c >= static_cast<int>(k->components.size())) return "";
  const ComponentTick& ct = k->components[c];
  const double dt = k->dt > 0 ? k->dt : 1;
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : " \u00b7 ") + part; };
  // What is failing first: a label cut short still says it.
  if (ct.failed > 0)
    add(format_percent(static_cast<double>(ct.failed) / std::max<double>(1, ct.completed + ct.failed)) +
        " err");
  if (const auto pw = figure_of(ct, "pool_waiting"); pw && *pw > 0) add("pool " + format_count(*pw));
  if (ct.queue > 0) add("q " + format_count(ct.queue));
  // Finished per second, as the edges count their calls.
  add(format_rate((ct.completed + ct.failed) / dt));
  if (const auto hit = figure_of(ct, "hit_ratio"); hit && ct.arrivals > 0) add("hit " + format_percent(*hit));
  if (const auto lag = figure_of(ct, "lag_messages"); lag && *lag > 0) add("lag " + format_count(*lag));
  return out;
}

std::vector<std::pair<std::string, std::string>> Scene::node_rows(int id, double t) const {
  const auto& h = pb_.header();
  const Tick* k = pb_.tick_at(t);
  const double dt = k && k->dt > 0 ? k->dt : 1;
  std::vector<std::pair<std::string, std::string>> rows;
  if (id < 0 || id >= static_cast<int>(h.components.size())) {
    rows.push_back({"sending", format_rate(pb_.source_rate(-1 - id, t)) + " finished"});
    for (std::size_t e = 0; e < h.edges.size(); ++e)
      if (h.edges[e].from == id) rows.push_back({"to", name_of_node(h, h.edges[e].to)});
    return rows;
  }
  const auto& c = h.components[id];
  const Health hl = pb_.health(id, t);
  rows.push_back({"health", health_icon(hl) + " " + name_of(hl)});
  if (const Cause* cause = pb_.cause_at(t); cause && cause->component == id)
    rows.push_back({"root cause", cause->tag + " at " + format_clock(cause->at)});
  rows.push_back({"replicas", std::to_string(c.replicas)});
  if (pb_.replicas_at(id, t) != c.replicas)
    rows.push_back({"serving now", std::to_string(pb_.replicas_at(id, t))});
  // A resize changes the workers mid-run: the value at the moment viewed (the tick's figure).
  const int workers = pb_.workers_at(id, t);
  if ((workers > 0 || c.workers > 0) && c.kind != "load_balancer")
    rows.push_back({"workers each", std::to_string(workers)});
  if (!k || id >= static_cast<int>(k->components.size())) return rows;
  const ComponentTick& ct = k->components[id];
  const double fin = static_cast<double>(ct.completed) + ct.failed;
  // The header's SLOs are end to end over the run so far; these rows are this
  // component's, over the last tick (README, "Output reference"): say so.
  rows.push_back({"over", "the last " + format_duration(dt) + " (header: so far)"});
  // The failing figures first, as on the node's label.
  rows.push_back({"failed", format_rate(ct.failed / dt) +
                                (fin > 0 ? "  (" + format_percent(ct.failed / fin) + ")" : "")});
  for (const Figure& f : ct.figures)
    if (f.name.rfind("pool", 0) == 0) rows.push_back({f.name, figure_text(f)});
  rows.push_back({"queue", std::to_string(ct.queue)});
  rows.push_back({"arrivals", format_rate(ct.arrivals / dt)});
  rows.push_back({"finished", format_rate(fin / dt)});
  rows.push_back({"completed", format_rate(ct.completed / dt)});
  rows.push_back({"utilisation", format_percent(ct.utilization)});
  rows.push_back({"in flight", std::to_string(ct.in_flight)});
  rows.push_back({"latency p50", format_duration(ct.p50)});
  rows.push_back({"latency p99", format_duration(ct.p99)});
  for (const Figure& f : ct.figures)
    if (f.name.rfind("pool", 0) != 0) rows.push_back({f.name, figure_text(f)});
  return rows;
}

void Scene::draw_top(sf::RenderTarget& rt, const ViewState& s) {
  const auto& h = pb_.header();
  const float sc = frame_.scale;
  const Rect& top = frame_.top;
  tris_.clear();
  box(tris_, top, color::panel);
  box(tris_, {top.x, top.bottom() - 1, top.w, 1}, color::panel_edge);

  const float fs = 15 * sc, fm = 17 * sc;
  const float ty = top.cy() - fs * 0.62f;
  float x = 14 * sc;
  const std::string title = h.scenario.empty() ? "archsim" : h.scenario;
  // Play / pause icon.
  const float ix = x, iy = top.cy(), is = 7 * sc;
  if (s.paused) {
    box(tris_, {ix, iy - is, is * 0.7f, 2 * is}, color::text);
    box(tris_, {ix + is * 1.2f, iy - is, is * 0.7f, 2 * is}, color::text);
  } else {
    tri(tris_, {ix, iy - is}, {ix + is * 1.8f, iy}, {ix, iy + is}, color::traffic);
  }
  rt.draw(tris_);
  x += 26 * sc;
  const double dur = pb_.duration();
  x += text(rt, format_clock(s.t), fonts_.mono, fm, x, top.cy() - fm * 0.62f, color::text);
  x += text(rt, " / " + format_clock(dur), fonts_.mono, fs, x, ty + 1, color::text_dim);
  x += 14 * sc;
  std::string speed;
  if (s.paused) speed = "paused";
  else if (s.max_speed) speed = "max speed";
  else {
    char buf[32];
    std::snprintf(buf, sizeof buf, s.speed < 1 ? "%.2g\u00d7" : "%.0f\u00d7", s.speed);
    speed = buf;
  }
  x += text(rt, speed, fonts_.bold, fs, x, ty, s.paused ? color::text_dim : color::traffic);
  x += 14 * sc;
  if (!s.mode.empty()) {
    const std::string mode = s.live && s.sim_done ? s.mode + " \u00b7 done" : s.mode;
    x += text(rt, mode, fonts_.regular, 11 * sc, x, top.cy() - 11 * sc * 0.62f,
              s.live ? color::pass : color::text_dim);
    x += 16 * sc;
  }

  // SLO pills from the right; the title takes what is left between.
  const auto& slo = verdict(s);
  float right = top.right() - 12 * sc;
  const float pf = 12 * sc;
  tris_.clear();
  struct Pill {
    float x;
    std::string str;
    sf::Color c;
  };
  std::vector<Pill> pills;
  for (auto it = slo.rbegin(); it != slo.rend(); ++it) {
    const bool latency = it->name.rfind("latency", 0) == 0;
    const std::string op = it->higher_is_better ? " \u2265 " : " \u2264 ";
    std::string str = slo_label(it->name) + " ";
    if (it->known && !it->measured) str += "none";  // no successful request so far: failed
    else if (it->known) str += (latency && !it->exact ? "\u2248" : "") + slo_value(it->name, it->actual);
    else str += "\u2013";
    str += op + slo_value(it->name, it->target);
    str = std::string(it->known ? (it->pass ? "\u2713 " : "\u2717 ") : "") + str;
    const float w = text_width(str, fonts_.regular, pf) + 16 * sc;
    if (right - w < x + 120 * sc) break;
    const sf::Color c = !it->known ? color::text_dim : it->pass ? color::pass : color::fail;
    const Rect pr{right - w, top.cy() - 12 * sc, w, 24 * sc};
    fill(tris_, rounded(pr, 12 * sc), mix(color::panel, c, 0.22f));
    stroke(tris_, rounded(pr, 12 * sc), true, 1, alpha(c, 200));
    pills.push_back({pr.x + 8 * sc, str, c});
    right -= w + 8 * sc;
  }
  rt.draw(tris_);
  for (const auto& p : pills)
    text(rt, p.str, fonts_.regular, pf, p.x, top.cy() - pf * 0.64f, mix(p.c, color::text, 0.45f));
  // The pills' window, named (README "Output reference"): the run so far, end
  // to end; the side panel's rows are one component's last tick and say so.
  const std::string window = "SLOs so far:";
  if (!pills.empty() && right - text_width(window, fonts_.regular, pf) > x + 120 * sc)
    text(rt, window, fonts_.regular, pf, right - text_width(window, fonts_.regular, pf),
         top.cy() - pf * 0.64f, color::text_dim);
  if (right > x + 40 * sc)
    text(rt, elide(title, fonts_.bold, fs, right - x - 10 * sc), fonts_.bold, fs, x, ty, color::text);
}

namespace {

struct Chart {
  Metric m;
  const char* title;
  sf::Color c;
  bool max_agg;  // a column's worst value (latency, errors), else its mean (rates)
};
const Chart kCharts[] = {{Metric::Throughput, "throughput", color::traffic, false},
                         {Metric::P99, "p99 latency", color::latency, true},
                         {Metric::ErrorRate, "error rate", color::error, true}};
// The p99 chart with `P`: timed-out requests counted at their timeout, so an
// outage whose requests time out is drawn as slow instead of as a gap.
const Chart kP99Timeouts{Metric::P99Timeouts, "p99 counting timeouts", color::latency, true};

// A chart's values, one per pixel column.
struct Binned {
  std::vector<double> val;
  std::vector<int> cnt;
  std::vector<bool> gap;  // a tick in the column had no value (a latency without completions)
};

// One value per pixel column: the mean rate, the worst latency / error
// share. A latency is missing in a second without completions: such a
// column breaks the line (an outage is not a slope between its edges).
// Ticks after `until` are left out (a picture or a video has no future).
Binned bin(const Playback& pb, const Chart& ch, int cols, double dur, double until) {
  Binned b{std::vector<double>(cols, 0), std::vector<int>(cols, 0), std::vector<bool>(cols, false)};
  for (const Tick& k : pb.ticks()) {
    if (k.t > until + 1e-9) break;
    const int col = std::clamp(static_cast<int>((k.t - k.dt / 2) / dur * cols), 0, cols - 1);
    const double v = pb.value(ch.m, k);
    if (!std::isfinite(v)) {
      b.gap[col] = true;
      continue;
    }
    b.val[col] = ch.max_agg ? std::max(b.val[col], v) : b.val[col] + v;
    ++b.cnt[col];
  }
  if (!ch.max_agg)
    for (int i = 0; i < cols; ++i)
      if (b.cnt[i]) b.val[i] /= b.cnt[i];
  return b;
}

}  // namespace

void Scene::draw_charts(sf::RenderTarget& rt, const ViewState& s, const Rect&) {
  for (int ci = 0; ci < 3; ++ci) draw_chart(rt, s, ci);
}

namespace {

using SloLines = std::vector<std::pair<double, std::string>>;

bool latency_metric(Metric m) { return m == Metric::P99 || m == Metric::P99Timeouts; }

// The SLO targets that belong on chart `ch`, with their labels.
SloLines chart_slo_lines(const TimelineHeader& h, const Chart& ch) {
  SloLines lines;
  for (const auto& slo : h.slo) {
    using K = SloSpec::Kind;
    const bool fits = (ch.m == Metric::Throughput && slo.kind == K::ThroughputMin) ||
                      (ch.m == Metric::ErrorRate && slo.kind == K::ErrorRate) ||
                      (latency_metric(ch.m) && slo.kind != K::ThroughputMin && slo.kind != K::ErrorRate);
    if (fits)
      lines.push_back({slo.target, "SLO " + slo_label(slo.key) + " " + slo_value(slo.key, slo.target)});
  }
  return lines;
}

// The top of the y axis: the highest value or SLO line, with headroom; a share tops at 100%.
double chart_ymax(const Binned& b, const SloLines& lines, const Chart& ch) {
  double ymax = 0;
  for (double v : b.val) ymax = std::max(ymax, v);
  for (const auto& l : lines) ymax = std::max(ymax, l.first);
  if (ymax <= 0) ymax = ch.m == Metric::ErrorRate || latency_metric(ch.m) ? 0.01 : 1;
  ymax *= 1.15;
  if (ch.m == Metric::ErrorRate) ymax = std::min(ymax, std::max(1.0, ymax / 1.15));
  return ymax;
}

// Where a chart draws: its plot, the x of the time shown, px per column, the scale.
struct ChartGeometry {
  Rect plot;
  float cursor = 0, colw = 3, sc = 1;
  double ymax = 1;
  float y(double v) const { return plot.bottom() - static_cast<float>(v / ymax) * plot.h; }
};

// The series as an area under a line, broken at gaps; what lies after the
// cursor (a replay's future) is dimmer.
void plot_series(sf::VertexArray& va, const ChartGeometry& g, const Binned& b, const Chart& ch) {
  const float colw = g.colw, sc = g.sc;
  const Rect& plot = g.plot;
  int prev = -1;
  for (int i = 0; i < static_cast<int>(b.val.size()); ++i) {
    if (!b.cnt[i]) {
      if (b.gap[i]) prev = -1;
      continue;
    }
    const float x = plot.x + (i + 0.5f) * colw;
    const bool past = x <= g.cursor + 0.5f;
    const sf::Color fc = alpha(ch.c, past ? 55 : 16), lc = past ? ch.c : alpha(ch.c, 70);
    if (prev >= 0 && !b.gap[prev] && !b.gap[i]) {
      const float px = plot.x + (prev + 0.5f) * colw;
      quad(va, {px, g.y(b.val[prev])}, {x, g.y(b.val[i])}, {x, plot.bottom()}, {px, plot.bottom()}, fc);
      stroke(va, {{px, g.y(b.val[prev])}, {x, g.y(b.val[i])}}, false, 1.6f * sc, lc);
    } else {  // alone between gaps: a short mark of its own
      stroke(va, {{x - colw / 2, g.y(b.val[i])}, {x + colw / 2, g.y(b.val[i])}}, false, 1.6f * sc, lc);
    }
    prev = b.gap[i] ? -1 : i;
  }
}

// The plot's background, warm-up shade, series, dashed SLO lines and cursor.
void chart_shapes(sf::VertexArray& va, const ChartGeometry& g, const Binned& b, const Chart& ch,
                  const SloLines& lines, double warmup_share) {
  const Rect& plot = g.plot;
  const float sc = g.sc;
  va.clear();
  box(va, plot, sf::Color(16, 21, 28));
  if (warmup_share > 0)
    box(va, {plot.x, plot.y, static_cast<float>(warmup_share) * plot.w, plot.h}, sf::Color(255, 255, 255, 7));
  plot_series(va, g, b, ch);
  for (const auto& l : lines) {
    const float y = std::round(g.y(l.first));
    for (float x = plot.x; x < plot.right(); x += 9 * sc)
      box(va, {x, y, std::min(5 * sc, plot.right() - x), std::max(1.f, sc)}, sf::Color(255, 110, 96, 210));
  }
  box(va, {std::round(g.cursor), plot.y, 1, plot.h}, sf::Color(255, 255, 255, 110));
}

std::string chart_value(Metric m, double v) {
  return m == Metric::Throughput ? format_rate(v)
         : latency_metric(m)     ? format_duration(v)
                                 : format_percent(v);
}

}  // namespace

void Scene::draw_chart(sf::RenderTarget& rt, const ViewState& s, int ci) {
  const auto& h = pb_.header();
  const float sc = frame_.scale;
  const double dur = std::max(pb_.duration(), 1e-9);
  const Tick* now = pb_.tick_at(s.t);
  const Rect area = charts_area();
  const float block = area.h / 3;
  const Chart& ch = ci == 1 && s.p99_timeouts ? kP99Timeouts : kCharts[ci];
  const float fs = 12 * sc;
  const Rect blk{area.x, area.y + ci * block, area.w, block};
  ChartGeometry g;
  g.plot = chart_plot(ci);
  g.sc = sc;
  const SloLines lines = chart_slo_lines(h, ch);
  const int cols = std::max(1, static_cast<int>(g.plot.w / g.colw));  // 3 px per point: detail, few triangles
  const Binned b = bin(pb_, ch, cols, dur, s.interactive ? 1e300 : s.t);
  g.ymax = chart_ymax(b, lines, ch);
  g.cursor = g.plot.x + static_cast<float>(std::clamp(s.t / dur, 0.0, 1.0)) * g.plot.w;
  chart_shapes(tris_, g, b, ch, lines, h.warmup > 0 ? h.warmup / dur : 0);
  rt.draw(tris_);

  text(rt, ch.title, fonts_.regular, fs, blk.x, blk.y, color::text_dim);
  if (now) {
    const double v = pb_.value(ch.m, *now);
    text(rt, std::isfinite(v) ? chart_value(ch.m, v) : "\u2013 (none finished)", fonts_.bold, fs, blk.right(),
         blk.y, ch.c, 2);
  }
  text(rt, chart_value(ch.m, g.ymax), fonts_.regular, 10 * sc, g.plot.x + 4 * sc, g.plot.y + 2 * sc,
       color::text_dim);
  for (const auto& l : lines)
    text(rt, l.second, fonts_.regular, 10 * sc, g.plot.right() - 4 * sc, g.y(l.first) - 13 * sc,
         sf::Color(255, 140, 128), 2);
}

void Scene::draw_legend(sf::RenderTarget& rt, const Rect& area) {
  const float sc = frame_.scale;
  const float fs = 11 * sc, row = 16 * sc;
  if (area.h < row * 3) return;
  float y = area.y + 2 * sc;
  text(rt, "legend", fonts_.regular, fs, area.x, y, color::text_dim);
  y += row;
  // Health: a colour and an icon each, so that it reads without colour.
  struct Item {
    Health h;
    const char* what;
  };
  const Item items[] = {{Health::Healthy, "healthy"},
                        {Health::Idle, "idle: nothing arrives"},
                        {Health::Saturated, "saturated: busy > 90%, queue growing or pool dry"},
                        {Health::Failing, "failing: errors > 5%"},
                        {Health::Down, "down: no replica up"}};
  tris_.clear();
  std::vector<std::pair<float, std::string>> rows;
  for (const auto& it : items) {
    if (y + row > area.bottom()) break;
    box(tris_, {area.x, y + fs * 0.05f, 4 * sc, fs * 1.1f}, health_color(it.h));
    rows.push_back({y, health_icon(it.h) + " " + it.what});
    y += row;
  }
  // Kinds by their outline.
  const std::pair<Shape, const char*> kinds[] = {{Shape::Client, "traffic"},  {Shape::Balancer, "balancer"},
                                                 {Shape::Service, "service"}, {Shape::Cache, "cache"},
                                                 {Shape::Queue, "queue"},     {Shape::Database, "database"}};
  std::vector<std::pair<Point, const char*>> kind_words;
  if (y + row * 2.2f <= area.bottom()) {
    const float cw = area.w / 3;
    for (int i = 0; i < 6; ++i) {
      const float x = area.x + (i % 3) * cw, yy = y + (i / 3) * row * 1.1f;
      stroke(tris_, outline(kinds[i].first, {x, yy + 1 * sc, 18 * sc, fs * 1.1f}), true, std::max(1.f, sc),
             color::text_dim);
      kind_words.push_back({{x + 22 * sc, yy}, kinds[i].second});
    }
    y += row * 2.3f;
  }
  rt.draw(tris_);
  for (const auto& [ry, what] : rows)
    text(rt, elide(what, fonts_.regular, fs, area.w - 10 * sc), fonts_.regular, fs, area.x + 10 * sc, ry,
         color::text);
  for (const auto& [p, what] : kind_words) text(rt, what, fonts_.regular, fs, p.x, p.y, color::text);
  const char* notes[] = {"\u25cf dots: requests, density \u221d rate; vermillion: failed",
                         "rates on nodes and edges: finished per second",
                         "bar: utilisation   stack: replicas", "\u26a0 yellow ring: the root cause"};
  for (const char* n : notes) {
    if (y + row > area.bottom()) break;
    text(rt, elide(n, fonts_.regular, fs, area.w), fonts_.regular, fs, area.x, y, color::text_dim);
    y += row;
  }
}

void Scene::draw_details(sf::RenderTarget& rt, const ViewState& s, const Rect& area) {
  const auto& h = pb_.header();
  const float sc = frame_.scale;
  const float fs = 12 * sc, row = 17 * sc;
  const int id = *s.selected;
  const auto rows = node_rows(id, s.t);
  const bool comp = id >= 0 && id < static_cast<int>(h.components.size());
  const sf::Color hc = comp ? health_color(pb_.health(id, s.t)) : color::client;
  float y = area.y + 4 * sc;
  tris_.clear();
  box(tris_, {area.x, y + 2 * sc, 4 * sc, 30 * sc}, hc);
  rt.draw(tris_);
  text(rt, elide(name_of_node(h, id), fonts_.bold, 15 * sc, area.w - 12 * sc), fonts_.bold, 15 * sc,
       area.x + 10 * sc, y, color::text);
  text(rt, comp ? h.components[id].kind : "traffic source", fonts_.regular, 11 * sc, area.x + 10 * sc,
       y + 19 * sc, color::text_dim);
  y += 40 * sc;
  // The rows scroll (mouse wheel over the panel) rather than being dropped.
  const int fit = std::max(1, static_cast<int>((area.bottom() - y - row) / row));
  const int n = static_cast<int>(rows.size());
  const int first = std::clamp(static_cast<int>(s.details_scroll), 0, std::max(0, n - fit));
  if (first > 0)
    text(rt, "\u25b2 " + std::to_string(first) + " more", fonts_.regular, 10 * sc, area.right(), y - 13 * sc,
         color::text_dim, 2);
  for (int i = first; i < n && i < first + fit; ++i, y += row) {
    text(rt, elide(rows[i].first, fonts_.regular, fs, area.w * 0.5f), fonts_.regular, fs, area.x, y,
         color::text_dim);
    text(rt, elide(rows[i].second, fonts_.mono, fs, area.w * 0.5f), fonts_.mono, fs, area.right(), y,
         color::text, 2);
  }
  if (first + fit < n)
    text(rt, "\u25bc " + std::to_string(n - first - fit) + " more: scroll", fonts_.regular, 10 * sc,
         area.right(), y, color::text_dim, 2);
}

void Scene::draw_scrubber(sf::RenderTarget& rt, const ViewState& s) {
  const auto& h = pb_.header();
  const float sc = frame_.scale;
  const Rect& b = frame_.bottom;
  const Rect tr = scrub_track();
  const double dur = std::max(pb_.duration(), 1e-9);
  auto xat = [&](double t) { return tr.x + static_cast<float>(std::clamp(t / dur, 0.0, 1.0)) * tr.w; };
  tris_.clear();
  box(tris_, b, color::panel);
  box(tris_, {b.x, b.y, b.w, 1}, color::panel_edge);
  box(tris_, tr, sf::Color(34, 42, 54));
  box(tris_, {tr.x, tr.y, xat(pb_.horizon()) - tr.x, tr.h}, sf::Color(52, 68, 88));
  box(tris_, {tr.x, tr.y, xat(s.t) - tr.x, tr.h}, alpha(color::traffic, 200));
  if (h.warmup > 0) box(tris_, {tr.x, tr.y, xat(h.warmup) - tr.x, tr.h}, sf::Color(255, 255, 255, 30));
  // Trouble on the timeline: a red mark over each stretch with errors > 5%,
  // amber where the p99 broke a latency SLO.
  double p99_target = 0;
  for (const auto& slo : h.slo)
    if (slo.kind == SloSpec::Kind::LatencyP99) p99_target = slo.target;
  const int cols = std::max(1, static_cast<int>(tr.w));
  std::vector<int> mark(cols, 0);
  for (const Tick& k : pb_.ticks()) {
    if (!s.interactive && k.t > s.t + 1e-9) break;  // a picture shows no future
    const int col = std::clamp(static_cast<int>((k.t - k.dt / 2) / dur * cols), 0, cols - 1);
    if (pb_.value(Metric::ErrorRate, k) > kFailingShare) mark[col] = 2;
    else if (p99_target > 0 && k.p99 > p99_target) mark[col] = std::max(mark[col], 1);
  }
  for (int i = 0; i < cols; ++i)
    if (mark[i])
      box(tris_, {tr.x + i, tr.y - 6 * sc, 1, 4 * sc},
          mark[i] == 2 ? color::error : health_color(Health::Saturated));
  // Faults and actions on the timeline: a triangle where each starts, a
  // tick where it ends; hovering one names it.
  const Note* hovered = nullptr;
  for (const Note& n : pb_.notes()) {
    if (!s.interactive && n.t > s.t + 1e-9) break;  // in time order; a picture shows no future
    const float x = std::round(xat(n.t));
    const bool over = n.detail == "over";
    sf::Color c = n.kind == "fault"    ? sf::Color(255, 128, 64)
                  : n.kind == "action" ? color::traffic
                                       : sf::Color(150, 162, 182);
    if (over) {
      box(tris_, {x, tr.y - 7 * sc, std::max(1.f, sc), 5 * sc}, alpha(c, 160));
    } else {
      const float a = 4.5f * sc;
      tri(tris_, {x - a, tr.y - 3 * sc - 2 * a}, {x + a, tr.y - 3 * sc - 2 * a}, {x, tr.y - 2 * sc}, c);
    }
    if (s.mouse && std::abs(s.mouse->x - x) <= 4 * sc && b.contains(*s.mouse)) hovered = &n;
  }
  const float hx = xat(s.t), hy = tr.cy(), hr = 7 * sc;
  fill(tris_, arc(hx, hy, hr, hr, 0, 2 * kPi, 20), color::text);
  fill(tris_, arc(hx, hy, hr * 0.5f, hr * 0.5f, 0, 2 * kPi, 14), color::traffic);
  rt.draw(tris_);

  const float fs = 11 * sc;
  text(rt, format_clock(0), fonts_.mono, fs, tr.x - 10 * sc, tr.cy() - fs * 0.65f, color::text_dim, 2);
  text(rt, format_clock(dur), fonts_.mono, fs, tr.right() + 10 * sc, tr.cy() - fs * 0.65f, color::text_dim);
  std::string line = s.status;
  if (hovered) line = format_clock(hovered->t) + "  " + note_text(*hovered);
  if (line.empty() && s.interactive)
    line = s.live ? "space pause  +/\u2212 speed  \u2190/\u2192 scrub  click a node: [ ] capacity  shift+[ ] "
                    "rate limit  . , workers  I size  Y retries  B breakers  O timeouts  H health check  "
                    "C concurrency limit  D queue deadline  "
                    "U undo  W write design  \u00b7  K kill  E errors  L slow  T spike  R restart  Q quit"
                  : "space play/pause   +/\u2212 speed   \u2190/\u2192 scrub   R restart   S screenshot   "
                    "click a node   P p99 with timeouts   Q quit";
  if (line.empty()) {
    line = "archsim";
    // The file's name, not its path: a picture is shared, the directory is private.
    if (!h.file.empty()) line += "  \u00b7  " + h.file.substr(h.file.find_last_of('/') + 1);
    line += "  \u00b7  seed " + std::to_string(h.seed);
  }
  text(rt, elide(line, fonts_.regular, fs, tr.w), fonts_.regular, fs, b.cx(), tr.bottom() + 9 * sc,
       s.status.empty() && !hovered ? color::text_dim : color::text, 1);
}

void Scene::draw_events(sf::RenderTarget& rt, const ViewState& s) {
  // The last two faults and actions before t, newest at the bottom (all of
  // them are on the scrubber: hover a mark).
  const auto& notes = pb_.notes();
  auto end = std::upper_bound(notes.begin(), notes.end(), s.t + 1e-9,
                              [](double t, const Note& n) { return t < n.t; });
  const int n = static_cast<int>(std::min<std::ptrdiff_t>(2, end - notes.begin()));
  if (n == 0) return;
  const float sc = frame_.scale, fs = 12 * sc, row = 17 * sc, pad = 7 * sc;
  std::vector<std::string> lines;
  float w = 0;
  for (auto it = end - n; it != end; ++it) {
    lines.push_back(format_clock(it->t) + "  " + note_text(*it));
    w = std::max(w, text_width(lines.back(), fonts_.regular, fs));
  }
  // In its own band under the architecture: it never covers a node.
  const Rect& g = frame_.events;
  w = std::min(w, g.w - 2 * pad);
  const Rect r{g.x, g.bottom() - n * row - 2 * pad + 3 * sc, w + 2 * pad, n * row + 2 * pad - 3 * sc};
  tris_.clear();
  fill(tris_, rounded(r, 5 * sc), sf::Color(20, 26, 34, 215));
  rt.draw(tris_);
  float y = r.y + pad - 2 * sc;
  int i = 0;
  for (auto it = end - n; it != end; ++it, ++i, y += row) {
    const sf::Color c = it->kind == "fault"    ? sf::Color(255, 150, 100)
                        : it->kind == "action" ? color::traffic
                                               : color::text_dim;
    // Older lines fade.
    text(rt, elide(lines[i], fonts_.regular, fs, w), fonts_.regular, fs, r.x + pad, y,
         alpha(c, 150 + 105 * (i + 1) / n));
  }
}

void Scene::draw_tooltip(sf::RenderTarget& rt, const ViewState& s, int e) {
  const auto& h = pb_.header();
  const Tick* k = pb_.tick_at(s.t);
  std::vector<std::string> lines;
  lines.push_back(name_of_node(h, h.edges[e].from) + " \u2192 " + name_of_node(h, h.edges[e].to));
  if (k && e < static_cast<int>(k->edges.size())) {
    const EdgeTick& et = k->edges[e];
    const double dt = k->dt > 0 ? k->dt : 1;
    // Calls counted when they finish, as the nodes count their requests.
    lines.push_back(format_rate(et.calls / dt) + " calls finished");
    lines.push_back("latency p50 " + format_duration(et.p50) + ", p99 " + format_duration(et.p99));
    lines.push_back("failed " + format_percent(et.calls ? static_cast<double>(et.failed) / et.calls : 0));
  } else {
    lines.push_back("no calls yet");
  }
  draw_box_lines(rt, s, lines);
}

void Scene::draw_node_tooltip(sf::RenderTarget& rt, const ViewState& s, int id) {
  const auto& h = pb_.header();
  std::vector<std::string> lines;
  const bool comp = id >= 0 && id < static_cast<int>(h.components.size());
  lines.push_back(name_of_node(h, id) + (comp ? "  (" + h.components[id].kind + ")" : "  (traffic)"));
  for (const auto& [label, value] : node_rows(id, s.t)) lines.push_back(label + ": " + value);
  draw_box_lines(rt, s, lines);
}

// A box of lines by the mouse, kept inside the window (a long list is cut to
// what fits: the details panel scrolls through all of it).
void Scene::draw_box_lines(sf::RenderTarget& rt, const ViewState& s, const std::vector<std::string>& all) {
  const float sc = frame_.scale;
  const float fs = 12 * sc, row = 17 * sc, pad = 8 * sc;
  const std::size_t fit = static_cast<std::size_t>(std::max(2.f, (height_ - 2 * pad) / row - 1));
  std::vector<std::string> lines(all.begin(),
                                 all.begin() + static_cast<std::ptrdiff_t>(std::min(fit, all.size())));
  float w = 0;
  for (const auto& l : lines) w = std::max(w, text_width(l, fonts_.regular, fs));
  w = std::min(w, width_ * 0.5f);
  Rect r{s.mouse->x + 14 * sc, s.mouse->y + 14 * sc, w + 2 * pad, row * lines.size() + 2 * pad - 3 * sc};
  if (r.right() > width_) r.x = s.mouse->x - 14 * sc - r.w;
  if (r.bottom() > height_) r.y = std::max(0.f, s.mouse->y - 14 * sc - r.h);
  if (r.bottom() > height_) r.y = std::max(0.f, height_ - r.h);
  tris_.clear();
  fill(tris_, rounded(r, 5 * sc), sf::Color(30, 38, 50, 240));
  stroke(tris_, rounded(r, 5 * sc), true, 1, color::panel_edge);
  rt.draw(tris_);
  float y = r.y + pad - 2 * sc;
  for (std::size_t i = 0; i < lines.size(); ++i, y += row)
    text(rt, elide(lines[i], i == 0 ? fonts_.bold : fonts_.regular, fs, w),
         i == 0 ? fonts_.bold : fonts_.regular, fs, r.x + pad, y, color::text);
}

void Scene::draw_cause(sf::RenderTarget& rt, const ViewState& s) {
  const Cause* cause = pb_.cause_at(s.t);
  const float sc = frame_.scale;
  if (!cause || cause->component < 0 || cause->component >= static_cast<int>(layout_.components.size()))
    return;
  // A ring round the component and a tag above it naming what went wrong.
  const NodeBox& b = layout_.components[cause->component];
  const Rect& r = b.bounds;
  const float g = 4 * sc;
  const Rect ring{r.x - g, r.y - g, r.w + 2 * g, r.h + 2 * g};
  tris_.clear();
  stroke(tris_, rounded(ring, 6 * sc), true, 2.5f * sc, color::cause);
  const std::string tag = "\u26a0 ROOT CAUSE \u00b7 " + cause->tag;
  const float fs = std::round(11 * sc);
  const float tw = text_width(tag, fonts_.bold, fs) + 10 * sc;
  Rect t{std::round(std::clamp(ring.cx() - tw / 2, 0.f, frame_.graph.right() - tw)),
         std::round(ring.y - fs * 1.5f), std::round(tw), std::round(fs * 1.45f)};
  // Above the node unless that covers another one; then below it.
  for (const NodeBox& o : layout_.components)
    if (&o != &b && o.bounds.overlaps(t)) t.y = std::round(ring.bottom() + fs * 0.1f);
  fill(tris_, rounded(t, 3 * sc), color::cause);
  rt.draw(tris_);
  text(rt, tag, fonts_.bold, fs, t.x + 5 * sc, t.y + fs * 0.12f, sf::Color(20, 20, 20));
}

// The explanation's sentence in the caption band over the architecture.
void Scene::draw_cause_caption(sf::RenderTarget& rt, const ViewState& s) {
  const Cause* cause = pb_.cause_at(s.t);
  const bool link = cause && cause->link >= 0 && cause->link < static_cast<int>(platform_.links.size());
  if (!cause ||
      (!link && (cause->component < 0 || cause->component >= static_cast<int>(layout_.components.size()))))
    return;
  const float sc = frame_.scale;
  const Rect& cap = frame_.caption;
  const std::string caption = "\u26a0 " + cause->caption;
  const float cw = std::min(cap.w, text_width(caption, fonts_.bold, 13 * sc) + 24 * sc);
  const Rect c{cap.x, cap.y, cw, cap.h};
  tris_.clear();
  fill(tris_, rounded(c, 4 * sc), mix(color::panel, color::cause, 0.25f));
  box(tris_, {c.x, c.y, 4 * sc, c.h}, color::cause);
  rt.draw(tris_);
  text(rt, elide(caption, fonts_.bold, 13 * sc, c.w - 16 * sc), fonts_.bold, 13 * sc, c.x + 12 * sc,
       c.cy() - 13 * sc * 0.62f, color::text);
}

// Nodes whose name contains the search, ringed in sky blue.
void Scene::draw_search(sf::RenderTarget& rt, const ViewState& s) {
  if (s.search.empty()) return;
  const auto& h = pb_.header();
  const float sc = frame_.scale;
  tris_.clear();
  for (std::size_t c = 0; c < h.components.size() && c < layout_.components.size(); ++c) {
    if (!name_matches(h.components[c].name, s.search)) continue;
    const Rect& r = layout_.components[c].bounds;
    stroke(tris_, rounded({r.x - 7 * sc, r.y - 7 * sc, r.w + 14 * sc, r.h + 14 * sc}, 8 * sc), true, 2 * sc,
           color::traffic);
  }
  rt.draw(tris_);
}

Rect Scene::world_region() const {
  return {0, frame_.top.bottom(), frame_.right.x, frame_.bottom.y - frame_.top.bottom()};
}

Point Scene::to_world(Point p) const {
  const Rect wr = world_region();
  return {wr.cx() + pan_.x + (p.x - wr.cx()) / zoom_, wr.cy() + pan_.y + (p.y - wr.cy()) / zoom_};
}

// ------------------------------------------------------------ the platform

void Scene::draw_platform(sf::RenderTarget& rt, const ViewState& s) {
  const auto& plat = pb_.header().platform;
  if (!plat || platform_.area.w <= 0) return;
  const PlatformMap& m = *plat;
  const Tick* k = pb_.tick_at(s.t);
  const float sc = frame_.scale;
  tris_.clear();
  box(tris_, platform_.area, color::background);  // over anything the camera drew here
  for (std::size_t r = 0; r < platform_.regions.size(); ++r) {
    const Rect& R = platform_.regions[r];
    fill(tris_, rounded(R, 6 * sc), color::panel);
    stroke(tris_, rounded(R, 6 * sc), true, 1.5f * sc, color::panel_edge);
  }
  for (const Rect& z : platform_.zones) stroke(tris_, rounded(z, 4 * sc), true, 1 * sc, color::edge_line);
  rt.draw(tris_);
  const float fs = std::round(11 * sc);
  for (std::size_t r = 0; r < platform_.regions.size(); ++r) {
    const Rect& R = platform_.regions[r];
    text(rt, elide(m.regions[r], fonts_.bold, fs, R.w - 12 * sc), fonts_.bold, fs, R.x + 7 * sc, R.y + 3 * sc,
         color::text);
  }
  for (std::size_t z = 0; z < platform_.zones.size(); ++z) {
    const Rect& Z = platform_.zones[z];
    text(rt, elide(m.zones[z].name, fonts_.regular, fs * 0.9f, Z.w - 8 * sc), fonts_.regular, fs * 0.9f,
         Z.x + 5 * sc, Z.y + 2 * sc, color::text_dim);
  }
  draw_platform_hosts(rt, m, k);
  draw_platform_links(rt, s, m, k);
}

// Each host: its name, its CPU as a bar (and its own link's utilisation
// as a thinner one when that link has a bandwidth).
void Scene::draw_platform_hosts(sf::RenderTarget& rt, const PlatformMap& m, const Tick* k) {
  const float sc = frame_.scale, fs = std::round(10 * sc);
  tris_.clear();
  std::vector<std::string> words(platform_.hosts.size());
  for (std::size_t h = 0; h < platform_.hosts.size(); ++h) {
    const Rect& H = platform_.hosts[h];
    if (H.w <= 0) continue;
    const double cpu = k && h < k->host_cpu.size() ? k->host_cpu[h] : 0;
    fill(tris_, rounded(H, 3 * sc), color::node_fill);
    stroke(tris_, rounded(H, 3 * sc), true, 1 * sc,
           cpu > kSaturatedUtil ? util_color(cpu) : color::panel_edge);
    const Rect bar{H.x + 4 * sc, H.bottom() - 9 * sc, H.w - 8 * sc, 4 * sc};
    box(tris_, bar, color::panel_edge);
    box(tris_, {bar.x, bar.y, bar.w * static_cast<float>(std::clamp(cpu, 0.0, 1.0)), bar.h}, util_color(cpu));
    const int nic = m.hosts[h].nic;
    if (nic >= 0) {
      const double u = k && static_cast<std::size_t>(nic) < k->link_util.size() ? k->link_util[nic] : 0;
      const Rect nb{bar.x, bar.bottom() + 1.5f * sc, bar.w, 2 * sc};
      box(tris_, nb, color::panel_edge);
      box(tris_, {nb.x, nb.y, nb.w * static_cast<float>(std::clamp(u, 0.0, 1.0)), nb.h}, util_color(u));
    }
    // The CPU, then what runs there: the link between this band and the architecture above.
    words[h] = format_percent(cpu) + " cpu";
    std::string on;
    for (std::size_t c = 0; c < m.replica_host.size(); ++c)
      if (std::find(m.replica_host[c].begin(), m.replica_host[c].end(), static_cast<int>(h)) !=
          m.replica_host[c].end())
        on += (on.empty() ? " \u00b7 " : ", ") + pb_.header().components[c].name;
    words[h] += on;
  }
  rt.draw(tris_);
  for (std::size_t h = 0; h < platform_.hosts.size(); ++h) {
    const Rect& H = platform_.hosts[h];
    if (H.w <= 0 || H.h < 2.4f * fs) continue;
    text(rt, elide(m.hosts[h].name, fonts_.regular, fs, H.w - 6 * sc), fonts_.regular, fs, H.x + 4 * sc,
         H.y + 2 * sc, color::text);
    if (H.h >= 3.4f * fs)
      text(rt, elide(words[h], fonts_.regular, fs, H.w - 6 * sc), fonts_.regular, fs, H.x + 4 * sc,
           H.y + 2 * sc + fs * 1.2f, color::text_dim);
  }
}

// Links between regions and zones, coloured by utilisation (thicker when
// saturated), with a chip naming each; the root cause's link is ringed.
void Scene::draw_platform_links(sf::RenderTarget& rt, const ViewState& s, const PlatformMap& m,
                                const Tick* k) {
  const float sc = frame_.scale, fs = std::round(10 * sc);
  const Cause* cause = pb_.cause_at(s.t);
  struct Chip {
    Rect r;
    std::string words;
    bool cause;
  };
  std::vector<Chip> chips;
  tris_.clear();
  for (std::size_t l = 0; l < platform_.links.size(); ++l) {
    const auto& pts = platform_.links[l];
    if (pts.size() < 2) continue;
    const double u = k && l < k->link_util.size() ? k->link_util[l] : 0;
    const sf::Color c = u > 0.005 ? util_color(u) : color::edge_line;
    std::vector<V> line;
    for (const Point& p : pts) line.push_back({p.x, p.y});
    stroke(tris_, line, false, (u > kSaturatedUtil ? 4.5f : 2.5f) * sc, c, false);
    const PlatformMap::Link& pl = m.links[l];
    std::string words = pl.name + " \u00b7 " + (u > 0 ? format_percent(u) : "0%");
    if (pl.bandwidth < kUnlimitedBandwidth) words += " of " + format_bandwidth(pl.bandwidth);
    const float w = text_width(words, fonts_.regular, fs) + 10 * sc;
    // On the line, at its middle unless an earlier chip is there: then further along either way.
    const auto chip_at = [&](Point at) {
      return Rect{std::round(std::clamp(at.x - w / 2, platform_.area.x, platform_.area.right() - w)),
                  std::round(at.y - fs * 0.75f), std::round(w), std::round(fs * 1.5f)};
    };
    Rect chip = chip_at(platform_.link_label[l]);
    bool placed = false;
    for (int lift = 0; lift < 3 && !placed; ++lift) {  // then a row higher, and another
      for (const float f : {0.5f, 0.3f, 0.7f, 0.15f, 0.85f}) {
        Point p = pts[static_cast<std::size_t>(f * static_cast<float>(pts.size() - 1))];
        p.y -= static_cast<float>(lift) * (fs * 1.5f + 2 * sc);
        const Rect c = chip_at(p);
        if (std::none_of(chips.begin(), chips.end(), [&](const Chip& o) { return o.r.overlaps(c); })) {
          chip = c, placed = true;
          break;
        }
      }
    }
    chips.push_back({chip, words, cause && cause->link == static_cast<int>(l)});
    fill(tris_, rounded(chip, 3 * sc), color::panel);
    stroke(tris_, rounded(chip, 3 * sc), true, 1 * sc, c);
  }
  for (const Chip& ch : chips) {
    if (!ch.cause) continue;
    const Rect ring{ch.r.x - 4 * sc, ch.r.y - 4 * sc, ch.r.w + 8 * sc, ch.r.h + 8 * sc};
    stroke(tris_, rounded(ring, 5 * sc), true, 2.5f * sc, color::cause);
  }
  rt.draw(tris_);
  for (const Chip& ch : chips)
    text(rt, ch.words, fonts_.regular, fs, ch.r.x + 5 * sc, ch.r.y + fs * 0.2f, color::text);
  for (const Chip& ch : chips) {
    if (!ch.cause) continue;
    const std::string tag = "\u26a0 ROOT CAUSE \u00b7 " + cause->tag;
    const float tw = text_width(tag, fonts_.bold, fs) + 10 * sc;
    const Rect t{std::round(std::clamp(ch.r.cx() - tw / 2, platform_.area.x, platform_.area.right() - tw)),
                 std::round(ch.r.y - fs * 2.1f), std::round(tw), std::round(fs * 1.45f)};
    tris_.clear();
    fill(tris_, rounded(t, 3 * sc), color::cause);
    rt.draw(tris_);
    text(rt, tag, fonts_.bold, fs, t.x + 5 * sc, t.y + fs * 0.12f, sf::Color(20, 20, 20));
  }
}

}  // namespace archsim::viz
