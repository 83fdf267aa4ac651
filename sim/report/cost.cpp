#include "report/cost.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "archsim/contract.hpp"
#include "archsim/figures.hpp"
#include "spec/kinds.hpp"

namespace archsim::report {

namespace {

// What a component runs on, and how many of that per replica: the instance it
// names, or the smallest of its family that fits its workers (a database's
// concurrent queries, a service's handlers) or its memory (a cache's keys).
void size_line(const ScenarioSpec& spec, const ComponentSpec& comp, CostLine& l) {
  std::string_view family = l.kind;
  int workers = 0;
  double memory = 0;
  if (const ServiceSpec* s = comp.service()) workers = s->workers;
  if (const DatabaseSpec* d = comp.database()) workers = d->workers;
  if (const CacheSpec* c = comp.cache(); c && c->keyed()) {
    double item = 1000;  // bytes per entry unless the problem's data set says
    if (spec.contract)
      if (const DataSetSpec* ds = spec.contract->data_set(comp.data)) item = ds->item_bytes;
    const std::uint64_t held = c->store.capacity ? c->store.capacity : c->store.keys;
    memory = static_cast<double>(held) * item * 1.3 / (1024.0 * 1024 * 1024);  // +30%: Redis overhead per key
  }
  const Instance* in = comp.instance.empty() ? nullptr : instance(comp.instance);
  if (!in) {
    if (family != "service" && family != "database" && family != "cache" && family != "queue") return;
    in = &smallest_for(family, workers, memory);
  }
  l.instance = std::string(in->name);
  // Beyond the largest size: as many of it as the workers need.
  const int most = max_workers(*in);
  l.instances = comp.instance.empty() && workers > most ? (workers + most - 1) / most : 1;
  if (memory > in->memory_gib && comp.instance.empty())
    l.instances = std::max(l.instances, static_cast<int>(std::ceil(memory / in->memory_gib)));
  double price = in->per_hour;
  if (spec.contract)
    if (auto p = spec.contract->price(in->name)) price = *p;
  l.unit = price * l.instances;
}

// A service or database resized mid-run (`resize`: workers, instance) is
// billed for the size it ran on in each part of the window [from, to] (s),
// weighted by time: `base` is the kind's price before sizing. The line
// names the size it ended on.
void resized_line(const ScenarioSpec& spec, const ComponentSpec& comp, double base, double from, double to,
                  CostLine& l) {
  std::vector<const FaultSpec*> rs;
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::Resize && f.target == comp.name) rs.push_back(&f);
  if (rs.empty() || to <= from) return;
  std::stable_sort(rs.begin(), rs.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  ComponentSpec c = comp;
  Sizing now{comp.service() ? comp.service()->workers : comp.database()->workers, comp.instance};
  const auto unit_of = [&](CostLine& x) {
    c.instance = now.instance;
    if (ServiceSpec* s = c.service()) s->workers = now.workers;
    if (DatabaseSpec* d = c.database()) d->workers = now.workers;
    x.unit = base;
    size_line(spec, c, x);
    return x.unit;
  };
  double t = from, area = 0;
  for (const FaultSpec* f : rs) {
    const double until = std::clamp(f->at, from, to);
    area += unit_of(l) * (until - t);
    t = until;
    now = resized(comp, now, f->workers, f->instance);
  }
  area += unit_of(l) * (to - t);
  l.unit = area / (to - from);
}

// A keyed cache whose capacity changed mid-run (`cache_size`) is billed,
// like a resize, for the memory it needed in each part of [from, to] (s),
// weighted by time; `base` is the kind's price before sizing.
void cache_sized_line(const ScenarioSpec& spec, const ComponentSpec& comp, double base, double from,
                      double to, CostLine& l) {
  std::vector<const FaultSpec*> cs;
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::CacheSize && f.target == comp.name) cs.push_back(&f);
  if (cs.empty() || to <= from || !comp.cache()) return;
  std::stable_sort(cs.begin(), cs.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  ComponentSpec c = comp;
  const auto unit_of = [&](std::uint64_t held, CostLine& x) {
    std::get<CacheSpec>(c.body).store.capacity = held;
    x.unit = base;
    size_line(spec, c, x);
    return x.unit;
  };
  std::uint64_t held = comp.cache()->store.capacity;
  double t = from, area = 0;
  for (const FaultSpec* f : cs) {
    const double until = std::clamp(f->at, from, to);
    area += unit_of(held, l) * (until - t);
    t = until;
    held = f->capacity;
  }
  area += unit_of(held, l) * (to - t);
  l.unit = area / (to - from);
}

// The window a bill covers, s: the run's measured window, else its ticks'; [0, 0] without a run.
std::pair<double, double> billed_window(const std::vector<Tick>& ticks, const RunResult* result) {
  if (result && result->sim_time_s > result->warmup_s) return {result->warmup_s, result->sim_time_s};
  if (!ticks.empty()) return {ticks.front().t - ticks.front().dt, ticks.back().t};
  return {0, 0};
}

// The entries a CDN edge holds at most, averaged over the run's measured
// window by time when `cache_size` actions change it (else its design's).
double cdn_mean_held(const ScenarioSpec& spec, const ComponentSpec& comp, const RunResult* result) {
  const KeyedStoreSpec& s = comp.cdn()->store;
  double held = static_cast<double>(s.capacity ? s.capacity : s.keys);
  if (!result || result->sim_time_s <= result->warmup_s) return held;
  const double from = result->warmup_s, to = result->sim_time_s;
  std::vector<const FaultSpec*> cs;
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::CacheSize && f.target == comp.name) cs.push_back(&f);
  std::stable_sort(cs.begin(), cs.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  double t = from, area = 0;
  for (const FaultSpec* f : cs) {
    const double until = std::clamp(f->at, from, to);
    area += held * (until - t);
    t = until;
    held = static_cast<double>(f->capacity);
  }
  return (area + held * (to - t)) / (to - from);
}

// What a CDN edge's held objects cost per hour: its capacity (all keys when
// unbounded; time-weighted over cache_size actions) x the object size,
// GB-months over 730 hours.
double cdn_storage_per_hour(const ScenarioSpec& spec, const ComponentSpec& comp, const RunResult* result) {
  const CdnSpec* cdn = comp.cdn();
  if (!cdn || cdn->object_size <= 0) return 0;
  const double gb = cdn_mean_held(spec, comp, result) * cdn->object_size / 1e9;
  const auto o = spec.contract ? spec.contract->price("cdn_storage_gb_month") : std::nullopt;
  return gb * o.value_or(usage_price("cdn_storage_gb_month")->price) / 730;
}

// The bytes a traffic source's answers carry to its users (`response:`),
// when its entry is not a CDN (a CDN bills its own egress): internet egress.
void add_internet_egress(const ScenarioSpec& spec, const RunResult* result, Cost& c) {
  if (!result || result->sim_time_s <= result->warmup_s) return;
  const double window = result->sim_time_s - result->warmup_s;
  double bytes = 0;
  for (std::size_t i = 0; i < spec.traffic.size() && i < result->sources.size(); ++i) {
    const TrafficSpec& t = spec.traffic[i];
    const int entry = spec.find(t.to);
    if (t.response_bytes <= 0 || entry < 0 || spec.components[static_cast<std::size_t>(entry)].cdn())
      continue;
    bytes += static_cast<double>(result->sources[i].completed) * t.response_bytes;
  }
  if (bytes <= 0) return;
  const auto o = spec.contract ? spec.contract->price("internet_egress_gb") : std::nullopt;
  c.egress_per_gb = o.value_or(usage_price("internet_egress_gb")->price);
  c.egress_gb_per_hour = bytes / 1e9 / window * 3600;
  c.egress_per_hour = c.egress_gb_per_hour * c.egress_per_gb;
  c.per_hour += c.egress_per_hour;
}

}  // namespace

namespace {

// An autoscaled fleet is billed for the replicas it runs, a time-weighted
// mean over the ticks. A fixed fleet is billed in full: a replica that
// restarts still runs (and costs) its machine.
double mean_replicas(const std::vector<Tick>& ticks, std::size_t i, double replicas) {
  double area = 0, time = 0;
  for (const Tick& t : ticks) {
    if (t.components.size() <= i) continue;
    double n = replicas;
    for (const Figure& f : t.components[i].figures)
      if (f.name == fig::kReplicas) n = f.value;
    area += n * t.dt;
    time += t.dt;
  }
  return time > 0 ? area / time : replicas;
}

// A fleet an operator's `scale` actions resize is billed for the replicas
// it has, a time-weighted mean over the measured window (without a run: the
// scenario's), whatever the replicas in service (a killed replica still
// costs its machine). Without actions: `replicas`.
double scaled_replicas(const ScenarioSpec& spec, const ComponentSpec& comp, std::pair<double, double> window,
                       double replicas) {
  std::vector<const FaultSpec*> ss;
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::Scale && f.target == comp.name && f.replicas) ss.push_back(&f);
  auto [from, to] = window;
  if (to <= from) from = spec.warmup, to = spec.duration;
  if (ss.empty() || to <= from) return replicas;
  std::stable_sort(ss.begin(), ss.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  double t = from, area = 0, n = replicas;
  for (const FaultSpec* f : ss) {
    const double until = std::clamp(f->at, from, to);
    area += n * (until - t);
    t = until;
    n = *f->replicas;
  }
  return (area + n * (to - t)) / (to - from);
}

// The value of one of component i's result figures, or nullopt without a result.
std::optional<double> figure_of(const RunResult* result, std::size_t i, std::string_view name) {
  if (!result || i >= result->components.size()) return std::nullopt;
  std::optional<double> v;
  for (const Figure& f : result->components[i].figures)
    if (f.name == name) v = f.value;
  return v;
}

std::optional<double> price_override(const ScenarioSpec& spec, std::string_view name) {
  return spec.contract ? spec.contract->price(name) : std::nullopt;
}

// A managed queue (no broker instance named): billed per message published
// over the measured window. Brokers (`instance: kafka.*`) are billed by the
// hour: provisioned throughput.
void managed_queue_line(const ScenarioSpec& spec, std::size_t i, const RunResult* result, CostLine& l) {
  l.usage = true;
  l.usage_what = "messages";
  l.instance = "managed";
  l.mean_replicas = 1;
  const double per_million =
      price_override(spec, "queue_million_messages").value_or(usage_price("queue_million_messages")->price);
  const double window = result ? result->sim_time_s - result->warmup_s : 0;
  if (window <= 0) return;
  if (const auto published = figure_of(result, i, fig::kPublished))
    l.unit = *published / window * 3600 / 1e6 * per_million;
}

// A CDN: egress (Gbit/s -> GB per hour) plus the storage its capacity holds.
void cdn_line(const ScenarioSpec& spec, const ComponentSpec& comp, std::size_t i, const RunResult* result,
              CostLine& l) {
  l.usage = true;
  l.usage_what = "egress";
  l.mean_replicas = 1;
  const double per_gb = price_override(spec, "cdn_egress_gb").value_or(cdn_price_per_gb());
  if (const auto gbps = figure_of(result, i, fig::kEgressGbps)) l.unit = *gbps * 3600 / 8 * per_gb;
  const double storage = cdn_storage_per_hour(spec, comp, result);
  if (storage > 0) {
    l.unit += storage;
    l.usage_what = "egress + storage";
  }
}

CostLine cost_line(const ScenarioSpec& spec, const std::vector<Tick>& ticks, std::size_t i,
                   const RunResult* result) {
  const ComponentSpec& comp = spec.components[i];
  CostLine l;
  l.component = comp.name;
  l.kind = std::string(name_of(comp.kind()));
  l.replicas = comp.replica_count();
  l.mean_replicas = l.replicas;
  if (const ServiceSpec* svc = comp.service(); svc && svc->autoscale)
    l.mean_replicas = mean_replicas(ticks, i, l.replicas);
  else if (svc) l.mean_replicas = scaled_replicas(spec, comp, billed_window(ticks, result), l.replicas);
  if (spec.contract && spec.contract->external(comp.name)) {
    l.instance = "external";                 // the problem's system: the design neither sizes nor pays for it
  } else if (comp.cost && !spec.graded()) {  // a graded problem prices capacity itself
    l.unit = *comp.cost;
    l.defaulted = false;
  } else if (comp.queue() && comp.instance.empty()) {
    managed_queue_line(spec, i, result, l);
  } else if (comp.cdn()) {
    cdn_line(spec, comp, i, result, l);
  } else if (auto p = default_price(l.kind)) {
    l.unit = price_override(spec, l.kind).value_or(*p);
    const double base = l.unit;
    size_line(spec, comp, l);
    const auto [from, to] = billed_window(ticks, result);
    if (comp.service() || comp.database()) resized_line(spec, comp, base, from, to, l);
    if (comp.cache()) cache_sized_line(spec, comp, base, from, to, l);
  } else {
    l.priced = false;
  }
  l.per_hour = l.unit * l.mean_replicas;
  return l;
}

// Data crossing regions, at the transfer price, over the measured window.
void add_transfer(const ScenarioSpec& spec, const RunResult* result, Cost& c) {
  if (!result || result->sim_time_s <= result->warmup_s) return;
  c.transfer_per_gb = price_override(spec, "transfer_gb").value_or(usage_price("transfer_gb")->price);
  c.transfer_gb_per_hour = result->cross_region_bytes / 1e9 / (result->sim_time_s - result->warmup_s) * 3600;
  c.transfer_per_hour = c.transfer_gb_per_hour * c.transfer_per_gb;
  c.per_hour += c.transfer_per_hour;
}

}  // namespace

Cost cost_of(const ScenarioSpec& spec, const std::vector<Tick>& ticks, const RunResult* result) {
  Cost c;
  for (std::size_t i = 0; i < spec.components.size(); ++i) {
    CostLine l = cost_line(spec, ticks, i, result);
    c.per_hour += l.per_hour;
    c.lines.push_back(std::move(l));
  }
  add_transfer(spec, result, c);
  add_internet_egress(spec, result, c);
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
