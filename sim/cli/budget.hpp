// The up-front cost check of `run`: a run the napkin math says would take
// more than limits::kEvents events, or more memory than there is, is refused
// before it starts (exit 2) unless --force.
#pragma once

#include "archsim/spec.hpp"

namespace archsim::cli {

/// Throws InputError saying what the run would cost when it is over budget
/// and `force` is false. `keep_ticks`: the run keeps every tick (a report,
/// a timeline, the explanation).
void check_budget(const ScenarioSpec& spec, bool keep_ticks, bool force);

/// Bytes of memory available now (MemAvailable), or 0 when unknown.
double available_memory();

}  // namespace archsim::cli
