// What the command line says before a command runs: the list of commands
// (bare `archsim`, `archsim help`), the version with the commit it was built
// from, and "did you mean" for a mistyped command or flag.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace archsim::cli {

/// "archsim 0.1.0 (commit 1a2b3c4)".
std::string version_text();

/// The closest of `names` to `word` (Levenshtein distance at most 2, or a
/// prefix), or nothing.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& names);

/// Handles what CLI11 would answer badly: no command, `help [COMMAND]`,
/// `-v`, an unknown command or flag. Returns the exit code when the command
/// line was answered here, nothing when parsing should go on.
std::optional<int> answer_early(CLI::App& app, int argc, char** argv);

}  // namespace archsim::cli
