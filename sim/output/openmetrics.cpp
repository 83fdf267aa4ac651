// --metrics: the timeline as OpenMetrics text (the Prometheus exposition
// format, https://openmetrics.io), loadable by
// `promtool tsdb create-blocks-from openmetrics FILE DIR`.
//
// Counts per tick become counters (cumulative, `_total`) so that rate()
// works; queue, in-flight and utilisation are gauges; latencies are
// summaries with quantiles 0.5 and 0.99 of the visits that ended in the tick
// (NaN when none succeeded) and `_count`, the successes so far. Every family's
// samples are contiguous (the format requires it), series by series in time
// order, which is why the ticks are kept until the end: in a TickStore, so
// that a very long run's samples are merged ticks (archsim/ticks.hpp)
// rather than all of its memory.
#include <cmath>
#include <ctime>
#include <functional>
#include <map>
#include <ostream>
#include <set>

#include <fmt/format.h>

#include "archsim/exports.hpp"

namespace archsim {

namespace {

std::string escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

using Labels = std::vector<std::pair<std::string, std::string>>;

std::string label_text(const Labels& labels) {
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i)
    out += fmt::format("{}{}=\"{}\"", i ? "," : "", labels[i].first, escape(labels[i].second));
  return out + "}";
}

std::string value_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

/// Writes families; each sample line is NAME{LABELS} VALUE TIMESTAMP.
class Out {
 public:
  Out(std::ostream& o, double start) : o_(o), start_(start) {}
  void family(const std::string& name, const char* type, const char* unit, const std::string& help) {
    o_ << "# TYPE " << name << ' ' << type << '\n';
    if (*unit) o_ << "# UNIT " << name << ' ' << unit << '\n';
    o_ << "# HELP " << name << ' ' << help << '\n';
  }
  void sample(const std::string& name, const std::string& labels, double v, double t) {
    o_ << name << labels << ' ' << value_text(v) << ' ' << fmt::format("{:.3f}", start_ + t) << '\n';
  }

 private:
  std::ostream& o_;
  double start_;
};

double nan_unless(bool any, double v) { return any ? v : std::nan(""); }

}  // namespace

std::optional<double> parse_start_time(const std::string& text) {
  if (text == "now") return static_cast<double>(std::time(nullptr));
  std::tm tm{};
  int y, mo, d, h = 0, mi = 0, s = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) == 7 && z == 'Z' &&
      text.size() == 20) {
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return static_cast<double>(timegm(&tm));
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (!text.empty() && end && *end == '\0' && std::isfinite(v) && v >= 0) return v;
  return std::nullopt;
}

namespace {

/// The families of one file: counters, gauges and summaries over the ticks,
/// each series by series in time order (OpenMetrics wants a family's samples together).
class Families {
 public:
  using Count = std::function<double(std::size_t, const Tick&)>;
  using Quant = std::function<std::pair<double, double>(std::size_t, const Tick&)>;

  Families(Out& o, const std::vector<Tick>& ticks, Labels base)
      : o_(o), ticks_(ticks), base_(std::move(base)) {}

  Labels with(Labels extra) const {
    Labels l = base_;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  }
  const Labels& base() const { return base_; }
  const std::vector<Tick>& ticks() const { return ticks_; }

  /// Cumulative (`_total`) of value(i, tick), the tick's count.
  void counter(const std::string& name, const std::string& help, const std::vector<Labels>& series,
               const Count& value) {
    o_.family(name, "counter", "", help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      const std::string l = label_text(series[i]);
      double sum = 0;
      for (const Tick& t : ticks_) o_.sample(name + "_total", l, sum += value(i, t), t.t);
    }
  }
  void gauge(const std::string& name, const char* unit, const std::string& help,
             const std::vector<Labels>& series, const Count& value) {
    o_.family(name, "gauge", unit, help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      const std::string l = label_text(series[i]);
      for (const Tick& t : ticks_) o_.sample(name, l, value(i, t), t.t);
    }
  }
  /// Quantiles 0.5 and 0.99 of the tick, and the successes so far (`_count`).
  void summary(const std::string& name, const std::string& help, const std::vector<Labels>& series,
               const Quant& q, const Count& ok) {
    o_.family(name, "summary", "seconds", help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      double count = 0;
      for (const Tick& t : ticks_) {
        const auto [p50, p99] = q(i, t);
        const double n = ok(i, t);
        Labels l50 = series[i], l99 = series[i];
        l50.emplace_back("quantile", "0.5");
        l99.emplace_back("quantile", "0.99");
        o_.sample(name, label_text(l50), nan_unless(n > 0, p50), t.t);
        o_.sample(name, label_text(l99), nan_unless(n > 0, p99), t.t);
        o_.sample(name + "_count", label_text(series[i]), count += n, t.t);
      }
    }
  }
  /// A gauge of window figures: one sample per series, at the end of the run.
  void window_gauge(const std::string& name, const char* unit, const std::string& help,
                    const std::vector<std::pair<Labels, double>>& series, double end) {
    if (series.empty()) return;
    o_.family(name, "gauge", unit, help);
    for (const auto& [labels, v] : series) o_.sample(name, label_text(labels), v, end);
  }

