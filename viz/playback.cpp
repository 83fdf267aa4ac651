#include "playback.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace archsim::viz {

const char* name_of(Health h) {
  switch (h) {
    case Health::Idle: return "idle";
    case Health::Healthy: return "healthy";
    case Health::Saturated: return "saturated";
    case Health::Failing: return "failing";
    case Health::Down: return "down";
  }
  return "?";
}

std::optional<double> figure_of(const ComponentTick& t, std::string_view name) {
  for (const auto& f : t.figures)
    if (f.name == name) return f.value;
  return std::nullopt;
}

Health classify(const ComponentTick& now, const ComponentTick* earlier) {
  if (const auto up = figure_of(now, "replicas"); up && *up <= 0) return Health::Down;
  if (now.arrivals == 0 && now.in_flight == 0 && now.completed == 0 && now.failed == 0) return Health::Idle;
  const double finished = static_cast<double>(now.completed) + now.failed;
  if (now.failed > 0 && now.failed > kFailingShare * finished) return Health::Failing;
  if (now.utilization > kSaturatedUtil) return Health::Saturated;
  // A connection pool run dry is saturation whatever the workers do: queries
  // wait for a connection while the database's own workers may be idle.
  if (const auto pw = figure_of(now, "pool_waiting"); pw && *pw > 0) return Health::Saturated;
  // A queue that keeps growing means arrivals outrun service even when the
  // utilisation of the tick still looks moderate (it lags behind).
  if (earlier && now.queue >= 10 && now.queue > 1.5 * earlier->queue) return Health::Saturated;
  return Health::Healthy;
}

namespace {
Timeline make_timeline(TimelineHeader h, std::vector<Tick> ticks) {
  Timeline tl;
  tl.header = std::move(h);
  tl.ticks = std::move(ticks);
  return tl;
}
}  // namespace

Playback::Playback(Timeline tl, std::size_t tick_budget)
    : tl_(std::move(tl)), budget_(tick_budget), store_(tick_budget), ticks_(&store_.kept()) {
  std::vector<Tick> ticks = std::move(tl_.ticks);
  tl_.ticks.clear();
  for (Tick& t : ticks) keep(std::move(t));
  store_.ticks();  // the last merged tick too: a replay has all of them
  if (tl_.result_json) {
    try {
      const auto j = nlohmann::json::parse(*tl_.result_json);
      if (j.contains("slo") && j["slo"].contains("checks")) {
        for (const auto& c : j["slo"]["checks"]) {
          SloStatus s;
          s.name = c.value("name", "");
          // The result line states latencies in ms ("unit": "ms").
          const double scale = c.value("unit", "") == "ms" ? 1e-3 : 1.0;
          s.target = c.value("target", 0.0) * scale;
          s.actual = c.value("actual", 0.0) * scale;
          s.pass = c.value("pass", true);
          s.measured = c.value("measured", true);
          s.known = s.exact = true;
          s.higher_is_better = s.name == "throughput_min";
          final_slo_.push_back(s);
        }
      }
    } catch (const std::exception&) {
      // A result we cannot read only costs the exact verdict at the end.
    }
  }
}

Playback::Playback(TimelineHeader h, std::vector<Tick> ticks, std::size_t tick_budget)
    : Playback(make_timeline(std::move(h), std::move(ticks)), tick_budget) {}

void Playback::keep(Tick t) {
  mark_missing_latency(t);  // the engine reports 0 s; here it is missing
  note(t);
  store_.add(t);
}

void Playback::append(const Tick& t) { keep(t); }

void Playback::set_final(const std::vector<SloCheck>& checks) {
  store_.ticks();  // the run is over: its last merged tick is whole
  final_slo_.clear();
  for (const auto& c : checks) {
    SloStatus s;
    s.name = c.name;
    s.target = c.target;
    s.actual = c.actual;
    s.pass = c.pass;
    s.measured = c.measured;
    s.known = s.exact = true;
    s.higher_is_better = c.higher_is_better;
    final_slo_.push_back(s);
  }
}

void Playback::clear() {
  store_ = TickStore(budget_);
  tl_.notes.clear();
  tl_.result_json.reset();
  max_edge_rate_ = 0;
  cause_.reset();
  final_slo_.clear();
}

void Playback::note(const Tick& t) {
  const double dt = t.dt > 0 ? t.dt : 1;
  for (const auto& e : t.edges) max_edge_rate_ = std::max(max_edge_rate_, e.calls / dt);
}

double Playback::duration() const { return std::max(tl_.header.duration, horizon()); }

int Playback::index_at(double t) const {
  const auto& ts = (*ticks_);
  auto it = std::upper_bound(ts.begin(), ts.end(), t + 1e-9, [](double v, const Tick& k) { return v < k.t; });
  return static_cast<int>(it - ts.begin()) - 1;
}

const Tick* Playback::tick_at(double t) const {
  const int i = index_at(t);
  return i < 0 ? nullptr : &(*ticks_)[i];
}

