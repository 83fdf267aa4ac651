// Reading scenario files into a validated ScenarioSpec.
#pragma once

#include <optional>
#include <string>

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"

namespace archsim {

struct LoadOptions {
  std::optional<std::string> design;  ///< --design FILE overrides `design:` in the file
  std::optional<std::uint64_t> seed;  ///< --seed
  std::optional<double> duration;     ///< --duration, seconds
  /// The design's text, read instead of the file (sweeps edit it in memory).
  std::optional<std::string> design_text;
};

/// Parses and validates a scenario (and the design it names). Reports every
/// problem of the files at once by throwing InputError.
ScenarioSpec load_scenario(const std::string& path, const LoadOptions& opt = {});

/// The same from text already in memory (tests); `path` is used in messages.
ScenarioSpec load_scenario_text(const std::string& text, const std::string& path,
                                const LoadOptions& opt = {});

/// Parses a duration such as "250ms" or "1.5s" into seconds (units ns us ms s
/// m h; a bare "0" is zero); on failure returns nullopt and sets `why`.
std::optional<double> parse_duration(const std::string& text, std::string* why = nullptr);
/// Parses a rate such as "2000/s", "1.2k/s" or "10M/day" into per second;
/// on failure returns nullopt and sets `why`.
std::optional<double> parse_rate(const std::string& text, std::string* why = nullptr);
/// Parses a size such as "512B", "2KB" (1000 bytes) or "1.5MiB" into bytes;
/// on failure returns nullopt and sets `why`.
std::optional<double> parse_size(const std::string& text, std::string* why = nullptr);
/// Parses a distribution such as "exp(4ms)"; on failure returns nullopt and sets `why`.
std::optional<DistSpec> parse_distribution(const std::string& text, std::string* why = nullptr);

/// A duration in seconds as a person writes it: "250ms", "1.5s", "30m".
std::string format_duration(double seconds);
/// A rate in requests per second as a person writes it: "2000/s", "0.5/s".
std::string format_rate(double per_second);

}  // namespace archsim
