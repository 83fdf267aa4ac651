#include "archsim/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iterator>

#include <fmt/format.h>

#include "archsim/diagnostics.hpp"

namespace fs = std::filesystem;

namespace archsim {

namespace {

// Temporaries being written, for the signal handler: fixed slots of plain
// characters, since a handler may only call async-signal-safe functions
// (unlink, _exit) and must not allocate.
constexpr int kSlots = 32;
constexpr std::size_t kPathMax = 4096;
char g_tmp[kSlots][kPathMax];
std::atomic<bool> g_used[kSlots];

int register_tmp(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_used[i].compare_exchange_strong(expected, true)) {
      std::memcpy(g_tmp[i], path.c_str(), path.size() + 1);
      return i;
    }
  }
  return -1;
}

void unregister_tmp(const std::string& path) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load() && path == g_tmp[i]) g_used[i].store(false);
}

std::atomic<bool>* g_stop = nullptr;
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_signal(int sig) {
  if (g_stop && g_stop_signal == 0) {  // the first: stop the run, write the result so far
    g_stop_signal = sig;
    g_stop->store(true);
    return;
  }
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load()) ::unlink(g_tmp[i]);
  ::_exit(128 + sig);
}

// Where the bytes of `path` go: a symbolic link is followed (to a file that
// may not exist yet); anything else is the path itself.
std::string resolve(const std::string& path) {
  std::error_code ec;
  fs::path p = path;
  // Link by link (weakly_canonical would stop at a link to a file that does
  // not exist yet, and the link would be replaced); 40 hops, as the kernel.
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(p, ec)); ++hops) {
    const fs::path next = fs::read_symlink(p, ec);
    if (ec) return path;
    p = next.is_absolute() ? next : p.parent_path() / next;
  }
  const fs::path target = fs::weakly_canonical(p, ec);
  return ec ? p.string() : target.string();
}

// A device, a pipe or a socket: written to, never replaced.
bool is_stream(const std::string& target) {
  struct stat st {};
  return ::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

// What is wrong with writing `path`, or "".
std::string problem(const std::string& path) {
  const std::string target = resolve(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return "it is a folder";
    // No write bit is read-only even for root, whom access() lets write.
    if (::access(target.c_str(), W_OK) != 0 || (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)
      return "it is read-only: archsim does not replace it";
    if (!S_ISREG(st.st_mode)) return "";  // a device or a pipe, written to
  }
  fs::path dir = fs::path(target).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return fmt::format("its folder '{}' does not exist", dir.string());
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return fmt::format("its folder '{}' cannot be written", dir.string());
  return "";
}

// Two paths naming the same file (through links, '..', or hard links).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs) {
  std::vector<Diagnostic> bad;
  auto say = [&](const std::string& flag, const std::string& path, const std::string& why) {
    bad.push_back(Diagnostic{flag + " " + path, {}, "cannot write the output: " + why});
  };
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [flag, path] = outputs[i];
    if (path.empty() || path == "-") continue;
    if (is_stream(resolve(path))) {
      if (!problem(path).empty()) say(flag, path, problem(path));
      continue;  // /dev/null twice is fine
    }
    if (const std::string why = problem(path); !why.empty()) {
      say(flag, path, why);
      continue;
    }
    for (const std::string& in : inputs)
      if (!in.empty() && same_file(path, in)) say(flag, path, fmt::format("it is the input file '{}'", in));
    for (std::size_t k = 0; k < i; ++k)
      if (!outputs[k].second.empty() && outputs[k].second != "-" && same_file(path, outputs[k].second))
        say(flag, path, fmt::format("{} writes it too", outputs[k].first));
  }
  if (!bad.empty()) throw InputError(std::move(bad));
}

OutputFile::OutputFile(const std::string& path) : path_(path), target_(resolve(path)) {
  if (const std::string why = problem(path); !why.empty())
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, why));
  if (is_stream(target_)) {
    out_.open(target_, std::ios::binary | std::ios::out);  // no truncation of a device or a pipe
  } else {
    // Beside the target (same file system, so that rename is atomic).
    tmp_ = target_ + ".tmp" + std::to_string(::getpid());
    register_tmp(tmp_);
    out_.open(tmp_, std::ios::binary | std::ios::trunc);
  }
  if (!out_) throw std::runtime_error("cannot write " + path_);
}

OutputFile::~OutputFile() {
  if (committed_ || tmp_.empty()) return;
  out_.close();
  std::error_code ec;
  fs::remove(tmp_, ec);
  unregister_tmp(tmp_);
}

ScratchFile::ScratchFile(const std::string& extension) {
  static std::atomic<unsigned> serial{0};
  path_ =
      (fs::temp_directory_path() / fmt::format("archsim-{}-{}{}", ::getpid(), serial.fetch_add(1), extension))
          .string();
  register_tmp(path_);
}

ScratchFile::~ScratchFile() {
  std::error_code ec;
  fs::remove(path_, ec);
  unregister_tmp(path_);
}

std::string ScratchFile::read() const {
  std::ifstream in(path_, std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in && !in.eof()) throw std::runtime_error("cannot read " + path_);
  return bytes;
}

void OutputFile::commit() {
  out_.close();
  if (!out_) throw std::runtime_error("error writing " + path_);
  if (!tmp_.empty()) {
    // Keep the permissions of a file being replaced.
    std::error_code ec;
    const fs::file_status old = fs::status(target_, ec);
    if (!ec && fs::is_regular_file(old)) fs::permissions(tmp_, old.permissions(), ec);
    fs::rename(tmp_, target_);
    unregister_tmp(tmp_);
  }
  committed_ = true;
}

void write_output_file(const std::string& path, const std::string& text) {
  OutputFile f(path);
  f.stream() << text;
  f.commit();
}

void stop_on_signal(std::atomic<bool>* flag) { g_stop = flag; }
int stop_signal() { return g_stop_signal; }

void remove_temporaries_on_signal() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace archsim