Health Playback::health(int c, double t) const {
  const int i = index_at(t);
  if (i < 0 || c < 0 || c >= static_cast<int>((*ticks_)[i].components.size())) return Health::Idle;
  // "A few seconds earlier": three ticks back, whatever the tick length.
  const int j = i - 3;
  const ComponentTick* earlier = nullptr;
  if (j >= 0 && c < static_cast<int>((*ticks_)[j].components.size())) earlier = &(*ticks_)[j].components[c];
  return classify((*ticks_)[i].components[c], earlier);
}

std::optional<double> Playback::figure(int c, double t, std::string_view name) const {
  const Tick* k = tick_at(t);
  if (!k || c < 0 || c >= static_cast<int>(k->components.size())) return std::nullopt;
  return figure_of(k->components[c], name);
}

int Playback::replicas_at(int c, double t) const {
  if (const auto up = figure(c, t, "replicas")) return static_cast<int>(std::lround(*up));
  return c >= 0 && c < static_cast<int>(tl_.header.components.size()) ? tl_.header.components[c].replicas : 1;
}

int Playback::workers_at(int c, double t) const {
  if (const auto w = figure(c, t, "workers")) return static_cast<int>(std::lround(*w));
  return c >= 0 && c < static_cast<int>(tl_.header.components.size()) ? tl_.header.components[c].workers : 0;
}

double Playback::edge_rate(int e, double t) const {
  const Tick* k = tick_at(t);
  if (!k || e < 0 || e >= static_cast<int>(k->edges.size())) return 0;
  return k->edges[e].calls / (k->dt > 0 ? k->dt : 1);
}

double Playback::source_rate(int s, double t) const {
  const Tick* k = tick_at(t);
  if (!k) return 0;
  double sum = 0;
  const auto& es = tl_.header.edges;
  for (std::size_t e = 0; e < es.size() && e < k->edges.size(); ++e)
    if (es[e].from == -1 - s) sum += k->edges[e].calls;
  return sum / (k->dt > 0 ? k->dt : 1);
}

double Playback::value(Metric m, const Tick& t) const {
  const double dt = t.dt > 0 ? t.dt : 1;
  switch (m) {
    case Metric::Throughput: return t.completed / dt;
    case Metric::P99: return t.p99;
    case Metric::P99Timeouts: return t.p99_timeouts;
    case Metric::ErrorRate: {
      const double n = static_cast<double>(t.completed) + t.failed;
      return n > 0 ? t.failed / n : 0;
    }
  }
  return 0;
}

namespace {

// A tick's latencies as a lognormal through its p50 and p99.
struct LogNormal {
  double mu, sigma;
  double weight;
  double exceed(double x) const {  // P(X > x)
    if (sigma <= 1e-9) return x < std::exp(mu) ? 1.0 : 0.0;
    return 0.5 * std::erfc((std::log(x) - mu) / (sigma * std::sqrt(2.0)));
  }
};

double mixture_quantile(const std::vector<LogNormal>& parts, double q) {
  double total = 0, lo = 1e300, hi = 0;
  for (const auto& p : parts) {
    total += p.weight;
    lo = std::min(lo, std::exp(p.mu - 6 * p.sigma));
    hi = std::max(hi, std::exp(p.mu + 6 * p.sigma));
  }
  if (total <= 0) return 0;
  lo = std::max(lo * 0.5, 1e-12);
  hi *= 2;
  // Bisection on log x: the share above x falls from ~1 at lo to ~0 at hi.
  for (int it = 0; it < 40; ++it) {
    const double mid = std::sqrt(lo * hi);
    double above = 0;
    for (const auto& p : parts) above += p.weight * p.exceed(mid);
    if (above / total > 1 - q) lo = mid;
    else hi = mid;
  }
  return std::sqrt(lo * hi);
}

}  // namespace

