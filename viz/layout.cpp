#include "layout.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace archsim::viz {

HudFrame hud_frame(float width, float height) {
  HudFrame f;
  // Text shrinks more slowly than the window so that small renders stay readable.
  f.scale = std::clamp(std::sqrt(std::min(width / 1280.f, height / 720.f)), 0.7f, 2.0f);
  const float s = f.scale;
  const float top_h = std::round(44 * s), bottom_h = std::round(58 * s);
  // The charts need about 300 px at 1280 wide; narrow windows keep a
  // smaller share so that the architecture stays the main thing.
  const float right_w = std::round(std::min(300 * s, width * 0.3f));
  f.top = {0, 0, width, top_h};
  f.bottom = {0, height - bottom_h, width, bottom_h};
  f.right = {width - right_w, top_h, right_w, height - top_h - bottom_h};
  const float m = std::round(14 * s);
  const float cap_h = std::round(22 * s);  // one line of caption: the root cause, when there is one
  f.caption = {m, top_h + m / 2, width - right_w - 2 * m, cap_h};
  const float events_h = std::round(2 * 17 * s + 8 * s);  // two lines of the fault log
  f.graph = {m, f.caption.bottom() + m / 2, width - right_w - 2 * m,
             height - f.caption.bottom() - bottom_h - events_h - 1.5f * m};
  f.events = {m, f.graph.bottom() + m / 2, f.graph.w, events_h};
  return f;
}

Shape shape_of(std::string_view kind) {
  static const std::pair<std::string_view, Shape> table[] = {
      {"client", Shape::Client},         {"load_balancer", Shape::Balancer},
      {"gateway", Shape::Balancer},      {"api_gateway", Shape::Balancer},
      {"service", Shape::Service},       {"cache", Shape::Cache},
      {"queue", Shape::Queue},           {"topic", Shape::Queue},
      {"stream", Shape::Queue},          {"database", Shape::Database},
      {"db", Shape::Database},           {"storage", Shape::Database},
      {"object_store", Shape::Database}, {"cdn", Shape::Cdn},
  };
  for (const auto& [name, shape] : table)
    if (name == kind) return shape;
  return Shape::Generic;
}

namespace {

// Left-to-right order of kinds inside a layer when nothing else decides.
int kind_rank(Shape s) {
  switch (s) {
    case Shape::Client: return 0;
    case Shape::Cdn: return 1;
    case Shape::Balancer: return 2;
    case Shape::Service: return 3;
    case Shape::Generic: return 3;
    case Shape::Cache: return 4;
    case Shape::Queue: return 5;
    case Shape::Database: return 6;
  }
  return 3;
}

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;

struct BackEdges : boost::default_dfs_visitor {
  std::set<std::pair<int, int>>* out;
  template <class E, class G>
  void back_edge(E e, const G& g) {
    out->insert({static_cast<int>(boost::source(e, g)), static_cast<int>(boost::target(e, g))});
  }
};

// A slot in a layer: a real node (vertex >= 0) or a dummy on a long edge.
struct Item {
  int vertex = -1;
  int layer = 0;
  float weight = 1;  // height relative to a node's
  float y = 0, x = 0;
  int rank = 0;               // kind rank, for ties
  std::vector<int> up, down;  // neighbouring items in the layers before / after
};

long count_crossings(const std::vector<std::vector<int>>& order, const std::vector<Item>& items,
                     const std::vector<int>& pos) {
  long total = 0;
  std::vector<std::pair<int, int>> es;
  for (std::size_t l = 0; l + 1 < order.size(); ++l) {
    es.clear();
    for (int a : order[l])
      for (int b : items[a].down) es.push_back({pos[a], pos[b]});
    for (std::size_t i = 0; i < es.size(); ++i)
      for (std::size_t j = i + 1; j < es.size(); ++j)
        if ((es[i].first - es[j].first) * static_cast<long>(es[i].second - es[j].second) < 0) ++total;
  }
  return total;
}

void number(const std::vector<std::vector<int>>& order, std::vector<int>& pos) {
  for (const auto& layer : order)
    for (std::size_t i = 0; i < layer.size(); ++i) pos[layer[i]] = static_cast<int>(i);
}

// Orders one layer by the mean position of each item's neighbours on one side.
void sort_by_barycenter(std::vector<int>& layer, const std::vector<Item>& items, const std::vector<int>& pos,
                        bool use_up) {
  std::vector<std::pair<double, int>> keyed;
  for (int it : layer) {
    const auto& nb = use_up ? items[it].up : items[it].down;
    double key = pos[it];
    if (!nb.empty()) {
      key = 0;
      for (int n : nb) key += pos[n];
      key /= static_cast<double>(nb.size());
    }
    keyed.push_back({key, it});
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return items[a.second].rank < items[b.second].rank;
  });
  for (std::size_t i = 0; i < layer.size(); ++i) layer[i] = keyed[i].second;
}

