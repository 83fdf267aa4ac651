// The --timeline file: JSON lines (header, one line per tick, result).
#include "archsim/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>

#include <nlohmann/json.hpp>

#include "archsim/diagnostics.hpp"
#include "archsim/output.hpp"
#include "spec/kinds.hpp"
#include "spec/limits.hpp"

namespace archsim {

using json = nlohmann::ordered_json;

namespace {

double ms(double s) { return std::round(s * 1e6) / 1e3; }  // microsecond resolution, in ms
/// A latency in ms, or null for a tick in which nothing finished: a second
/// without completions has no latency (0 ms would plot as "fast" during an outage).
json latency_ms(std::uint32_t finished_ok, double s) {
  if (finished_ok == 0 || !std::isfinite(s)) return nullptr;
  return ms(s);
}
/// A latency read back: seconds, NaN for null (or a missing key).
double latency_s(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::numeric_limits<double>::quiet_NaN();
  return it->get<double>() / 1e3;
}
double ratio(double x) { return std::round(x * 1e4) / 1e4; }
/// A kind's figure: six significant digits, the same on every machine.
double figure(double x) {
  if (!std::isfinite(x) || x == 0) return std::isfinite(x) ? 0.0 : x;
  const double scale = std::pow(10.0, 5 - static_cast<int>(std::floor(std::log10(std::abs(x)))));
  return std::round(x * scale) / scale;
}

/// The keys every component has in a tick; the rest are its kind's figures.
bool common_tick_key(const std::string& k) {
  static const char* const keys[] = {"arrivals", "completed",   "failed", "in_flight",
                                     "queue",    "utilization", "p50_ms", "p99_ms"};
  for (const char* c : keys)
    if (k == c) return true;
  return false;
}

std::optional<SloSpec::Kind> slo_kind(const std::string& key) {
  using K = SloSpec::Kind;
  static const std::pair<const char*, K> names[] = {
      {"latency_p50", K::LatencyP50},      {"latency_p90", K::LatencyP90},   {"latency_p99", K::LatencyP99},
      {"latency_p999", K::LatencyP999},    {"latency_mean", K::LatencyMean}, {"error_rate", K::ErrorRate},
      {"throughput_min", K::ThroughputMin}};
  for (const auto& [n, k] : names)
    if (key == n) return k;
  return std::nullopt;
}

const char* joins_name(PlatformMap::Joins j) {
  switch (j) {
    case PlatformMap::Joins::Host: return "host";
    case PlatformMap::Joins::Zones: return "zones";
    case PlatformMap::Joins::Regions: return "regions";
  }
  return "regions";
}

json platform_json(const PlatformMap& m) {
  json zones = json::array(), hosts = json::array(), links = json::array();
  for (const auto& z : m.zones) zones.push_back({{"name", z.name}, {"region", z.region}});
  for (const auto& h : m.hosts)
    hosts.push_back({{"name", h.name}, {"zone", h.zone}, {"cores", h.cores}, {"nic", h.nic}});
  for (const auto& l : m.links)
    links.push_back({{"name", l.name},
                     {"bandwidth", l.bandwidth},
                     {"joins", joins_name(l.joins)},
                     {"a", l.a},
                     {"b", l.b}});
  return {{"regions", m.regions},
          {"zones", zones},
          {"hosts", hosts},
          {"links", links},
          {"replica_host", m.replica_host}};
}

/// The header's platform read back; throws std::out_of_range when an index points nowhere.
PlatformMap read_platform(const json& j, std::size_t components) {
  PlatformMap m;
  m.regions = j.at("regions").get<std::vector<std::string>>();
  const auto in = [](int i, std::size_t n) { return i >= 0 && static_cast<std::size_t>(i) < n; };
  for (const auto& z : j.at("zones")) {
    m.zones.push_back({z.at("name").get<std::string>(), z.at("region").get<int>()});
    if (!in(m.zones.back().region, m.regions.size()))
      throw std::out_of_range("a zone's region does not exist");
  }
  for (const auto& h : j.at("hosts")) {
    m.hosts.push_back(
        {h.at("name").get<std::string>(), h.at("zone").get<int>(), h.value("cores", 1), h.value("nic", -1)});
    if (!in(m.hosts.back().zone, m.zones.size())) throw std::out_of_range("a host's zone does not exist");
  }
  for (const auto& l : j.at("links")) {
    PlatformMap::Link pl{l.at("name").get<std::string>(), l.value("bandwidth", 0.0),
                         PlatformMap::Joins::Regions, l.at("a").get<int>(), l.at("b").get<int>()};
    const std::string joins = l.value("joins", "regions");
    pl.joins = joins == "host"    ? PlatformMap::Joins::Host
               : joins == "zones" ? PlatformMap::Joins::Zones
                                  : PlatformMap::Joins::Regions;
    const std::size_t n = pl.joins == PlatformMap::Joins::Host ? m.hosts.size() : m.regions.size();
    if (!in(pl.a, n) || !in(pl.b, n)) throw std::out_of_range("a link joins something that does not exist");
    m.links.push_back(pl);
  }
  for (auto& h : m.hosts)
    if (h.nic >= static_cast<int>(m.links.size())) throw std::out_of_range("a host's link does not exist");
  m.replica_host = j.value("replica_host", std::vector<std::vector<int>>{});
  if (m.replica_host.size() > components) throw std::out_of_range("replica_host has too many components");
  for (const auto& hs : m.replica_host)
    for (int h : hs)
      if (h >= static_cast<int>(m.hosts.size())) throw std::out_of_range("a replica's host does not exist");
  return m;
}

/// A tick's per-host or per-link shares, `n` of them (missing ones 0).
std::vector<double> read_shares(const json& j, const char* key, std::size_t n) {
  std::vector<double> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  out.assign(n, 0.0);
  for (std::size_t i = 0; i < n && i < it->size(); ++i)
    if ((*it)[i].is_number()) out[i] = (*it)[i].get<double>();
  return out;
}

json header_json(const TimelineHeader& h) {
  json j;
  j["type"] = "header";
  j["scenario"] = h.scenario;
  j["file"] = h.file;
  j["seed"] = h.seed;
  j["duration_s"] = h.duration;
  j["warmup_s"] = h.warmup;
  j["tick_s"] = h.tick;
  j["sources"] = h.sources;
  json comps = json::array();
  for (const auto& c : h.components) {
    json cj = {{"name", c.name}, {"kind", c.kind}, {"replicas", c.replicas}, {"workers", c.workers}};
    if (c.pos) cj["pos"] = {c.pos->first, c.pos->second};
    comps.push_back(cj);
  }
  j["components"] = comps;
  json edges = json::array();
  for (const auto& e : h.edges) edges.push_back({{"from", e.from}, {"to", e.to}});
  j["edges"] = edges;
  json slo = json::array();
  for (const auto& s : h.slo) slo.push_back({{"name", s.key}, {"target", s.target}});
  j["slo"] = slo;
  if (h.platform) j["platform"] = platform_json(*h.platform);
  return j;
}

json tick_json(const Tick& t, const TimelineHeader& h) {
  json j;
  j["type"] = "tick";
  j["t"] = t.t;
  j["dt"] = t.dt;
  j["started"] = t.started;
  j["completed"] = t.completed;
  j["failed"] = t.failed;
  j["p50_ms"] = latency_ms(t.completed, t.p50);
  j["p99_ms"] = latency_ms(t.completed, t.p99);
  if (t.timed_out > 0) {  // only then does it differ from p99_ms
    j["timed_out"] = t.timed_out;
    j["p99_timeouts_ms"] = latency_ms(t.completed + t.timed_out, t.p99_timeouts);
  }
  j["errors"] = t.errors;
  json comps = json::object();
  for (std::size_t i = 0; i < t.components.size(); ++i) {
    const ComponentTick& c = t.components[i];
    json cj = {{"arrivals", c.arrivals},
               {"completed", c.completed},
               {"failed", c.failed},
               {"in_flight", c.in_flight},
               {"queue", c.queue},
               {"utilization", ratio(c.utilization)},
               {"p50_ms", latency_ms(c.completed, c.p50)},
               {"p99_ms", latency_ms(c.completed, c.p99)}};
    for (const Figure& f : c.figures) cj[f.name] = figure(f.value);
    comps[h.components[i].name] = std::move(cj);
  }
  j["components"] = comps;
  json edges = json::array();
  for (const EdgeTick& e : t.edges) {
    const std::uint32_t ok = e.calls - std::min(e.calls, e.failed);  // latency is of successful calls
    edges.push_back({{"calls", e.calls},
                     {"failed", e.failed},
                     {"p50_ms", latency_ms(ok, e.p50)},
                     {"p99_ms", latency_ms(ok, e.p99)}});
  }
  j["edges"] = edges;
  if (!t.host_cpu.empty() || !t.link_util.empty()) {
    json hosts = json::array(), links = json::array();
    for (double x : t.host_cpu) hosts.push_back(ratio(x));
    for (double x : t.link_util) links.push_back(ratio(x));
    j["hosts"] = hosts;
    j["links"] = links;
  }
  return j;
}

}  // namespace

void mark_missing_latency(Tick& t) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  if (t.completed == 0) t.p50 = t.p99 = nan;
  if (t.completed + t.timed_out == 0) t.p99_timeouts = nan;
  for (ComponentTick& c : t.components)
    if (c.completed == 0) c.p50 = c.p99 = nan;
  for (EdgeTick& e : t.edges)
    if (e.calls <= e.failed) e.p50 = e.p99 = nan;
}

