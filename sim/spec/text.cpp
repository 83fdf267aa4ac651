#include "archsim/text.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include <fmt/format.h>

namespace archsim {

std::optional<std::string> read_input_file(const std::string& path, std::string& why,
                                           std::uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    why = "no such file";
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    why = "it is a directory";
    return std::nullopt;
  }
  // A device (/dev/zero), a pipe or a socket may never end: refused.
  if (!S_ISREG(st.st_mode)) {
    why = "it is not a regular file (a device, a pipe or a socket)";
    return std::nullopt;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
    why = fmt::format("it has {} bytes, more than the limit of {} (see Limits in the README)", st.st_size,
                      max_bytes);
    return std::nullopt;
  }
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    why = "it cannot be opened for reading";
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  std::size_t n = 0;
  // The size may change between stat and read: stop one byte past the limit.
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
    text.append(buf, n);
    if (text.size() > max_bytes) {
      why = fmt::format("it has more than {} bytes, the limit (see Limits in the README)", max_bytes);
      return std::nullopt;
    }
  }
  if (std::ferror(f.get())) {
    why = "it cannot be read";
    return std::nullopt;
  }
  return text;
}

int utf8_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned c = b(0);
  if (c < 0x80) return 1;
  int n = 0;
  unsigned min = 0, cp = 0;
  if ((c & 0xe0) == 0xc0) n = 2, cp = c & 0x1f, min = 0x80;
  else if ((c & 0xf0) == 0xe0) n = 3, cp = c & 0x0f, min = 0x800;
  else if ((c & 0xf8) == 0xf0) n = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (s.size() < static_cast<std::size_t>(n)) return 0;
  for (int i = 1; i < n; ++i) {
    if ((b(static_cast<std::size_t>(i)) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(static_cast<std::size_t>(i)) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

namespace {

unsigned code_point(std::string_view s, int n) {
  const auto b = [&](int i) { return static_cast<unsigned char>(s[static_cast<std::size_t>(i)]); };
  if (n == 1) return b(0);
  unsigned cp = b(0) & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
  for (int i = 1; i < n; ++i) cp = (cp << 6) | (b(i) & 0x3f);
  return cp;
}

bool is_bidi_or_c1(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const int n = utf8_length(text.substr(i));
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const unsigned cp = code_point(text.substr(i), n);
    if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7f) out += fmt::format("\\x{:02x}", cp);
    else if (is_bidi_or_c1(cp)) out += fmt::format("\\u{:04x}", cp);
    else out.append(text.substr(i, static_cast<std::size_t>(n)));
    i += static_cast<std::size_t>(n);
  }
  return out;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const int n = utf8_length(text.substr(i));
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, static_cast<std::size_t>(n)));
      i += static_cast<std::size_t>(n);
    }
  }
  return out;
}

}  // namespace archsim