// Places items of one layer as close as possible to `want` (least squares)
// keeping their order, the separations sep[i] between item i-1 and i, and
// each item inside [lo[i], hi[i]]: pool-adjacent-violators on y - offset.
void project(std::vector<float>& y, const std::vector<float>& want, const std::vector<float>& sep,
             const std::vector<float>& lo, const std::vector<float>& hi) {
  const std::size_t n = want.size();
  if (n == 0) return;
  std::vector<float> off(n, 0);
  for (std::size_t i = 1; i < n; ++i) off[i] = off[i - 1] + sep[i];
  struct Block {
    double sum;
    int count;
  };
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < n; ++i) {
    blocks.push_back({want[i] - off[i], 1});
    while (blocks.size() > 1) {
      auto& b = blocks[blocks.size() - 1];
      auto& a = blocks[blocks.size() - 2];
      if (a.sum / a.count <= b.sum / b.count) break;
      a.sum += b.sum;
      a.count += b.count;
      blocks.pop_back();
    }
  }
  std::vector<float> z;
  for (const auto& b : blocks)
    for (int k = 0; k < b.count; ++k) z.push_back(static_cast<float>(b.sum / b.count));
  // Bounds: raise by the running maximum of the lower bounds, then lower by
  // the running minimum of the upper bounds from the end.
  float m = -1e30f;
  for (std::size_t i = 0; i < n; ++i) {
    m = std::max(m, lo[i] - off[i]);
    z[i] = std::max(z[i], m);
  }
  m = 1e30f;
  for (std::size_t i = n; i-- > 0;) {
    m = std::min(m, hi[i] - off[i]);
    z[i] = std::min(z[i], m);
  }
  for (std::size_t i = 0; i < n; ++i) y[i] = z[i] + off[i];
}

void cubic(std::vector<Point>& out, Point a, Point b) {
  const float dx = b.x - a.x;
  const Point c1{a.x + dx * 0.5f, a.y}, c2{b.x - dx * 0.5f, b.y};
  const float approx = std::hypot(b.x - a.x, b.y - a.y);
  const int n = std::clamp(static_cast<int>(approx / 14), 6, 48);
  for (int i = out.empty() ? 0 : 1; i <= n; ++i) {
    const float t = static_cast<float>(i) / n, u = 1 - t;
    const float w0 = u * u * u, w1 = 3 * u * u * t, w2 = 3 * u * t * t, w3 = t * t * t;
    out.push_back({w0 * a.x + w1 * c1.x + w2 * c2.x + w3 * b.x, w0 * a.y + w1 * c1.y + w2 * c2.y + w3 * b.y});
  }
}

void finish_route(EdgeRoute& r) {
  r.along.assign(r.points.size(), 0);
  for (std::size_t i = 1; i < r.points.size(); ++i)
    r.along[i] =
        r.along[i - 1] + std::hypot(r.points[i].x - r.points[i - 1].x, r.points[i].y - r.points[i - 1].y);
}

}  // namespace

