// `archsim check`: validate, then topology checks and napkin math; `--json`
// writes the estimate, `--compare-run` runs the simulation and sets the
// estimate beside what the run measured.
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <nlohmann/json.hpp>

#include "analysis/call_graph.hpp"
#include "analysis/estimate.hpp"
#include "analysis/platform_estimate.hpp"
#include "archsim/output.hpp"
#include "archsim/output_file.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/library.hpp"
#include "cli/platform_report.hpp"
#include "spec/platform_faults.hpp"

namespace archsim::cli {

namespace {

struct CheckFlags {
  std::string file;
  LoadFlags load;
  std::string json;  ///< --json FILE or "-"
  bool compare_run = false;
  bool force = false;
  std::string backend;  ///< --backend: the one a run would use (default: the file's)
};

std::string pct(double x) { return fmt::format("{:.0f}%", x * 100); }

/// "1,020/s", "12.5/s": a rate for people (format_rate round-trips exactly instead).
std::string rate_text(double r) {
  if (r >= 100) return human_count(static_cast<std::uint64_t>(std::llround(r))) + "/s";
  return fmt::format("{:.3g}/s", r);
}

/// What the napkin math says per component, one row each, then the notes.
void print_table(std::ostream& out, const Estimate& est) {
  std::size_t w = 9;
  for (const auto& c : est.components) w = std::max(w, c.name.size());
  fmt::print(out, "  {:<{}} {:>10} {:>11} {:>9} {:>8} {:>6} {:>6} {:>6} {:>9} {:>13}\n", "component", w,
             "visits/req", "arrivals/s", "hold", "workers", "util", "peak", "hit", "wait", "saturates at");
  for (const ComponentEstimate& c : est.components) {
    const bool svc = c.capacity > 0;
    std::string extra;
    if (svc && c.peak_utilization >= 1) extra += "  OVER 100%";
    if (c.pool_exhausted && *c.pool_exhausted >= 0.0005)
      extra += fmt::format("  pool: {} give up", fmt::format("{:.2g}%", *c.pool_exhausted * 100));
    if (c.rejected && *c.rejected >= 0.0005) extra += fmt::format("  {:.2g}% rejected", *c.rejected * 100);
    if (c.shed && *c.shed >= 0.0005) extra += fmt::format("  {:.2g}% shed", *c.shed * 100);
    if (c.rate_limited && *c.rate_limited >= 0.0005)
      extra += fmt::format("  {:.2g}% rate_limited", *c.rate_limited * 100);
    if (c.bulkhead_full && *c.bulkhead_full >= 0.0005)
      extra += fmt::format("  {:.2g}% bulkhead_full", *c.bulkhead_full * 100);
    const double wait = c.wait + c.pool_wait.value_or(0.0);
    fmt::print(out, "  {:<{}} {:>10.3g} {:>11.1f} {:>9} {:>8} {:>6} {:>6} {:>6} {:>9} {:>13}{}\n", c.name, w,
               c.visits, c.arrivals, human_duration(c.hold), svc ? fmt::format("{:.0f}", c.capacity) : "-",
               svc ? pct(c.utilization) : "-", svc ? pct(c.peak_utilization) : "-",
               c.hit_ratio ? fmt::format("{:.1f}%", *c.hit_ratio * 100) : "-",
               wait >= 1e-6 ? human_duration(wait) : "-",
               c.saturation_rate > 0 ? rate_text(c.saturation_rate) : "-", extra);
  }
  for (const std::string& n : est.notes) fmt::print(out, "  note: {}\n", n);
  for (const ComponentEstimate& c : est.components)
    if (!c.no_estimate.empty() && c.reachable)
      fmt::print(out, "  {}: no estimate: {}\n", c.name, c.no_estimate);
}

void print_limits(std::ostream& out, const Estimate& est) {
  if (est.first_limit) {
    const Estimate::Limit& l = *est.first_limit;
    const ComponentEstimate& c = est.components[static_cast<std::size_t>(l.component)];
    fmt::print(out, "\nSaturates first: {} ({}) when {} enter (the base rate is {} of that", c.name,
               l.cause == "workers" ? "all its workers busy" : "its connection pools: 1% of queries give up",
               rate_text(l.entry_rate), pct(est.entry_rate / l.entry_rate));
    if (est.peak_multiplier > 1)
      fmt::print(out, ", the profile's peak {}", pct(est.entry_rate * est.peak_multiplier / l.entry_rate));
    fmt::print(out, ").\n");
  }
  int over = 0;
  for (int i : est.saturation_order)
    if (est.components[static_cast<std::size_t>(i)].peak_utilization >= 1) ++over;
  if (over > 0)
    fmt::print(out, "{} component{} at or over 100% at peak: queues there grow without bound.\n", over,
               over == 1 ? " is" : "s are");
}

nlohmann::ordered_json estimate_json(const ScenarioSpec& spec, const Estimate& est) {
  nlohmann::ordered_json j;
  j["scenario"] = spec.name;
  j["entry_rate_rps"] = est.entry_rate;
  j["peak_multiplier"] = est.peak_multiplier;
  j["mean_multiplier"] = est.mean_multiplier;
  if (est.first_limit) {
    j["first_limit"] = {
        {"component", est.components[static_cast<std::size_t>(est.first_limit->component)].name},
        {"entry_rate_rps", est.first_limit->entry_rate},
        {"cause", est.first_limit->cause}};
  }
  auto& comps = j["components"] = nlohmann::ordered_json::object();
  for (const ComponentEstimate& c : est.components) {
    nlohmann::ordered_json e;
    e["kind"] = std::string(name_of(spec.components[static_cast<std::size_t>(c.index)].kind()));
    e["visits_per_request"] = c.visits;
    e["arrivals_rps"] = c.arrivals;
    e["hold_ms"] = c.hold * 1e3;
    e["workers"] = c.capacity;
    e["wait_ms"] = c.wait * 1e3;
    if (c.capacity > 0) {
      e["utilization"] = c.utilization;
      e["mean_utilization"] = c.mean_utilization;
      e["peak_utilization"] = c.peak_utilization;
      e["saturation_rate_rps"] = c.saturation_rate;
    }
    if (c.hit_ratio) e["hit_ratio"] = *c.hit_ratio;
    if (c.pool_wait) e["pool_wait_ms"] = *c.pool_wait * 1e3;
    if (c.pool_exhausted) e["pool_exhausted_share"] = *c.pool_exhausted;
    if (c.rejected) e["rejected_share"] = *c.rejected;
    if (c.shed) e["shed_share"] = *c.shed;
    if (c.bulkhead_full) e["bulkhead_full_share"] = *c.bulkhead_full;
    if (c.rate_limited) e["rate_limited_share"] = *c.rate_limited;
    e["estimate"] = c.no_estimate.empty();
    if (!c.no_estimate.empty()) e["no_estimate"] = c.no_estimate;
    comps[c.name] = e;
  }
  j["notes"] = est.notes;
  const PlatformEstimate p = estimate_platform(spec, est);
  if (p.declared || spec.backend == "simgrid") {
    for (const HostEstimate& h : p.host_list)
      j["platform"]["hosts"][h.name] = {{"cpu_utilization", h.utilization}};
    for (const LinkEstimate& l : p.link_list)
      j["platform"]["links"][l.name] = {
          {"utilization", l.utilization}, {"up_bytes_per_s", l.up}, {"down_bytes_per_s", l.down}};
  }
  return j;
}

double figure(const ComponentResult& r, const std::string& name, double fallback) {
  for (const Figure& f : r.figures)
    if (f.name == name) return f.value;
  return fallback;
}

/// The estimate beside the run, per component: the teaching moment.
void print_comparison(std::ostream& out, const ScenarioSpec& spec, const Estimate& est,
                      const RunResult& run) {
  fmt::print(
      out,
      "\nEstimate vs run ({} simulated, seed {}, measured after {} warm-up; utilisation averaged over it):\n",
      human_duration(run.sim_time_s), run.seed, human_duration(run.warmup_s));
  std::size_t w = 9;
  for (const auto& c : est.components) w = std::max(w, c.name.size());
  fmt::print(out, "  {:<{}} {:>10} {:>10} {:>8} {:>9} {:>9}  {}\n", "component", w, "est util", "run util",
             "off by", "est hit", "run hit", "verdict");
  for (std::size_t i = 0; i < est.components.size() && i < run.components.size(); ++i) {
    const ComponentEstimate& e = est.components[i];
    const ComponentResult& r = run.components[i];
    const bool util = e.capacity > 0;
    const double run_hit = figure(r, "hit_ratio", -1);
    std::string verdict;
    if (!e.no_estimate.empty()) verdict = "no estimate: " + e.no_estimate;
    else if (util && r.utilization >= 0.85)
      verdict = "busy (85% or more): queueing effects beyond the napkin";
    else if (util && r.utilization > 0 && std::abs(e.mean_utilization / r.utilization - 1) > 0.10)
      verdict = "OFF by more than 10%";
    else if (e.hit_ratio && run_hit >= 0 && std::abs(*e.hit_ratio - run_hit) > 0.03)
      verdict = "hit ratio OFF by more than 0.03";
    else verdict = util || e.hit_ratio ? "agrees" : "";
    fmt::print(out, "  {:<{}} {:>10} {:>10} {:>8} {:>9} {:>9}  {}\n", e.name, w,
               util ? fmt::format("{:.1f}%", e.mean_utilization * 100) : "-",
               util ? fmt::format("{:.1f}%", r.utilization * 100) : "-",
               util && r.utilization > 0
                   ? fmt::format("{:+.1f}%", (e.mean_utilization / r.utilization - 1) * 100)
                   : "-",
               e.hit_ratio ? fmt::format("{:.1f}%", *e.hit_ratio * 100) : "-",
               run_hit >= 0 ? fmt::format("{:.1f}%", run_hit * 100) : "-", verdict);
  }
  if (run.hosts.empty()) return;
  // The platform: CPU per host and load per link, estimated and measured.
  const PlatformEstimate p = estimate_platform(spec, est, /*window_mean=*/true);
  for (const LinkResult& l : run.links) w = std::max(w, l.name.size());
  for (const HostResult& h : run.hosts) w = std::max(w, h.name.size());
  fmt::print(out, "\n  {:<{}} {:>10} {:>10}\n", "host", w, "est cpu", "run cpu");
  for (const HostResult& h : run.hosts)
    for (const HostEstimate& e : p.host_list)
      if (e.name == h.name)
        fmt::print(out, "  {:<{}} {:>10} {:>10}\n", h.name, w, fmt::format("{:.1f}%", e.utilization * 100),
                   fmt::format("{:.1f}%", h.cpu_utilization * 100));
  if (!run.links.empty()) fmt::print(out, "  {:<{}} {:>10} {:>10}\n", "link", w, "est util", "run util");
  for (const LinkResult& l : run.links)
    for (const LinkEstimate& e : p.link_list)
      if (e.name == l.name && l.bandwidth < kUnlimitedBandwidth)
        fmt::print(out, "  {:<{}} {:>10} {:>10}\n", l.name, w, fmt::format("{:.1f}%", e.utilization * 100),
                   fmt::format("{:.1f}%", l.utilization * 100));
}

int check(const CheckFlags& given) {
  CheckFlags f = given;
  resolve_library(f.file, f.load.design);
  ScenarioSpec spec = load_scenario(f.file, f.load.options());
  check_outputs({{"--json", f.json}}, {f.file, spec.design_file});  // before any output or run (exit 2)
  if (!select_backend(f.backend, spec)) return 2;
  // Faults of hosts and links run on the simgrid backend only (exit 2).
  if (auto problems = platform_faults_need_simgrid(spec, spec.backend); !problems.empty())
    throw InputError(std::move(problems));
  const bool json_only = f.json == "-";
  std::ostream& out = std::cout;
  std::ostringstream sink;
  std::ostream& text = json_only ? static_cast<std::ostream&>(sink) : out;
  fmt::print(text, "{}: valid ({} component{}, {} traffic source{})\n", f.file, spec.components.size(),
             spec.components.size() == 1 ? "" : "s", spec.traffic.size(),
             spec.traffic.size() == 1 ? "" : "s");

  const auto est = estimate(spec);  // validation has ruled out cycles
  if (!est) return 1;
  for (const ComponentEstimate& c : est->components)
    if (!c.reachable)
      fmt::print(text, "warning: '{}' is unreachable: no traffic source's requests get to it\n", c.name);

  fmt::print(text, "\nNapkin math at the base rate ({} entering{}):\n", rate_text(est->entry_rate),
             est->peak_multiplier > 1 ? fmt::format(", profile peak x{:.3g}", est->peak_multiplier) : "");
  print_table(text, *est);
  print_limits(text, *est);
  print_platform_estimate(text, spec, *est);
  if (f.compare_run) {
    check_budget(spec, /*keep_ticks=*/false, f.force);
    RunOptions opt;
    opt.backend = spec.backend;
    Simulation sim(spec, opt);
    print_comparison(text, spec, *est, sim.run());
  }
  if (!f.json.empty()) {
    const std::string doc =
        estimate_json(spec, *est).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
        "\n";
    if (json_only) {
      out << doc;
    } else {
      write_output_file(f.json, doc);  // complete or not at all, never replacing a link or a device
    }
  }
  return 0;
}

}  // namespace

void register_check(CLI::App& app, Actions& actions) {
  static CheckFlags f;
  auto* cmd = app.add_subcommand("check", "Validate a scenario; topology checks and analytic estimates");
  cmd->add_option("file", f.file, "Scenario file (YAML)")->required();
  add_load_options(cmd, f.load);
  cmd->add_option("--json", f.json, "Write the estimate as JSON to FILE ('-': stdout, and nothing else)");
  cmd->add_flag("--compare-run", f.compare_run,
                "Run the simulation too and print the estimate beside what it measured");
  add_force_option(cmd, f.force);
  cmd->add_option("--backend", f.backend,
                  "Backend a run would use: fast or simgrid (default: the file's 'backend:'); faults of "
                  "hosts and links need simgrid");
  cmd->callback([&actions] { actions.push_back([] { return check(f); }); });
}

}  // namespace archsim::cli