TimelineHeader make_header(const Simulation& sim) {
  const ScenarioSpec& s = sim.spec();
  TimelineHeader h;
  h.scenario = s.name;
  h.file = s.file;
  h.seed = s.seed;
  h.duration = s.duration;
  h.warmup = s.warmup;
  for (const ComponentSpec& c : s.components) {
    TimelineHeader::Component hc;
    hc.name = c.name;
    hc.kind = std::string(name_of(c.kind()));
    hc.replicas = c.replica_count();
    hc.workers = workers_per_replica(s, c);  // 0: no limit, or none
    h.components.push_back(hc);
  }
  for (const TrafficSpec& t : s.traffic) h.sources.push_back(t.name);
  h.edges = sim.edges();
  h.slo = s.slo;
  if (const PlatformMap* p = sim.platform()) h.platform = *p;
  return h;
}

TimelineWriter::TimelineWriter(std::ostream& out, const Simulation& sim)
    : out_(out), header_(make_header(sim)) {
  out_ << header_json(header_).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

void TimelineWriter::on_tick(const Tick& t) {
  header_.tick = t.dt;
  out_ << tick_json(t, header_).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

void TimelineWriter::on_note(const Note& n) {
  json j = note_json(n);
  j["type"] = "event";
  out_ << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

void TimelineWriter::on_finish(const RunResult& r) {
  json j = to_json_deterministic(r);
  j["type"] = "result";
  out_ << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  out_.flush();
}

namespace fs = std::filesystem;

namespace {
// A timeline is read back from a regular file only: a device or a pipe
// (/dev/zero) could be read forever.
bool regular_file(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}
}  // namespace

bool is_timeline_file(const std::string& path) {
  if (!regular_file(path)) return false;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return false;
  const json j = json::parse(line, nullptr, false);
  return j.is_object() && j.value("type", "") == "header";
}

namespace {

/// The header line: the run's shape (components, edges, sources, SLOs).
/// Throws (json or out_of_range) on a malformed line.
TimelineHeader header_of(const json& j) {
  TimelineHeader h;
  h.scenario = j.value("scenario", "");
  h.file = j.value("file", "");
  h.seed = j.value("seed", std::uint64_t{1});
  h.duration = j.at("duration_s").get<double>();
  h.warmup = j.value("warmup_s", 0.0);
  h.tick = j.value("tick_s", 1.0);
  h.sources = j.value("sources", std::vector<std::string>{});
  for (const auto& c : j.at("components")) {
    TimelineHeader::Component hc;
    hc.name = c.at("name").get<std::string>();
    hc.kind = c.at("kind").get<std::string>();
    hc.replicas = c.value("replicas", 1);
    hc.workers = c.value("workers", 1);
    // at(), not []: a short or missing "pos" is a bad line, not a crash.
    if (c.contains("pos"))
      hc.pos = std::pair{c.at("pos").at(0).get<double>(), c.at("pos").at(1).get<double>()};
    if (hc.replicas < 1 || hc.replicas > limits::kReplicas.max || hc.workers < 0)
      throw std::out_of_range("a component's replicas or workers out of range");
    h.components.push_back(hc);
  }
  for (const auto& e : j.at("edges")) {
    const EdgeInfo ei{e.at("from").get<int>(), e.at("to").get<int>()};
    const int n = static_cast<int>(h.components.size());
    // Sources are numbered below zero in edges; components from 0.
    if (ei.to < 0 || ei.to >= n || ei.from >= n || ei.from < -static_cast<int>(h.sources.size()))
      throw std::out_of_range("an edge names a component that does not exist");
    h.edges.push_back(ei);
  }
  if (!(h.duration > 0) || !std::isfinite(h.duration) || !(h.tick > 0) || !std::isfinite(h.tick))
    throw std::out_of_range("duration_s and tick_s must be positive");
  for (const auto& s : j.value("slo", json::array())) {
    const auto k = slo_kind(s.at("name").get<std::string>());
    if (!k) continue;
    SloSpec spec;
    spec.kind = *k;
    spec.key = s.at("name").get<std::string>();
    spec.target = s.at("target").get<double>();
    h.slo.push_back(spec);
  }
  if (j.contains("platform")) h.platform = read_platform(j.at("platform"), h.components.size());
  return h;
}

/// One component's part of a tick line (absent: a zero tick).
ComponentTick component_tick_of(const json& comps, const std::string& name) {
  ComponentTick ct;
  if (!comps.contains(name)) return ct;
  const json& c = comps[name];
  ct.arrivals = c.value("arrivals", 0u);
  ct.completed = c.value("completed", 0u);
  ct.failed = c.value("failed", 0u);
  ct.in_flight = c.value("in_flight", 0u);
  ct.queue = c.value("queue", 0u);
  ct.utilization = c.value("utilization", 0.0);
  ct.p50 = latency_s(c, "p50_ms");
  ct.p99 = latency_s(c, "p99_ms");
  for (const auto& [k, v] : c.items())
    if (v.is_number() && !common_tick_key(k)) ct.figures.push_back(Figure{k, v.get<double>()});
  return ct;
}

/// A tick line, its components in the header's order. Throws on a malformed line.
Tick tick_of(const json& j, const TimelineHeader& h) {
  Tick t;
  t.t = j.at("t").get<double>();
  t.dt = j.value("dt", h.tick);
  t.started = j.value("started", 0u);
  t.completed = j.value("completed", 0u);
  t.failed = j.value("failed", 0u);
  t.p50 = latency_s(j, "p50_ms");
  t.p99 = latency_s(j, "p99_ms");
  t.timed_out = j.value("timed_out", 0u);
  t.p99_timeouts = t.timed_out > 0 ? latency_s(j, "p99_timeouts_ms") : t.p99;
  // A named copy: iterating items() of the temporary value() returns would dangle.
  const json errors = j.value("errors", json::object());
  for (const auto& [k, v] : errors.items()) t.errors[k] = v.get<std::uint32_t>();
  const json& comps = j.at("components");
  for (const auto& hc : h.components) t.components.push_back(component_tick_of(comps, hc.name));
  for (const auto& e : j.value("edges", json::array())) {
    EdgeTick et;
    et.calls = e.value("calls", 0u);
    et.failed = e.value("failed", 0u);
    et.p50 = latency_s(e, "p50_ms");
    et.p99 = latency_s(e, "p99_ms");
    t.edges.push_back(et);
  }
  if (h.platform) {
    t.host_cpu = read_shares(j, "hosts", h.platform->hosts.size());
    t.link_util = read_shares(j, "links", h.platform->links.size());
  }
  mark_missing_latency(t);  // files written before null: 0 ms with nothing finished
  return t;
}

Note note_of(const json& j) {
  Note n;
  n.t = j.at("t").get<double>();
  n.kind = j.value("kind", "");
  n.target = j.value("target", "");
  n.what = j.value("what", "");
  n.detail = j.value("detail", "");
  return n;
}

}  // namespace

Timeline read_timeline(const std::string& path) {
  if (!regular_file(path))
    throw InputError({Diagnostic{path, {}, "cannot read the timeline: not a regular file"}});
  std::ifstream in(path);
  if (!in) throw InputError({Diagnostic{path, {}, "cannot open timeline file"}});
  Timeline tl;
  std::string line;
  int lineno = 0;
  bool have_header = false;
  std::vector<Diagnostic> errors;
  auto bad = [&](const std::string& msg) { errors.push_back(Diagnostic{path, {lineno, 1}, msg}); };
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object()) {
      bad("not a JSON object");
      continue;
    }
    try {
      const std::string type = j.value("type", "");
      if (type == "header") {
        tl.header = header_of(j);
        have_header = true;
      } else if (type == "tick") {
        if (!have_header) {
          bad("a tick before the header");
          continue;
        }
        tl.ticks.push_back(tick_of(j, tl.header));
      } else if (type == "event") {
        tl.notes.push_back(note_of(j));
      } else if (type == "result") {
        tl.result_json = line;
      } else {
        bad("unknown line type '" + type + "' (expected header, tick, event or result)");
      }
    } catch (const json::exception& e) {
      bad(std::string("malformed timeline line: ") + e.what());
    } catch (const std::out_of_range& e) {
      bad(std::string("malformed timeline line: ") + e.what());
    }
  }
  if (!have_header && errors.empty())
    errors.push_back(Diagnostic{path, {1, 1}, "not a timeline: no header line"});
  if (!errors.empty()) throw InputError(errors);
  return tl;
}

}  // namespace archsim
