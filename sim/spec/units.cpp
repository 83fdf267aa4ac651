// Durations, rates, sizes, fractions and distributions as written in scenario
// files. Every failure explains itself in `why`, naming the valid units.
#include "spec/units.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"

namespace archsim {
namespace units {

namespace {

struct Unit {
  std::string_view name;
  double scale;  ///< SI value of one unit
};

// An alias is a spelling people use that is not a unit here; the message
// proposes the real one instead of listing all of them.
struct Alias {
  std::string_view wrong;
  std::string_view right;
};

constexpr std::array kDurationUnits{Unit{"ns", 1e-9}, Unit{"us", 1e-6}, Unit{"ms", 1e-3},
                                    Unit{"s", 1},     Unit{"m", 60},    Unit{"h", 3600}};
constexpr std::array kDurationAliases{
    Alias{"sec", "s"},   Alias{"secs", "s"},  Alias{"second", "s"}, Alias{"seconds", "s"},
    Alias{"min", "m"},   Alias{"mins", "m"},  Alias{"minute", "m"}, Alias{"minutes", "m"},
    Alias{"hr", "h"},    Alias{"hrs", "h"},   Alias{"hour", "h"},   Alias{"hours", "h"},
    Alias{"msec", "ms"}, Alias{"usec", "us"}, Alias{"µs", "us"},    Alias{"nsec", "ns"},
};
constexpr std::string_view kDurationUnitList = "ns, us, ms, s, m, h";

constexpr std::array kRateUnits{Unit{"s", 1}, Unit{"m", 1.0 / 60}, Unit{"h", 1.0 / 3600},
                                Unit{"day", 1.0 / 86400}};
constexpr std::array kRateAliases{
    Alias{"sec", "s"}, Alias{"min", "m"}, Alias{"hr", "h"}, Alias{"hour", "h"}, Alias{"d", "day"},
};
constexpr std::string_view kRateUnitList = "/s, /m, /h, /day";
// Multipliers of a count: "10M/day". There is no lower-case m: it would read as milli.
constexpr std::array kRateMultipliers{Unit{"k", 1e3}, Unit{"K", 1e3}, Unit{"M", 1e6}, Unit{"G", 1e9}};

// Sizes are matched without regard to case ("kb" is KB): no two differ only by case.
constexpr std::array kSizeUnits{
    Unit{"B", 1},        Unit{"KB", 1e3},        Unit{"MB", 1e6},          Unit{"GB", 1e9},
    Unit{"KiB", 1024.0}, Unit{"MiB", 1048576.0}, Unit{"GiB", 1073741824.0}};
constexpr std::string_view kSizeUnitList = "B, KB, MB, GB, KiB, MiB, GiB";

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

template <std::size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view name, bool any_case = false) {
  for (const Unit& u : units)
    if (any_case ? iequal(u.name, name) : u.name == name) return &u;
  return nullptr;
}

template <std::size_t N>
std::optional<std::string_view> find_alias(const std::array<Alias, N>& aliases, std::string_view name) {
  for (const Alias& a : aliases)
    if (iequal(a.wrong, name)) return a.right;
  return std::nullopt;
}

// Reads a leading decimal number ("-1.5" of "-1.5ms"); returns the characters
// used, 0 if there is no number. Exponents are not accepted: "1e3s" would be
// hard to tell from a unit.
std::size_t scan_number(std::string_view s, double& value) {
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) negative = s[i++] == '-';
  const std::size_t start = i;
  std::size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return 0;
  double v = 0;
  const auto r = std::from_chars(s.data() + start, s.data() + i, v, std::chars_format::fixed);
  if (r.ec != std::errc()) return 0;
  value = negative ? -v : v;
  return i;
}

void set(std::string* why, std::string message) {
  if (why) *why = std::move(message);
}

// The number part as written, for suggestions: "250" of "250".
std::string_view number_text(std::string_view text, std::size_t used) { return text.substr(0, used); }

// "2m30s", "1h5m", "1m30.5s": segments of a number and a unit, each unit
// smaller than the one before. Nothing (and `why` untouched) if the text is
// not of that form; a message in `why` if it is but is wrong.
std::optional<double> compound_duration(std::string_view text, std::string* why) {
  double total = 0, last_scale = 0;
  std::size_t i = 0, parts = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) i = 1;
  while (i < text.size()) {
    double v = 0;
    const std::size_t used = scan_number(text.substr(i), v);
    if (used == 0 || v < 0 || (parts > 0 && text[i] == '+')) return std::nullopt;
    i += used;
    std::size_t u = i;
    while (u < text.size() && std::isalpha(static_cast<unsigned char>(text[u]))) ++u;
    const Unit* unit = find_unit(kDurationUnits, text.substr(i, u - i));
    if (!unit) return std::nullopt;
    if (parts > 0 && unit->scale >= last_scale) {
      set(why, fmt::format("in '{}' the units must go from larger to smaller (like 1h5m or 2m30s)", text));
      return std::nullopt;
    }
    total += v * unit->scale;
    last_scale = unit->scale;
    ++parts;
    i = u;
  }
  if (parts < 2) return std::nullopt;
  return negative ? -total : total;
}

}  // namespace

