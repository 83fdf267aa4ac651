// Exports of a run for the tools people already use: OpenMetrics text for
// Prometheus/Grafana (--metrics), a tidy CSV for pandas and spreadsheets
// (--csv), OTLP/JSON trace spans for Jaeger and OpenTelemetry (--traces).
// Each is an Observer attached before the run; the trace writer also gives
// the kernel a tracer (RunOptions::tracer).
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/ticks.hpp"
#include "archsim/timeline.hpp"

namespace archsim {

/// "now", an RFC 3339 UTC time ("2026-01-01T00:00:00Z") or Unix seconds ->
/// Unix seconds; nullopt if it is none of them. Simulated time 0 maps to it.
std::optional<double> parse_start_time(const std::string& text);

/// The timeline as OpenMetrics text: one family per figure, every sample
/// timestamped at start + simulated time, ending with "# EOF". Buffers the
/// ticks (a family's samples must be contiguous; in bounded memory, merged
/// beyond a budget: archsim/ticks.hpp) and writes at the end.
class MetricsWriter : public Observer {
 public:
  MetricsWriter(std::ostream& out, const Simulation& sim, double start_unix_s);
  void on_tick(const Tick& t) override;
  void on_finish(const RunResult& r) override;

 private:
  std::ostream& out_;
  TimelineHeader header_;
  double start_;
  TickStore store_;
};

/// The timeline as tidy CSV rows: time_s,component,metric,value. Edges are
/// "from->to"; the end-to-end figures are the component "end_to_end".
class CsvWriter : public Observer {
 public:
  CsvWriter(std::ostream& out, const Simulation& sim);
  void on_tick(const Tick& t) override;
  void on_finish(const RunResult& r) override;

 private:
  std::ostream& out_;
  TimelineHeader header_;
  std::vector<std::string> edge_names_;
};

/// Sampled requests as an OTLP/JSON ExportTraceServiceRequest: one span per
/// visit (a call), parent/child by parentSpanId, the component as the
/// resource's service.name, errors as status and events, retries and
/// timeouts as events. Whether a request is sampled is a hash of the seed
/// and its id, so tracing never changes the random numbers of the run.
class TraceWriter : public Observer {
 public:
  TraceWriter(std::ostream& out, std::uint64_t seed, double sample, double start_unix_s);
  ~TraceWriter() override;
  /// Give this to RunOptions::tracer.
  Tracer* tracer();
  void on_finish(const RunResult& r) override;
  /// Requests sampled and spans recorded so far.
  std::uint64_t traces() const;
  std::uint64_t spans() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::ostream& out_;
};

}  // namespace archsim
