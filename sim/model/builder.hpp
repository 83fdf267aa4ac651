// Builds the runtime model from a validated ScenarioSpec: one component per
// spec entry (the registry of kinds is make_component), one client per
// traffic source, call sites and the edges they share.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

namespace archsim {

class Client;
struct EndToEnd;

/// The registry of component kinds: one line per kind.
std::unique_ptr<Component> make_component(Kernel& k, const ComponentSpec& spec, int index,
                                          std::uint64_t seed);

class Builder {
 public:
  Builder(Kernel& k, const ScenarioSpec& spec) : kernel_(k), spec_(spec) {}
  /// Creates everything; components in spec order.
  void build(std::vector<std::unique_ptr<Component>>& comps, std::vector<std::unique_ptr<Client>>& clients,
             EndToEnd& e2e);

  Component* component(std::string_view name) const;
  /// A call site from `from` (component index, or -1 - source index).
  CallSite& call_site(int from, const CallSpec& c);
  /// The edge between two nodes, created on first use.
  Edge& edge(int from, int to);
  const ScenarioSpec& spec() const { return spec_; }

 private:
  Kernel& kernel_;
  const ScenarioSpec& spec_;
  std::vector<Component*> by_index_;
};

}  // namespace archsim
