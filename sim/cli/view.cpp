// `archsim view` and `archsim render`: the SFML view lives in viz/; this
// file only parses their flags.
#include <cctype>
#include <cmath>
#include <iostream>

#include "archsim/load.hpp"
#include "archsim/output_file.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#ifdef ARCHSIM_WITH_VIEW
#include "archsim/view.hpp"
#endif

namespace archsim::cli {

namespace {

struct ViewFlags {
  std::string file;
  LoadFlags load;
  double speed = 1.0;
};

struct RenderFlags {
  std::string file;
  LoadFlags load;
  std::string out;
  std::string at, from, to;
  int width = 1280, height = 720, fps = 30;
  double speed = 10.0;
  bool force = false;
};

#ifdef ARCHSIM_WITH_VIEW
// "2m45s", "1h2m": a clock time as people write it, the parts added up.
std::optional<double> compound_duration(const std::string& text) {
  double sum = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
    std::size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
    if (j == i || k == j) return std::nullopt;
    const auto part = parse_duration(text.substr(i, k - i));
    if (!part) return std::nullopt;
    sum += *part;
    i = k;
  }
  return sum;
}

std::optional<double> time_flag(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = parse_duration(text);
  if (!d) d = compound_duration(text);
  if (!d || *d < 0)
    throw InputError({Diagnostic{flag, {}, "expected a duration with a unit, e.g. 90s, 5m or 2m45s"}});
  return d;
}
#endif

}  // namespace

void register_view(CLI::App& app, Actions& actions) {
  static ViewFlags v;
  auto* view = app.add_subcommand("view", "Animate a scenario live, or replay a --timeline file");
  view->add_option("file", v.file, "Scenario (YAML) or timeline (JSON lines)")->required();
  add_load_options(view, v.load);
  view->add_option("--speed", v.speed, "Simulated seconds per wall second at start (default 1)");

  static RenderFlags r;
  auto* render =
      app.add_subcommand("render", "Draw a scenario or timeline to PNG, GIF or MP4 without a window");
  render->add_option("file", r.file, "Scenario (YAML) or timeline (JSON lines)")->required();
  add_load_options(render, r.load);
  render->add_option("--out", r.out, "Output file: .png, .gif or .mp4")->required();
  render->add_option("--at", r.at,
                     "PNG: the simulated time to draw, e.g. 90s, or 'worst' (the worst second) or "
                     "'cause' (just after the root cause began); default: the end");
  render->add_option("--from", r.from, "GIF/MP4: first simulated time");
  render->add_option("--to", r.to, "GIF/MP4: last simulated time");
  render->add_option("--width", r.width, "Pixels (default 1280)");
  render->add_option("--height", r.height, "Pixels (default 720)");
  render->add_option("--fps", r.fps, "GIF/MP4 frames per second (default 30)");
  render->add_option("--speed", r.speed, "GIF/MP4: simulated seconds per video second (default 10)");
  add_force_option(render, r.force);

#ifdef ARCHSIM_WITH_VIEW
  view->callback([&actions] {
    actions.push_back([] {
      // Before the display is looked for: `--speed -1` or `nan` is the
      // flag's problem, not the screen's (was: "no screen to draw on").
      if (!(v.speed > 0) || !std::isfinite(v.speed)) {
        std::cerr << "archsim view: --speed must be a number above 0 (simulated seconds per wall second)\n";
        return 2;
      }
      viz::ViewOptions o;
      o.file = v.file;
      o.load = v.load.options();
      o.speed = v.speed;
      return viz::view(o);
    });
  });
  render->callback([&actions] {
    actions.push_back([] {
      if (!std::isfinite(r.speed)) {  // inf passed the renderer's "above 0"
        std::cerr
            << "archsim render: --speed must be a number above 0 (simulated seconds per video second)\n";
        return 2;
      }
      viz::RenderOptions o;
      o.file = r.file;
      o.load = r.load.options();
      o.out = r.out;
      if (r.at == "worst" || r.at == "cause") o.moment = r.at;
      else o.at = time_flag("--at", r.at);
      o.from = time_flag("--from", r.from);
      o.to = time_flag("--to", r.to);
      o.width = r.width;
      o.height = r.height;
      o.fps = r.fps;
      o.speed = r.speed;
      // --out can be written and the run is affordable, before it runs (exit 2).
      o.prepare = [](const ScenarioSpec* spec) {
        check_outputs({{"--out", r.out}}, {r.file, spec ? spec->design_file : std::string()});
        if (spec) check_budget(*spec, /*keep_ticks=*/true, r.force);
      };
      return viz::render(o);
    });
  });
#else
  auto unavailable = [&actions] {
    actions.push_back([] {
      std::cerr << "archsim: this build has no view (SFML was not found); run scripts/install-deps.sh and "
                   "rebuild\n";
      return 1;
    });
  };
  view->callback(unavailable);
  render->callback(unavailable);
#endif
}

}  // namespace archsim::cli
