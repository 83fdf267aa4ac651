// The animated view (viz/, SFML). The CLI calls these; sim/ never includes SFML.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "archsim/load.hpp"

namespace archsim::viz {

struct ViewOptions {
  std::string file;    ///< a scenario (live) or a --timeline file (replay)
  LoadOptions load;    ///< --design, --seed, --duration for a scenario
  double speed = 1.0;  ///< simulated seconds per wall second at start
};

struct RenderOptions {
  std::string file;  ///< a scenario or a timeline file
  LoadOptions load;
  std::string out;           ///< .png, .gif or .mp4
  std::optional<double> at;  ///< PNG: simulated time to draw (default: the end)
  std::string moment;  ///< PNG instead of `at`: "worst" (the worst second) or "cause" (the root cause began)
  std::optional<double> from;  ///< GIF/MP4: first simulated second
  std::optional<double> to;    ///< GIF/MP4: last simulated second
  int width = 1280;
  int height = 720;
  int fps = 30;
  double speed = 10.0;    ///< GIF/MP4: simulated seconds per video second
  bool quiet = false;     ///< no "wrote ..." line (the report draws its pictures this way)
  std::string cause_out;  ///< PNG: also draw the moment the root cause began, to this file
  /// Called once the file is loaded, before anything is simulated or drawn,
  /// with the scenario (nullptr for a timeline): the CLI checks --out and
  /// the run's cost there (it throws InputError to refuse).
  std::function<void(const ScenarioSpec*)> prepare;
};

/// What render() drew, for a caller that shows it (the HTML report).
struct RenderInfo {
  double at = 0;             ///< s, the moment of the picture
  bool cause_drawn = false;  ///< cause_out was written
  double cause_at = 0;       ///< s, its moment
  std::string cause;         ///< the root cause's caption, if the run has one
};

/// `archsim view`: returns the process exit code (2 bad input, 1 no display).
int view(const ViewOptions& opt);
/// `archsim render`: writes the picture or video; returns the exit code.
int render(const RenderOptions& opt, RenderInfo* info = nullptr);

}  // namespace archsim::viz