Point EdgeRoute::at(float s, Point* normal) const {
  if (points.empty()) return {};
  if (points.size() == 1) return points[0];
  const float d = std::clamp(s, 0.f, 1.f) * length();
  auto it = std::upper_bound(along.begin(), along.end(), d);
  std::size_t i = static_cast<std::size_t>(std::distance(along.begin(), it));
  i = std::clamp<std::size_t>(i, 1, points.size() - 1);
  const Point a = points[i - 1], b = points[i];
  const float seg = along[i] - along[i - 1];
  const float f = seg > 0 ? (d - along[i - 1]) / seg : 0;
  if (normal) {
    const float len = std::max(1e-6f, std::hypot(b.x - a.x, b.y - a.y));
    *normal = {-(b.y - a.y) / len, (b.x - a.x) / len};
  }
  return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f};
}

float EdgeRoute::distance(Point p) const {
  float best = 1e30f;
  for (std::size_t i = 1; i < points.size(); ++i) {
    const Point a = points[i - 1], b = points[i];
    const float vx = b.x - a.x, vy = b.y - a.y;
    const float len2 = vx * vx + vy * vy;
    float t = len2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2 : 0;
    t = std::clamp(t, 0.f, 1.f);
    best = std::min(best, std::hypot(p.x - (a.x + t * vx), p.y - (a.y + t * vy)));
  }
  if (points.size() == 1) best = std::hypot(p.x - points[0].x, p.y - points[0].y);
  return best;
}

Layout compute_layout(const TimelineHeader& h, float width, float height) {
  return compute_layout(h, hud_frame(width, height).graph);
}

namespace {

// compute_layout's phases, in order, sharing what each one learns.
class LayoutBuilder {
 public:
  LayoutBuilder(const TimelineHeader& h, const Rect& area)
      : h_(h),
        area_(area),
        S(static_cast<int>(h.sources.size())),
        C(static_cast<int>(h.components.size())),
        N(S + C) {}

  Layout run() {
    out_.area = area_;
    out_.sources.resize(S);
    out_.components.resize(C);
    out_.edges.resize(h_.edges.size());
    if (N == 0) return out_;
    build_graph();
    break_cycles();
    assign_layers();
    make_items();
    order_layers();
    size_nodes();
    place_columns();
    place_rows();
    make_boxes();
    route_edges();
    return out_;
  }

 private:
  int vertex_of(int id) const { return id >= 0 ? (id < C ? S + id : -1) : (-1 - id < S ? -1 - id : -1); }
  void build_graph();
  void break_cycles();
  void assign_layers();
  void make_items();
  void order_layers();
  void size_nodes();
  void place_columns();
  void place_rows();
  void relax(int l, int side);
  float sep(int a, int b, int k) const;
  float need(const std::vector<int>& lay, int k) const;
  float width_for(const std::vector<int>& ks) const;
  NodeBox box_at(int v, float cx, float cy) const;
  void make_boxes();
  const NodeBox& box(int v) const { return v < S ? out_.sources[v] : out_.components[v - S]; }
  void route_edges();

