// The --report file: one self-contained HTML page that opens offline. The
// verdicts and their explanation, interactive charts (uPlot, compiled in)
// over time or over the swept parameter, the components, the architecture
// picture when the view could draw one, and the configuration.
#pragma once

#include <string>
#include <vector>

#include "report/analysis.hpp"
#include "report/sweep.hpp"

namespace archsim::report {

/// The architecture picture: a PNG, or a note saying why there is none.
/// The architecture picture: stills at the moments that matter (the worst
/// second, the moment the root cause began), or a note saying why there are none.
struct Picture {
  struct Shot {
    std::string png;      ///< the file's bytes
    std::string caption;  ///< which moment: "the worst second, 2m45s"
  };
  std::vector<Shot> shots;  ///< empty: no picture
  std::string note;         ///< shown instead of the pictures
};

/// One file of the configuration, shown as written.
struct ConfigFile {
  std::string path;
  std::string text;
};

/// A run under a label ("naive", "A") with what the page shows beside it.
struct ReportRun {
  std::string label;
  const Analysis* analysis = nullptr;
  std::vector<ConfigFile> config;
  Picture picture;
  /// Shown first when not empty: a section already in HTML (the intervals of
  /// `run --replications`, whose charts then show one replication).
  std::string lead_html;
};

std::string run_html(const ReportRun& run);
std::string compare_html(const ReportRun& a, const ReportRun& b);
std::string sweep_html(const SweepResult& s, const std::vector<ConfigFile>& config);

/// RFC 4648 base64, for the picture.
std::string base64(const std::string& bytes);
/// Text made safe for HTML.
std::string escape_html(const std::string& text);

}  // namespace archsim::report
