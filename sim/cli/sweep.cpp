// `archsim sweep`: one scenario over a grid of one or two parameters, or the
// smallest value of one that meets the SLOs (--find-min). Every point runs
// with the same seed; points run in parallel, one simulation per thread.
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "archsim/output_file.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/library.hpp"
#include "cli/reporting.hpp"
#include "report/edit.hpp"
#include "report/sweep.hpp"

namespace archsim::cli {

namespace {

struct SweepFlags {
  std::string file;
  LoadFlags load;
  std::vector<std::string> sets;
  std::string find_min;
  std::string until = "slo";
  unsigned jobs = 0;
  std::size_t replications = 0;
  bool replications_asked = false;  ///< -n given (then 0 is refused, not a single run)
  double confidence = 0.95;
  std::string csv, json, report;
  bool quiet = false;
  bool force = false;
};

[[noreturn]] void bad(const std::string& flag, const std::string& msg) {
  throw InputError({Diagnostic{flag, {}, msg}});
}

// A graded problem's world and goals are not a design's to vary: a sweep
// of `slo.latency_p99=100s` or `traffic.shoppers.rate=10/s` printed "pass"
// for a question the problem does not ask (hard4).
void check_owned(bool graded, const report::Target& t, const std::string& flag) {
  if (!graded || t.doc != 0) return;
  bad(flag, fmt::format("{}: the problem owns it (its world and its goals); a sweep of a graded problem "
                        "varies the design's values (e.g. api.replicas), or copy the problem to explore "
                        "another world",
                        t.path));
}

// --find-min PATH[=LO:HI]: the smallest passing value, by search.
report::SweepResult search(const SweepFlags& f, const report::Documents& docs, const report::Criterion& crit,
                           const report::Repeat& repeat, bool graded) {
  if (!f.sets.empty()) bad("--find-min", "give either --set (a grid) or --find-min (a search), not both");
  // PATH, or PATH=LO:HI
  const auto eq = f.find_min.find('=');
  const std::string path = f.find_min.substr(0, eq);
  double lo = 1;
  std::optional<double> hi;
  report::Axis axis = report::parse_axis(docs, path + "=1,1");  // the target and its unit
  check_owned(graded, axis.target, "--find-min");
  if (eq != std::string::npos) {
    const std::string range = f.find_min.substr(eq + 1);
    const auto colon = range.find(':');
    const auto a = report::split_number(range.substr(0, colon));
    const auto b = colon == std::string::npos ? std::nullopt : report::split_number(range.substr(colon + 1));
    if (!a || (colon != std::string::npos && !b) || colon == std::string::npos)
      bad("--find-min",
          fmt::format("{}: expected PATH or PATH=LO:HI with whole numbers, e.g. db.workers=8:256",
                      f.find_min));
    lo = a->first;
    hi = b->first;
    if (*hi < lo) bad("--find-min", fmt::format("{}: LO must not be above HI", f.find_min));
  }
  axis.values.clear();
  // The cost check on the most values the search may run, each at the
  // dearer end of the range.
  cli::Batch b;
  b.specs.push_back(report::load_edited(docs, {{axis.target, axis.text(lo)}}));
  if (hi) b.specs.push_back(report::load_edited(docs, {{axis.target, axis.text(*hi)}}));
  const std::size_t probes = report::find_min_probes(lo, hi, f.jobs);
  b.each = static_cast<double>(probes * std::max<std::size_t>(f.replications, 1)) /
           static_cast<double>(b.specs.size());
  b.at_once = f.jobs ? f.jobs : std::max(1u, std::thread::hardware_concurrency());
  b.what = fmt::format("this search of up to {} values{}", probes,
                       f.replications ? fmt::format(" x {} replications", f.replications) : "");
  check_budget(b, f.force);
  return report::find_min(docs, axis, lo, hi, crit, f.jobs, repeat);
}

// --set PATH=... (one or two): every point of the grid.
report::SweepResult grid(const SweepFlags& f, const report::Documents& docs, const report::Criterion& crit,
                         const report::Repeat& repeat, bool graded) {
  if (f.sets.empty() || f.sets.size() > 2)
    bad("--set",
        "give one or two --set PATH=FROM:TO:STEP (e.g. --set api.replicas=2:20:2), or --find-min PATH");
  std::vector<report::Axis> axes;
  for (const std::string& s : f.sets) {
    axes.push_back(report::parse_axis(docs, s));
    check_owned(graded, axes.back().target, "--set");
  }
  cli::Batch b;
  b.specs = report::grid_specs(docs, axes);
  b.each = static_cast<double>(std::max<std::size_t>(f.replications, 1));
  b.at_once = f.jobs ? f.jobs : std::max(1u, std::thread::hardware_concurrency());
  b.what = fmt::format("this sweep of {} point{}{}", b.specs.size(), b.specs.size() == 1 ? "" : "s",
                       f.replications ? fmt::format(" x {} replications", f.replications) : "");
  check_budget(b, f.force);
  return report::run_sweep(docs, axes, crit, f.jobs, repeat);
}

int sweep(const SweepFlags& given) {
  SweepFlags f = given;
  resolve_library(f.file, f.load.design);
  const LoadOptions opt = f.load.options();
  // The files as they are must load: their own problems come first, with
  // their own positions.
  const ScenarioSpec base = load_scenario(f.file, opt);
  check_outputs({{"--csv", f.csv}, {"--json", f.json}, {"--report", f.report}}, {f.file, base.design_file});
  const report::Documents docs = report::read_documents(f.file, opt);
  report::Criterion crit;
  crit.what = f.until;
  const report::Repeat repeat{f.replications, f.confidence};
  if (f.replications || f.replications_asked) report::check_replication_flags(f.replications, f.confidence);

  const report::SweepResult result = f.find_min.empty()
                                         ? grid(f, docs, crit, repeat, base.contract != nullptr)
                                         : search(f, docs, crit, repeat, base.contract != nullptr);

  if (!f.csv.empty()) {
    std::ostringstream s;
    report::write_sweep_csv(s, result);
    write_file_atomic(f.csv, s.str());
  }
  const bool json_stdout = f.json == "-" || f.csv == "-" || f.report == "-";
  // A graded problem's sweep under another --duration, --seed or --backend
  // is practice: its pass/FAIL are not the problem's verdicts (as `grade`).
  const std::string practice = base.contract ? base.run_changed : std::string();
  if (!f.json.empty()) {
    nlohmann::ordered_json j = report::sweep_json(result);
    if (!practice.empty()) j["practice"] = practice;
    const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (json_stdout) std::cout << text;
    else write_file_atomic(f.json, text);
  }
  if (!f.quiet) {
    std::ostream& out = json_stdout ? std::cerr : std::cout;
    if (!practice.empty())
      out << "PRACTICE (" << practice
          << "): not the problem's run, so pass/FAIL below are not its verdicts\n";
    report::print_sweep(out, result);
  }
  if (!f.report.empty()) write_file_atomic(f.report, report::sweep_html(result, config_files(f.file, opt)));
  return 0;
}

}  // namespace

void register_sweep(CLI::App& app, Actions& actions) {
  static SweepFlags f;
  auto* cmd = app.add_subcommand("sweep", "Run a scenario over a range of values of one or two parameters");
  cmd->add_option("file", f.file, "Scenario file (YAML)")->required();
  add_load_options(cmd, f.load);
  cmd->add_option(
      "--set", f.sets,
      "PATH=FROM:TO:STEP or PATH=A,B,C, e.g. api.replicas=2:20:2 or traffic.shoppers.rate=500:3000:500 "
      "(one or two)");
  cmd->add_option("--find-min", f.find_min,
                  "PATH[=LO:HI]: the smallest whole value of PATH that passes --until (binary search)");
  cmd->add_option("--until", f.until,
                  "What passing means: slo (every SLO, default), all (SLOs and budget), or an "
                  "SLO's name");
  cmd->add_option("--jobs,-j", f.jobs, "Simulations at once (default: every core)");
  cmd->add_option("--replications,-n", f.replications,
                  "N replications per point (seeds derived from --seed): intervals, and a point passes only "
                  "when it passes at --confidence")
      ->each([](const std::string&) { f.replications_asked = true; });
  cmd->add_option("--confidence", f.confidence, "Confidence level of the intervals (default 0.95)");
  cmd->add_option("--csv", f.csv, "Write one row per point to FILE");
  cmd->add_option("--json", f.json, "Write the points as JSON to FILE, or - for stdout");
  cmd->add_option("--report", f.report, "Write a self-contained HTML report to FILE");
  cmd->add_flag("--quiet,-q", f.quiet, "No table");
  add_force_option(cmd, f.force);
  cmd->callback([&actions] { actions.push_back([] { return sweep(f); }); });
}

}  // namespace archsim::cli
