#include "archsim/diagnostics.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace archsim {

std::string Diagnostic::str() const {
  // A problem with no position (a file that cannot be opened) still names the file.
  if (mark.line <= 0) return fmt::format("{}: error: {}", file, message);
  return fmt::format("{}:{}:{}: error: {}", file, mark.line, mark.col, message);
}

void Diagnostics::error(const std::string& file, Mark m, std::string message) {
  list_.push_back(Diagnostic{file, m, std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (!list_.empty()) throw InputError(list_);
}

namespace {
std::string join_lines(const std::vector<Diagnostic>& d) {
  std::string out;
  for (const Diagnostic& x : d) {
    if (!out.empty()) out += '\n';
    out += x.str();
  }
  return out;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> d) : std::runtime_error(join_lines(d)), diags_(std::move(d)) {}

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Optimal string alignment distance (Levenshtein plus the swap of two
// neighbours, "wokrers" -> "workers", as one edit), ignoring case.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // A third of the word (at least one letter) may be wrong: enough for typos,
  // while "timeout" does not turn into "tier".
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    if (dist < best_distance) {  // strict: the first of equally close candidates wins
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace archsim
