// Headless output: frames drawn into an sf::RenderTexture, saved as PNG or
// piped as raw RGBA to ffmpeg for GIF and MP4. Needs an X display (Xvfb is
// fine) because SFML needs OpenGL even off screen.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include <SFML/Graphics/Image.hpp>
#include <SFML/Graphics/RenderTexture.hpp>

#include "scene.hpp"

namespace archsim::viz {

/// Draws frames of a playback off screen.
class Offscreen {
 public:
  Offscreen(const Playback& pb, unsigned width, unsigned height, const Fonts& fonts);
  /// False if the render texture could not be created (no OpenGL).
  bool ok() const { return ok_; }
  /// A still frame at t, the dots as if the run had been playing at `speed`.
  sf::Image still(double t, double speed);
  /// Frames of a video: start() once, then frame() for each time in order.
  void start(double t, double speed, double fps);
  sf::Image frame(double t, float wall_dt);
  Scene& scene() { return *scene_; }
  ViewState& state() { return state_; }

 private:
  sf::Image grab();
  sf::RenderTexture rt_;
  bool ok_ = false;
  std::unique_ptr<Scene> scene_;
  ViewState state_;
};

/// The path of a program on PATH, if any.
std::optional<std::string> find_program(const std::string& name);

/// A video of from..to: (to - from) / speed * fps frames (at least two),
/// the first showing `from` and the last `to`.
int video_frame_count(double from, double to, double speed, int fps);

struct VideoJob {
  std::string out;  ///< .gif or .mp4
  double from = 0, to = 0;
  double speed = 10;
  int fps = 30;
  unsigned width = 1280, height = 720;
};

/// Writes the video through ffmpeg; messages go to `err`. Returns 0 or 1.
int write_video(const Playback& pb, const Fonts& fonts, const VideoJob& job, std::ostream& err);

}  // namespace archsim::viz