 private:
  Out& o_;
  const std::vector<Tick>& ticks_;
  Labels base_;
};

void end_to_end_families(Families& f) {
  const std::vector<Labels> one = {f.base()};
  f.counter("archsim_requests_started", "Requests the traffic sources started", one,
            [](std::size_t, const Tick& t) { return double(t.started); });
  f.counter("archsim_requests_completed", "Requests that succeeded end to end", one,
            [](std::size_t, const Tick& t) { return double(t.completed); });
  f.counter("archsim_requests_failed", "Requests that failed end to end", one,
            [](std::size_t, const Tick& t) { return double(t.failed); });
  std::set<std::string> kinds;
  for (const Tick& t : f.ticks())
    for (const auto& [k, n] : t.errors) kinds.insert(k);
  std::vector<Labels> err_series;
  std::vector<std::string> err_kinds(kinds.begin(), kinds.end());
  for (const std::string& k : err_kinds) err_series.push_back(f.with({{"error", k}}));
  if (!err_series.empty())
    f.counter("archsim_request_errors", "Failed requests by cause", err_series,
              [&](std::size_t i, const Tick& t) {
                const auto it = t.errors.find(err_kinds[i]);
                return it == t.errors.end() ? 0.0 : double(it->second);
              });
  f.summary(
      "archsim_request_latency_seconds", "End-to-end latency of the requests that succeeded in the tick", one,
      [](std::size_t, const Tick& t) {
        return std::pair{t.p50, t.p99};
      },
      [](std::size_t, const Tick& t) { return double(t.completed); });
}

const ComponentTick& ct(std::size_t i, const Tick& t) { return t.components[i]; }

void component_families(Families& f, const TimelineHeader& h) {
  std::vector<Labels> comps;
  for (const auto& c : h.components) comps.push_back(f.with({{"component", c.name}, {"kind", c.kind}}));
  f.counter("archsim_component_arrivals", "Visits that reached the component", comps,
            [&](std::size_t i, const Tick& t) { return double(ct(i, t).arrivals); });
  f.counter("archsim_component_completed", "Visits the component finished successfully", comps,
            [&](std::size_t i, const Tick& t) { return double(ct(i, t).completed); });
  f.counter("archsim_component_failed", "Visits that ended with an error", comps,
            [&](std::size_t i, const Tick& t) { return double(ct(i, t).failed); });
  f.gauge("archsim_component_in_flight", "",
          "Visits at the component (queued or in service) at the end of the tick", comps,
          [&](std::size_t i, const Tick& t) { return double(ct(i, t).in_flight); });
  f.gauge("archsim_component_queue", "", "Visits waiting for a worker at the end of the tick", comps,
          [&](std::size_t i, const Tick& t) { return double(ct(i, t).queue); });
  f.gauge("archsim_component_utilization_ratio", "ratio",
          "Busy workers over all workers, averaged over the tick", comps,
          [&](std::size_t i, const Tick& t) { return ct(i, t).utilization; });
  f.summary(
      "archsim_component_latency_seconds", "Arrival to reply of the visits that succeeded in the tick", comps,
      [&](std::size_t i, const Tick& t) {
        return std::pair{ct(i, t).p50, ct(i, t).p99};
      },
      [&](std::size_t i, const Tick& t) { return double(ct(i, t).completed); });
}

/// The kinds' own figures (hit_ratio, pool_wait_ms, replicas...): one gauge family, by name.
void kind_figure_families(Families& f, const TimelineHeader& h) {
  std::vector<Labels> figs;
  std::vector<std::pair<std::size_t, std::string>> fig_keys;
  for (std::size_t i = 0; i < h.components.size(); ++i) {
    std::set<std::string> names;
    for (const Tick& t : f.ticks())
      for (const Figure& fg : ct(i, t).figures) names.insert(fg.name);
    for (const std::string& n : names) {
      figs.push_back(
          f.with({{"component", h.components[i].name}, {"kind", h.components[i].kind}, {"figure", n}}));
      fig_keys.emplace_back(i, n);
    }
  }
  if (figs.empty()) return;
  f.gauge("archsim_component_figure", "",
          "A figure particular to the component's kind (name in the figure label)", figs,
          [&](std::size_t i, const Tick& t) {
            for (const Figure& fg : ct(fig_keys[i].first, t).figures)
              if (fg.name == fig_keys[i].second) return fg.value;
            return std::nan("");
          });
}

void edge_families(Families& f, const TimelineHeader& h) {
  std::vector<Labels> edges;
  for (const EdgeInfo& e : h.edges) {
    const std::string from =
        e.from >= 0 ? h.components[std::size_t(e.from)].name : h.sources[std::size_t(-1 - e.from)];
    edges.push_back(f.with({{"from", from}, {"to", h.components[std::size_t(e.to)].name}}));
  }
  auto et = [](std::size_t i, const Tick& t) -> const EdgeTick& { return t.edges[i]; };
  f.counter("archsim_edge_calls", "Calls from one component (or traffic source) to another", edges,
            [&](std::size_t i, const Tick& t) { return double(et(i, t).calls); });
  f.counter("archsim_edge_failed", "Calls that failed, as the caller saw them", edges,
            [&](std::size_t i, const Tick& t) { return double(et(i, t).failed); });
  f.summary(
      "archsim_edge_latency_seconds", "Call latency seen by the caller, successful calls in the tick", edges,
      [&](std::size_t i, const Tick& t) {
        return std::pair{et(i, t).p50, et(i, t).p99};
      },
      [&](std::size_t i, const Tick& t) { return double(et(i, t).calls - et(i, t).failed); });
}

/// The figures of the measured window (README "Output reference"), one
/// sample each at the end of the run: the end-to-end error rate and
/// in-flight mean, the sources' retries, hedges and abandoned attempts, each
/// component's window figures (its kind's own: lost_writes, duplicates,
/// stale reads ...), and each SLO's target, actual, margin and verdict.
void window_families(Families& f, const RunResult& r) {
  const double end = r.sim_time_s;
  f.window_gauge("archsim_window_error_ratio", "ratio",
                 "Failed over finished measured requests over the window (the error_rate SLO)",
                 {{f.base(), r.error_rate}}, end);
  f.window_gauge("archsim_window_in_flight_mean", "",
                 "Measured requests in the system, time-averaged over the window",
                 {{f.base(), r.in_flight_mean}}, end);
  std::vector<std::pair<Labels, double>> attempts;
  for (const SourceResult& s : r.sources) {
    const std::pair<const char*, std::uint64_t> counts[] = {
        {"retries", s.retries}, {"hedges", s.hedges}, {"abandoned", s.abandoned}};
    for (const auto& [what, n] : counts)
      attempts.push_back({f.with({{"source", s.name}, {"attempt", what}}), static_cast<double>(n)});
  }
  f.window_gauge(
      "archsim_window_source_attempts", "",
      "Attempts a traffic source made after the first (retries, hedges) or stopped waiting for (abandoned)",
      attempts, end);
  std::vector<std::pair<Labels, double>> figs;
  for (const ComponentResult& c : r.components) {
    auto add = [&](const std::string& name, double v) {
      figs.push_back({f.with({{"component", c.name}, {"figure", name}}), v});
    };
    add("in_flight_mean", c.in_flight_mean);
    add("visit_mean_ms", c.visit_mean_s * 1e3);
    add("queue_mean", c.queue_mean);
    add("utilization", c.utilization);
    for (const Figure& fg : c.figures) add(fg.name, fg.value);
  }
  f.window_gauge("archsim_window_component_figure", "",
                 "A component's figure over the measured window (name in the figure label, as in --json)",
                 figs, end);
  std::vector<std::pair<Labels, double>> target, actual, margin, measured, pass;
  for (const SloCheck& c : r.slo) {
    const Labels l =
        c.source.empty() ? f.with({{"slo", c.name}}) : f.with({{"slo", c.name}, {"source", c.source}});
    target.push_back({l, c.target});
    actual.push_back({l, c.measured ? c.actual : std::nan("")});
    margin.push_back({l, c.has_margin ? c.margin : std::nan("")});
    measured.push_back({l, c.measured ? 1.0 : 0.0});
    pass.push_back({l, c.pass ? 1.0 : 0.0});
  }
  f.window_gauge("archsim_slo_target", "", "An SLO's target, in its figure's unit", target, end);
  f.window_gauge("archsim_slo_actual", "", "An SLO's figure over the window (NaN: no successful request)",
                 actual, end);
  f.window_gauge("archsim_slo_margin_ratio", "ratio",
                 "Room left as a share of the target (>= 0 exactly when met)", margin, end);
  f.window_gauge("archsim_slo_measured", "", "1 when the SLO had something to measure", measured, end);
  f.window_gauge("archsim_slo_pass", "", "1 when the SLO was met", pass, end);
}

}  // namespace

MetricsWriter::MetricsWriter(std::ostream& out, const Simulation& sim, double start_unix_s)
    : out_(out), header_(make_header(sim)), start_(start_unix_s) {}

void MetricsWriter::on_tick(const Tick& t) { store_.add(t); }

void MetricsWriter::on_finish(const RunResult& r) {
  Out o(out_, start_);
  Families f(o, store_.ticks(), {{"scenario", header_.scenario}});
  end_to_end_families(f);
  component_families(f, header_);
  kind_figure_families(f, header_);
  edge_families(f, header_);
  window_families(f, r);
  out_ << "# EOF\n";
  out_.flush();
}

}  // namespace archsim
