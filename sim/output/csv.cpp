// --csv: the timeline as tidy rows (one observation a line), for pandas,
// R and spreadsheets: time_s,component,metric,value. Edges are the component
// "from->to", the end-to-end figures the component "end_to_end". A latency
// quantile of a tick in which nothing succeeded is empty (NA), not 0.
#include <cmath>
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

void CsvWriter::on_finish(const RunResult&) { out_.flush(); }

}  // namespace archsim