std::optional<double> count(std::string_view text) {
  text = trim(text);
  double scale = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'k':
      case 'K': scale = 1e3; break;
      case 'M': scale = 1e6; break;
      case 'G': scale = 1e9; break;
      case 'T': scale = 1e12; break;
      default: break;
    }
    if (scale != 1) text.remove_suffix(1);
  }
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() ||
      !(std::isdigit(static_cast<unsigned char>(text.front())) || text.front() == '-' || text.front() == '.'))
    return std::nullopt;
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v, std::chars_format::general);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
  v *= scale;
  if (!std::isfinite(v) || std::floor(v) != v || std::abs(v) > 9e18) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

std::optional<double> number(std::string_view text) {
  text = trim(text);
  double v = 0;
  const std::size_t used = scan_number(text, v);
  if (used == 0 || used != text.size()) return std::nullopt;
  return v;
}

std::optional<double> duration(std::string_view text, std::string* why, std::string_view suggest) {
  text = trim(text);
  if (text.empty()) {
    set(why, "expected a duration like 250ms, got nothing");
    return std::nullopt;
  }
  double v = 0;
  const std::size_t used = scan_number(text, v);
  if (used == 0) {
    set(why, fmt::format("expected a duration like 250ms, got '{}'", text));
    return std::nullopt;
  }
  const std::string_view unit = trim(text.substr(used));
  if (unit.empty()) {
    if (v == 0) return 0.0;  // zero is zero in any unit: "at: 0" is fine
    set(why, fmt::format("a duration needs a unit ({}): did you mean {}{}?", kDurationUnitList,
                         number_text(text, used), suggest));
    return std::nullopt;
  }
  if (const Unit* u = find_unit(kDurationUnits, unit)) return v * u->scale;
  if (auto total = compound_duration(text, why)) return total;
  if (why && !why->empty()) return std::nullopt;
  if (auto right = find_alias(kDurationAliases, unit)) {
    set(why, fmt::format("unknown duration unit '{}' in '{}': did you mean {}{}? valid units: {}", unit, text,
                         number_text(text, used), *right, kDurationUnitList));
  } else {
    set(why,
        fmt::format("unknown duration unit '{}' in '{}': valid units: {}", unit, text, kDurationUnitList));
  }
  return std::nullopt;
}

std::optional<double> rate(std::string_view text, std::string* why) {
  text = trim(text);
  double v = 0;
  const std::size_t used = scan_number(text, v);
  if (used == 0) {
    set(why, fmt::format("expected a rate like 2000/s, got '{}'", text));
    return std::nullopt;
  }
  std::string_view rest = text.substr(used);
  std::string_view count = number_text(text, used);  // "1.2k" of "1.2k/s", for suggestions
  // One letter right after the number, alone or before the slash, is a
  // multiplier: "1.2k/s", "10M/day".
  const bool has_multiplier = !rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0])) &&
                              (rest.size() == 1 || rest[1] == '/' || rest[1] == ' ');
  if (has_multiplier) {
    const Unit* m = find_unit(kRateMultipliers, rest.substr(0, 1));
    if (!m) {
      set(why, fmt::format("unknown multiplier '{}' in '{}': valid multipliers: k (thousand), M (million), "
                           "G (billion)",
                           rest.substr(0, 1), text));
      return std::nullopt;
    }
    v *= m->scale;
    count = text.substr(0, used + 1);
    rest.remove_prefix(1);
  }
  rest = trim(rest);
  if (rest.empty()) {
    set(why, fmt::format("a rate needs a unit ({}): did you mean {}/s?", kRateUnitList, count));
    return std::nullopt;
  }
  if (rest.front() != '/') {
    // "2000rps", "2000 qps": per second in other words.
    const bool per_second = iequal(rest, "rps") || iequal(rest, "qps") || iequal(rest, "tps");
    set(why, per_second ? fmt::format("unknown rate unit '{}' in '{}': did you mean {}/s? valid units: {}",
                                      rest, text, count, kRateUnitList)
                        : fmt::format("expected a rate like 2000/s, got '{}': valid units: {}", text,
                                      kRateUnitList));
    return std::nullopt;
  }
  const std::string_view unit = trim(rest.substr(1));
  if (const Unit* u = find_unit(kRateUnits, unit)) return v * u->scale;
  if (auto right = find_alias(kRateAliases, unit)) {
    set(why, fmt::format("unknown rate unit '/{}' in '{}': did you mean {}/{}? valid units: {}", unit, text,
                         count, *right, kRateUnitList));
  } else {
    set(why, fmt::format("unknown rate unit '/{}' in '{}': valid units: {}", unit, text, kRateUnitList));
  }
  return std::nullopt;
}

