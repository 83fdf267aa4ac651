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

MetricsWriter::MetricsWriter(std::ostream& out, const Simulation& sim, double start_unix_s)
    : out_(out), header_(make_header(sim)), start_(start_unix_s) {}

void MetricsWriter::on_tick(const Tick& t) { store_.add(t); }

void MetricsWriter::on_finish(const RunResult&) {
  const std::vector<Tick>& ticks_ = store_.ticks();
  Out o(out_, start_);
  const TimelineHeader& h = header_;
  const Labels base = {{"scenario", h.scenario}};
  auto with = [&](Labels extra) {
    Labels l = base;
    l.insert(l.end(), extra.begin(), extra.end());
    return l;
  };
  // A counter family over series; value(i, tick) is the tick's count.
  using Count = std::function<double(std::size_t, const Tick&)>;
  auto counter = [&](const std::string& name, const std::string& help, const std::vector<Labels>& series,
                     const Count& value) {
    o.family(name, "counter", "", help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      const std::string l = label_text(series[i]);
      double sum = 0;
      for (const Tick& t : ticks_) o.sample(name + "_total", l, sum += value(i, t), t.t);
    }
  };
  auto gauge = [&](const std::string& name, const char* unit, const std::string& help,
                   const std::vector<Labels>& series, const Count& value) {
    o.family(name, "gauge", unit, help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      const std::string l = label_text(series[i]);
      for (const Tick& t : ticks_) o.sample(name, l, value(i, t), t.t);
    }
  };
  // A summary: quantiles 0.5 and 0.99 of the tick, and the successes so far.
  using Quant = std::function<std::pair<double, double>(std::size_t, const Tick&)>;
  auto summary = [&](const std::string& name, const std::string& help, const std::vector<Labels>& series,
                     const Quant& q, const Count& ok) {
    o.family(name, "summary", "seconds", help);
    for (std::size_t i = 0; i < series.size(); ++i) {
      double count = 0;
      for (const Tick& t : ticks_) {
        const auto [p50, p99] = q(i, t);
        const double n = ok(i, t);
        Labels l50 = series[i], l99 = series[i];
        l50.emplace_back("quantile", "0.5");
        l99.emplace_back("quantile", "0.99");
        o.sample(name, label_text(l50), nan_unless(n > 0, p50), t.t);
        o.sample(name, label_text(l99), nan_unless(n > 0, p99), t.t);
        o.sample(name + "_count", label_text(series[i]), count += n, t.t);
      }
    }
  };

  // End to end.
  const std::vector<Labels> one = {base};
  counter("archsim_requests_started", "Requests the traffic sources started", one,
          [](std::size_t, const Tick& t) { return double(t.started); });
  counter("archsim_requests_completed", "Requests that succeeded end to end", one,
          [](std::size_t, const Tick& t) { return double(t.completed); });
  counter("archsim_requests_failed", "Requests that failed end to end", one,
          [](std::size_t, const Tick& t) { return double(t.failed); });
  std::set<std::string> kinds;
  for (const Tick& t : ticks_)
    for (const auto& [k, n] : t.errors) kinds.insert(k);
  std::vector<Labels> err_series;
  std::vector<std::string> err_kinds(kinds.begin(), kinds.end());
  for (const std::string& k : err_kinds) err_series.push_back(with({{"error", k}}));
  if (!err_series.empty())
    counter("archsim_request_errors", "Failed requests by cause", err_series,
            [&](std::size_t i, const Tick& t) {
              const auto it = t.errors.find(err_kinds[i]);
              return it == t.errors.end() ? 0.0 : double(it->second);
            });
  summary(
      "archsim_request_latency_seconds", "End-to-end latency of the requests that succeeded in the tick", one,
      [](std::size_t, const Tick& t) {
        return std::pair{t.p50, t.p99};
      },
      [](std::size_t, const Tick& t) { return double(t.completed); });

  // Per component.
  std::vector<Labels> comps;
  for (const auto& c : h.components) comps.push_back(with({{"component", c.name}, {"kind", c.kind}}));
  auto ct = [](std::size_t i, const Tick& t) -> const ComponentTick& { return t.components[i]; };
  counter("archsim_component_arrivals", "Visits that reached the component", comps,
          [&](std::size_t i, const Tick& t) { return double(ct(i, t).arrivals); });
  counter("archsim_component_completed", "Visits the component finished successfully", comps,
          [&](std::size_t i, const Tick& t) { return double(ct(i, t).completed); });
  counter("archsim_component_failed", "Visits that ended with an error", comps,
          [&](std::size_t i, const Tick& t) { return double(ct(i, t).failed); });
  gauge("archsim_component_in_flight", "",
        "Visits at the component (queued or in service) at the end of the tick", comps,
        [&](std::size_t i, const Tick& t) { return double(ct(i, t).in_flight); });
  gauge("archsim_component_queue", "", "Visits waiting for a worker at the end of the tick", comps,
        [&](std::size_t i, const Tick& t) { return double(ct(i, t).queue); });
  gauge("archsim_component_utilization_ratio", "ratio",
        "Busy workers over all workers, averaged over the tick", comps,
        [&](std::size_t i, const Tick& t) { return ct(i, t).utilization; });
  summary(
      "archsim_component_latency_seconds", "Arrival to reply of the visits that succeeded in the tick", comps,
      [&](std::size_t i, const Tick& t) {
        return std::pair{ct(i, t).p50, ct(i, t).p99};
      },
      [&](std::size_t i, const Tick& t) { return double(ct(i, t).completed); });
  // The kinds' own figures (hit_ratio, pool_wait_ms, replicas...): one gauge family, by name.
  std::vector<Labels> figs;
  std::vector<std::pair<std::size_t, std::string>> fig_keys;
  for (std::size_t i = 0; i < h.components.size(); ++i) {
    std::set<std::string> names;
    for (const Tick& t : ticks_)
      for (const Figure& f : ct(i, t).figures) names.insert(f.name);
    for (const std::string& n : names) {
      figs.push_back(
          with({{"component", h.components[i].name}, {"kind", h.components[i].kind}, {"figure", n}}));
      fig_keys.emplace_back(i, n);
    }
  }
  if (!figs.empty())
    gauge("archsim_component_figure", "",
          "A figure particular to the component's kind (name in the figure label)", figs,
          [&](std::size_t i, const Tick& t) {
            for (const Figure& f : ct(fig_keys[i].first, t).figures)
              if (f.name == fig_keys[i].second) return f.value;
            return std::nan("");
          });

  // Per edge, by name.
  std::vector<Labels> edges;
  for (const EdgeInfo& e : h.edges) {
    const std::string from =
        e.from >= 0 ? h.components[std::size_t(e.from)].name : h.sources[std::size_t(-1 - e.from)];
    edges.push_back(with({{"from", from}, {"to", h.components[std::size_t(e.to)].name}}));
  }
  auto et = [](std::size_t i, const Tick& t) -> const EdgeTick& { return t.edges[i]; };
  counter("archsim_edge_calls", "Calls from one component (or traffic source) to another", edges,
          [&](std::size_t i, const Tick& t) { return double(et(i, t).calls); });
  counter("archsim_edge_failed", "Calls that failed, as the caller saw them", edges,
          [&](std::size_t i, const Tick& t) { return double(et(i, t).failed); });
  summary(
      "archsim_edge_latency_seconds", "Call latency seen by the caller, successful calls in the tick", edges,
      [&](std::size_t i, const Tick& t) {
        return std::pair{et(i, t).p50, et(i, t).p99};
      },
      [&](std::size_t i, const Tick& t) { return double(et(i, t).calls - et(i, t).failed); });
  out_ << "# EOF\n";
  out_.flush();
}

}  // namespace archsim
