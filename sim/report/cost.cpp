#include "report/cost.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "archsim/figures.hpp"
#include "spec/kinds.hpp"

namespace archsim::report {

namespace {

// A CDN bills what it sends: CloudFront's list price per GB to viewers in
// North America and Europe is $0.085 for the first 10 TB a month, falling to
// $0.020 above 5 PB; a design at the scale of the library's problems sits in
// the cheapest tier. `cost:` replaces the egress bill with a price per hour.
constexpr double kCdnPerGb = 0.020;

}  // namespace

double cdn_price_per_gb() { return kCdnPerGb; }

std::optional<double> default_price(std::string_view kind) {
  const auto k = from_name<ComponentKind>(kind);
  return k ? traits(*k).price_per_hour : std::nullopt;
}

Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks, const RunResult* result) {
  Cost c;
  for (std::size_t i = 0; i < spec.components.size(); ++i) {
    const ComponentSpec& comp = spec.components[i];
    CostLine l;
    l.component = comp.name;
    l.kind = std::string(name_of(comp.kind()));
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
          if (f.name == fig::kReplicas) n = f.value;
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
          if (f.name == fig::kEgressGbps) l.unit = f.value * 3600 / 8 * kCdnPerGb;
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

std::string format_price(double per_hour) {
  if (per_hour == 0) return "$0/h";
  if (per_hour < 0.1) return fmt::format("${:.4f}/h", per_hour);
  if (per_hour < 100) return fmt::format("${:.2f}/h", per_hour);
  return fmt::format("${:.0f}/h", per_hour);
}

}  // namespace archsim::report
