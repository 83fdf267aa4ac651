#include "report/cost.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace archsim::report {

namespace {

struct Price {
  std::string_view kind;
  double per_hour;  // USD per replica-hour
};

// Default prices: approximate AWS us-east-1 on-demand list prices (Linux,
// single-AZ), rounded. They make designs comparable, not bills exact; a
// component's `cost:` replaces them. Keep README.md's table in step.
constexpr Price kPrices[] = {
    {"service", 0.096},         // EC2 m6i.large (2 vCPU, 8 GiB): $0.096/h
    {"load_balancer", 0.0225},  // Application Load Balancer hour; LCU charges not included
    {"cache", 0.206},           // ElastiCache cache.r6g.large (13 GiB Redis node)
    {"database", 0.25},         // RDS PostgreSQL db.r6g.large, single-AZ, per instance
    {"queue", 0.21},            // MSK kafka.m5.large, per broker
};

// A CDN bills what it sends: CloudFront's list price per GB to viewers in
// North America and Europe is $0.085 for the first 10 TB a month, falling to
// $0.020 above 5 PB; a design at the scale of the library's problems sits in
// the cheapest tier. `cost:` replaces the egress bill with a price per hour.
constexpr double kCdnPerGb = 0.020;

constexpr double kHoursPerMonth = 730;  // 365 * 24 / 12, as cloud price lists count

}  // namespace

double cdn_price_per_gb() { return kCdnPerGb; }

std::optional<double> default_price(std::string_view kind) {
  for (const Price& p : kPrices)
    if (p.kind == kind) return p.per_hour;
  return std::nullopt;
}

Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks, const RunResult* result) {
  Cost c;
  for (std::size_t i = 0; i < spec.components.size(); ++i) {
    const ComponentSpec& comp = spec.components[i];
    CostLine l;
    l.component = comp.name;
    l.kind = std::string(name_of(comp.kind));
    l.replicas = comp.replica_count();
    l.mean_replicas = l.replicas;
    // An autoscaled fleet is billed for the replicas it runs, a time-weighted
    // mean over the ticks. A fixed fleet is billed in full: a replica that
    // restarts still runs (and costs) its machine.
    if (const ServiceSpec* svc = comp.service(); svc && svc->autoscale) {
      double area = 0, time = 0;
      for (const Tick& t : ticks) {
        if (t.components.size() <= i) continue;
        double n = l.replicas;
        for (const Figure& f : t.components[i].figures)
          if (f.name == "replicas") n = f.value;
        area += n * t.dt;
        time += t.dt;
      }
      if (time > 0) l.mean_replicas = area / time;
    }
    if (comp.cost) {
      l.unit = *comp.cost;
      l.defaulted = false;
    } else if (comp.cdn()) {
      // Egress: Gbit/s -> GB per hour.
      l.usage = true;
      l.mean_replicas = 1;
      if (result && i < result->components.size())
        for (const Figure& f : result->components[i].figures)
          if (f.name == "egress_gbps") l.unit = f.value * 3600 / 8 * kCdnPerGb;
    } else if (auto p = default_price(l.kind)) {
      l.unit = *p;
    } else {
      l.priced = false;
    }
    l.per_hour = l.unit * l.mean_replicas;
    c.per_hour += l.per_hour;
    c.lines.push_back(l);
  }
  c.budget = spec.budget;
  return c;
}

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
  if (slash == std::string_view::npos)
    return fail("expected a price per time such as $0.40/h or 290/month");
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
  else return fail(fmt::format("unknown time unit '{}' in a price: valid units: h, day, month (730 h), year", unit));
  return v / hours;
}

std::string format_price(double per_hour) {
  if (per_hour == 0) return "$0/h";
  if (per_hour < 0.1) return fmt::format("${:.4f}/h", per_hour);
  if (per_hour < 100) return fmt::format("${:.2f}/h", per_hour);
  return fmt::format("${:.0f}/h", per_hour);
}

}  // namespace archsim::report
