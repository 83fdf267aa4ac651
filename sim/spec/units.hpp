// Quantities with units, parsed at the edge into SI doubles (seconds, per
// second, bytes). The public parse_* functions of archsim/load.hpp wrap these;
// the parser calls them directly to choose the unit it proposes for a bare
// number ("did you mean 60s?" for a scenario duration, "250ms" for work).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "archsim/spec.hpp"

namespace archsim::units {

/// "250ms" -> 0.25, "2m30s" -> 150 (compound: units from larger to smaller). A bare "0" is zero; any other
/// bare number is an error that proposes `suggest` as its unit. Negative values parse (the caller says
/// whether they are allowed, with a better message than "malformed").
std::optional<double> duration(std::string_view text, std::string* why, std::string_view suggest = "ms");

/// "2000/s", "1.2k/s", "10M/day" -> requests per second.
std::optional<double> rate(std::string_view text, std::string* why);

/// "512B", "2KB" (1000 bytes), "1.5MiB" (1024^2 bytes) -> bytes.
std::optional<double> size(std::string_view text, std::string* why);

/// "0.5%" or "0.005" -> 0.005; must lie in [0, 1].
std::optional<double> fraction(std::string_view text, std::string* why);

/// A plain decimal number: "3", "-1.5", ".5". No units, no exponents.
std::optional<double> number(std::string_view text);

/// A whole count: "1000000", "1M", "250k", "1e9", "2.5e6" (k K M G T are
/// powers of 1000); nothing if it is not a whole number.
std::optional<double> count(std::string_view text);

/// "exp(4ms)", "lognormal(median: 3ms, p99: 20ms)", or a duration (a
/// constant). Parameters are checked (a mean is positive, p99 >= median...).
std::optional<DistSpec> distribution(std::string_view text, std::string* why,
                                     std::string_view suggest = "ms");

/// `text` without leading and trailing blanks.
std::string_view trim(std::string_view text);

}  // namespace archsim::units
