#include "analysis/call_graph.hpp"

#include <boost/graph/filtered_graph.hpp>

#include <algorithm>
#include <deque>
#include <set>

#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/topological_sort.hpp>

namespace archsim {

CallGraph::CallGraph(const ScenarioSpec& spec)
    : traffic_count_(static_cast<int>(spec.traffic.size())),
      component_count_(static_cast<int>(spec.components.size())) {
  // add_vertex(g) then the bundle, rather than add_vertex(props, g): the
  // latter trips a false -Wmaybe-uninitialized inside Boost 1.74.
  for (std::size_t t = 0; t < spec.traffic.size(); ++t) {
    const TrafficSpec& tr = spec.traffic[t];
    g_[boost::add_vertex(g_)] = VertexProps{tr.name, true, static_cast<int>(t), tr.closed() ? 0.0 : tr.rate};
  }
  for (std::size_t c = 0; c < spec.components.size(); ++c)
    g_[boost::add_vertex(g_)] = VertexProps{spec.components[c].name, false, static_cast<int>(c), 0.0};

  const auto link = [&](Vertex from, const std::string& to, EdgeKind kind, Mark mark, double times = 1) {
    const int target = spec.find(to);
    if (target >= 0) boost::add_edge(from, component_vertex(target), EdgeProps{kind, mark, times}, g_);
  };
  for (std::size_t t = 0; t < spec.traffic.size(); ++t)
    link(traffic_vertex(static_cast<int>(t)), spec.traffic[t].to, EdgeKind::Entry, spec.traffic[t].to_mark);
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ComponentSpec& comp = spec.components[c];
    const Vertex from = component_vertex(static_cast<int>(c));
    if (const LoadBalancerSpec* lb = comp.load_balancer()) {
      if (lb->targets.empty()) {
        link(from, lb->to, EdgeKind::Forward, lb->to_mark);
      } else {
        // Weighted targets: each gets its share of the visits.
        double total = 0;
        for (const auto& [name, weight] : lb->targets) total += weight;
        for (std::size_t i = 0; i < lb->targets.size(); ++i)
          link(from, lb->targets[i].first, EdgeKind::Forward,
               i < lb->target_marks.size() ? lb->target_marks[i] : lb->to_mark,
               total > 0 ? lb->targets[i].second / total : 0.0);
      }
    }
    if (const ServiceSpec* svc = comp.service()) {
      for_each_call(svc->steps, [&](const StepSpec& step, double times) {
        link(from, step.call.target, step.kind == StepSpec::Kind::Async ? EdgeKind::Async : EdgeKind::Call,
             step.call.mark, times * spec.fan_of(step.call));
        // An outbox row per committed write reaches its relay after the
        // caller has its reply (the database publishes it; counted here per
        // write of this service).
        if (!step.call.outbox.empty())
          link(from, step.call.outbox, EdgeKind::Async, step.call.outbox_mark, times);
      });
    }
    if (const QueueSpec* q = comp.queue()) {
      // Deliveries happen after the producer's call has returned.
      if (!q->consumer.empty()) link(from, q->consumer, EdgeKind::Async, q->consumer_mark);
      if (!q->dead_letter.empty()) link(from, q->dead_letter, EdgeKind::Async, q->dead_letter_mark, 0.0);
    }
    // The edge waits for its origin on a miss; as if every request missed
    // (a cold cache), since the hit ratio is not known before the run.
    // (A cdn that names itself is reported by the validator in plainer words.)
    if (const CdnSpec* d = comp.cdn(); d && d->origin != comp.name)
      link(from, d->origin, EdgeKind::Call, d->origin_mark);
    // An edge-side include: called for every request.
    if (const CdnSpec* d = comp.cdn(); d && !d->include.empty() && d->include != comp.name)
      link(from, d->include, EdgeKind::Call, d->include_mark);
  }
}

std::string CallGraph::Cycle::str() const {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : " -> ") + n;
  return out;
}

