// Verdicts with reasons: an explanation in plain words, built from a run's
// own data (its result and its per-tick observations). Which component
// saturated first and when, what its queue did, which SLO broke when, which
// error kinds dominated and where they came from, what each fault triggered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"

namespace archsim::report {

/// A fault or operator action on the timeline, to mark and to explain.
struct FaultMark {
  double at = 0;      ///< s
  double until = -1;  ///< s; < 0 for an instant action
  std::string what;   ///< "kill db replica 1", "scale api to 8"
};

/// A component that ran all its workers flat out for a while, or a
/// database whose connection pools ran dry.
struct Saturation {
  int component = -1;  ///< index in the spec
  std::string name;
  bool pool = false;              ///< the pools ran dry (requests waited for a connection), not the workers
  double at = 0;                  ///< start of its first saturated stretch, s
  double until = 0;               ///< end of its last saturated stretch, s
  bool at_end = false;            ///< still saturated when the run ended
  double seconds = 0;             ///< time spent saturated, s
  double served_rps = 0;          ///< its completions per second while saturated: its capacity
  double offered_rps = 0;         ///< requests entering the system per second meanwhile
  double onset_s = 0;             ///< the first seconds of its first stretch (up to 30), over which:
  double onset_arrived_rps = 0;   ///< visits arriving at it per second (the unit of served_rps)
  double onset_entering_rps = 0;  ///< requests entering the system per second
  double queue_peak = 0;          ///< the longest its queue got (end of a tick), all replicas
  double queue_peak_at = 0;
};

/// A platform link (simgrid backend) that ran at its bandwidth for a while:
/// the transfers across it shared it and waited.
struct LinkSaturation {
  int link = -1;  ///< index in the platform map (PlatformMap::links)
  std::string name;
  std::string joins;     ///< "us-east to eu-west", "api-1" (a host's link), "us-east's zones"
  double bandwidth = 0;  ///< bytes/s each way
  double at = 0;         ///< start of its first saturated stretch, s
  double seconds = 0;    ///< time spent saturated, s
  double peak = 0;       ///< its highest one-tick utilisation (above 1: more was sent than it carries)
  double peak_at = 0;
};

/// Where failures come from: one kind at one place.
struct ErrorSource {
  std::string kind;    ///< "timeout", "rejected" ...
  std::string origin;  ///< the component, or the traffic source for a client timeout
  bool at_client = false;
  std::string waiting_for;  ///< a timeout at a component: the callee it gave up on
  double share = 0;         ///< of all measured failed requests
  std::uint64_t count = 0;  ///< failed requests attributed here (share * failed)
};

/// When a failing SLO broke.
struct SloBreak {
  std::string slo;
  bool timed = false;  ///< false when no single second broke it
  double at = 0;       ///< start of the first second (tick) that broke it, s
  double worst = 0;    ///< the worst tick value (s, fraction, or req/s)
  double worst_at = 0;
};

/// The component a failing run's time went to, and how, when it is not
/// the first to saturate: the one a saturated tier's workers waited on
/// (followed down the calls), or a replica stopped in GC pauses when the
/// first SLO broke.
struct Cause {
  int component = -1;  ///< index in the spec
  std::string name;
  double at = 0;             ///< s: the waiter's saturation, or the SLO's break
  std::string mechanism;     ///< "stalled in GC pauses (...)", "under kill db: 1 replica down, 2m to 3m"
  int waiter = -1;           ///< the saturated tier whose workers waited on it (-1: none)
  double waiting_share = 0;  ///< of the visits the waiter held, those with a call in progress here
  std::vector<Figure> evidence;
};

/// One thing the run shows, with the figures and times it rests on.
struct Finding {
  std::string kind;       ///< saturation, pool_dry, slo_break, fault, late_work, time_goes, errors, ...
  std::string component;  ///< the component (or traffic source) it is about; "" for the system
  double at_s = -1;       ///< when it began, s; < 0 when it is about the whole window
  std::string text;       ///< the sentence (also in Explanation::details)
  std::vector<Figure> evidence;  ///< the figures behind the sentence; names end in their unit
};

struct Explanation {
  std::vector<Saturation> saturated;            ///< in the order they saturated, the first one first
  std::vector<LinkSaturation> saturated_links;  ///< platform links, in the order they saturated
  std::optional<Cause> cause;  ///< the root cause when it is not saturated.front() (which waits on it)
  /// saturated_links.front() is the root cause, not a component: no
  /// component saturated, or the link saturated first (a tie included), or
  /// within kMinRun s after the first saturated component whose calls cross it.
  bool link_root = false;
  std::vector<ErrorSource> errors;  ///< largest share first
  std::vector<SloBreak> breaks;     ///< failing SLOs, in the order of the spec
  int busiest = -1;                 ///< highest mean utilisation (component index)
  double busiest_peak = 0;          ///< its highest one-tick utilisation
  double busiest_peak_at = 0;
  std::string headline;              ///< one sentence: the verdict and its main reason
  std::vector<std::string> details;  ///< the supporting facts, one sentence each (the findings' texts)
  std::vector<Finding> findings;     ///< the same facts with their evidence, in the same order
};

/// Builds the explanation. `ticks` are the observations of the run (empty:
/// only what the result alone can tell), `faults` its fault timeline.
Explanation explain(const ScenarioSpec& spec, const RunResult& r, const std::vector<Tick>& ticks,
                    const std::vector<EdgeInfo>& edges, const std::vector<FaultMark>& faults = {});

/// The faults and operator actions of a run (RunResult::notes of kind
/// fault or action), each with its end when the run says when it was over.
std::vector<FaultMark> faults_of(const RunResult& r);

/// A time in the run as people say it: "45s", "2m16s", "1h02m".
std::string clock(double seconds);
/// "1,234" / "12.5": a rate for a sentence.
std::string rate_words(double per_second);

}  // namespace archsim::report
