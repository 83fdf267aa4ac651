#include "cli/help.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "archsim_version.hpp"

namespace archsim::cli {

std::string version_text() {
  std::string commit = ARCHSIM_GIT_COMMIT;
  return fmt::format("archsim {}{}", ARCHSIM_VERSION_TEXT, commit.empty() ? "" : " (commit " + commit + ")");
}

namespace {

std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

void list_commands(const CLI::App& app, std::ostream& out) {
  out << version_text() << ": a system-design sandbox and simulator\n\n"
      << "usage: archsim COMMAND [ARGS] [--help]\n\ncommands:\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    out << fmt::format("  {:<9} {}\n", sub->get_name(), sub->get_description());
  out << "\n  archsim help COMMAND   the options of one command (also: archsim COMMAND --help)\n"
      << "  archsim --version      the version and the commit it was built from (also -v)\n"
      << "\nexamples:\n  archsim run black-friday\n  archsim list\n  man archsim\n";
}

/// The long flags a command accepts (with their leading dashes).
std::vector<std::string> flags_of(const CLI::App* cmd) {
  std::vector<std::string> out = {"--help"};
  for (const CLI::Option* o : cmd->get_options())
    for (const std::string& n : o->get_lnames()) out.push_back("--" + n);
  return out;
}

}  // namespace

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& names) {
  std::optional<std::string> best;
  std::size_t best_d = 3;
  for (const std::string& n : names) {
    const std::size_t d = n.rfind(word, 0) == 0 && word.size() >= 3 ? 1 : distance(word, n);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best;
}

std::optional<int> answer_early(CLI::App& app, int argc, char** argv) {
  if (argc < 2) {
    list_commands(app, std::cout);
    return 0;
  }
  const std::string first = argv[1];
  if (first == "-v" || first == "--version") {
    std::cout << version_text() << '\n';
    return 0;
  }
  if (first == "help" || first == "-h" || first == "--help") {
    if (argc >= 3 && first == "help") {
      for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        if (sub->get_name() == argv[2]) {
          std::cout << sub->help();
          return 0;
        }
      std::cerr << "archsim: no command '" << argv[2] << "'\n";
      return 2;
    }
    list_commands(app, std::cout);
    return 0;
  }
  std::vector<std::string> names;
  CLI::App* cmd = nullptr;
  for (CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    if (sub->get_name() == first) cmd = sub;
  }
  if (!cmd) {
    const auto guess = first[0] == '-' ? std::nullopt : closest(first, names);
    std::cerr << "archsim: unknown command '" << first << "'"
              << (guess ? ": did you mean '" + *guess + "'?" : std::string()) << "\n"
              << "run 'archsim help' for the list of commands\n";
    return 2;
  }
  const std::vector<std::string> flags = flags_of(cmd);
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.rfind("--", 0) != 0) continue;
    a = a.substr(0, a.find('='));
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) continue;
    const auto guess = closest(a, flags);
    std::cerr << "archsim " << first << ": unknown option '" << a << "'"
              << (guess ? ": did you mean '" + *guess + "'?" : std::string()) << "\n"
              << "run 'archsim help " << first << "' for its options\n";
    return 2;
  }
  return std::nullopt;
}

}  // namespace archsim::cli
