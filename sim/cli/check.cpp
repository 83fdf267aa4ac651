// `archsim check`: validate, then topology checks and napkin math.
#include <cmath>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/call_graph.hpp"
#include "analysis/estimate.hpp"
#include "archsim/output.hpp"
#include "cli/commands.hpp"
#include "cli/platform_report.hpp"

namespace archsim::cli {

namespace {

struct CheckFlags {
  std::string file;
  LoadFlags load;
};

std::string pct(double x) { return fmt::format("{:.0f}%", x * 100); }

/// "1,020/s", "12.5/s": a rate for people (format_rate round-trips exactly instead).
std::string rate_text(double r) {
  if (r >= 100) return human_count(static_cast<std::uint64_t>(std::llround(r))) + "/s";
  return fmt::format("{:.3g}/s", r);
}

int check(const CheckFlags& f) {
  const ScenarioSpec spec = load_scenario(f.file, f.load.options());
  std::ostream& out = std::cout;
  fmt::print(out, "{}: valid ({} component{}, {} traffic source{})\n", f.file, spec.components.size(),
             spec.components.size() == 1 ? "" : "s", spec.traffic.size(), spec.traffic.size() == 1 ? "" : "s");

  const auto est = estimate(spec);  // validation has ruled out cycles
  if (!est) return 1;
  int unreachable = 0;
  for (const ComponentEstimate& c : est->components)
    if (!c.reachable) {
      fmt::print(out, "warning: '{}' is unreachable: no traffic source's requests get to it\n", c.name);
      ++unreachable;
    }

  fmt::print(out, "\nNapkin math at the base rate ({} entering{}), no queueing:\n", rate_text(est->entry_rate),
             est->peak_multiplier > 1 ? fmt::format(", profile peak x{:.3g}", est->peak_multiplier) : "");
  std::size_t w = 9;
  for (const auto& c : est->components) w = std::max(w, c.name.size());
  fmt::print(out, "  {:<{}} {:>10} {:>12} {:>10} {:>8} {:>7} {:>9} {:>14}\n", "component", w, "visits/req", "arrivals/s",
             "hold", "workers", "util", "peak", "saturates at");
  for (const ComponentEstimate& c : est->components) {
    const bool svc = c.capacity > 0;
    fmt::print(out, "  {:<{}} {:>10.3g} {:>12.1f} {:>10} {:>8} {:>7} {:>9} {:>14}{}\n", c.name, w, c.visits, c.arrivals,
               human_duration(c.hold), svc ? fmt::format("{:.0f}", c.capacity) : "-", svc ? pct(c.utilization) : "-",
               svc ? pct(c.peak_utilization) : "-", c.saturation_rate > 0 ? rate_text(c.saturation_rate) : "-",
               svc && c.peak_utilization >= 1 ? "  OVER 100%" : "");
  }
  for (const std::string& n : est->notes) fmt::print(out, "  note: {}\n", n);

  if (!est->saturation_order.empty()) {
    const ComponentEstimate& first = est->components[static_cast<std::size_t>(est->saturation_order.front())];
    if (first.saturation_rate > 0) {
      fmt::print(out, "\nSaturates first: {} when {} enter (base rate is {} of that",
                 first.name, rate_text(first.saturation_rate), pct(first.utilization));
      if (est->peak_multiplier > 1) fmt::print(out, ", profile peak {}", pct(first.peak_utilization));
      fmt::print(out, ").\n");
    }
    int over = 0;
    for (int i : est->saturation_order)
      if (est->components[static_cast<std::size_t>(i)].peak_utilization >= 1) ++over;
    if (over > 0)
      fmt::print(out, "{} component{} at or over 100% at peak: queues there grow without bound.\n", over,
                 over == 1 ? " is" : "s are");
  }
  print_platform_estimate(out, spec, *est);
  return 0;
}

}  // namespace

void register_check(CLI::App& app, Actions& actions) {
  static CheckFlags f;
  auto* cmd = app.add_subcommand("check", "Validate a scenario; topology checks and analytic estimates");
  cmd->add_option("file", f.file, "Scenario file (YAML)")->required();
  add_load_options(cmd, f.load);
  cmd->callback([&actions] { actions.push_back([] { return check(f); }); });
}

}  // namespace archsim::cli
