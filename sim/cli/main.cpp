// archsim: the command line. Exit codes: 0 done, 1 anything else, 2 bad
// input (nothing simulated), 3 an SLO failed and --fail-on-slo was given.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"
#include "cli/commands.hpp"
#include "cli/reporting.hpp"
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

/// A file that appears complete or not at all: written beside, then renamed.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp" + std::to_string(getpid())) {
    out_.open(tmp_, std::ios::binary);
    if (!out_) throw std::runtime_error("cannot write " + path_);
  }
  ~AtomicFile() {
    if (!committed_) {
      out_.close();
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  std::ostream& stream() { return out_; }
  void commit() {
    out_.close();
    if (!out_) throw std::runtime_error("error writing " + path_);
    fs::rename(tmp_, path_);
    committed_ = true;
  }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

void add_load_options(CLI::App* cmd, LoadFlags& f) {
  cmd->add_option("--design", f.design, "Design file (overrides design: in the scenario)");
  cmd->add_option("--seed", f.seed, "Random seed (overrides seed: in the file)");
  cmd->add_option("--duration", f.duration, "Simulated time, e.g. 10m (overrides duration:)");
}

LoadOptions LoadFlags::options() const {
  LoadOptions o;
  if (!design.empty()) o.design = design;
  if (seed) o.seed = *seed;
  if (!duration.empty()) {
    const auto d = parse_duration(duration);
    if (!d || *d <= 0)
      throw InputError({Diagnostic{"--duration", {}, "expected a positive duration with a unit, e.g. 10m or 30s"}});
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
};

int cmd_run(const RunFlags& f) {
  if (f.reps.n > 0)
    return run_replications({f.file, f.load, f.backend, f.reps, f.json, f.report, f.quiet, f.fail_on_slo});
  ScenarioSpec spec = load_scenario(f.file, f.load.options());
  if (!f.backend.empty()) {
    if (f.backend != "fast" && (f.backend != "simgrid" || !simgrid_available())) {
      std::cerr << "archsim: backend '" << f.backend << "' is not available in this build (valid: "
                << (simgrid_available() ? "fast, simgrid" : "fast") << ")\n";
      return 2;
    }
    spec.backend = f.backend;  // the flag wins over `backend:` in the file
  }
  RunOptions opt;
  opt.progress = !f.quiet && isatty(STDERR_FILENO);
  opt.backend = spec.backend;
  Simulation sim(spec, opt);
  std::optional<AtomicFile> tl;
  std::optional<TimelineWriter> writer;
  if (!f.timeline.empty()) {
    tl.emplace(f.timeline);
    writer.emplace(tl->stream(), sim);
    sim.add_observer(&*writer);
  }
  report::Recorder recorder;  // the ticks behind the explanation and the report
  sim.add_observer(&recorder);
  const RunResult& r = sim.run();
  if (tl) tl->commit();
  const report::Analysis analysis = report::analyse(sim, recorder);
  const bool json_stdout = f.json == "-";
  if (!f.json.empty()) {
    nlohmann::ordered_json j = to_json(r);
    report::add_to_json(j, analysis);
    const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (json_stdout) {
      std::cout << text;
    } else {
      AtomicFile out(f.json);
      out.stream() << text;
      out.commit();
    }
  }
  if (!f.quiet) {
    print_summary(json_stdout ? std::cerr : std::cout, r);
    report::print_verdict(json_stdout ? std::cerr : std::cout, analysis);
  }
  if (!f.report.empty()) write_run_report(f.report, f.file, f.load, analysis);
  return (f.fail_on_slo && !analysis.pass()) ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archsim: a system-design sandbox and simulator"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "archsim 0.1.0");

  RunFlags run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and print its summary");
  run_cmd->add_option("file", run.file, "Scenario file (YAML)")->required();
  add_load_options(run_cmd, run.load);
  run_cmd->add_option("--backend", run.backend, "Resource backend: fast (default) or simgrid (shared cores and links)");
  run_cmd->add_option("--json", run.json, "Write the result as JSON to FILE, or - for stdout");
  run_cmd->add_option("--timeline", run.timeline, "Write a per-second time series (JSON lines) to FILE");
  run_cmd->add_flag("--quiet,-q", run.quiet, "No summary, no progress line");
  run_cmd->add_flag("--fail-on-slo", run.fail_on_slo, "Exit with code 3 when an SLO (or the budget) fails");
  run_cmd->add_option("--report", run.report, "Write a self-contained HTML report to FILE");
  add_replication_options(run_cmd, run.reps);

  Actions actions;
  run_cmd->callback([&] { actions.push_back([&] { return cmd_run(run); }); });
  register_commands(app, actions);
  register_grade(app, actions);

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
  } catch (const std::exception& e) {
    std::cerr << "archsim: error: " << e.what() << '\n';
    return 1;
  }
}
