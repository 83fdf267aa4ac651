#include "frames.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sstream>
#include <vector>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace archsim::viz {

Offscreen::Offscreen(const Playback& pb, unsigned width, unsigned height, const Fonts& fonts) {
  sf::ContextSettings cs;
  cs.antialiasingLevel = 4;
  ok_ = rt_.create(width, height, cs) || rt_.create(width, height);
  if (ok_) scene_ = std::make_unique<Scene>(pb, width, height, fonts);
}

sf::Image Offscreen::grab() {
  scene_->draw(rt_, state_);
  rt_.display();
  return rt_.getTexture().copyToImage();
}

sf::Image Offscreen::still(double t, double speed) {
  scene_->warm(t, speed);
  state_.t = t;
  state_.speed = speed;
  return grab();
}

void Offscreen::start(double t, double speed, double fps) {
  scene_->warm(t, speed, fps);
  state_.speed = speed;
}

sf::Image Offscreen::frame(double t, float wall_dt) {
  if (wall_dt > 0) scene_->advance(wall_dt, t);
  state_.t = t;
  return grab();
}

std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string p = dir + "/" + name;
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0) return p;
  }
  return std::nullopt;
}

int video_frame_count(double from, double to, double speed, int fps) {
  if (!(speed > 0) || fps <= 0) return 2;
  return std::max(2, static_cast<int>(std::lround((to - from) / speed * fps)));
}

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ffmpeg reading raw RGBA frames on its standard input.
class Pipe {
 public:
  Pipe(const std::string& program, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, program.c_str(), &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[0]);
    if (pid_ > 0) fd_ = fds[1];
    else ::close(fds[1]);
  }
  ~Pipe() { finish(); }
  bool ok() const { return fd_ >= 0; }
  bool write(const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd_, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  /// Closes the input and waits; the exit status of ffmpeg (-1 if it did not run).
  int finish() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (pid_ <= 0) return -1;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

}  // namespace

int write_video(const Playback& pb, const Fonts& fonts, const VideoJob& job, std::ostream& err) {
  const auto ffmpeg = find_program("ffmpeg");
  if (!ffmpeg) {
    err << "archsim render: GIF and MP4 output needs ffmpeg, which is not installed.\n"
        << "  install it with: sudo apt-get install --no-install-recommends ffmpeg\n"
        << "  (a PNG needs nothing more: --out picture.png)\n";
    return 1;
  }
  const bool gif = ends_with(job.out, ".gif");
  std::vector<std::string> args = {"-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-y",
                                   "-f",
                                   "rawvideo",
                                   "-pixel_format",
                                   "rgba",
                                   "-video_size",
                                   std::to_string(job.width) + "x" + std::to_string(job.height),
                                   "-framerate",
                                   std::to_string(job.fps),
                                   "-i",
                                   "-"};
  if (gif) {
    // One palette for the whole clip, dithered lightly; only changed
    // rectangles are re-encoded, which keeps moving dots cheap.
    args.insert(args.end(),
                {"-vf",
                 "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=3:"
                 "diff_mode=rectangle",
                 "-loop", "0"});
  } else {
    args.insert(args.end(), {"-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-preset", "veryfast",
                             "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"});
  }
  args.push_back(job.out);

  Offscreen off(pb, job.width, job.height, fonts);
  if (!off.ok()) {
    err << "archsim render: cannot create an OpenGL render texture of " << job.width << "x" << job.height
        << "\n";
    return 1;
  }
  // A dead ffmpeg must not kill us with SIGPIPE: the failed write says enough.
  struct sigaction ignore {
  }, old{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  Pipe pipe(*ffmpeg, args);
  bool wrote = pipe.ok();
  const int n = video_frame_count(job.from, job.to, job.speed, job.fps);
  if (wrote) {
    off.start(job.from, job.speed, job.fps);
    for (int i = 0; i < n && wrote; ++i) {
      const double t = job.from + (job.to - job.from) * i / (n - 1);
      const sf::Image img = off.frame(t, i == 0 ? 0.f : 1.0f / static_cast<float>(job.fps));
      wrote = pipe.write(img.getPixelsPtr(), static_cast<std::size_t>(job.width) * job.height * 4);
    }
  }
  const int status = pipe.finish();
  sigaction(SIGPIPE, &old, nullptr);
  if (!wrote || status != 0) {
    err << "archsim render: ffmpeg failed writing " << job.out << " (exit status " << status << ")\n";
    return 1;
  }
  return 0;
}

}  // namespace archsim::viz
