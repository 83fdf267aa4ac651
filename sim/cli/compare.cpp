// `archsim compare`: two designs of one problem (or two scenario files) on
// the same workload and the same random numbers, side by side.
#include <cmath>
#include <iostream>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "archsim/output.hpp"
#include "archsim/output_file.hpp"
#include "archsim/text.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/reporting.hpp"
#include "report/replications.hpp"
#include "report/sweep.hpp"

namespace fs = std::filesystem;

namespace archsim::cli {

namespace {

struct CompareFlags {
  std::vector<std::string> files;
  std::vector<std::string> designs;
  LoadFlags load;
  std::string json;
  std::string report;
  bool quiet = false;
  ReplicationFlags reps;
  bool force = false;
};

/// `compare --replications N`: paired differences on common random numbers.
int compare_replicated(const CompareFlags& f, const std::vector<ScenarioSpec>& specs, const std::string& la,
                       const std::string& lb, const std::vector<std::string>& notes) {
  report::check_replication_flags(f.reps.n, f.reps.confidence);
  const report::Paired p =
      report::compare_replicated(specs[0], specs[1], f.reps.n, f.reps.confidence, f.reps.jobs);
  const bool json_stdout = f.json == "-";
  if (!f.json.empty()) {
    nlohmann::ordered_json j = report::paired_json(p, la, lb);
    j["notes"] = notes;
    const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (json_stdout) std::cout << text;
    else write_file_atomic(f.json, text);
  }
  if (!f.quiet) {
    std::ostream& out = json_stdout ? std::cerr : std::cout;
    for (const auto& n : notes) out << "note: " << n << '\n';
    report::print_paired(out, p, la, lb);
  }
  return 0;
}

/// What makes two workloads the same: traffic, duration, warm-up.
std::vector<std::string> workload_differences(const ScenarioSpec& a, const ScenarioSpec& b) {
  std::vector<std::string> d;
  if (a.duration != b.duration) d.push_back("duration");
  if (a.warmup != b.warmup) d.push_back("warmup");
  if (a.traffic.size() != b.traffic.size()) {
    d.push_back("traffic sources");
    return d;
  }
  for (std::size_t i = 0; i < a.traffic.size(); ++i) {
    const TrafficSpec &x = a.traffic[i], &y = b.traffic[i];
    bool same = x.name == y.name && x.to == y.to && x.rate == y.rate && x.users == y.users &&
                x.timeout == y.timeout && x.profile.size() == y.profile.size() &&
                x.think.str() == y.think.str();
    for (std::size_t k = 0; same && k < x.profile.size(); ++k)
      same = x.profile[k].at == y.profile[k].at && x.profile[k].x == y.profile[k].x &&
             x.profile[k].ramp == y.profile[k].ramp;
    if (!same) d.push_back("traffic '" + x.name + "'");
  }
  return d;
}

std::string label_of(const ScenarioSpec& s, const std::string& file) {
  if (!s.design_name.empty()) return s.design_name;
  if (!s.design_file.empty()) return fs::path(s.design_file).stem().string();
  return fs::path(file).stem().string();
}

/// "+12.3%" (or "-" when there is nothing to compare against).
std::string rel(double a, double b) {
  if (a == 0 && b == 0) return "0";
  if (a == 0) return "new";
  return fmt::format("{:+.1f}%", (b - a) / a * 100);
}

std::string pp(double a, double b) { return fmt::format("{:+.1f} pp", (b - a) * 100); }

double error_rate(const RunResult& r) {
  const double done = static_cast<double>(r.completed + r.failed);
  return done > 0 ? static_cast<double>(r.failed) / done : 0.0;
}

struct Flip {
  std::string slo;
  bool from, to;
};

std::vector<Flip> flips(const RunResult& a, const RunResult& b) {
  std::vector<Flip> out;
  for (const SloCheck& x : a.slo)
    for (const SloCheck& y : b.slo)
      if (x.name == y.name && x.pass != y.pass) out.push_back({x.name, x.pass, y.pass});
  return out;
}

// One row of the side-by-side table: a name, both values, the change.
struct Rows {
  std::ostream& out;
  std::size_t w;
  void operator()(const std::string& name, const std::string& x, const std::string& y, const std::string& d,
                  const std::string& note = "") const {
    fmt::print(out, "  {:<22} {:>{}} {:>{}} {:>12}{}\n", name, x, w, y, w, d, note);
  }
};

// Each SLO both runs check, with its flip.
void slo_rows(const Rows& row, const RunResult& a, const RunResult& b) {
  for (const SloCheck& x : a.slo) {
    const SloCheck* y = nullptr;
    for (const SloCheck& c : b.slo)
      if (c.name == x.name) y = &c;
    if (!y) continue;
    const std::string flip = x.pass == y->pass ? "" : (x.pass ? "  pass -> FAIL" : "  FAIL -> pass");
    // "none": a latency SLO with no successful request has no value to compare.
    const auto actual = [](const SloCheck& c) {
      return c.measured ? slo_text(c.name, c.actual) : std::string("none");
    };
    row("  " + x.name + " (" + slo_text(x.name, x.target) + ")", actual(x) + (x.pass ? "" : " !"),
        actual(*y) + (y->pass ? "" : " !"),
        !x.measured || !y->measured ? ""
        : x.name == "error_rate"    ? pp(x.actual, y->actual)
                                    : rel(x.actual, y->actual),
        flip);
  }
}

// Throughput, latency, failures by kind and cost.
void total_rows(const Rows& row, const report::Analysis& A, const report::Analysis& B) {
  const RunResult &a = A.result, &b = B.result;
  row("throughput (req/s)", fmt::format("{:.1f}", a.throughput_rps), fmt::format("{:.1f}", b.throughput_rps),
      rel(a.throughput_rps, b.throughput_rps));
  const std::pair<const char*, double LatencyStats::*> lat[] = {
      {"latency mean", &LatencyStats::mean},  {"latency p50", &LatencyStats::p50},
      {"latency p90", &LatencyStats::p90},    {"latency p99", &LatencyStats::p99},
      {"latency p99.9", &LatencyStats::p999}, {"latency max", &LatencyStats::max}};
  for (const auto& [name, field] : lat)
    row(name, human_duration(a.latency.*field), human_duration(b.latency.*field),
        rel(a.latency.*field, b.latency.*field));
  row("failed", fmt::format("{} ({:.1f}%)", human_count(a.failed), error_rate(a) * 100),
      fmt::format("{} ({:.1f}%)", human_count(b.failed), error_rate(b) * 100),
      pp(error_rate(a), error_rate(b)));
  std::set<std::string> kinds;
  for (const auto& [k, v] : a.errors) kinds.insert(k);
  for (const auto& [k, v] : b.errors) kinds.insert(k);
  for (const std::string& k : kinds) {
    const auto ia = a.errors.find(k), ib = b.errors.find(k);
    const double x = ia == a.errors.end() ? 0.0 : static_cast<double>(ia->second);
    const double y = ib == b.errors.end() ? 0.0 : static_cast<double>(ib->second);
    row("  " + k, human_count(static_cast<std::uint64_t>(x)), human_count(static_cast<std::uint64_t>(y)),
        rel(x, y));
  }
  row("cost per hour", report::format_price(A.cost.per_hour), report::format_price(B.cost.per_hour),
      rel(A.cost.per_hour, B.cost.per_hour));
  if (A.cost.budget || B.cost.budget)
    row("  within budget", A.cost.within_budget() ? "yes" : "NO", B.cost.within_budget() ? "yes" : "NO", "");
}

// Components present in both, by name, and those in one only.
void component_rows(const Rows& row, const RunResult& a, const RunResult& b, const std::string& la,
                    const std::string& lb) {
  fmt::print(row.out, "\n  {:<22} {:>{}} {:>{}} {:>12}\n", "utilisation / p99", la, row.w, lb, row.w,
             "change");
  for (const ComponentResult& x : a.components) {
    const ComponentResult* y = nullptr;
    for (const ComponentResult& c : b.components)
      if (c.name == x.name) y = &c;
    if (!y) {
      row(x.name, "", "(absent)", "");
      continue;
    }
    if (x.workers > 0 || y->workers > 0)
      row(x.name + " util", fmt::format("{:.1f}%", x.utilization * 100),
          fmt::format("{:.1f}%", y->utilization * 100), pp(x.utilization, y->utilization));
    row(x.name + " p99", human_duration(x.latency.p99), human_duration(y->latency.p99),
        rel(x.latency.p99, y->latency.p99));
  }
  for (const ComponentResult& y : b.components) {
    bool in_a = false;
    for (const ComponentResult& c : a.components) in_a = in_a || c.name == y.name;
    if (!in_a) row(y.name, "(absent)", y.workers > 0 ? fmt::format("{:.1f}%", y.utilization * 100) : "", "");
  }
}

void print_compare(std::ostream& out, const report::Analysis& A, const report::Analysis& B,
                   const std::string& la, const std::string& lb, const std::vector<std::string>& notes) {
  const RunResult &a = A.result, &b = B.result;
  fmt::print(out, "{}: {} vs {} (seed {}, {} simulated, same random numbers)\n", printable(a.scenario),
             printable(la), printable(lb), a.seed, human_duration(a.sim_time_s));
  for (const auto& n : notes) fmt::print(out, "note: {}\n", n);
  const std::size_t w = std::max<std::size_t>({16, la.size(), lb.size()});
  fmt::print(out, "\n  {:<22} {:>{}} {:>{}} {:>12}\n", "", la, w, lb, w, "change");
  const Rows row{out, w};
  row("verdict", A.pass() ? "pass" : "FAIL", B.pass() ? "pass" : "FAIL", "");
  slo_rows(row, a, b);
  total_rows(row, A, B);
  component_rows(row, a, b, la, lb);

  const auto fl = flips(a, b);
  if (fl.empty()) {
    fmt::print(out, "\nNo SLO changes its verdict.\n");
  } else {
    std::string s;
    for (const Flip& f : fl)
      s += (s.empty() ? "" : ", ") + fmt::format("{} ({})", f.slo, f.from ? "pass -> FAIL" : "FAIL -> pass");
    fmt::print(out, "\nSLOs that flip: {}\n", s);
  }
  fmt::print(out, "\nWhy {}: {}\n", la, A.why.headline);
  fmt::print(out, "Why {}: {}\n", lb, B.why.headline);
}

using Inputs = std::vector<std::pair<std::string, LoadOptions>>;

// The two runs: one problem with two designs, or two scenario files.
Inputs compare_inputs(const CompareFlags& f) {
  LoadOptions base = f.load.options();
  Inputs inputs;
  if (f.files.size() == 1 && f.designs.size() == 2) {
    for (const std::string& d : f.designs) {
      LoadOptions o = base;
      o.design = d;
      inputs.emplace_back(f.files[0], o);
    }
  } else if (f.files.size() == 2 && f.designs.empty()) {
    for (const std::string& file : f.files) inputs.emplace_back(file, base);
  } else {
    throw InputError(
        {Diagnostic{"compare",
                    {},
                    "expected two scenario files (archsim compare A.yaml B.yaml) or one problem and two "
                    "designs (archsim compare problem.yaml --design a.yaml --design b.yaml)"}});
  }
  return inputs;
}

// Load both before running either: every problem of both files at once.
std::vector<ScenarioSpec> load_both(const CompareFlags& f, const Inputs& inputs) {
  std::vector<ScenarioSpec> specs;
  std::vector<Diagnostic> problems;
  for (const auto& [file, o] : inputs) {
    try {
      specs.push_back(load_scenario(file, o));
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.diagnostics().begin(), e.diagnostics().end());
    }
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  {
    std::vector<std::string> in;
    for (const auto& [file, o] : inputs) in.push_back(file);
    for (const ScenarioSpec& s : specs) in.push_back(s.design_file);
    check_outputs({{"--json", f.json}, {"--report", f.report}}, in);
  }

  return specs;
}

// What makes the comparison less than like for like (and the seed both use).
std::vector<std::string> comparison_notes(std::vector<ScenarioSpec>& specs) {
  std::vector<std::string> notes;
  if (specs[0].seed != specs[1].seed) {
    notes.push_back(fmt::format("the files give different seeds ({} and {}): both run with {}", specs[0].seed,
                                specs[1].seed, specs[0].seed));
    specs[1].seed = specs[0].seed;
  }
  const auto diff = workload_differences(specs[0], specs[1]);
  if (!diff.empty()) {
    std::string s;
    for (const auto& d : diff) s += (s.empty() ? "" : ", ") + d;
    notes.push_back("the workloads differ (" + s + "): the comparison is not like for like");
  }
  return notes;
}

void write_compare_json(const CompareFlags& f, const report::Analysis& A, const report::Analysis& B,
                        const std::string& la, const std::string& lb, const std::vector<std::string>& notes) {
  const bool json_stdout = f.json == "-" || f.report == "-";
  nlohmann::ordered_json j;
  j["scenario"] = A.result.scenario;
  j["seed"] = A.result.seed;
  j["labels"] = {la, lb};
  nlohmann::ordered_json ja = to_json_deterministic(A.result), jb = to_json_deterministic(B.result);
  report::add_to_json(ja, A);
  report::add_to_json(jb, B);
  j["a"] = ja;
  j["b"] = jb;
  nlohmann::ordered_json fl = nlohmann::ordered_json::array();
  for (const Flip& x : flips(A.result, B.result))
    fl.push_back({{"slo", x.slo}, {"a", x.from ? "pass" : "fail"}, {"b", x.to ? "pass" : "fail"}});
  j["flips"] = fl;
  j["notes"] = notes;
  const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  if (json_stdout) std::cout << text;
  else write_file_atomic(f.json, text);
}

void write_compare_report(const CompareFlags& f, const Inputs& inputs, const report::Analysis& A,
                          const report::Analysis& B, const std::string& la, const std::string& lb) {
  report::ReportRun ra, rb;
  ra.label = la;
  rb.label = lb;
  ra.analysis = &A;
  rb.analysis = &B;
  ra.config = config_files(inputs[0].first, inputs[0].second);
  rb.config = config_files(inputs[1].first, inputs[1].second);
  ra.picture = architecture_picture(inputs[0].first, inputs[0].second);
  rb.picture = architecture_picture(inputs[1].first, inputs[1].second);
  write_file_atomic(f.report, report::compare_html(ra, rb));
}

int compare(const CompareFlags& f) {
  const Inputs inputs = compare_inputs(f);
  std::vector<ScenarioSpec> specs = load_both(f, inputs);
  const std::vector<std::string> notes = comparison_notes(specs);
  {
    Batch b;
    b.specs = specs;
    b.each = static_cast<double>(std::max<std::size_t>(f.reps.n, 1));
    b.at_once =
        f.reps.n ? (f.reps.jobs ? f.reps.jobs : std::max(1u, std::thread::hardware_concurrency())) : 2;
    b.what = f.reps.n ? fmt::format("this comparison of 2 x {} replications", f.reps.n)
                      : "this comparison of 2 runs";
    check_budget(b, f.force);
  }
  std::string la = label_of(specs[0], inputs[0].first), lb = label_of(specs[1], inputs[1].first);
  if (la == lb) la = "A: " + la, lb = "B: " + lb;

  if (f.reps.replicated()) {
    if (!f.report.empty())
      throw InputError({Diagnostic{"--report", {}, "not available with --replications yet: use --json"}});
    return compare_replicated(f, specs, la, lb, notes);
  }
  const std::vector<report::Analysis> runs = report::run_parallel(specs, 2);
  const report::Analysis &A = runs[0], &B = runs[1];

  const bool json_stdout = f.json == "-" || f.report == "-";
  if (!f.json.empty()) write_compare_json(f, A, B, la, lb, notes);
  if (!f.quiet) print_compare(json_stdout ? std::cerr : std::cout, A, B, la, lb, notes);
  if (!f.report.empty()) write_compare_report(f, inputs, A, B, la, lb);
  return 0;
}

}  // namespace

void register_compare(CLI::App& app, Actions& actions) {
  static CompareFlags f;
  auto* cmd =
      app.add_subcommand("compare", "Run two designs on the same workload and random numbers, side by side");
  cmd->add_option("files", f.files, "Two scenario files, or one problem with two --design")
      ->required()
      ->expected(1, 2);
  cmd->add_option("--design", f.designs, "A design file (give two)");
  cmd->add_option("--seed", f.load.seed, "Random seed for both (overrides the files)");
  cmd->add_option("--duration", f.load.duration, "Simulated time for both, e.g. 10m");
  cmd->add_option("--json", f.json, "Write both results and the flips as JSON to FILE, or - for stdout");
  cmd->add_option("--report", f.report, "Write a self-contained HTML report to FILE");
  cmd->add_flag("--quiet,-q", f.quiet, "No table");
  add_replication_options(cmd, f.reps);
  add_force_option(cmd, f.force);
  cmd->callback([&actions] { actions.push_back([] { return compare(f); }); });
}

}  // namespace archsim::cli
