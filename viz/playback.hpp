// The run being shown: a timeline header and the ticks known so far (all of
// them in a replay, a growing list in a live view), and what the picture
// needs to know about them at a given simulated time. No SFML here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archsim/ticks.hpp"
#include "archsim/timeline.hpp"

namespace archsim::viz {

/// How a node looks. Down: no replica serving (known for services, which
/// report their serving replicas once any is killed or autoscaled).
enum class Health { Idle, Healthy, Saturated, Failing, Down };
const char* name_of(Health h);

/// Error share above which a node counts as failing.
inline constexpr double kFailingShare = 0.05;
/// Utilisation above which a node counts as saturated.
inline constexpr double kSaturatedUtil = 0.9;

/// Health of a component from its tick and the tick a few seconds earlier
/// (to see a queue that keeps growing).
Health classify(const ComponentTick& now, const ComponentTick* earlier);
/// A figure of a tick by name, if the component reported it.
std::optional<double> figure_of(const ComponentTick& t, std::string_view name);

/// One SLO judged on the ticks up to some time.
struct SloStatus {
  std::string name;   ///< as in the file, e.g. "latency_p99"
  double target = 0;  ///< seconds, a fraction or requests/s
  double actual = 0;
  bool known = false;  ///< enough measured requests to judge
  bool pass = true;
  bool exact = false;  ///< from the run's final result, not estimated from ticks
  bool higher_is_better = false;
  /// false: a latency objective whose requests all failed so far ("no
  /// successful request"): known, failed, and with no actual value.
  bool measured = true;
};

/// The root cause a run's explanation names (viz/cause.hpp fills it in):
/// marked on its component from `at` on.
struct Cause {
  int component = -1;   ///< index in the header's components (-1: a link is the cause)
  int link = -1;        ///< index in the header's platform links, when a saturated link is
  double at = 0;        ///< s, when it started
  bool pool = false;    ///< a connection pool ran dry (not the workers)
  std::string tag;      ///< the badge's word: "saturated", "pool ran dry", "timeout"
  std::string caption;  ///< one line: "root cause: db's connection pool ran dry at 2m16s"
};

/// A series over the ticks for one chart.
/// P99Timeouts: the p99 counting timed-out requests at their timeout (`P`).
enum class Metric { Throughput, P99, ErrorRate, P99Timeouts };

class Playback {
 public:
  /// The view keeps its ticks in a TickStore of this many bytes (the live
  /// view has two: the drawing's and the explanation's): a run of a year
  /// draws in the memory of a run of a few hours. Once it is full, ticks
  /// are merged in pairs, each kept tick covering 2, 4, ... emitted ones
  /// (archsim/ticks.hpp); a live view then shows a merged tick once all of
  /// its ticks have come.
  static constexpr std::size_t kTickBudget = TickStore::kDefaultBudget / 2;

  explicit Playback(Timeline tl, std::size_t tick_budget = kTickBudget);
  Playback(TimelineHeader h, std::vector<Tick> ticks = {}, std::size_t tick_budget = kTickBudget);

  const TimelineHeader& header() const { return tl_.header; }
  /// The ticks kept, in time order (each covers dt seconds up to t).
  const std::vector<Tick>& ticks() const { return *ticks_; }
  /// Ticks kept at most, and ticks appended so far.
  std::size_t tick_capacity() const { return store_.capacity(); }
  std::uint64_t ticks_added() const { return store_.added(); }
  /// Faults, actions and state changes, in time order.
  const std::vector<Note>& notes() const { return tl_.notes; }
  /// Live view: the simulation reports one more tick.
  void append(const Tick& t);
  /// Live view: the simulation reports a fault, an action or a state change.
  void append(const Note& n) { tl_.notes.push_back(n); }
  /// Live view restarts: forget the ticks.
  void clear();
  /// Live view: the run finished (the last merged tick is shown); its exact
  /// SLO checks replace the estimate at the end.
  void set_final(const std::vector<SloCheck>& checks);

  /// The planned end of the run (header duration, or the last tick if longer).
  double duration() const;
  /// How far the ticks reach.
  double horizon() const { return ticks_->empty() ? 0 : ticks_->back().t; }
  /// Index of the last tick that ended at or before t, or -1.
  int index_at(double t) const;
  const Tick* tick_at(double t) const;

  Health health(int component, double t) const;
  /// A kind's own figure (hit_ratio, lag_messages, replicas, ...) in the tick at t.
  std::optional<double> figure(int component, double t, std::string_view name) const;
  /// Replicas serving at t: the engine's count when it reports one (after a
  /// kill or with an autoscaler), else the configured number.
  int replicas_at(int component, double t) const;
  /// Workers per replica of component c at t: the `workers` tick figure a
  /// `resize` leaves, else the header's (the design's).
  int workers_at(int c, double t) const;
  /// Calls per second on an edge in the tick shown at t.
  double edge_rate(int edge, double t) const;
  /// The highest per-edge call rate over the ticks known so far.
  double max_edge_rate() const { return max_edge_rate_; }
  /// The highest calls per second arriving from each source over all ticks.
  double source_rate(int source, double t) const;

  /// The value of a chart's series in a tick; NaN for a latency when
  /// nothing finished in it (missing, not 0).
  double value(Metric m, const Tick& t) const;
  /// The root cause to mark, when the run has been explained.
  const std::optional<Cause>& cause() const { return cause_; }
  void set_cause(std::optional<Cause> c) { cause_ = std::move(c); }
  /// The cause if it has begun by t.
  const Cause* cause_at(double t) const { return cause_ && t + 1e-9 >= cause_->at ? &*cause_ : nullptr; }
  /// The SLOs judged on the measured ticks (after warm-up) up to t. Latency
  /// percentiles over many ticks are estimated from each tick's p50 and p99
  /// (log-linear tail); at the end of a finished replay the run's own exact
  /// verdict is used.
  std::vector<SloStatus> slo_at(double t) const;

 private:
  void note(const Tick& t);
  void keep(Tick t);
  Timeline tl_;  ///< header, notes and result; its ticks are in store_
  std::size_t budget_;
  TickStore store_;
  const std::vector<Tick>* ticks_;  ///< store_.kept()
  double max_edge_rate_ = 0;
  std::vector<SloStatus> final_slo_;  // from result_json, if any
  std::optional<Cause> cause_;
};

/// "1:23.4" or "1:02:03": a simulated time for the clock.
std::string format_clock(double seconds);
/// A duration in the unit that reads best: "850 us", "12.5 ms", "1.20 s".
std::string format_duration(double seconds);
/// A count that fits a label: "950", "12.3k", "126k", "1.20M".
std::string format_count(double n);
/// A rate: "950/s", "12.3k/s", "1.20M/s".
std::string format_rate(double per_second);
/// True if `name` contains `query`, ignoring case (the view's search).
bool name_matches(std::string_view name, std::string_view query);
/// A share: "0.4%", "12%".
std::string format_percent(double fraction);

}  // namespace archsim::viz