std::optional<double> size(std::string_view text, std::string* why) {
  text = trim(text);
  double v = 0;
  const std::size_t used = scan_number(text, v);
  if (used == 0) {
    set(why, fmt::format("expected a size like 2KB, got '{}'", text));
    return std::nullopt;
  }
  const std::string_view unit = trim(text.substr(used));
  if (unit.empty()) {
    if (v == 0) return 0.0;
    set(why,
        fmt::format("a size needs a unit ({}): did you mean {}B?", kSizeUnitList, number_text(text, used)));
    return std::nullopt;
  }
  if (const Unit* u = find_unit(kSizeUnits, unit, /*any_case=*/true)) return v * u->scale;
  set(why, fmt::format("unknown size unit '{}' in '{}': valid units: {}", unit, text, kSizeUnitList));
  return std::nullopt;
}

std::optional<double> fraction(std::string_view text, std::string* why) {
  text = trim(text);
  double v = 0;
  const std::size_t used = scan_number(text, v);
  const std::string_view rest = used ? trim(text.substr(used)) : text;
  if (used == 0 || !(rest.empty() || rest == "%")) {
    set(why, fmt::format("expected a percentage like 0.5% or a fraction like 0.005, got '{}'", text));
    return std::nullopt;
  }
  if (rest == "%") v /= 100;
  else if (v > 1) {
    set(why, fmt::format("{} is more than 1 (100%): did you mean {}%?", text, text));
    return std::nullopt;
  }
  if (v < 0 || v > 1) {
    set(why, fmt::format("expected a value between 0% and 100%, got '{}'", text));
    return std::nullopt;
  }
  return v;
}

