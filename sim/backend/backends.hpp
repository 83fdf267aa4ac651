// Choosing a resource backend by name: "fast" is the kernel's own (no Backend
// object), "simgrid" the platform backend when this build has it.
#pragma once

#include <memory>
#include <string>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

namespace archsim {

/// The backend named `name` for a simulation of `spec` on kernel `k`:
/// nullptr for "fast"; throws std::invalid_argument for an unknown name or
/// one this build does not have.
std::unique_ptr<Backend> make_backend(const std::string& name, Kernel& k, const ScenarioSpec& spec);

}  // namespace archsim
