// What run, compare and sweep share for their output files: atomic writes,
// the architecture picture (from the view, when it is built and a display
// exists) and the configuration shown in an HTML report.
#pragma once

#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "report/analysis.hpp"
#include "report/edit.hpp"
#include "report/html.hpp"

namespace archsim::cli {

/// Writes a file that appears complete or not at all (beside, then renamed).
void write_file_atomic(const std::string& path, const std::string& text);

/// The picture `archsim render` draws of a scenario, or a note saying why
/// there is none (no view in this build, no display, or the view failed).
report::Picture architecture_picture(const std::string& file, const LoadOptions& load);

/// The scenario's files as written (the problem and its design).
std::vector<report::ConfigFile> config_files(const std::string& file, const LoadOptions& load);

/// `run --report FILE`.
void write_run_report(const std::string& out, const std::string& file, const LoadFlags& load,
                      const report::Analysis& a);

}  // namespace archsim::cli
