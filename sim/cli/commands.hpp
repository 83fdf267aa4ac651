// Shared pieces of the CLI: each command lives in its own file and adds
// itself in register_commands().
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"

namespace archsim::cli {

/// --design, --seed, --duration, as typed.
struct LoadFlags {
  std::string design;
  std::optional<std::uint64_t> seed;
  std::string duration;
  /// Converts to LoadOptions; a bad --duration is an InputError.
  LoadOptions options() const;
};

void add_load_options(CLI::App* cmd, LoadFlags& f);

/// --replications, --confidence, --jobs (cli/replicate.cpp).
struct ReplicationFlags {
  std::size_t n = 0;  ///< 0: a single run
  /// --replications was given (then 0 is refused, not taken for a single run).
  bool asked = false;
  /// n when --replications was given, or 0 when it was not (a single run);
  /// a given 0 is 0 too and fails check_replication_flags.
  bool replicated() const { return asked || n > 0; }
  double confidence = 0.95;
  unsigned jobs = 0;  ///< 0: every core
};
void add_replication_options(CLI::App* cmd, ReplicationFlags& f);

/// What `run --replications` needs of the run command's flags.
struct ReplicatedRun {
  std::string file;
  LoadFlags load;
  std::string backend;
  ReplicationFlags reps;
  std::string json, report;
  bool quiet = false;
  bool fail_on_slo = false;
  bool force = false;
};
/// `run --replications N`; returns the exit code.
int run_replications(const ReplicatedRun& f);
/// Prints every diagnostic and returns exit code 2.
int print_input_error(const InputError& e);

/// `--backend NAME`: sets spec.backend (the flag wins over `backend:` in the
/// file); false, after saying so on stderr, when this build lacks it (exit 2).
/// An empty flag keeps the file's choice.
bool select_backend(const std::string& flag, ScenarioSpec& spec);

/// A command's work, run after parsing succeeded; returns the exit code.
using Actions = std::vector<std::function<int()>>;

/// Adds every command but `run` (check, list, view, render ...).
void register_commands(CLI::App& app, Actions& actions);

void register_check(CLI::App& app, Actions& actions);
void register_compare(CLI::App& app, Actions& actions);
void register_sweep(CLI::App& app, Actions& actions);
void register_list(CLI::App& app, Actions& actions);
void register_view(CLI::App& app, Actions& actions);
/// `completion SHELL` and `manpage`, generated from the other commands' definitions.
void register_completion(CLI::App& app, Actions& actions);
/// `grade` and `hint` (cli/grade.cpp).
void register_grade(CLI::App& app, Actions& actions);

}  // namespace archsim::cli
