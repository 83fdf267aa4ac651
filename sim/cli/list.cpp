// `archsim list`: the scenario library, one line per problem.

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "cli/commands.hpp"
#include "cli/library.hpp"

namespace fs = std::filesystem;

namespace archsim::cli {

namespace {

/// The scenario library: --dir, else the first of library_dirs().
fs::path library_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  const auto dirs = library_dirs();
  return dirs.empty() ? fs::path("scenarios") : dirs.front();
}

/// The first sentence of a description, for one line.
std::string first_sentence(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  const auto dot = s.find(". ");
  if (dot != std::string::npos) s = s.substr(0, dot + 1);
  if (s.size() > 100) s = s.substr(0, 97) + "...";
  return s;
}

/// What the problem really simulates, beside the story its description
/// tells ("1M users"): "600/s (peak 1,800/s) for 8m", "50,000 users for 8m".
// What a problem simulates, and its first sentence, from archsim's own
// loader (YAML::LoadFile alone refuses `lognormal(median: 3ms, p99: 20ms)`
// as a plain value, which every graded problem's `work:` has).
std::string simulated_scale(const fs::path& problem, std::string& desc) {
  try {
    const ScenarioSpec spec = load_scenario(problem.string());
    desc = first_sentence(spec.description);
    std::string out;
    for (const TrafficSpec& t : spec.traffic) {
      if (!out.empty()) out += " + ";
      if (t.closed()) {
        out += human_count(t.users) + " users";
        continue;
      }
      double peak = 1;
      for (const ProfilePoint& p : t.profile) peak = std::max(peak, p.x);
      out += format_rate(t.rate);
      if (peak > 1) out += " (peak " + format_rate(t.rate * peak) + ")";
    }
    return "simulates " + out + " for " + format_duration(spec.duration);
  } catch (const std::exception&) {
    desc = "(problem.yaml does not load: run `archsim check` on it)";
    return "does not load: run `archsim check` on it";
  }
}

int list(const std::string& dir_flag) {
  const fs::path dir = library_dir(dir_flag);
  if (!fs::is_directory(dir)) {
    std::cerr << "archsim: no scenario library at " << dir.string() << '\n';
    return 1;
  }
  std::vector<fs::path> problems;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && fs::exists(e.path() / "problem.yaml")) problems.push_back(e.path());
  std::sort(problems.begin(), problems.end());
  std::size_t w = 0;
  for (const auto& p : problems) w = std::max(w, p.filename().string().size());
  for (const auto& p : problems) {
    std::string desc;
    std::vector<std::string> designs;
    const std::string scale = simulated_scale(p / "problem.yaml", desc);
    if (fs::is_directory(p / "designs"))
      for (const auto& d : fs::directory_iterator(p / "designs"))
        if (d.path().extension() == ".yaml") designs.push_back(d.path().stem().string());
    std::sort(designs.begin(), designs.end());
    std::string ds;
    for (const auto& d : designs) ds += (ds.empty() ? "" : ", ") + d;
    fmt::print("{:<{}}  {}\n{:<{}}  [{}; designs: {}]\n", p.filename().string(), w, desc, "", w, scale, ds);
  }
  fmt::print("\nrun one: archsim run <problem> [--design <design>]   (from {})\n", dir.string());
  return 0;
}

}  // namespace

void register_list(CLI::App& app, Actions& actions) {
  static std::string dir;
  auto* cmd = app.add_subcommand("list", "List the problems of the scenario library");
  cmd->add_option("--dir", dir, "Library folder (default: ./scenarios)");
  cmd->callback([&actions] { actions.push_back([] { return list(dir); }); });
}

}  // namespace archsim::cli
