#include <cmath>
#include <string>

#include <fmt/format.h>

#include "archsim/output.hpp"

namespace archsim {

namespace {

/// Six significant digits: readable, and identical on every machine.
double r6(double x) {
  if (!std::isfinite(x) || x == 0) return x == 0 ? 0.0 : x;
  return std::stod(fmt::format("{:.6g}", x));
}

nlohmann::ordered_json latency_ms(const LatencyStats& s) {
  return {{"mean", r6(s.mean * 1e3)}, {"p50", r6(s.p50 * 1e3)},   {"p90", r6(s.p90 * 1e3)},
          {"p99", r6(s.p99 * 1e3)},   {"p999", r6(s.p999 * 1e3)}, {"max", r6(s.max * 1e3)}};
}

nlohmann::ordered_json errors_json(const std::map<std::string, std::uint64_t>& errors) {
  nlohmann::ordered_json e;
  std::uint64_t total = 0;
  for (const auto& [k, v] : errors) total += v;
  e["total"] = total;
  for (const auto& [k, v] : errors) e[k] = v;
  return e;
}

/// SLO targets in the unit people wrote them in: ms, a fraction, or per second.
std::pair<double, const char*> slo_value(const std::string& full, double v) {
  switch (slo_unit(full)) {
    case SloUnit::Fraction: return {r6(v), "fraction"};
    case SloUnit::PerSecond: return {r6(v), "rps"};
    case SloUnit::Count: return {r6(v), "count"};
    case SloUnit::Seconds: break;
  }
  return {r6(v * 1e3), "ms"};
}

/// One component's figures (see figure_definitions()).
nlohmann::ordered_json component_json(const ComponentResult& c) {
  nlohmann::ordered_json cj;
  cj["kind"] = std::string(name_of(c.kind));
  cj["replicas"] = c.replicas;
  cj["workers"] = c.workers;
  cj["utilization"] = r6(c.utilization);
  cj["throughput_rps"] = r6(c.throughput_rps);
  cj["latency_ms"] = latency_ms(c.latency);
  cj["wait_ms"] = {{"mean", r6(c.wait.mean * 1e3)}, {"p99", r6(c.wait.p99 * 1e3)}, {"count", c.wait.count}};
  cj["queue_mean"] = r6(c.queue_mean);
  cj["queue_max"] = r6(c.queue_max);
  cj["in_flight_mean"] = r6(c.in_flight_mean);
  cj["visit_mean_ms"] = r6(c.visit_mean_s * 1e3);
  cj["arrivals"] = c.arrivals;
  cj["completed"] = c.completed;
  cj["failed"] = c.failed;
  cj["errors"] = errors_json(c.errors);
  // The kind's own figures (hit_ratio, pool_wait_ms, lag_s ...), then its shards.
  for (const Figure& f : c.figures) cj[f.name] = r6(f.value);
  if (!c.shards.empty()) {
    nlohmann::ordered_json shards = nlohmann::ordered_json::array();
    for (const std::vector<Figure>& row : c.shards) {
      nlohmann::ordered_json sj;
      for (const Figure& f : row) sj[f.name] = r6(f.value);
      shards.push_back(sj);
    }
    cj["shards"] = shards;
  }
  nlohmann::ordered_json by_call = nlohmann::ordered_json::array();
  for (const VisitGroup& g : c.visits_by_call)
    by_call.push_back({{"from", g.from},
                       {"op", g.op},
                       {"line", g.line},
                       {"visits", g.visits},
                       {"total_s", r6(g.total_s)},
                       {"mean_ms", r6(g.visits ? g.total_s / static_cast<double>(g.visits) * 1e3 : 0.0)},
                       {"max_ms", r6(g.max_s * 1e3)}});
  cj["visits_by_call"] = by_call;
  return cj;
}

}  // namespace

nlohmann::ordered_json note_json(const Note& n) {
  return {{"t", r6(n.t)}, {"kind", n.kind}, {"target", n.target}, {"what", n.what}, {"detail", n.detail}};
}

namespace {

// Per traffic source: its own requests when there are several (one source
// is the whole, said above), and what it did: retries, hedges, abandoned.
nlohmann::ordered_json sources_json(const std::vector<SourceResult>& all) {
  nlohmann::ordered_json sources = nlohmann::ordered_json::object();
  for (const SourceResult& s : all) {
    nlohmann::ordered_json sj;
    if (all.size() > 1) {
      sj["requests"] = {{"started", s.started}, {"completed", s.completed}, {"failed", s.failed}};
      sj["throughput_rps"] = r6(s.throughput_rps);
      sj["latency_ms"] = latency_ms(s.latency);
    }
    sj["timeout_ms"] = r6(s.timeout_s * 1e3);
    sj["retries"] = s.retries;
    sj["hedges"] = s.hedges;
    sj["abandoned"] = s.abandoned;
    sources[s.name] = sj;
  }
  return sources;
}

// Per region of a graded problem, when an SLO is per region.
nlohmann::ordered_json regions_json(const std::vector<SourceResult>& all) {
  nlohmann::ordered_json regions = nlohmann::ordered_json::object();
  for (const SourceResult& s : all)
    regions[s.name] = {
        {"requests", {{"started", s.started}, {"completed", s.completed}, {"failed", s.failed}}},
        {"throughput_rps", r6(s.throughput_rps)},
        {"latency_ms", latency_ms(s.latency)}};
  return regions;
}

// The platform backend's resources: CPU per host, bytes per link and direction, answers to users per region.
void platform_json(const RunResult& r, nlohmann::ordered_json& j) {
  if (!r.hosts.empty()) {
    nlohmann::ordered_json hosts = nlohmann::ordered_json::object();
    for (const HostResult& h : r.hosts) hosts[h.name] = {{"cpu_utilization", r6(h.cpu_utilization)}};
    j["hosts"] = hosts;
  }
  if (!r.links.empty()) {
    nlohmann::ordered_json links = nlohmann::ordered_json::object();
    for (const LinkResult& l : r.links)
      links[l.name] = {{"utilization", r6(l.utilization)},
                       {"up_bytes_per_s", r6(l.up_bytes_per_s)},
                       {"down_bytes_per_s", r6(l.down_bytes_per_s)}};
    j["links"] = links;
  }
  // Answers to users per region that sent them (simgrid backend), and their price.
  if (!r.egress.empty()) {
    nlohmann::ordered_json egress = nlohmann::ordered_json::object();
    for (const RegionEgress& e : r.egress)
      egress[e.region] = {{"bytes_per_s", r6(e.bytes_per_s)},
                          {"cross_region_bytes_per_s", r6(e.cross_region_bytes_per_s)},
                          {"cdn_bytes_per_s", r6(e.cdn_bytes_per_s)},
                          {"gb_per_hour", r6(e.gb_per_hour)},
                          {"per_hour", r6(e.per_hour)}};
    j["egress"] = egress;
  }
}

nlohmann::ordered_json slo_check_json(const SloCheck& c) {
  const auto [target, unit] = slo_value(c.name, c.target);
  nlohmann::ordered_json cj = {
      {"name", c.name}, {"target", target}, {"actual", slo_value(c.name, c.actual).first},
      {"unit", unit},   {"pass", c.pass},   {"measured", c.measured}};
  // No margin without an actual value (no successful request) or with a zero target.
  if (c.has_margin) cj["margin"] = r6(c.margin);
  else cj["margin"] = nullptr;
  if (c.correctness) cj["correctness"] = true;
  if (!c.source.empty()) cj["source"] = c.source;
  if (!c.region.empty()) cj["region"] = c.region;
  if (!c.worst_source.empty()) cj["worst_source"] = c.worst_source;
  return cj;
}

}  // namespace

nlohmann::ordered_json to_json_deterministic(const RunResult& r) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["backend"] = r.backend;
  if (r.partial) j["partial"] = true;  // stopped early (--partial): only present then
  j["sim_time_s"] = r6(r.sim_time_s);
  j["warmup_s"] = r6(r.warmup_s);
  // Every figure here is defined once, in figure_definitions() (output.hpp) and README's output reference.
  j["requests"] = {
      {"started", r.started},
      {"completed", r.completed},
      {"failed", r.failed},
      {"in_flight", r.in_flight},
      {"error_rate", r6(r.error_rate)},
      {"arrival_rps", r6(r.arrival_rps)},
      {"in_flight_mean", r6(r.in_flight_mean)},
      {"duration_ms", {{"mean", r6(r.duration_mean_s * 1e3)}, {"max", r6(r.duration_max_s * 1e3)}}}};
  j["throughput_rps"] = r6(r.throughput_rps);
  j["latency_ms"] = latency_ms(r.latency);
  if (r.latency_counting_timeouts.count > 0)
    j["latency_counting_timeouts_ms"] = latency_ms(r.latency_counting_timeouts);
  j["errors"] = errors_json(r.errors);
  j["sources"] = sources_json(r.sources);
  if (!r.regions.empty()) j["regions"] = regions_json(r.regions);
  nlohmann::ordered_json comps = nlohmann::ordered_json::object();
  for (const ComponentResult& c : r.components) comps[c.name] = component_json(c);
  j["components"] = comps;
  platform_json(r, j);
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const SloCheck& c : r.slo) checks.push_back(slo_check_json(c));
  j["slo"] = {{"pass", r.slo_pass}, {"checks", checks}};
  nlohmann::ordered_json notes = nlohmann::ordered_json::array();
  for (const Note& n : r.notes) notes.push_back(note_json(n));
  j["events"] = notes;
  if (r.notes_dropped) j["events_dropped"] = r.notes_dropped;  // over limits::kNotes: only present then
  return j;
}

nlohmann::ordered_json to_json(const RunResult& r) {
  nlohmann::ordered_json j = to_json_deterministic(r);
  j["engine"] = {{"events", r.engine.events},
                 {"wall_s", r6(r.engine.wall_s)},
                 {"events_per_s", r6(r.engine.events_per_s)},
                 {"peak_rss_mb", r6(r.engine.peak_rss_mb)}};
  return j;
}

}  // namespace archsim
