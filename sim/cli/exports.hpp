// The run command's exports (--metrics, --csv, --traces) and the one rule
// for every output path of the CLI: "-" is standard output, anything else a
// file that appears complete or not at all.
#pragma once

#include <fstream>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "archsim/output_file.hpp"

#include <CLI/CLI.hpp>

#include "archsim/exports.hpp"
#include "archsim/simulation.hpp"

namespace archsim::cli {

/// An output: standard output for "-", else a file written beside and renamed on commit().
class Output {
 public:
  explicit Output(std::string path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  std::ostream& stream();
  void commit();
  bool is_stdout() const { return path_ == "-"; }

 private:
  std::string path_;
  std::optional<OutputFile> file_;  ///< empty for "-"
  bool committed_ = false;
};

struct ExportFlags {
  std::string metrics, csv, traces;
  double trace_sample = 0.001;
  std::string start_time = "now";
  /// True when one of them writes to standard output (the summary then goes to stderr).
  bool uses_stdout() const { return metrics == "-" || csv == "-" || traces == "-"; }
};

void add_export_options(CLI::App* cmd, ExportFlags& f);

/// The writers of one run. Make it before the Simulation (the tracer goes into
/// RunOptions), attach() it to the simulation, commit() after the run.
class Exports {
 public:
  Exports(const ExportFlags& f, std::uint64_t seed);
  Tracer* tracer() { return traces_ ? traces_->tracer() : nullptr; }
  void attach(Simulation& sim);
  void commit();

 private:
  ExportFlags flags_;
  double start_ = 0;
  std::optional<Output> metrics_out_, csv_out_, traces_out_;
  std::unique_ptr<MetricsWriter> metrics_;
  std::unique_ptr<CsvWriter> csv_;
  std::unique_ptr<TraceWriter> traces_;
};

}  // namespace archsim::cli
