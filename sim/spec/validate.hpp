// Checks across a whole scenario, after every field was read on its own:
// names that must be unique, references to components, cycles of calls.
#pragma once

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"

namespace archsim {

/// Reports every cross-reference problem of `spec` into `diags`, each at the
/// position of the reference and in the file it came from (spec.file_of).
/// A reference to a missing component is reported once, and left out of the
/// cycle check.
void check_references(const ScenarioSpec& spec, Diagnostics& diags);

}  // namespace archsim
