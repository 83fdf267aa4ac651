// Finding the scenario library: `archsim run black-friday` from anywhere.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace archsim::cli {

/// Where library problems are looked for, in order: ./scenarios, the
/// installed share/archsim/scenarios (beside the binary, then the configured
/// prefix), the source tree's scenarios/. Only folders that exist.
std::vector<std::filesystem::path> library_dirs();

/// A scenario argument: the file when it exists; else a problem of the
/// library by name (NAME/problem.yaml); else unchanged (loading reports it).
std::string resolve_scenario(const std::string& arg);

/// A --design argument: the file when it exists; else, for a library
/// problem, one of its designs by name (designs/NAME.yaml).
std::string resolve_design(const std::string& design, const std::string& scenario_file);

/// Both, in place: what every command that takes a scenario (run, check,
/// grade, hint, sweep) does first, so that `archsim grade black-friday
/// --design mitigated` finds the library's files as `run` does.
inline void resolve_library(std::string& file, std::string& design) {
  file = resolve_scenario(file);
  design = resolve_design(design, file);
}

}  // namespace archsim::cli
