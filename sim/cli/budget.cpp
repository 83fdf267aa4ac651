#include "cli/budget.hpp"

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "analysis/estimate.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "spec/limits.hpp"

namespace archsim::cli {

namespace {
constexpr double kEventsPerSecond = 5e6;  ///< the fast backend's pace, for "about N minutes"
}  // namespace

double available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

void check_budget(const ScenarioSpec& spec, bool keep_ticks, bool force) {
  if (force) return;
  const auto est = estimate(spec);
  if (!est) return;  // a cycle: validation has said so
  const RunCost c = run_cost(spec, *est, keep_ticks);
  const double ram = available_memory();
  const bool too_long = c.events > limits::kEvents.max;
  const bool too_big = ram > 0 && c.bytes > ram;
  if (!too_long && !too_big) return;
  std::string what = fmt::format("this run would take about {:.2g} events (about {} at {:.0f} million events per "
                                 "second)",
                                 c.events, format_duration(c.events / kEventsPerSecond), kEventsPerSecond / 1e6);
  if (c.bytes > 1e6)
    what += fmt::format(" and about {:.3g} GB of memory{}", c.bytes / 1e9, c.biggest.empty() ? "" : " (" + c.biggest + ")");
  what += too_long ? fmt::format(", more than the limit of {:.0e} events", limits::kEvents.max)
                   : fmt::format(", more than the {:.3g} GB available", ram / 1e9);
  what += ": shorten it (--duration) or lower the load, or run it anyway with --force";
  throw InputError({Diagnostic{spec.file, {}, what}});
}

}  // namespace archsim::cli
