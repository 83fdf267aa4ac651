#include "spec/price.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace archsim {

std::optional<double> parse_price(const std::string& text, std::string* why) {
  auto fail = [&](std::string msg) -> std::optional<double> {
    if (why) *why = std::move(msg);
    return std::nullopt;
  };
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (!s.empty() && s.front() == '$') s.remove_prefix(1);
  const auto slash = s.find('/');
  if (slash == std::string_view::npos) return fail("expected a price per time such as $0.40/h or 290/month");
  std::string_view num = s.substr(0, slash);
  std::string_view unit = s.substr(slash + 1);
  while (!num.empty() && num.back() == ' ') num.remove_suffix(1);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
  if (ec != std::errc() || end != num.data() + num.size() || num.empty())
    return fail(fmt::format("expected a number of dollars before '/', got '{}'", num));
  if (!(v >= 0) || !std::isfinite(v)) return fail("a price cannot be negative");
  double hours = 0;
  if (unit == "h" || unit == "hour" || unit == "hr") hours = 1;
  else if (unit == "day") hours = 24;
  else if (unit == "month" || unit == "mo") hours = kHoursPerMonth;
  else if (unit == "year" || unit == "yr") hours = 12 * kHoursPerMonth;
  else
    return fail(
        fmt::format("unknown time unit '{}' in a price: valid units: h, day, month (730 h), year", unit));
  return v / hours;
}

}  // namespace archsim