  static constexpr float kGap = 0.45f;  // vertical gap between nodes, in node heights
  const TimelineHeader& h_;
  const Rect area_;
  const int S, C, N;
  Layout out_;
  std::vector<Shape> shape_;
  std::vector<bool> pinned_;
  Graph g_;
  std::vector<std::pair<int, int>> pairs_;
  std::set<std::pair<int, int>> back_, dag_pairs_;
  Graph dag_;
  std::vector<int> layer_;
  int L = 0;
  std::vector<Item> items_;
  std::vector<int> item_of_;
  std::map<std::pair<int, int>, std::vector<int>> chains_;  // dag pair -> dummy items in order
  std::vector<std::vector<int>> order_;
  std::vector<int> pos_;
  std::vector<int> k_of_;
  float nw_ = 0, nh_ = 0, gx_ = 0, stack_ = 2;
  std::vector<float> col_x_;  // centre of each column
};

// The call graph with each distinct pair once.
void LayoutBuilder::build_graph() {
  shape_.assign(N, Shape::Client);
  pinned_.assign(N, false);
  for (int c = 0; c < C; ++c) {
    shape_[S + c] = shape_of(h_.components[c].kind);
    pinned_[S + c] = h_.components[c].pos.has_value();
  }
  g_ = Graph(N);
  std::set<std::pair<int, int>> seen;
  for (const auto& e : h_.edges) {
    const int u = vertex_of(e.from), v = vertex_of(e.to);
    if (u < 0 || v < 0 || u == v) continue;
    if (seen.insert({u, v}).second) {
      boost::add_edge(u, v, g_);
      pairs_.push_back({u, v});
    }
  }
}

// Break cycles: a depth-first search from the sources (vertices 0..S-1
// come first) finds the back edges; they are reversed for layering.
void LayoutBuilder::break_cycles() {
  BackEdges vis;
  vis.out = &back_;
  boost::depth_first_search(g_, boost::visitor(vis));
  dag_ = Graph(N);
  for (auto [u, v] : pairs_) {
    auto p = back_.count({u, v}) ? std::make_pair(v, u) : std::make_pair(u, v);
    if (dag_pairs_.insert(p).second) boost::add_edge(p.first, p.second, dag_);
  }
}

// Layers by longest path from the roots; sources alone in layer 0.
void LayoutBuilder::assign_layers() {
  layer_.assign(N, 0);
  std::vector<Graph::vertex_descriptor> topo;
  boost::topological_sort(dag_, std::back_inserter(topo));
  for (auto it = topo.rbegin(); it != topo.rend(); ++it) {
    const int v = static_cast<int>(*it);
    int l = (v >= S && S > 0) ? 1 : 0;
    for (auto [ei, ee] = boost::in_edges(*it, dag_); ei != ee; ++ei)
      l = std::max(l, layer_[boost::source(*ei, dag_)] + 1);
    layer_[v] = l;
  }
  // A component that only calls others sits just before its first callee
  // rather than far left next to the clients.
  for (auto it = topo.begin(); it != topo.end(); ++it) {
    const int v = static_cast<int>(*it);
    if (v < S || boost::in_degree(*it, dag_) > 0 || boost::out_degree(*it, dag_) == 0) continue;
    int l = 1 << 30;
    for (auto [ei, ee] = boost::out_edges(*it, dag_); ei != ee; ++ei)
      l = std::min(l, layer_[boost::target(*ei, dag_)] - 1);
    layer_[v] = std::max(layer_[v], l);
  }
  for (int v = 0; v < N; ++v) L = std::max(L, layer_[v] + 1);
  out_.layers = L;
}

// Items: real nodes that are not pinned, plus dummies along long edges.
void LayoutBuilder::make_items() {
  item_of_.assign(N, -1);
  for (int v = 0; v < N; ++v) {
    if (pinned_[v]) continue;
    item_of_[v] = static_cast<int>(items_.size());
    Item it;
    it.vertex = v;
    it.layer = layer_[v];
    it.rank = kind_rank(shape_[v]);
    items_.push_back(it);
  }
  for (auto [u, v] : dag_pairs_) {
    if (item_of_[u] < 0 || item_of_[v] < 0) continue;
    int prev = item_of_[u];
    std::vector<int> chain;
    for (int l = layer_[u] + 1; l < layer_[v]; ++l) {
      Item d;
      d.layer = l;
      d.weight = 0.3f;
      d.rank = items_[item_of_[u]].rank;
      items_.push_back(d);
      const int id = static_cast<int>(items_.size()) - 1;
      chain.push_back(id);
      items_[prev].down.push_back(id);
      items_[id].up.push_back(prev);
      prev = id;
    }
    items_[prev].down.push_back(item_of_[v]);
    items_[item_of_[v]].up.push_back(prev);
    chains_[{u, v}] = chain;
  }
}

// Order within layers: start from kind and file order, then barycenter
// sweeps down and up, keeping the order with the fewest crossings.
void LayoutBuilder::order_layers() {
  order_.assign(L, {});
  for (int i = 0; i < static_cast<int>(items_.size()); ++i) order_[items_[i].layer].push_back(i);
  for (auto& lay : order_)
    std::stable_sort(lay.begin(), lay.end(), [&](int a, int b) { return items_[a].rank < items_[b].rank; });
  pos_.assign(items_.size(), 0);
  number(order_, pos_);
  auto best = order_;
  long best_cross = count_crossings(order_, items_, pos_);
  for (int iter = 0; iter < 24 && best_cross > 0; ++iter) {
    if (iter % 2 == 0) {
      for (int l = 1; l < L; ++l) {
        sort_by_barycenter(order_[l], items_, pos_, true);
        number(order_, pos_);
      }
    } else {
      for (int l = L - 2; l >= 0; --l) {
        sort_by_barycenter(order_[l], items_, pos_, false);
        number(order_, pos_);
      }
    }
    const long c = count_crossings(order_, items_, pos_);
    if (c < best_cross) {
      best_cross = c;
      best = order_;
    }
  }
  order_ = best;
  number(order_, pos_);
}

// Centre distance of neighbours in a layer of k sub-columns, in node
// heights. Staggered, every slot is a full node's so that items k apart
// (the same sub-column) never overlap whatever lies between them.
float LayoutBuilder::sep(int a, int b, int k) const {
  if (k > 1) return (1 + kGap) / k;
  return (items_[a].weight + items_[b].weight) / 2 + kGap * std::min(items_[a].weight, items_[b].weight);
}

// The height a layer uses, in node heights.
float LayoutBuilder::need(const std::vector<int>& lay, int k) const {
  if (lay.empty()) return 0.f;
  float sum = 0;
  for (std::size_t i = 1; i < lay.size(); ++i) sum += sep(lay[i - 1], lay[i], k);
  return sum + (items_[lay.front()].weight + items_[lay.back()].weight) / 2 + 0.25f;  // 0.25: stack
}

float LayoutBuilder::width_for(const std::vector<int>& ks) const {
  float sum_k = 0, extra = 0;
  for (int k : ks) sum_k += k, extra += (k - 1) * gx_;
  return (area_.w - extra) / (sum_k + 0.5f * L);  // 0.5: edge room per column, in node widths
}

// Sizes: the tallest node that lets every layer fit, staggering crowded
// layers into sub-columns (as many as the column width holds at a readable
// node width) before shrinking further. Dummies take less room than nodes.
// Columns get the width their sub-columns need plus an equal share of the
// rest for the edges: a crowded layer is staggered into up to four
// sub-columns (widening its column) while nodes stay readably wide.
void LayoutBuilder::size_nodes() {
  // Sizes grow with a large window (the caps are for the graph area of a
  // 1280x720 window) so that labels keep their room at 1920x1080 and above.
  const float grow = std::clamp(std::min(area_.w / 920.f, area_.h / 560.f), 1.f, 2.f);
  const float nw_min = std::clamp(area_.w * 0.085f, 56.f, 110.f * grow);
  gx_ = std::clamp(nw_min * 0.12f, 6.f, 12.f);
  const float nh_max = std::clamp(area_.h / 6, 20.f, 64.f * grow);
  k_of_.assign(L, 1);
  auto fit_h = [&](int l, int k) { return area_.h / need(order_[l], k); };
  float nh = nh_max, nw = 0;
  for (;;) {
    nh = nh_max;
    int worst = 0;
    for (int l = 0; l < L; ++l)
      if (fit_h(l, k_of_[l]) < nh) nh = fit_h(l, k_of_[l]), worst = l;
    nw = std::min({170.f * grow, nh * 3.6f, width_for(k_of_)});
    if (nh >= 30 || k_of_[worst] >= 4 || order_[worst].size() <= static_cast<std::size_t>(k_of_[worst]))
      break;
    auto next = k_of_;
    ++next[worst];
    if (width_for(next) < nw_min) break;
    k_of_ = next;
  }
  nh_ = std::floor(std::max(nh, 8.f));
  nw_ = std::floor(std::max(nw, 12.f));
  stack_ = std::max(2.f, std::round(nh_ * 0.08f));  // offset of each replica behind
  out_.node_w = nw_;
  out_.node_h = nh_;
}

void LayoutBuilder::place_columns() {
  col_x_.assign(L, 0);
  float used = 0;
  for (int l = 0; l < L; ++l) used += k_of_[l] * nw_ + (k_of_[l] - 1) * gx_;
  const float room = std::max(0.f, (area_.w - used) / L);
  float x = area_.x;
  for (int l = 0; l < L; ++l) {
    const float w = k_of_[l] * nw_ + (k_of_[l] - 1) * gx_ + room;
    col_x_[l] = x + w / 2;
    x += w;
  }
}

// Pulls the items of layer l towards the mean height of their neighbours
// (side: -1 up neighbours, +1 down, 0 both), keeping order and separation.
void LayoutBuilder::relax(int l, int side) {
  const auto& lay = order_[l];
  const int k = k_of_[l];
  std::vector<float> want, seps, lo, hi, y(lay.size());
  for (std::size_t i = 0; i < lay.size(); ++i) {
    const Item& it = items_[lay[i]];
    float sum = 0;
    int n = 0;
    if (side <= 0)
      for (int o : it.up) sum += items_[o].y, ++n;
    if (side >= 0)
      for (int o : it.down) sum += items_[o].y, ++n;
    want.push_back(n ? sum / n : it.y);
    seps.push_back(i == 0 ? 0.f : sep(lay[i - 1], lay[i], k) * nh_);
    const float half = it.weight * nh_ / 2;
    // One pixel to spare: boxes are rounded to whole pixels.
    lo.push_back(area_.y + half + (it.vertex >= 0 ? 2 * stack_ : 0) + 1);
    hi.push_back(area_.bottom() - half - 1);
  }
  project(y, want, seps, lo, hi);
  for (std::size_t i = 0; i < lay.size(); ++i) items_[lay[i]].y = y[i];
}

// Vertical placement: centred stacks first, then each item pulled towards
// the mean height of its neighbours, sweeping both ways.
void LayoutBuilder::place_rows() {
  for (int l = 0; l < L; ++l) {
    const auto& lay = order_[l];
    const int k = k_of_[l];
    float y = area_.cy() - need(lay, k) * nh_ / 2 + 0.25f * nh_;
    for (std::size_t i = 0; i < lay.size(); ++i) {
      Item& it = items_[lay[i]];
      if (i > 0) y += sep(lay[i - 1], lay[i], k) * nh_;
      else y += it.weight * nh_ / 2;
      it.y = y;
      const int j = static_cast<int>(i) % k;
      it.x = col_x_[l] + (j - (k - 1) / 2.f) * (nw_ + gx_);
    }
  }
  for (int pass = 0; pass < 8; ++pass) {
    if (pass % 2 == 0)
      for (int l = 1; l < L; ++l) relax(l, -1);
    else
      for (int l = L - 2; l >= 0; --l) relax(l, +1);
  }
  for (int l = 0; l < L; ++l) relax(l, 0);
}

NodeBox LayoutBuilder::box_at(int v, float cx, float cy) const {
  NodeBox b;
  b.layer = layer_[v];
  b.shape = shape_[v];
  b.pinned = pinned_[v];
  b.rect = {std::round(cx - nw_ / 2), std::round(cy - nh_ / 2), nw_, nh_};
  // Room for two replicas behind every component, whatever it starts
  // with: an autoscaler or a kill changes the count while the run plays.
  const float st = v >= S ? 2 * stack_ : 0;
  b.bounds = {b.rect.x, b.rect.y - st, b.rect.w + st, b.rect.h + st};
  return b;
}

void LayoutBuilder::make_boxes() {
  for (int v = 0; v < N; ++v) {
    NodeBox b;
    if (pinned_[v]) {
      const auto [px, py] = *h_.components[v - S].pos;
      const float cx = std::clamp(area_.x + static_cast<float>(px) * area_.w, area_.x + nw_ / 2,
                                  area_.right() - nw_ / 2 - 2 * stack_);
      const float cy = std::clamp(area_.y + static_cast<float>(py) * area_.h, area_.y + nh_ / 2 + 2 * stack_,
                                  area_.bottom() - nh_ / 2);
      b = box_at(v, cx, cy);
    } else {
      const Item& it = items_[item_of_[v]];
      b = box_at(v, it.x, it.y);
    }
    if (v < S) out_.sources[v] = b;
    else out_.components[v - S] = b;
  }
}

// Routes: caller's right side to callee's left side through the dummies,
// with ports spread along each side in the order of the far ends.
void LayoutBuilder::route_edges() {
  struct Port {
    int edge;
    bool out;  // leaves the node
    float other_y;
  };
  std::vector<std::vector<Point>> way(h_.edges.size());
  std::vector<std::pair<int, int>> ends(h_.edges.size(), {-1, -1});
  std::vector<bool> leftward(h_.edges.size(), false);
  std::map<std::pair<int, int>, std::vector<Port>> sides;  // (vertex, side 0 left / 1 right)
  for (std::size_t e = 0; e < h_.edges.size(); ++e) {
    const int u = vertex_of(h_.edges[e].from), v = vertex_of(h_.edges[e].to);
    if (u < 0 || v < 0) continue;
    ends[e] = {u, v};
    if (u == v) continue;
    std::vector<Point> mid;
    const bool reversed = back_.count({u, v}) > 0 && !dag_pairs_.count({u, v});
    auto chain = chains_.find(reversed ? std::make_pair(v, u) : std::make_pair(u, v));
    if (chain != chains_.end())
      for (int d : chain->second) mid.push_back({items_[d].x, items_[d].y});
    if (reversed) std::reverse(mid.begin(), mid.end());
    way[e] = mid;
    const Rect& a = box(u).rect;
    const Rect& b = box(v).rect;
    leftward[e] = b.cx() < a.cx();
    const float ay = mid.empty() ? b.cy() : mid.front().y;
    const float by = mid.empty() ? a.cy() : mid.back().y;
    sides[{u, leftward[e] ? 0 : 1}].push_back({static_cast<int>(e), true, ay});
    sides[{v, leftward[e] ? 1 : 0}].push_back({static_cast<int>(e), false, by});
  }
  std::vector<Point> start(h_.edges.size()), end(h_.edges.size());
  for (auto& [key, ports] : sides) {
    const Rect& r = box(key.first).rect;
    std::stable_sort(ports.begin(), ports.end(),
                     [](const Port& a, const Port& b) { return a.other_y < b.other_y; });
    const float n = static_cast<float>(ports.size());
    const float step = n > 1 ? std::min(r.h * 0.6f / (n - 1), 8.f) : 0;
    const float x = key.second == 0 ? r.x : r.right();
    for (std::size_t i = 0; i < ports.size(); ++i) {
      const Point p{x, r.cy() + (static_cast<float>(i) - (n - 1) / 2) * step};
      (ports[i].out ? start : end)[ports[i].edge] = p;
    }
  }
  for (std::size_t e = 0; e < h_.edges.size(); ++e) {
    auto [u, v] = ends[e];
    if (u < 0) continue;
    EdgeRoute& r = out_.edges[e];
    if (u == v) {  // a node calling itself: a small loop over its top right corner
      const Rect& b = box(u).rect;
      const float rad = b.h * 0.3f;
      const Point c{b.right() - b.w * 0.15f, b.y - rad};
      for (int i = 0; i <= 24; ++i) {
        const float a =
            static_cast<float>(M_PI) / 2 + 0.3f + (2 * static_cast<float>(M_PI) - 0.6f) * i / 24.0f;
        r.points.push_back({c.x + rad * std::cos(a), c.y + rad * std::sin(a)});
      }
    } else {
      Point prev = start[e];
      r.points.push_back(prev);
      for (Point m : way[e]) {
        cubic(r.points, prev, m);
        prev = m;
      }
      cubic(r.points, prev, end[e]);
    }
    finish_route(r);
  }
}

}  // namespace

Layout compute_layout(const TimelineHeader& h, const Rect& area) { return LayoutBuilder(h, area).run(); }

}  // namespace archsim::viz
