// archsim: the command line. Exit codes: 0 done, 1 anything else, 2 bad
// input (nothing simulated), 3 an SLO failed and --fail-on-slo was given.
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/output_file.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/exports.hpp"
#include "cli/help.hpp"
#include "cli/library.hpp"
#include "cli/reporting.hpp"
#include "ranks/ranks.hpp"
#include "spec/limits.hpp"
#ifdef ARCHSIM_WITH_VIEW
#include "archsim/view.hpp"
#endif

namespace fs = std::filesystem;
using namespace archsim;

namespace archsim::cli {

int print_input_error(const InputError& e) {
  for (const Diagnostic& d : e.diagnostics()) std::cerr << d.str() << '\n';
  const auto n = e.diagnostics().size();
  std::cerr << n << (n == 1 ? " error" : " errors") << "; nothing was simulated\n";
  return 2;
}

void add_load_options(CLI::App* cmd, LoadFlags& f) {
  cmd->add_option("--design", f.design, "Design file (overrides design: in the scenario)");
  // Digits only, within 64 bits: CLI11 would turn -1 (or 2^64) into 2^64-1.
  const CLI::Validator seed_digits(
      [](std::string& s) -> std::string {
        std::uint64_t v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size())
          return "expected a whole number from 0 to 18446744073709551615, got '" + s + "'";
        return "";
      },
      "SEED");
  cmd->add_option("--seed", f.seed, "Random seed (overrides seed: in the file)")->check(seed_digits);
  cmd->add_option("--duration", f.duration, "Simulated time, e.g. 10m (overrides duration:)");
}

LoadOptions LoadFlags::options() const {
  LoadOptions o;
  if (!design.empty()) o.design = design;
  if (seed) o.seed = *seed;
  if (!duration.empty()) {
    const auto d = parse_duration(duration);
    if (!d || *d <= 0)
      throw InputError(
          {Diagnostic{"--duration", {}, "expected a positive duration with a unit, e.g. 10m or 30s"}});
    if (!std::isfinite(*d) || *d > limits::kDuration.max)
      throw InputError({Diagnostic{
          "--duration",
          {},
          fmt::format("must be at most {:.0f}s (see Limits in the README)", limits::kDuration.max)}});
    o.duration = *d;
  }
  return o;
}

}  // namespace archsim::cli

