// The view's sandbox driven by key presses, as a user would press them.
#pragma once

#include <SFML/Window/Event.hpp>

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/simulation.hpp"

#include "../viz/controller.hpp"
#include "../viz/live.hpp"
#include "../viz/playback.hpp"

namespace archsim::test {

/// Presses key k (with Shift when `shift`) on the controller.
inline void press(viz::Controller& ctl, sf::Keyboard::Key k, bool shift = false) {
  sf::Event ev;
  ev.type = sf::Event::KeyPressed;
  ev.key = {k, false, false, shift, false};
  ctl.handle(ev);
}

/// A live view of a scenario file written to a directory of its own (where
/// `W` writes too), with no window: what a sandbox test drives with keys.
struct LiveSandbox {
  std::filesystem::path dir;
  std::string file;
  ScenarioSpec spec;
  viz::Playback* pb = nullptr;
  viz::LiveRun live;
  viz::Controller ctl;

  LiveSandbox(const std::string& name, const std::string& yaml)
      : dir(made_dir(name)),
        file(written(dir / (name + ".yaml"), yaml)),
        spec(load_scenario(file)),
        live(spec, pb),
        ctl(setup(pb, file, live, dir)) {}
  ~LiveSandbox() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  /// `W`: the text of the design it wrote.
  std::string write_design() {
    press(ctl, sf::Keyboard::W);
    REQUIRE_FALSE(ctl.written().empty());
    std::ifstream in(ctl.written());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// The written design, run again, gives the live run's figures byte for
  /// byte; the design without the changes gives other figures.
  void check_reproduces() {
    REQUIRE(live.result());
    Simulation again(load_scenario(ctl.written()));
    const RunResult& r = again.run();
    CHECK(to_json_deterministic(r).dump() == to_json_deterministic(*live.result()).dump());
    Simulation plain(spec);
    CHECK(to_json_deterministic(plain.run()).dump() != to_json_deterministic(r).dump());
  }

 private:
  static std::filesystem::path made_dir(const std::string& name) {
    auto d = std::filesystem::temp_directory_path() / ("archsim-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }
  static std::string written(const std::filesystem::path& p, const std::string& yaml) {
    std::ofstream(p) << yaml;
    return p.string();
  }
  static viz::Controller::Setup setup(viz::Playback* pb, const std::string& file, viz::LiveRun& live,
                                      const std::filesystem::path& dir) {
    viz::Controller::Setup s;
    s.pb = pb;
    s.file = file;
    s.live = &live;
    s.out_dir = dir.string();
    return s;
  }
};

}  // namespace archsim::test
