// `archsim check` on a scenario with a platform: hosts' CPU and links' load.
#pragma once

#include <ostream>

#include "analysis/estimate.hpp"
#include "archsim/spec.hpp"

namespace archsim::cli {

/// Prints the platform estimate when the scenario has a `platform:` section
/// or asks for the simgrid backend; prints nothing otherwise.
void print_platform_estimate(std::ostream& out, const ScenarioSpec& spec, const Estimate& est);

}  // namespace archsim::cli