namespace {

// The parameters of each distribution, in positional order. Named and
// positional forms both work ("exp(mean: 4ms)" is "exp(4ms)"), except that a
// lognormal must be named: "lognormal(3ms, 20ms)" does not say which is the p99.
enum class ParamType { Duration, Count, Number };
struct Param {
  std::string_view name;
  ParamType type;
};
struct Form {
  DistSpec::Kind kind;
  std::array<Param, 2> params;
  int count;
  bool named_only;
  std::string_view example;
};

constexpr Param kNone{"", ParamType::Number};
constexpr std::array kForms{
    Form{DistSpec::Kind::Const, {Param{"value", ParamType::Duration}, kNone}, 1, false, "const(5ms)"},
    Form{DistSpec::Kind::Exp, {Param{"mean", ParamType::Duration}, kNone}, 1, false, "exp(4ms)"},
    Form{DistSpec::Kind::Uniform,
         {Param{"min", ParamType::Duration}, Param{"max", ParamType::Duration}},
         2,
         false,
         "uniform(1ms, 5ms)"},
    Form{DistSpec::Kind::Normal,
         {Param{"mean", ParamType::Duration}, Param{"sd", ParamType::Duration}},
         2,
         false,
         "normal(10ms, 2ms)"},
    Form{DistSpec::Kind::Lognormal,
         {Param{"median", ParamType::Duration}, Param{"p99", ParamType::Duration}},
         2,
         true,
         "lognormal(median: 3ms, p99: 20ms)"},
    Form{DistSpec::Kind::Erlang,
         {Param{"k", ParamType::Count}, Param{"mean", ParamType::Duration}},
         2,
         false,
         "erlang(3, 4ms)"},
    Form{DistSpec::Kind::Pareto,
         {Param{"min", ParamType::Duration}, Param{"shape", ParamType::Number}},
         2,
         false,
         "pareto(1ms, 2.5)"},
};

const Form& form_of(DistSpec::Kind k) {
  for (const Form& f : kForms)
    if (f.kind == k) return f;
  return kForms[0];
}

std::string param_list(const Form& f) {
  std::string out;
  for (int i = 0; i < f.count; ++i) out += (i ? ", " : "") + std::string(f.params[i].name);
  return out;
}

std::vector<std::string_view> split_args(std::string_view inner) {
  std::vector<std::string_view> out;
  if (trim(inner).empty()) return out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= inner.size(); ++i) {
    if (i == inner.size() || inner[i] == ',') {
      out.push_back(trim(inner.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

// The parameter constraints, once the values are known. Returns "" when fine.
std::string check_params(const DistSpec& d, std::string_view text) {
  using K = DistSpec::Kind;
  switch (d.kind) {
    case K::Const:
      if (d.a < 0) return fmt::format("a duration cannot be negative, got '{}'", text);
      break;
    case K::Exp:
      if (d.a <= 0)
        return fmt::format("the mean of exp must be positive, got '{}' (use 0s for no time)", text);
      break;
    case K::Uniform:
      if (d.a < 0 || d.b < d.a) return fmt::format("uniform(min, max) needs 0 <= min <= max, got '{}'", text);
      break;
    case K::Normal:
      if (d.a < 0 || d.b < 0)
        return fmt::format("normal(mean, sd) needs mean >= 0 and sd >= 0, got '{}'", text);
      break;
    case K::Lognormal:
      if (d.a <= 0 || d.b < d.a) return fmt::format("lognormal needs 0 < median <= p99, got '{}'", text);
      break;
    case K::Erlang:
      if (d.b <= 0) return fmt::format("the mean of erlang must be positive, got '{}'", text);
      break;
    case K::Pareto:
      if (d.a <= 0 || d.b <= 0)
        return fmt::format("pareto(min, shape) needs min > 0 and shape > 0, got '{}'", text);
      break;
  }
  return "";
}

// A plain duration (no parentheses): a constant. A bare distribution name
// gets a hint of its form rather than a duration message.
std::optional<DistSpec> constant_distribution(std::string_view text, std::string* why,
                                              std::string_view suggest) {
  if (auto k = from_name<DistSpec::Kind>(text)) {
    set(why, fmt::format("'{}' needs its parameters, e.g. {}", text, form_of(*k).example));
    return std::nullopt;
  }
  double v = 0;
  if (scan_number(text, v) == 0) {
    set(why, fmt::format("expected a duration like 5ms or a distribution like exp(5ms), got '{}'", text));
    return std::nullopt;
  }
  auto seconds = duration(text, why, suggest);
  if (!seconds) return std::nullopt;
  DistSpec d = DistSpec::constant(*seconds);
  if (std::string bad = check_params(d, text); !bad.empty()) {
    set(why, bad);
    return std::nullopt;
  }
  return d;
}

std::string unknown_distribution(std::string_view name) {
  std::vector<std::string> names;
  std::string choices;
  for (std::string_view n : all_names<DistSpec::Kind>()) {
    names.emplace_back(n);
    choices += (choices.empty() ? "" : ", ") + std::string(n);
  }
  const std::string guess = did_you_mean(std::string(name), names);
  return guess.empty() ? fmt::format("unknown distribution '{}': valid choices: {}", name, choices)
                       : fmt::format("unknown distribution '{}': did you mean '{}'? valid choices: {}", name,
                                     guess, choices);
}

using ArgSlots = std::array<std::optional<std::string_view>, 2>;

// Puts each argument of `name(args)` in its parameter's slot, by name
// (`mean: 5ms`) or by position. Returns the problem, or "".
std::string assign_args(std::string_view text, std::string_view name, const Form& form,
                        const std::vector<std::string_view>& args, ArgSlots& values) {
  int next_positional = 0;
  for (std::string_view arg : args) {
    int slot = -1;
    std::string_view value = arg;
    if (const std::size_t colon = arg.find(':'); colon != std::string_view::npos) {
      const std::string_view pname = trim(arg.substr(0, colon));
      value = trim(arg.substr(colon + 1));
      for (int i = 0; i < form.count; ++i)
        if (form.params[i].name == pname) slot = i;
      if (slot < 0)
        return fmt::format("unknown parameter '{}' of {} in '{}': valid parameters: {}", pname, name, text,
                           param_list(form));
    } else {
      if (form.named_only) return fmt::format("{} takes named parameters, e.g. {}", name, form.example);
      slot = next_positional++;
      if (slot >= form.count)
        return fmt::format("{} takes {} parameter{} ({}), got {} in '{}'", name, form.count,
                           form.count == 1 ? "" : "s", param_list(form), args.size(), text);
    }
    if (values[slot]) return fmt::format("parameter '{}' given twice in '{}'", form.params[slot].name, text);
    values[slot] = value;
  }
  return "";
}

// One parameter's value in its unit (seconds, a count, a number), or the
// reason it is not one in `inner`.
std::optional<double> param_value(std::string_view name, const Param& p, std::string_view value,
                                  std::string_view suggest, std::string& inner) {
  std::optional<double> v;
  switch (p.type) {
    case ParamType::Duration: v = duration(value, &inner, suggest); break;
    case ParamType::Count:
      v = number(value);
      if (!v || *v < 1 || *v != std::floor(*v) || *v > 1000) {
        inner = fmt::format("{}'s {} must be a whole number from 1 to 1000, got '{}'", name, p.name, value);
        v.reset();
      }
      break;
    case ParamType::Number:
      v = number(value);
      if (!v) inner = fmt::format("{}'s {} must be a plain number, got '{}'", name, p.name, value);
      break;
  }
  return v;
}

}  // namespace

std::optional<DistSpec> distribution(std::string_view text, std::string* why, std::string_view suggest) {
  text = trim(text);
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos) return constant_distribution(text, why, suggest);

  const std::string_view name = trim(text.substr(0, open));
  const auto kind = from_name<DistSpec::Kind>(name);
  if (!kind) {
    set(why, unknown_distribution(name));
    return std::nullopt;
  }
  const Form& form = form_of(*kind);
  if (text.back() != ')') {
    set(why, fmt::format("expected {}, got '{}' (a ')' is missing or misplaced)", form.example, text));
    return std::nullopt;
  }

  const std::vector<std::string_view> args = split_args(text.substr(open + 1, text.size() - open - 2));
  ArgSlots values;
  if (std::string bad = assign_args(text, name, form, args, values); !bad.empty()) {
    set(why, bad);
    return std::nullopt;
  }

  std::array<double, 2> numbers{0, 0};
  for (int i = 0; i < form.count; ++i) {
    const Param& p = form.params[i];
    if (!values[i]) {
      set(why, fmt::format("{} needs its '{}', e.g. {}", name, p.name, form.example));
      return std::nullopt;
    }
    std::string inner;
    const std::optional<double> v = param_value(name, p, *values[i], suggest, inner);
    if (!v) {
      set(why, fmt::format("in '{}': {}", text, inner));
      return std::nullopt;
    }
    numbers[i] = *v;
  }

  DistSpec d;
  d.kind = *kind;
  d.a = numbers[0];
  d.b = numbers[1];
  if (std::string bad = check_params(d, text); !bad.empty()) {
    set(why, bad);
    return std::nullopt;
  }
  return d;
}

}  // namespace units

std::optional<double> parse_duration(const std::string& text, std::string* why) {
  return units::duration(text, why);
}

std::optional<double> parse_rate(const std::string& text, std::string* why) { return units::rate(text, why); }

std::optional<double> parse_size(const std::string& text, std::string* why) { return units::size(text, why); }

std::optional<DistSpec> parse_distribution(const std::string& text, std::string* why) {
  return units::distribution(text, why);
}

namespace {

// Six significant digits without an exponent: enough to read, no float noise
// ("3.5" rather than "3.5000000000000004").
std::string plain_number(double v) {
  if (std::abs(v) >= 1e6) return fmt::format("{:.0f}", v);
  return fmt::format("{:.6g}", v);
}

// Minutes and hours read well only as round numbers: 90s is "1.5m", 100s stays "100s".
bool is_round(double q) {
  const double hundredths = q * 100;
  return std::abs(hundredths - std::round(hundredths)) < 1e-9 * hundredths;
}

}  // namespace

std::string format_duration(double seconds) {
  if (std::isnan(seconds)) return "nan";
  if (std::isinf(seconds)) return seconds > 0 ? "inf" : "-inf";
  if (seconds == 0) return "0s";
  if (seconds < 0) return "-" + format_duration(-seconds);
  if (seconds >= 3600 && is_round(seconds / 3600)) return plain_number(seconds / 3600) + "h";
  if (seconds >= 60 && is_round(seconds / 60)) return plain_number(seconds / 60) + "m";
  if (seconds >= 1) return plain_number(seconds) + "s";
  if (seconds >= 1e-3) return plain_number(seconds * 1e3) + "ms";
  if (seconds >= 1e-6) return plain_number(seconds * 1e6) + "us";
  return plain_number(seconds * 1e9) + "ns";
}

std::string format_rate(double per_second) {
  if (per_second == 0 || per_second >= 1 || !std::isfinite(per_second))
    return plain_number(per_second) + "/s";
  if (per_second * 60 >= 1) return plain_number(per_second * 60) + "/m";
  if (per_second * 3600 >= 1) return plain_number(per_second * 3600) + "/h";
  return plain_number(per_second * 86400) + "/day";
}

}  // namespace archsim
