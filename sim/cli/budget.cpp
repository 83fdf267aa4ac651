#include "cli/budget.hpp"

#include <algorithm>
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

void check_budget(const Batch& batch, bool force) {
  if (force || batch.specs.empty()) return;
  // Events add up over every run; memory over the runs at the same time
  // (the largest ones, conservatively).
  double events = 0, bytes = 0;
  std::string biggest;
  std::vector<double> each_bytes;
  for (const ScenarioSpec& spec : batch.specs) {
    const auto est = estimate(spec);
    if (!est) continue;  // a cycle: validation has said so
    const RunCost c = run_cost(spec, *est, batch.keep_ticks);
    events += c.events * batch.each;
    each_bytes.push_back(c.bytes);
    if (biggest.empty()) biggest = c.biggest;
  }
  std::sort(each_bytes.rbegin(), each_bytes.rend());
  const double runs = static_cast<double>(batch.specs.size()) * batch.each;
  const auto concurrent = static_cast<std::size_t>(std::min<double>(std::max(1u, batch.at_once), runs));
  for (std::size_t i = 0; i < each_bytes.size() && i < concurrent; ++i) bytes += each_bytes[i];
  if (concurrent > each_bytes.size() && !each_bytes.empty())  // replications of one spec run side by side
    bytes += each_bytes.front() * static_cast<double>(concurrent - each_bytes.size());
  const double ram = available_memory();
  const bool too_long = events > limits::kEvents.max;
  const bool too_big = ram > 0 && bytes > ram;
  if (!too_long && !too_big) return;
  std::string what =
      fmt::format("{} would take about {:.2g} events (about {} at {:.0f} million events per second)",
                  batch.what, events, format_duration(events / kEventsPerSecond), kEventsPerSecond / 1e6);
  if (bytes > 1e6)
    what += fmt::format(" and about {:.3g} GB of memory{}", bytes / 1e9,
                        biggest.empty() ? "" : " (" + biggest + ")");
  what += too_long ? fmt::format(", more than the limit of {:.0e} events", limits::kEvents.max)
                   : fmt::format(", more than the {:.3g} GB available", ram / 1e9);
  what += ": shorten it (--duration) or lower the load, or run it anyway with --force";
  throw InputError({Diagnostic{batch.specs.front().file, {}, what}});
}

void check_budget(const ScenarioSpec& spec, bool keep_ticks, bool force) {
  Batch b;
  b.specs = {spec};
  b.keep_ticks = keep_ticks;
  check_budget(b, force);
}

void add_force_option(CLI::App* cmd, bool& force) {
  cmd->add_flag("--force", force,
                "Run even when the estimate says it needs over 1e10 events or more memory than there is");
}

}  // namespace archsim::cli
