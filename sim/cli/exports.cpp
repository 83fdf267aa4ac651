#include "cli/exports.hpp"

#include "archsim/output_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "archsim/diagnostics.hpp"

namespace archsim::cli {

Output::Output(std::string path) : path_(std::move(path)) {
  if (!is_stdout()) file_.emplace(path_);  // links followed, devices streamed, temporaries removed
}

Output::~Output() = default;

std::ostream& Output::stream() { return is_stdout() ? std::cout : file_->stream(); }

void Output::commit() {
  if (is_stdout()) std::cout.flush();
  else file_->commit();
  committed_ = true;
}

void add_export_options(CLI::App* cmd, ExportFlags& f) {
  cmd->add_option("--metrics", f.metrics,
                  "Write the timeline as OpenMetrics text (Prometheus) to FILE, or - for stdout");
  cmd->add_option("--csv", f.csv,
                  "Write the timeline as tidy CSV (time_s,component,metric,value) to FILE, or -");
  cmd->add_option("--traces", f.traces, "Write sampled requests as OTLP/JSON trace spans to FILE, or -");
  cmd->add_option("--trace-sample", f.trace_sample, "Fraction of requests traced (default 0.001)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--start-time", f.start_time,
                  "Wall-clock time of simulated t=0 in --metrics and --traces: now (default), "
                  "2026-01-01T00:00:00Z or Unix seconds");
}

Exports::Exports(const ExportFlags& f, std::uint64_t seed) : flags_(f) {
  const auto start = parse_start_time(f.start_time);
  if (!start)
    throw InputError({Diagnostic{
        "--start-time",
        {},
        "expected now, a UTC time like 2026-01-01T00:00:00Z or Unix seconds, got '" + f.start_time + "'"}});
  start_ = *start;
  if (!f.traces.empty()) {
    traces_out_.emplace(f.traces);
    traces_ = std::make_unique<TraceWriter>(traces_out_->stream(), seed, f.trace_sample, start_);
  }
}

void Exports::attach(Simulation& sim) {
  if (traces_) sim.add_observer(traces_.get());
  if (!flags_.metrics.empty()) {
    metrics_out_.emplace(flags_.metrics);
    metrics_ = std::make_unique<MetricsWriter>(metrics_out_->stream(), sim, start_);
    sim.add_observer(metrics_.get());
  }
  if (!flags_.csv.empty()) {
    csv_out_.emplace(flags_.csv);
    csv_ = std::make_unique<CsvWriter>(csv_out_->stream(), sim);
    sim.add_observer(csv_.get());
  }
}

void Exports::commit() {
  for (auto* o : {&metrics_out_, &csv_out_, &traces_out_})
    if (*o) (*o)->commit();
}

}  // namespace archsim::cli