namespace {

using namespace archsim::cli;

struct RunFlags {
  std::string file;
  LoadFlags load;
  std::string backend;
  std::string json;
  std::string timeline;
  bool quiet = false;
  bool fail_on_slo = false;
  std::string report;
  ReplicationFlags reps;
  ExportFlags exports;
  bool force = false;
  bool partial = false;
};

std::atomic<bool> g_stop{false};  // set by SIGINT/SIGTERM with --partial

int cmd_run(RunFlags f) {
  resolve_library(f.file, f.load.design);  // `archsim run black-friday`: a library problem by name
  if (f.reps.replicated()) {
    // Outputs of one run's time series have no meaning across replications:
    // refuse them rather than write one replication's or none.
    const bool series = !f.timeline.empty() || !f.exports.metrics.empty() || !f.exports.csv.empty() ||
                        !f.exports.traces.empty();
    if (series) {
      std::cerr << "archsim: --timeline, --metrics, --csv and --traces describe one run; with --replications "
                   "use --json or --report (or run one seed without --replications)\n";
      return 2;
    }
    return run_replications(
        {f.file, f.load, f.backend, f.reps, f.json, f.report, f.quiet, f.fail_on_slo, f.force});
  }
  ScenarioSpec spec = load_scenario(f.file, f.load.options());
  // Every output can be written, before minutes of simulation (exit 2).
  // The exports too: `--csv FILE` of the scenario itself replaced it (hard4).
  check_outputs({{"--json", f.json},
                 {"--timeline", f.timeline},
                 {"--report", f.report},
                 {"--metrics", f.exports.metrics},
                 {"--csv", f.exports.csv},
                 {"--traces", f.exports.traces}},
                {f.file, spec.design_file});
  check_budget(spec, /*keep_ticks=*/true, f.force);  // the explanation keeps every tick
  if (!select_backend(f.backend, spec)) return 2;
  RunOptions opt;
  opt.progress = !f.quiet && isatty(STDERR_FILENO);
  opt.backend = spec.backend;
  const int to_stdout = (f.json == "-") + (f.timeline == "-") + (f.report == "-") +
                        (f.exports.metrics == "-") + (f.exports.csv == "-") + (f.exports.traces == "-");
  if (to_stdout > 1)
    throw InputError({Diagnostic{"-", {}, "only one output can go to standard output (-) at a time"}});
  Exports exports(f.exports, spec.seed);
  opt.tracer = exports.tracer();
  if (f.partial) {
    opt.stop = &g_stop;
    stop_on_signal(&g_stop);
  }
  Simulation sim(spec, opt);
  std::optional<Output> tl;
  std::optional<TimelineWriter> writer;
  if (!f.timeline.empty()) {
    tl.emplace(f.timeline);
    writer.emplace(tl->stream(), sim);
    sim.add_observer(&*writer);
  }
  exports.attach(sim);
  report::Recorder recorder;  // the ticks behind the explanation and the report
  sim.add_observer(&recorder);
  const RunResult& r = sim.run();
  if (tl) tl->commit();
  exports.commit();
  const report::Analysis analysis = report::analyse(sim, recorder);
  const bool json_stdout = f.json == "-" || f.timeline == "-" || f.report == "-" || f.exports.uses_stdout();
  if (!f.json.empty()) {
    nlohmann::ordered_json j = to_json(r);
    report::add_to_json(j, analysis);
    const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (json_stdout) {
      std::cout << text;
    } else {
      write_output_file(f.json, text);
    }
  }
  set_colour(colour_wanted(json_stdout ? STDERR_FILENO : STDOUT_FILENO));
  if (!f.quiet) {
    print_summary(json_stdout ? std::cerr : std::cout, r);
    report::print_verdict(json_stdout ? std::cerr : std::cout, analysis);
  }
  if (!f.report.empty()) write_run_report(f.report, f.file, f.load, analysis);
  if (r.partial) {
    std::cerr << "archsim: stopped at " << format_duration(r.sim_time_s)
              << " of simulated time: what was written is the result so far (\"partial\": true)\n";
    return 128 + stop_signal();
  }
  return (f.fail_on_slo && !analysis.pass()) ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  remove_temporaries_on_signal();  // Ctrl-C leaves no half-written *.tmp<pid>
  // Under mpirun/srun every rank runs the same command; rank 0 alone prints
  // and writes files (see write_file_atomic, AtomicFile).
  ranks::init(&argc, &argv);
  if (ranks::rank() != 0) {
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr)) return 1;
  }
  CLI::App app{"archsim: a system-design sandbox and simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version,-v", version_text());

  RunFlags run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and print its summary");
  run_cmd->add_option("file", run.file, "Scenario file (YAML)")->required();
  add_load_options(run_cmd, run.load);
  run_cmd->add_option("--backend", run.backend,
                      "Resource backend: fast (default) or simgrid (shared cores and links)");
  run_cmd->add_option("--json", run.json, "Write the result as JSON to FILE, or - for stdout");
  run_cmd->add_option("--timeline", run.timeline,
                      "Write a per-second time series (JSON lines) to FILE, or - for stdout");
  add_export_options(run_cmd, run.exports);
  run_cmd->add_flag("--quiet,-q", run.quiet, "No summary, no progress line");
  run_cmd->add_flag("--fail-on-slo", run.fail_on_slo, "Exit with code 3 when an SLO (or the budget) fails");
  run_cmd->add_option("--report", run.report, "Write a self-contained HTML report to FILE");
  add_replication_options(run_cmd, run.reps);
  run_cmd->add_flag("--partial", run.partial,
                    "On Ctrl-C or SIGTERM, stop and write the result so far, marked \"partial\": true");
  add_force_option(run_cmd, run.force);

  Actions actions;
  run_cmd->callback([&] { actions.push_back([&] { return cmd_run(run); }); });
  register_commands(app, actions);
  register_grade(app, actions);

  if (const auto rc = answer_early(app, argc, argv)) return *rc;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    int rc = 0;
    for (auto& a : actions) rc = a();
    return rc;
  } catch (const InputError& e) {
    return print_input_error(e);
  } catch (const BackendUnavailable& e) {  // the simgrid module is missing or broken
    std::cerr << "archsim: error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "archsim: error: " << e.what() << '\n';
    return 1;
  }
}
