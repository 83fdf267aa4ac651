// Reading the `platform:` section, `backend:`, and the placement keys of
// components (`hosts:`, `zone:`) and traffic (`from:`). parse.cpp calls these
// from its schema; the structs are in archsim/platform.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "archsim/diagnostics.hpp"
#include "archsim/platform.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim::platform {

/// The keys a component may use to say where it runs.
extern const std::vector<std::string_view> kPlacementKeys;  // hosts, zone
/// The key a traffic entry may use to say where its users are.
extern const std::vector<std::string_view> kOriginKeys;  // from

/// `platform:` (a top-level key of the scenario or of its design).
void read_platform(const yaml::Source& src, const yaml::Field& f, ScenarioSpec& spec);
/// `backend: fast | simgrid`.
void read_backend(const yaml::Source& src, const yaml::Field& f, ScenarioSpec& spec);
/// `hosts:` / `zone:` of component `owner`, if the map has them.
void read_placement(const yaml::Map& m, const std::string& owner, ScenarioSpec& spec);
/// `from:` of traffic source `owner`, if the map has it.
void read_origin(const yaml::Map& m, const std::string& owner, ScenarioSpec& spec);
/// Checks across the file, once everything is read: placements name hosts,
/// zones and regions that exist, and a platform exists to place them on.
void check_platform(const ScenarioSpec& spec, Diagnostics& diags);

}  // namespace archsim::platform
