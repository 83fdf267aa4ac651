// Who sends requests to whom, as a Boost.Graph over a scenario's traffic
// sources and components. The spec validator uses it to find cycles of
// synchronous calls; `archsim check` for reachability and for the expected
// visits per request that analytic estimates need.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "archsim/spec.hpp"

namespace archsim {

class CallGraph {
 public:
  /// What an edge stands for.
  enum class EdgeKind {
    Entry,    ///< a traffic source sends its requests to its entry component
    Forward,  ///< a load balancer forwards every visit to its target
    Call,     ///< a synchronous call of a service: `times` visits of the target per visit
    Async,    ///< a call the service does not wait for (not part of a cycle of waits)
  };
  struct VertexProps {
    std::string name;
    bool traffic = false;  ///< a traffic source rather than a component
    int index = 0;         ///< into ScenarioSpec::traffic or ScenarioSpec::components
    double rate = 0;       ///< requests/s of an open-loop source; 0 otherwise
  };
  struct EdgeProps {
    EdgeKind kind = EdgeKind::Call;
    Mark mark;         ///< where the reference is written (the `to:` or `call:` value)
    double times = 1;  ///< visits of the target per visit of the source (repeat, branch)
  };
  /// Parallel edges are kept: two call steps to the same target are two visits.
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;
  using Vertex = Graph::vertex_descriptor;

  /// Traffic sources are vertices 0..T-1, components T..T+C-1, in file order.
  /// References to unknown components are left out: the validator reports them.
  explicit CallGraph(const ScenarioSpec& spec);

  /// A cycle of synchronous calls (balancer forwards included).
  struct Cycle {
    std::vector<std::string> names;  ///< from a component back to itself: api, db, api
    Mark mark;                       ///< the reference that closes the cycle
    std::vector<Vertex> vertices;    ///< the vertices of `names`, once each
    std::string str() const;         ///< "api -> db -> api"
  };
  /// The cycles met by one depth-first search from the traffic sources (then
  /// from components no traffic reaches), one per back edge, each vertex
  /// cycle once. Removing every reported reference leaves no cycle.
  std::vector<Cycle> find_cycles() const;
  /// Cycles through an async call or a queue's delivery in which every
  /// visit starts at least one visit of the next (times >= 1 on each edge:
  /// no branch, no dead letter): each request starts work that never ends.
  /// Cycles of synchronous calls alone are find_cycles()'.
  std::vector<Cycle> find_endless_cycles() const;

  /// Per component: whether requests from any traffic source can reach it.
  std::vector<bool> reachable_from_traffic() const;
  /// Component indices, each before every component it sends to; nullopt
  /// when there is a cycle.
  std::optional<std::vector<int>> topological_order() const;
  /// Expected visits to each component per request of traffic source `t`:
  /// the entry is visited once, each call step visits its target once per
  /// visit of its caller, a balancer forwards every visit. nullopt when cyclic.
  std::optional<std::vector<double>> visits_per_request(int t) const;
  /// Requests per second arriving at each component from the open-loop
  /// sources at their base rate (without profiles; a closed loop's rate
  /// depends on response times, so it is not counted). nullopt when cyclic.
  std::optional<std::vector<double>> offered_rates() const;

  const Graph& graph() const { return g_; }
  Vertex traffic_vertex(int t) const { return static_cast<Vertex>(t); }
  Vertex component_vertex(int c) const { return static_cast<Vertex>(traffic_count_ + c); }

 private:
  /// Every vertex, each before the vertices it sends to; nullopt when cyclic.
  std::optional<std::vector<Vertex>> vertex_order() const;

  int traffic_count_ = 0;
  int component_count_ = 0;
  Graph g_;
};

}  // namespace archsim
