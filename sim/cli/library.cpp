#include "cli/library.hpp"

#include <unistd.h>

#include <array>

namespace fs = std::filesystem;

namespace archsim::cli {

namespace {

/// The folder of the running binary (/proc/self/exe), or empty.
fs::path exe_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  return fs::path(std::string(buf.data(), static_cast<std::size_t>(n))).parent_path();
}

bool plain_name(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && fs::path(s).extension() != ".yaml";
}

}  // namespace

std::vector<fs::path> library_dirs() {
  std::vector<fs::path> candidates = {"scenarios"};
  if (const fs::path d = exe_dir(); !d.empty())
    candidates.push_back(d.parent_path() / "share/archsim/scenarios");
  candidates.push_back(fs::path(ARCHSIM_DATA_DIR) / "scenarios");
  candidates.push_back(fs::path(ARCHSIM_SOURCE_DIR) / "scenarios");
  std::vector<fs::path> out;
  std::error_code ec;
  for (const fs::path& c : candidates)
    if (fs::is_directory(c, ec)) out.push_back(c);
  return out;
}

std::string resolve_scenario(const std::string& arg) {
  std::error_code ec;
  if (fs::exists(arg, ec) || !plain_name(arg)) return arg;
  for (const fs::path& dir : library_dirs()) {
    const fs::path p = dir / arg / "problem.yaml";
    if (fs::exists(p, ec)) return p.string();
  }
  return arg;
}

std::string resolve_design(const std::string& design, const std::string& scenario_file) {
  std::error_code ec;
  if (design.empty() || fs::exists(design, ec) || !plain_name(design)) return design;
  const fs::path p = fs::path(scenario_file).parent_path() / "designs" / (design + ".yaml");
  return fs::exists(p, ec) ? p.string() : design;
}

}  // namespace archsim::cli