namespace {

using Graph = CallGraph::Graph;
using Vertex = CallGraph::Vertex;
using Edge = Graph::edge_descriptor;

// Records the depth-first tree (each vertex's parent) and the back edges:
// an edge to a vertex still on the stack closes a cycle.
struct CycleRecorder : boost::default_dfs_visitor {
  std::vector<Vertex>* parent;
  std::vector<Edge>* back_edges;
  template <class G>
  void tree_edge(Edge e, const G& g) const {
    (*parent)[boost::target(e, g)] = boost::source(e, g);
  }
  template <class G>
  void back_edge(Edge e, const G&) const {
    back_edges->push_back(e);
  }
};

// A cycle's vertices rotated to start at the smallest, so that one cycle
// found through two parallel edges is reported once.
std::vector<Vertex> canonical(std::vector<Vertex> cycle) {
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  return cycle;
}

// The cycles of the edges `keep` selects, one per back edge of one
// depth-first search (vertices in index order: traffic sources first, so a
// cycle reads in the order requests meet it).
template <class Keep>
std::vector<CallGraph::Cycle> cycles_of(const Graph& g_, Keep keep) {
  std::vector<Vertex> parent(boost::num_vertices(g_));
  std::vector<Edge> back_edges;
  const boost::filtered_graph<Graph, Keep> kept(g_, keep);
  boost::depth_first_search(kept, boost::visitor(CycleRecorder{{}, &parent, &back_edges}));

  std::vector<CallGraph::Cycle> out;
  std::set<std::vector<Vertex>> seen;
  for (const Edge& e : back_edges) {
    const Vertex from = boost::source(e, g_), to = boost::target(e, g_);
    // `to` is an ancestor of `from` on the depth-first stack: walk up to it.
    std::vector<Vertex> path{from};
    for (Vertex v = from; v != to; v = parent[v]) path.push_back(parent[v]);
    std::reverse(path.begin(), path.end());  // to ... from
    if (!seen.insert(canonical(path)).second) continue;
    CallGraph::Cycle c;
    for (Vertex v : path) c.names.push_back(g_[v].name);
    c.names.push_back(g_[to].name);
    c.mark = g_[e].mark;
    c.vertices = path;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

std::vector<CallGraph::Cycle> CallGraph::find_cycles() const {
  // Only waits make a deadlock: calls nobody waits for are left out.
  struct Waits {
    const Graph* g = nullptr;
    bool operator()(const Edge& e) const { return (*g)[e].kind != EdgeKind::Async; }
  };
  return cycles_of(g_, Waits{&g_});
}

std::vector<CallGraph::Cycle> CallGraph::find_endless_cycles() const {
  struct Sure {
    const Graph* g = nullptr;
    bool operator()(const Edge& e) const { return (*g)[e].times >= 1 - 1e-9; }
  };
  std::vector<Cycle> out;
  for (Cycle& c : cycles_of(g_, Sure{&g_})) {
    // One made of synchronous waits alone is find_cycles()' (a deadlock).
    bool waits_only = true;
    for (std::size_t i = 0; i < c.vertices.size(); ++i) {
      const Vertex u = c.vertices[i], v = c.vertices[(i + 1) % c.vertices.size()];
      bool waits = false;
      for (auto [e, end] = boost::out_edges(u, g_); e != end; ++e)
        if (boost::target(*e, g_) == v && g_[*e].kind != EdgeKind::Async) waits = true;
      waits_only = waits_only && waits;
    }
    if (!waits_only) out.push_back(std::move(c));
  }
  return out;
}

std::vector<bool> CallGraph::reachable_from_traffic() const {
  std::vector<bool> reached(boost::num_vertices(g_), false);
  struct Recorder : boost::default_bfs_visitor {
    std::vector<bool>* reached;
    void discover_vertex(Vertex v, const Graph&) const { (*reached)[v] = true; }
  };
  std::vector<Vertex> sources;
  for (int t = 0; t < traffic_count_; ++t) sources.push_back(traffic_vertex(t));
  std::vector<boost::default_color_type> colors(boost::num_vertices(g_), boost::white_color);
  boost::queue<Vertex> queue;
  boost::breadth_first_search(
      g_, sources.begin(), sources.end(), queue, Recorder{{}, &reached},
      boost::make_iterator_property_map(colors.begin(), boost::get(boost::vertex_index, g_)));
  return std::vector<bool>(reached.begin() + traffic_count_, reached.end());
}

std::optional<std::vector<CallGraph::Vertex>> CallGraph::vertex_order() const {
  std::vector<Vertex> reversed;
  try {
    boost::topological_sort(g_, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    return std::nullopt;
  }
  return std::vector<Vertex>(reversed.rbegin(), reversed.rend());
}

std::optional<std::vector<int>> CallGraph::topological_order() const {
  const auto order = vertex_order();
  if (!order) return std::nullopt;
  std::vector<int> out;
  for (Vertex v : *order)
    if (!g_[v].traffic) out.push_back(g_[v].index);
  return out;
}

std::optional<std::vector<double>> CallGraph::visits_per_request(int t) const {
  const auto order = vertex_order();
  if (!order) return std::nullopt;
  std::vector<double> visits(boost::num_vertices(g_), 0.0);
  visits[traffic_vertex(t)] = 1;
  // In topological order every visit to a vertex is known before it is passed on.
  for (Vertex v : *order) {
    if (visits[v] == 0) continue;
    for (auto [e, end] = boost::out_edges(v, g_); e != end; ++e)
      visits[boost::target(*e, g_)] += visits[v] * g_[*e].times;
  }
  return std::vector<double>(visits.begin() + traffic_count_, visits.end());
}

std::optional<std::vector<double>> CallGraph::offered_rates() const {
  std::vector<double> rates(component_count_, 0.0);
  for (int t = 0; t < traffic_count_; ++t) {
    const double rate = g_[traffic_vertex(t)].rate;
    const auto visits = visits_per_request(t);
    if (!visits) return std::nullopt;
    for (int c = 0; c < component_count_; ++c) rates[c] += rate * (*visits)[c];
  }
  return rates;
}

}  // namespace archsim
