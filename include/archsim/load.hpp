// Reading scenario files into a validated ScenarioSpec.
#pragma once

#include <optional>
#include <string>

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"

namespace archsim {

struct LoadOptions {
  std::optional<std::string> design;   ///< --design FILE overrides `design:` in the file
  std::optional<std::uint64_t> seed;   ///< --seed
  std::optional<double> duration;      ///< --duration, seconds
};

/// Parses and validates a scenario (and the design it names). Reports every
/// problem of the files at once by throwing InputError.
ScenarioSpec load_scenario(const std::string& path, const LoadOptions& opt = {});

/// The same from text already in memory (tests); `path` is used in messages.
ScenarioSpec load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& opt = {});

/// Parses a duration such as "250ms" into seconds; nullopt if malformed.
std::optional<double> parse_duration(const std::string& text);
/// Parses a rate such as "2000/s" or "10M/day" into per second.
std::optional<double> parse_rate(const std::string& text);
/// Parses a distribution such as "exp(4ms)"; on failure returns nullopt and sets `why`.
std::optional<DistSpec> parse_distribution(const std::string& text, std::string* why = nullptr);

}  // namespace archsim
