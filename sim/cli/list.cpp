// `archsim list`: the scenario library, one line per problem.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/commands.hpp"

namespace fs = std::filesystem;

namespace archsim::cli {

namespace {

/// The scenario library: ./scenarios if run from a checkout, else the source tree's.
fs::path library_dir(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (fs::is_directory("scenarios")) return "scenarios";
  return fs::path(ARCHSIM_SOURCE_DIR) / "scenarios";
}

/// The first sentence of a description, for one line.
std::string first_sentence(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  const auto dot = s.find(". ");
  if (dot != std::string::npos) s = s.substr(0, dot + 1);
  if (s.size() > 100) s = s.substr(0, 97) + "...";
  return s;
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
    try {
      const YAML::Node n = YAML::LoadFile((p / "problem.yaml").string());
      if (n["description"]) desc = first_sentence(n["description"].as<std::string>());
    } catch (const YAML::Exception&) {
      desc = "(problem.yaml does not parse: run `archsim check` on it)";
    }
    if (fs::is_directory(p / "designs"))
      for (const auto& d : fs::directory_iterator(p / "designs"))
        if (d.path().extension() == ".yaml") designs.push_back(d.path().stem().string());
    std::sort(designs.begin(), designs.end());
    std::string ds;
    for (const auto& d : designs) ds += (ds.empty() ? "" : ", ") + d;
    fmt::print("{:<{}}  {}  [designs: {}]\n", p.filename().string(), w, desc, ds);
  }
  fmt::print("\nrun one: archsim run {}/<problem>/problem.yaml --design {}/<problem>/designs/<design>.yaml\n",
             dir.string(), dir.string());
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
