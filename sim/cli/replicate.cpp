// `archsim run FILE --replications N`: N independent replications on threads,
// every headline figure as a mean with a confidence interval, and the SLO
// verdicts as pass / fail / inconclusive.
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "archsim/output_file.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/reporting.hpp"
#include "report/analysis.hpp"
#include "report/replications.hpp"

namespace archsim::cli {

void add_replication_options(CLI::App* cmd, ReplicationFlags& f) {
  cmd->add_option(
         "--replications,-n", f.n,
         "Run N independent replications (seeds derived from --seed) and report means with confidence "
         "intervals")
      ->each([&f](const std::string&) { f.asked = true; });  // -n 0 ran once, silently (hard4)
  cmd->add_option("--confidence", f.confidence, "Confidence level of the intervals (default 0.95)");
  cmd->add_option("--jobs,-j", f.jobs,
                  "Replications at once (default: every core); results do not depend on it");
}

int run_replications(const ReplicatedRun& f) {
  report::check_replication_flags(f.reps.n, f.reps.confidence);
  ScenarioSpec spec = load_scenario(f.file, f.load.options());
  if (!select_backend(f.backend, spec)) return 2;
  // Every output can be written, and the replications are affordable,
  // before any of them runs (exit 2).
  check_outputs({{"--json", f.json}, {"--report", f.report}}, {f.file, spec.design_file});
  Batch b;
  b.specs = {spec};
  b.each = static_cast<double>(f.reps.n + (f.report.empty() ? 0 : 1));  // --report runs replication 1 again
  b.at_once = f.reps.jobs ? f.reps.jobs : std::max(1u, std::thread::hardware_concurrency());
  b.what = fmt::format("these {} replications", f.reps.n);
  check_budget(b, f.force);
  const report::Replications r = report::replicate(spec, f.reps.n, f.reps.confidence, f.reps.jobs);
  const bool json_stdout = f.json == "-";
  if (!f.json.empty()) {
    const std::string text =
        report::replications_json(r).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
        "\n";
    if (json_stdout) std::cout << text;
    else write_file_atomic(f.json, text);
  }
  if (!f.quiet) report::print_replications(json_stdout ? std::cerr : std::cout, r);
  if (!f.report.empty()) {
    // The charts show replication 1: run it again with its ticks.
    ScenarioSpec first = spec;
    first.seed = r.runs.front().seed;
    const report::Analysis a = report::run_analysed(first);
    report::ReportRun run;
    run.label = (a.spec.design_name.empty() ? "" : a.spec.design_name + ", ") + "replication 1";
    run.analysis = &a;
    run.config = config_files(f.file, f.load.options());
    run.picture = architecture_picture(f.file, f.load.options());
    run.lead_html = report::replications_html(r);
    write_file_atomic(f.report, report::run_html(run));
  }
  // --fail-on-slo: only a verdict that is surely a failure fails the command.
  return (f.fail_on_slo && r.overall() == report::IntervalVerdict::Outcome::Fail) ? 3 : 0;
}

}  // namespace archsim::cli
