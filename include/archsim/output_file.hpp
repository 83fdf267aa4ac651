// Output files (--json, --timeline, --report, --csv, ...): checked before
// anything is simulated, written so that they appear complete or not at all,
// and never by replacing what the path is.
//
// - A regular file (or a new one) is written beside and renamed over it; a
//   read-only file is refused, not replaced; its permissions are kept.
// - A symbolic link is followed: the file it points to is written, the link
//   stays a link.
// - A character device (/dev/null, /dev/stdout), a FIFO or a socket is
//   written to directly (streamed), never replaced by a file.
// - SIGINT and SIGTERM remove every temporary still being written.
#pragma once

#include <atomic>
#include <fstream>
#include <string>
#include <vector>

namespace archsim {

/// Every output path of one command, checked together before simulating:
/// its folder exists and may be written, it is not a folder, not read-only,
/// not one of the inputs and not the path of another output. Throws
/// InputError ("--json out.json: ...", exit 2) naming each problem.
/// "-" (standard output) passes. `outputs` pairs a flag with its path;
/// empty paths are skipped.
void check_outputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                   const std::vector<std::string>& inputs);

/// A file being written.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path);
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  ///< not committed: the temporary is removed, the target untouched
  std::ostream& stream() { return out_; }
  /// Makes the file appear (renames the temporary; flushes a stream). Throws
  /// std::runtime_error when a write failed.
  void commit();

 private:
  std::string path_;    ///< as given (for messages)
  std::string target_;  ///< where the bytes go: the path, or what its link points to
  std::string tmp_;     ///< empty when streaming into a device or a pipe
  std::ofstream out_;
  bool committed_ = false;
};

/// A file for a program that writes only to a path (an image encoder,
/// ffmpeg): in the temporary folder, named with `extension` (".png"),
/// removed when destroyed and on SIGINT/SIGTERM. Its bytes then go to the
/// real output through write_output_file.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& extension);
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile();
  const std::string& path() const { return path_; }
  /// Its bytes as they are now.
  std::string read() const;

 private:
  std::string path_;
};

/// An OutputFile holding `text`, committed.
void write_output_file(const std::string& path, const std::string& text);

/// Installs the SIGINT/SIGTERM handler that removes temporaries (and exits
/// 130 or 143). Idempotent.
void remove_temporaries_on_signal();

/// From now on the first SIGINT/SIGTERM only sets *flag (RunOptions::stop:
/// the run stops and writes what it has); a second one exits as above.
void stop_on_signal(std::atomic<bool>* flag);
/// The signal that set the flag, or 0.
int stop_signal();

}  // namespace archsim
