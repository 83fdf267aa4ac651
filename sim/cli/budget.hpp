// The up-front cost check of every command that simulates (run, run
// --replications, compare, sweep, sweep --find-min, grade, hint, check
// --compare-run, render): work the napkin math says would take more than
// limits::kEvents events, or more memory than there is, is refused before
// it starts (exit 2) unless --force.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "archsim/spec.hpp"

namespace archsim::cli {

/// Several simulations of one command: each of `specs` runs `each` times
/// (replications), at most `at_once` at the same time (their memory adds
/// up). `what` names them in the message ("this sweep of 12 points").
struct Batch {
  std::vector<ScenarioSpec> specs;
  double each = 1;
  unsigned at_once = 1;
  bool keep_ticks = true;  ///< the runs keep their ticks (the explanation, a report, a timeline)
  std::string what = "this run";
};

/// Throws InputError saying what the batch would cost when it is over the
/// budget and `force` is false.
void check_budget(const Batch& batch, bool force);
/// One run of `spec`.
void check_budget(const ScenarioSpec& spec, bool keep_ticks, bool force);

/// Adds --force (run even when the estimate is over the budget) to `cmd`.
void add_force_option(CLI::App* cmd, bool& force);

/// Bytes of memory available now (MemAvailable), or 0 when unknown.
double available_memory();

}  // namespace archsim::cli
