// Prices as a file writes them (`cost:`, `budget:`): USD per time.
#pragma once

#include <optional>
#include <string>

namespace archsim {

/// Hours in a month, as cloud price lists count (365 x 24 / 12).
inline constexpr double kHoursPerMonth = 730;

/// Parses a price such as "$0.40/h", "0.4/h", "290/month" (730 hours) or
/// "9.6/day" into USD per hour; on failure returns nullopt and sets `why`.
std::optional<double> parse_price(const std::string& text, std::string* why = nullptr);

}  // namespace archsim
