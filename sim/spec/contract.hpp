// Reading and enforcing the problem/design contract (archsim/contract.hpp).
// parse.cpp calls these when a scenario with a design declares its world
// (`work:`, `data:` or `operations:`): the scenario is then a graded problem.
#pragma once

#include <optional>
#include <string>

#include "archsim/contract.hpp"
#include "archsim/diagnostics.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim::contract {

/// The problem's keys that make a scenario graded.
bool declares_world(const yaml::Map& top);

/// Reads `work:`, `data:`, `operations:`, `levers:` and `prices:` of the problem.
void read_problem(const yaml::Map& top, Contract& c);

/// Reads the design's top level: `levers:` (the levers it pulls), and refuses
/// every key the problem owns (traffic, slo, budget, work, data, ...).
void read_design_top(const yaml::Map& design, const yaml::Map& problem, Contract& c);

/// A `work:` (or `service_time:`) value in a graded design: the name of one
/// of the problem's work items; a distribution is refused (the work is the
/// problem's). Returns the item's cost and sets `name`.
std::optional<DistSpec> resolve_work(const yaml::Source& src, const yaml::Field& f, const Contract& c,
                                     const std::string& problem, std::string& name);

/// The keys of a design's component that set owned facts (a database's
/// query times, a cache's key space or latency, a call's network delay...).
void check_component(const yaml::Map& m, ComponentSpec& comp, const Contract& c, const std::string& problem);
/// A call's keys in a graded design (`latency:` is the problem's network).
void check_call(const yaml::Map& m, const Contract& c, const std::string& problem);

/// After the design is read: gives each database, cache and CDN its data set
/// (with the pulled levers), refuses design faults that are not operator
/// actions, and checks that every operation does what the problem requires.
void apply(ScenarioSpec& spec, Contract& c, Diagnostics& diags);

/// `regions:` of the problem (spec/contract_regions.cpp).
void read_regions(const yaml::Source& src, const yaml::Field& f, Contract& c);
/// A traffic source's `from:` in a problem with regions: one of them.
void read_traffic_region(const yaml::Map& m, TrafficSpec& t, const Contract& c);
/// A component's `region:` (only in a graded design of a problem with regions).
void read_component_region(const yaml::Map& m, ComponentSpec& comp, const Contract* c, bool graded);
/// Gives every crossing between regions the problem's latency.
void apply_regions(ScenarioSpec& spec, const Contract& c);

/// "\nFILE:LINE:COL: note: TEXT": appended to an error that points at the
/// problem line owning a fact.
std::string note(const std::string& file, Mark m, std::string_view text);

}  // namespace archsim::contract
