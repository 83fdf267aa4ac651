// Sweeps and capacity searches: the same scenario run over a grid of values
// of one or two parameters, every point with the same seed (common random
// numbers), in parallel on threads; and the smallest integer value of a
// parameter that meets the SLOs.
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archsim/simulation.hpp"
#include "report/analysis.hpp"
#include "report/cost.hpp"
#include "report/edit.hpp"
#include "report/replications.hpp"

namespace archsim::report {

/// One swept parameter: its path and the values it takes, as written in YAML.
struct Axis {
  Target target;
  std::vector<double> values;
  std::string unit;  ///< appended to each value: "/s", "ms", or ""
  std::string text(double v) const { return format_number(v) + unit; }
};

/// Parses `path=from:to:step` or `path=a,b,c`; bare numbers take the unit
/// the file writes the value in (600/s -> /s). Throws InputError.
Axis parse_axis(const Documents& docs, const std::string& set);

/// What a sweep keeps of one run (not its ticks: a sweep may have many points).
struct Point {
  std::vector<double> x;          ///< one value per axis
  std::vector<std::string> text;  ///< as written into the file
  RunResult result;
  Cost cost;
  std::string bottleneck;  ///< the component that saturated first, or ""
  std::string busiest;     ///< the highest mean utilisation
  double busiest_util = 0;
  std::string headline;  ///< the explanation's headline
  bool pass = false;     ///< as judged by the sweep's criterion
  /// --replications: every replication's figures with intervals (the fields
  /// above are then replication 1's), and the verdict on the intervals.
  std::optional<Replications> reps;
  IntervalVerdict::Outcome verdict = IntervalVerdict::Outcome::Inconclusive;
};

/// Which runs count as passing: "slo" (every SLO), "all" (SLOs and the
/// budget), or one SLO's name ("latency_p99").
struct Criterion {
  std::string what = "slo";
  bool operator()(const RunResult& r, const Cost& c) const;
  /// On intervals: pass only when every objective it names surely passes.
  IntervalVerdict::Outcome operator()(const Replications& r) const;
  /// Throws InputError when `what` is neither slo, all, nor an SLO of the spec.
  void check(const ScenarioSpec& spec) const;
};

struct SweepResult {
  std::string scenario;
  std::string problem_path, design_path;
  std::uint64_t seed = 1;
  std::vector<Axis> axes;
  std::vector<Point> points;  ///< in grid order (first axis outermost), or search order sorted by x
  Criterion criterion;
  /// --find-min: the answer, if one was found.
  std::optional<double> found;
  std::string search_note;  ///< how the search ended, in words
  bool judged = true;       ///< false: a grid over a scenario without SLOs, tabulated without verdicts
  std::vector<std::string> configs;  ///< the base files' text, for the report
  std::size_t replications = 0;      ///< per point; 0: one run per point
  double confidence = 0.95;
};

/// Replications per point (0: one run with the file's seed) and their confidence.
struct Repeat {
  std::size_t n = 0;
  double confidence = 0.95;
};

/// Runs the grid of the axes' values on `jobs` threads (0: all cores).
/// Every point is loaded first, so a bad value stops the sweep before any
/// simulation (InputError).
/// With replications, a point passes when its intervals surely pass.
SweepResult run_sweep(const Documents& docs, const std::vector<Axis>& axes, const Criterion& c, unsigned jobs,
                      const Repeat& repeat = {});

/// The grid of the axes' values, first axis outermost, and each point's
/// loaded spec (what run_sweep runs; InputError for a bad value).
std::vector<std::vector<double>> grid_of(const std::vector<Axis>& axes);
std::vector<ScenarioSpec> grid_specs(const Documents& docs, const std::vector<Axis>& axes);

/// The most values find_min(lo, hi, jobs) runs (each with its replications):
/// for the cost check before the search.
std::size_t find_min_probes(double lo, std::optional<double> hi, unsigned jobs);

/// Searches the smallest integer value of `axis` in [lo, hi] that passes:
/// several points a round, one per thread, assuming that more never hurts.
/// Without hi, the value doubles from lo until it passes (up to 2^20).
/// With replications, "passes" means passes at the stated confidence.
SweepResult find_min(const Documents& docs, Axis axis, double lo, std::optional<double> hi,
                     const Criterion& c, unsigned jobs, const Repeat& repeat = {});

/// Runs f(i) for i in [0, n) on up to `jobs` threads (0: every core); the
/// first exception any call throws is rethrown once all threads stopped.
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& f);

/// Runs `specs` on `jobs` threads; results in the same order.
std::vector<Analysis> run_parallel(const std::vector<ScenarioSpec>& specs, unsigned jobs);

void print_sweep(std::ostream& out, const SweepResult& s);
void write_sweep_csv(std::ostream& out, const SweepResult& s);
nlohmann::ordered_json sweep_json(const SweepResult& s);

}  // namespace archsim::report
