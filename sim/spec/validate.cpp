#include "spec/validate.hpp"

#include <fmt/format.h>

#include "analysis/call_graph.hpp"

namespace archsim {

namespace {

// The key a call step was written with, for messages.
std::string_view step_verb(const StepSpec& s) {
  if (s.kind == StepSpec::Kind::Async) return "async";
  if (s.call.op == "publish" || s.call.op == "write" || s.call.op == "invalidate") return s.call.op;
  return "call";
}

class Checker {
 public:
  Checker(const ScenarioSpec& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {
    for (const ComponentSpec& c : spec.components) names_.push_back(c.name);
  }

  void error(Mark m, std::string message) { diags_.error(spec_.file_of(m), m, std::move(message)); }

  // `what` says where the reference is: "'to'", "'call'".
  void reference(const std::string& target, Mark at, std::string_view what) {
    if (spec_.find(target) >= 0) return;
    const std::string guess = did_you_mean(target, names_);
    if (!guess.empty()) {
      error(at, fmt::format("unknown component '{}' in {}: did you mean '{}'?", target, what, guess));
    } else if (names_.empty()) {
      error(at, fmt::format("unknown component '{}' in {}: the scenario has no components", target, what));
    } else {
      std::string list;
      for (const std::string& n : names_) list += (list.empty() ? "" : ", ") + n;
      error(at, fmt::format("unknown component '{}' in {}: components are {}", target, what, list));
    }
  }

  void run() {
    // Traffic sources and components share one namespace: each name keys a
    // stream of random numbers, and the view draws them side by side.
    for (std::size_t i = 0; i < spec_.traffic.size(); ++i) {
      const TrafficSpec& t = spec_.traffic[i];
      for (std::size_t j = 0; j < i; ++j) {
        if (spec_.traffic[j].name == t.name) {
          error(t.mark, fmt::format("duplicate traffic name '{}' (first at line {})", t.name,
                                    spec_.traffic[j].mark.line));
          break;
        }
      }
      if (spec_.find(t.name) >= 0)
        error(t.mark, fmt::format("traffic '{}' has the name of a component: give it its own name", t.name));
      if (!t.to.empty()) reference(t.to, t.to_mark, fmt::format("'to' of traffic '{}'", t.name));
    }

    for (const ComponentSpec& c : spec_.components) {
      if (const LoadBalancerSpec* lb = c.load_balancer()) {
        if (lb->to == c.name)
          error(lb->to_mark, fmt::format("load balancer '{}' sends to itself: 'to' names the service it spreads "
                                         "requests over",
                                         c.name));
        else if (!lb->to.empty())
          reference(lb->to, lb->to_mark, fmt::format("'to' of load balancer '{}'", c.name));
      }
      if (const ServiceSpec* s = c.service()) {
        for_each_call(s->steps, [&](const StepSpec& step, double) {
          if (!step.call.target.empty())
            reference(step.call.target, step.call.mark, fmt::format("'{}' of service '{}'", step_verb(step), c.name));
        });
      }
    }

    // A balancer sending to itself is reported above, in clearer words than
    // "edge -> edge".
    for (const CallGraph::Cycle& cycle : CallGraph(spec_).find_cycles()) {
      if (cycle.names.size() == 2) {
        const int i = spec_.find(cycle.names[0]);
        if (i >= 0 && spec_.components[i].load_balancer()) continue;
      }
      error(cycle.mark, fmt::format("cycle of synchronous calls: {} (a request would wait for its own reply)",
                                    cycle.str()));
    }
  }

 private:
  const ScenarioSpec& spec_;
  Diagnostics& diags_;
  std::vector<std::string> names_;
};

}  // namespace

void check_references(const ScenarioSpec& spec, Diagnostics& diags) { Checker(spec, diags).run(); }

}  // namespace archsim
