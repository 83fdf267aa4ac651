#include "archsim/diagnostics.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "archsim/text.hpp"
#include "spec/limits.hpp"

namespace archsim {

namespace {
// One line of a message, at most this long: a whole file's worth of text in a
// name is cut short.
constexpr std::size_t kMaxMessage = 1000;
std::string shown(const std::string& s) {
  return printable(s.size() > kMaxMessage ? s.substr(0, kMaxMessage) + "..." : s);
}
}  // namespace

std::string Diagnostic::str() const {
  // A problem with no position (a file that cannot be opened) still names the file.
  // Names and keys come from the file: no terminal escapes reach the screen.
  if (mark.line <= 0) return fmt::format("{}: error: {}", shown(file), shown(message));
  return fmt::format("{}:{}:{}: error: {}", shown(file), mark.line, mark.col, shown(message));
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
// Three rows of the matrix (the swap looks two rows back): O(m) memory.
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> two(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        cur[j] = std::min(cur[j], two[j - 2] + 1);
    }
    std::swap(two, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

}  // namespace

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  // A third of the word (at least one letter) may be wrong: enough for typos,
  // while "timeout" does not turn into "tier".
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  // A name longer than limits::kNameLength is no typo: no suggestion, and no
  // n x m work on a word of a whole file's length.
  if (word.size() > static_cast<std::size_t>(limits::kNameLength.max)) return "";
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    // Lengths further apart than the limit cannot be within it.
    const std::size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap > limit || c.size() > static_cast<std::size_t>(limits::kNameLength.max)) continue;
    const std::size_t dist = edit_distance(word, c);
    if (dist < best_distance) {  // strict: the first of equally close candidates wins
      best = c;
      best_distance = dist;
    }
  }
  return best;
}

}  // namespace archsim
