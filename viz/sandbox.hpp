// The sandbox: capacity changed live in the view, as operator actions at the
// simulated moment they were made (replicas of a service, a database's pool,
// a rate limit, a resize: workers and instance size, a keyed cache's or a
// cdn's entries), kept in order with an undo, and written out as a design
// file whose fault timeline reproduces the run. No SFML here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archsim/load.hpp"
#include "archsim/spec.hpp"
#include "spec/instances.hpp"

namespace archsim::viz {

/// One change made in the view: applied at `at` as `fault` (an operator action).
struct Change {
  double at = 0;  ///< simulated s
  FaultSpec fault;
  std::string words;  ///< "api: 4 -> 5 replicas"
};

class Sandbox {
 public:
  explicit Sandbox(const ScenarioSpec& spec) : spec_(spec) {}

  /// The operator action that gives component c more (step > 0) or less
  /// (step < 0) capacity than it has now: a service's replicas, a database's
  /// pool, a keyed cache's or a cdn's entries (`cache_size`, by a quarter, at
  /// most its key space), a balancer's (or a service's, with shift) rate limit. `arrivals`:
  /// its arrivals per second now (a first rate limit starts below it).
  /// Nullopt and the reason in `words` when the component has no such knob.
  std::optional<FaultSpec> adjust(int c, int step, double arrivals, bool rate, std::string* words) const;
  /// The `resize` that gives component c (a service or a database) more
  /// (step > 0) or fewer workers per replica (a quarter, at least one) or,
  /// with `instance`, the next larger or smaller instance size of its family
  /// (its workers follow the vCPUs: spec/instances.hpp, resized()).
  /// Nullopt and the reason in `words` when there is no such change.
  std::optional<FaultSpec> resize(int c, int step, bool instance, std::string* words) const;
  /// The action that turns resilience feature `ft` of component c off, or
  /// back on when a change turned it off: `retries` for a service's retries
  /// (its own action), `disable` / `enable` for a breaker, a timeout, a
  /// health check, a concurrency limit or a queue deadline. Nullopt and the
  /// reason in `words` when the design does not give c that feature.
  std::optional<FaultSpec> toggle(int c, FaultSpec::Feature ft, std::string* words) const;
  std::optional<FaultSpec> toggle_retries(int c, std::string* words) const {
    return toggle(c, FaultSpec::Feature::Retries, words);
  }
  /// Records an action that was applied at `at` (an undo's own action is not undoable).
  void record(double at, const FaultSpec& f, const std::string& words, bool undoable = true);
  /// The action that puts back the value before the last change not yet
  /// undone (it is applied as one more action: the run keeps both).
  std::optional<FaultSpec> undo(std::string* words);
  const std::vector<Change>& changes() const { return changes_; }

  /// One `faults:` entry, as the scenario format writes it.
  static std::string yaml_entry(const Change& c);
  /// The design (or the scenario, without a design) with the changes added
  /// to its `faults:`, and a comment saying how to run it. Throws
  /// std::runtime_error when the file's faults: cannot be extended as text.
  std::string design_text(const std::string& file, const LoadOptions& load, std::string* run_it) const;
  /// Writes design_text() to `dir`/<name>-sandbox.yaml; returns the path.
  std::string write(const std::string& file, const LoadOptions& load, const std::string& dir,
                    std::string* run_it) const;

 private:
  /// The knob's value now: the last change's, else the spec's.
  std::optional<double> value(int c, FaultSpec::Kind k) const;
  /// Component c's workers and instance after the first `upto` changes.
  Sizing sizing(int c, std::size_t upto) const;
  /// Feature ft of component c now: the last change's, else the design's (on); nullopt without it.
  std::optional<bool> feature_on(int c, FaultSpec::Feature ft, std::size_t upto) const;
  /// The undo of changes_[li], a toggle: the feature as it was before it.
  FaultSpec undo_toggle(std::size_t li, std::string* words) const;
  /// The undo of changes_[li], a resize: the workers and instance before it.
  std::optional<FaultSpec> undo_resize(std::size_t li, std::string* words) const;
  const ScenarioSpec& spec_;
  std::vector<Change> changes_;
  std::vector<std::size_t> undoable_;  // indices into changes_, the last on top
};

}  // namespace archsim::viz
