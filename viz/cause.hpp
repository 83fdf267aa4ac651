// The root cause the explanation names (report::explain's result), turned
// into what the picture marks: one component, one moment and a caption. The
// view, the rendered pictures and videos and the report's picture all mark it.
#pragma once

#include <optional>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"
#include "playback.hpp"

namespace archsim::report {
struct Explanation;
}

namespace archsim::viz {

/// The component and moment the explanation's headline names: the first to
/// saturate (workers flat out, or a connection pool run dry), else the
/// component where most errors came from, at the moment the first SLO broke.
std::optional<Cause> cause_of(const report::Explanation& why, const TimelineHeader& h);

/// Explains a finished run (its raw ticks, as the simulation reported them)
/// and returns the cause to mark, if there is one.
std::optional<Cause> explain_cause(const ScenarioSpec& spec, const RunResult& r,
                                   const std::vector<Tick>& ticks, const std::vector<EdgeInfo>& edges,
                                   const TimelineHeader& h);

/// The moment worth a still picture: the tick where the run was worst (the
/// largest share of a target used: error rate, p99, utilisation), or the end.
double worst_moment(const Playback& pb);

}  // namespace archsim::viz
