// The files a report carries inside itself, compiled in at build time from
// sim/report/assets/ by embed.cmake: uPlot (MIT, see uPlot.LICENSE) and the
// report's own script and style.
#pragma once

namespace archsim::report::assets {

extern const char* const uplot_js;       ///< uPlot.iife.min.js
extern const char* const uplot_css;      ///< uPlot.min.css
extern const char* const uplot_license;  ///< its MIT licence, repeated in every report
extern const char* const report_js;      ///< report.js: draws the charts from the embedded data
extern const char* const report_css;     ///< report.css

}  // namespace archsim::report::assets
