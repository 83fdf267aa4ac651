// Replications: the same scenario run N times on independent random numbers
// (seeds derived from the scenario's seed), in parallel on threads; every
// headline figure as a mean with a Student-t confidence interval, and the
// SLO verdicts as pass / fail / inconclusive.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"
#include "report/cost.hpp"

namespace archsim::report {

/// A mean over n replications and the half-width of its confidence interval:
/// the interval is [mean - half_width, mean + half_width].
struct Interval {
  double mean = 0;
  double half_width = 0;  ///< t_{n-1, (1+confidence)/2} * s / sqrt(n); 0 when n < 2
  std::size_t n = 0;
  double confidence = 0.95;
  double lo() const { return mean - half_width; }
  double hi() const { return mean + half_width; }
  /// The interval holds x.
  bool covers(double x) const { return lo() <= x && x <= hi(); }
};

/// The two-sided Student-t quantile t such that P(|T| <= t) = confidence for
/// T with `dof` degrees of freedom (Boost.Math students_t).
double t_quantile(double confidence, double dof);

/// Mean and Student-t half-width of independent, identically distributed samples.
Interval interval_of(const std::vector<double>& xs, double confidence);

/// The seed of replication i (0-based): splitmix64 of the base seed and i, so
/// that replications are independent streams and the same for any thread count.
std::uint64_t replication_seed(std::uint64_t base, std::size_t i);

/// Checks --replications and --confidence; throws InputError naming the flag.
void check_replication_flags(std::size_t n, double confidence);

/// What one replication keeps (not its ticks).
struct Replica {
  std::uint64_t seed = 0;
  RunResult result;
  Cost cost;
};

/// An SLO (or the budget) judged on an interval.
struct IntervalVerdict {
  std::string name;
  double target = 0;
  bool higher_is_better = false;
  Interval actual;
  enum class Outcome { Pass, Fail, Inconclusive } outcome = Outcome::Inconclusive;
  /// Inconclusive only: about how many replications would settle it,
  /// n (half_width / |mean - target|)^2; nullopt when the mean is on the target.
  std::optional<std::size_t> needed;
};
std::string outcome_text(IntervalVerdict::Outcome o);

/// Judges `actual` against `target`: pass when the whole interval is on the
/// passing side, fail when it is all on the failing side, else inconclusive.
IntervalVerdict judge(const std::string& name, double target, bool higher_is_better, const Interval& actual);

/// A named figure with its interval: "latency_mean", "utilization.db".
struct NamedInterval {
  std::string name;
  std::string unit;  ///< "s", "/s", "", "USD/h"
  Interval value;
};

struct Replications {
  std::string scenario;
  std::string file;
  std::uint64_t seed = 1;  ///< the base seed the replications' seeds come from
  double confidence = 0.95;
  double sim_time_s = 0;
  double warmup_s = 0;
  std::vector<Replica> runs;               ///< in replication order
  std::vector<NamedInterval> figures;      ///< headline figures, in print order
  std::vector<NamedInterval> utilization;  ///< per component with workers
  std::vector<IntervalVerdict> verdicts;   ///< each SLO, then the budget if there is one
  /// pass when every verdict passes, fail when one fails, else inconclusive.
  IntervalVerdict::Outcome overall() const;
};

/// The interval of one figure taken from each replica.
template <class F>
Interval interval_over(const std::vector<Replica>& runs, double confidence, F figure) {
  std::vector<double> xs;
  xs.reserve(runs.size());
  for (const Replica& r : runs) xs.push_back(figure(r));
  return interval_of(xs, confidence);
}

/// Runs n replications of `spec` (seeds replication_seed(spec.seed, i)) on
/// `jobs` threads (0: every core). The result does not depend on `jobs`.
Replications replicate(const ScenarioSpec& spec, std::size_t n, double confidence, unsigned jobs);

/// Summarises replicas already run (compare and sweep run their own).
Replications summarise(const ScenarioSpec& spec, std::vector<Replica> runs, double confidence);

/// Two designs on common random numbers: replication i of each runs with
/// the same seed, so the paired differences B - A have a narrower interval
/// than the two intervals side by side.
struct PairedDifference {
  NamedInterval diff;        ///< B - A
  bool significant = false;  ///< the interval excludes 0
};
struct Paired {
  Replications a, b;
  std::vector<PairedDifference> diffs;  ///< headline figures, then utilisation of components in both
};
Paired compare_replicated(const ScenarioSpec& a, const ScenarioSpec& b, std::size_t n, double confidence,
                          unsigned jobs);
void print_paired(std::ostream& out, const Paired& p, const std::string& la, const std::string& lb);
nlohmann::ordered_json paired_json(const Paired& p, const std::string& la, const std::string& lb);

/// The error rate of one run: failed / (completed + failed).
double error_rate_of(const RunResult& r);

/// {"mean", "half_width", "n", "confidence"}.
nlohmann::ordered_json ci_json(const Interval& i);
/// The --json of `run --replications`: deterministic (no engine figures).
nlohmann::ordered_json replications_json(const Replications& r);
/// The summary printed by `run --replications`.
void print_replications(std::ostream& out, const Replications& r);
/// The intervals and interval verdicts as an HTML section (--report).
std::string replications_html(const Replications& r);
/// "50.3 ± 1.2 ms", in the figure's unit.
std::string format_interval(const NamedInterval& f);

}  // namespace archsim::report