std::vector<SloStatus> Playback::slo_at(double t) const {
  const auto& h = tl_.header;
  const int last = index_at(t);
  if (!final_slo_.empty() && last >= 0 && last == static_cast<int>((*ticks_).size()) - 1 &&
      (*ticks_).back().t >= h.duration - 1e-6)
    return final_slo_;

  double completed = 0, failed = 0, span = 0;
  std::vector<LogNormal> parts;
  for (int i = 0; i <= last; ++i) {
    const Tick& k = (*ticks_)[i];
    if (k.t - k.dt < h.warmup - 1e-9) continue;
    completed += k.completed;
    failed += k.failed;
    span += k.dt;
    if (k.completed > 0 && k.p50 > 0) {
      const double p99 = std::max(k.p99, k.p50);
      parts.push_back(
          {std::log(k.p50), std::log(p99 / k.p50) / 2.3263478740, static_cast<double>(k.completed)});
    }
  }
  std::vector<SloStatus> out;
  for (const auto& slo : h.slo) {
    SloStatus s;
    s.name = slo.key;
    s.target = slo.target;
    using K = SloSpec::Kind;
    switch (slo.kind) {
      case K::LatencyP50:
        s.actual = mixture_quantile(parts, 0.50);
        s.known = !parts.empty();
        break;
      case K::LatencyP90:
        s.actual = mixture_quantile(parts, 0.90);
        s.known = !parts.empty();
        break;
      case K::LatencyP99:
        s.actual = mixture_quantile(parts, 0.99);
        s.known = !parts.empty();
        break;
      case K::LatencyP999:
        s.actual = mixture_quantile(parts, 0.999);
        s.known = !parts.empty();
        break;
      case K::LatencyMean: {
        double w = 0, sum = 0;
        for (const auto& p : parts) {
          w += p.weight;
          sum += p.weight * std::exp(p.mu + p.sigma * p.sigma / 2);
        }
        s.actual = w > 0 ? sum / w : 0;
        s.known = w > 0;
        break;
      }
      case K::ErrorRate:
        s.actual = completed + failed > 0 ? failed / (completed + failed) : 0;
        s.known = completed + failed > 0;
        break;
      case K::ThroughputMin:
        s.actual = span > 0 ? completed / span : 0;
        s.known = span > 0;
        s.higher_is_better = true;
        break;
      default:  // correctness and availability: the run's result has them, the playback does not
        break;
    }
    if (s.name.empty()) s.name = "slo";
    // As the run's own check: a latency objective whose requests all failed
    // so far is failed, with no value ("no successful request").
    if (slo.kind <= K::LatencyMean && !s.known && failed > 0) s.known = true, s.measured = false;
    s.pass = !s.known || (s.measured && (s.higher_is_better ? s.actual >= s.target : s.actual <= s.target));
    out.push_back(s);
  }
  return out;
}

std::string format_clock(double seconds) {
  seconds = std::max(0.0, seconds);
  char buf[32];
  const long whole = static_cast<long>(seconds);
  const long h = whole / 3600, m = (whole / 60) % 60;
  const double s = seconds - static_cast<double>(h * 3600 + m * 60);
  if (h > 0) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02d", h, m, static_cast<int>(s));
  else std::snprintf(buf, sizeof buf, "%ld:%04.1f", m, std::floor(s * 10) / 10);
  return buf;
}

std::string format_duration(double s) {
  char buf[32];
  if (!std::isfinite(s)) return "\u2013";  // missing: nothing finished
  if (s <= 0) return "0";
  if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.0f us", s * 1e6);
  else if (s < 1e-2) std::snprintf(buf, sizeof buf, "%.2f ms", s * 1e3);
  else if (s < 0.1) std::snprintf(buf, sizeof buf, "%.1f ms", s * 1e3);
  else if (s < 1) std::snprintf(buf, sizeof buf, "%.0f ms", s * 1e3);
  else if (s < 100) std::snprintf(buf, sizeof buf, "%.2f s", s);
  else std::snprintf(buf, sizeof buf, "%.0f s", s);
  return buf;
}

std::string format_count(double n) {
  char buf[32];
  const double a = std::abs(n);
  if (a < 1e3) std::snprintf(buf, sizeof buf, "%.0f", n);
  else if (a < 1e4) std::snprintf(buf, sizeof buf, "%.2fk", n / 1e3);
  else if (a < 1e5) std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
  else if (a < 1e6) std::snprintf(buf, sizeof buf, "%.0fk", n / 1e3);
  else if (a < 1e9) std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  else std::snprintf(buf, sizeof buf, "%.2fG", n / 1e9);
  return buf;
}

std::string format_rate(double r) {
  char buf[32];
  if (r < 10) std::snprintf(buf, sizeof buf, "%.1f/s", r);
  else if (r < 1e3) std::snprintf(buf, sizeof buf, "%.0f/s", r);
  else if (r < 1e4) std::snprintf(buf, sizeof buf, "%.2fk/s", r / 1e3);
  else if (r < 1e6) std::snprintf(buf, sizeof buf, "%.1fk/s", r / 1e3);
  else std::snprintf(buf, sizeof buf, "%.2fM/s", r / 1e6);
  return buf;
}

bool name_matches(std::string_view name, std::string_view query) {
  if (query.empty() || query.size() > name.size()) return false;
  auto low = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  for (std::size_t i = 0; i + query.size() <= name.size(); ++i) {
    std::size_t j = 0;
    while (j < query.size() && low(name[i + j]) == low(query[j])) ++j;
    if (j == query.size()) return true;
  }
  return false;
}

std::string format_percent(double f) {
  char buf[32];
  const double p = f * 100;
  if (p == 0) return "0%";
  if (p < 0.1) std::snprintf(buf, sizeof buf, "%.2f%%", p);
  else if (p < 10) std::snprintf(buf, sizeof buf, "%.1f%%", p);
  else std::snprintf(buf, sizeof buf, "%.0f%%", p);
  return buf;
}

}  // namespace archsim::viz
