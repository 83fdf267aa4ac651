// --csv: the timeline as tidy rows (one observation a line), for pandas,
// R and spreadsheets: time_s,component,metric,value. Edges are the component
// "from->to", the end-to-end figures the component "end_to_end". A latency
// quantile of a tick in which nothing succeeded is empty (NA), not 0.
#include <cmath>
#include <optional>
#include <ostream>

#include <fmt/format.h>

#include "archsim/exports.hpp"

namespace archsim {

namespace {

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

double ms(double s) { return std::round(s * 1e6) / 1e3; }  // microsecond resolution, in ms

}  // namespace

CsvWriter::CsvWriter(std::ostream& out, const Simulation& sim) : out_(out), header_(make_header(sim)) {
  for (const EdgeInfo& e : header_.edges) {
    const std::string& from = e.from >= 0 ? header_.components[std::size_t(e.from)].name
                                          : header_.sources[std::size_t(-1 - e.from)];
    edge_names_.push_back(field(from + "->" + header_.components[std::size_t(e.to)].name));
  }
  out_ << "time_s,component,metric,value\n";
}

void CsvWriter::on_tick(const Tick& t) {
  const std::string time = fmt::format("{}", t.t);
  auto row = [&](const std::string& comp, std::string_view metric, double v) {
    out_ << time << ',' << comp << ',' << metric << ',' << fmt::format("{}", v) << '\n';
  };
  auto quantiles = [&](const std::string& comp, bool any, double p50, double p99) {
    if (!any) {
      out_ << time << ',' << comp << ",p50_ms,\n" << time << ',' << comp << ",p99_ms,\n";
      return;
    }
    row(comp, "p50_ms", ms(p50));
    row(comp, "p99_ms", ms(p99));
  };
  const std::string e2e = "end_to_end";
  row(e2e, "started", t.started);
  row(e2e, "completed", t.completed);
  row(e2e, "failed", t.failed);
  quantiles(e2e, t.completed > 0, t.p50, t.p99);
  for (const auto& [kind, n] : t.errors) row(e2e, "errors." + kind, n);
  for (std::size_t i = 0; i < t.components.size(); ++i) {
    const ComponentTick& c = t.components[i];
    const std::string name = field(header_.components[i].name);
    row(name, "arrivals", c.arrivals);
    row(name, "completed", c.completed);
    row(name, "failed", c.failed);
    row(name, "in_flight", c.in_flight);
    row(name, "queue", c.queue);
    row(name, "utilization", std::round(c.utilization * 1e4) / 1e4);
    quantiles(name, c.completed > 0, c.p50, c.p99);
    for (const Figure& f : c.figures) row(name, field(f.name), f.value);
  }
  for (std::size_t i = 0; i < t.edges.size() && i < edge_names_.size(); ++i) {
    const EdgeTick& e = t.edges[i];
    row(edge_names_[i], "calls", e.calls);
    row(edge_names_[i], "failed", e.failed);
    quantiles(edge_names_[i], e.calls > e.failed, e.p50, e.p99);
  }
}

/// After the ticks, the figures of the measured window (README "Output
/// reference"), at the end of the run with metrics named `window.*`: the
/// end-to-end counts, error rate and in-flight mean; per source
/// ("source:NAME") its retries, hedges and abandoned attempts; per component
/// its window figures (its kind's own too: lost_writes, duplicates, stale
/// reads ...); per SLO ("slo:NAME", "slo:NAME:SOURCE") target, actual,
/// margin (empty when there is none), measured and pass (0/1).
void CsvWriter::on_finish(const RunResult& r) {
  const std::string time = fmt::format("{}", r.sim_time_s);
  auto row = [&](const std::string& comp, const std::string& metric, std::optional<double> v) {
    out_ << time << ',' << comp << ",window." << field(metric) << ',' << (v ? fmt::format("{}", *v) : "")
         << '\n';
  };
  const std::string e2e = "end_to_end";
  row(e2e, "started", double(r.started));
  row(e2e, "completed", double(r.completed));
  row(e2e, "failed", double(r.failed));
  row(e2e, "in_flight", double(r.in_flight));
  row(e2e, "error_rate", r.error_rate);
  row(e2e, "in_flight_mean", r.in_flight_mean);
  row(e2e, "duration_mean_ms", ms(r.duration_mean_s));
  row(e2e, "throughput_rps", r.throughput_rps);
  for (const auto& [kind, n] : r.errors) row(e2e, "errors." + kind, double(n));
  for (const SourceResult& s : r.sources) {
    const std::string name = field("source:" + s.name);
    row(name, "retries", double(s.retries));
    row(name, "hedges", double(s.hedges));
    row(name, "abandoned", double(s.abandoned));
  }
  for (const ComponentResult& c : r.components) {
    const std::string name = field(c.name);
    row(name, "utilization", c.utilization);
    row(name, "queue_mean", c.queue_mean);
    row(name, "in_flight_mean", c.in_flight_mean);
    row(name, "visit_mean_ms", ms(c.visit_mean_s));
    for (const Figure& f : c.figures) row(name, f.name, f.value);
  }
  for (const SloCheck& c : r.slo) {
    const std::string name = field("slo:" + c.name + (c.source.empty() ? "" : ":" + c.source));
    row(name, "target", c.target);
    row(name, "actual", c.measured ? std::optional<double>(c.actual) : std::nullopt);
    row(name, "margin", c.has_margin ? std::optional<double>(c.margin) : std::nullopt);
    row(name, "measured", c.measured ? 1.0 : 0.0);
    row(name, "pass", c.pass ? 1.0 : 0.0);
  }
  out_.flush();
}

}  // namespace archsim
