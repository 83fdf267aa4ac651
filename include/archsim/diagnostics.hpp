// User mistakes: one error type that carries every problem found in a file.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

/// One problem in an input file, printed as FILE:LINE:COL: error: MESSAGE.
struct Diagnostic {
  std::string file;
  Mark mark;
  std::string message;
  std::string str() const;
};

/// Collects problems so that a whole file is checked in one pass.
class Diagnostics {
 public:
  void error(const std::string& file, Mark m, std::string message);
  bool empty() const { return list_.empty(); }
  const std::vector<Diagnostic>& list() const { return list_; }
  /// Throws InputError if any problem was recorded.
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> list_;
};

/// Bad input: nothing was simulated. The CLI prints every diagnostic and exits 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> d);
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }

 private:
  std::vector<Diagnostic> diags_;
};

/// The closest candidate within a small edit distance, or "" if none fits.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace archsim
