// Text from outside (input files, names in them) made safe to read and to
// show: bounded reads, terminal escapes, valid UTF-8.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace archsim {

/// The whole of a regular file of at most `max_bytes`, or nullopt and why not
/// (no such file, a directory, a device or a pipe that could be read
/// forever, too large). Never reads more than max_bytes + 1 bytes.
std::optional<std::string> read_input_file(const std::string& path, std::string& why,
                                           std::uint64_t max_bytes);

/// `text` as it may reach a terminal: control characters (but newline and
/// tab), DEL, C1 controls and the bidirectional controls (U+202A-U+202E,
/// U+2066-U+2069, U+200E, U+200F, U+061C) become escapes such as `\x1b` or
/// `\u202e`; bytes that are not UTF-8 become `\xff`.
std::string printable(std::string_view text);

/// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD, as
/// nlohmann::json's error_handler_t::replace does: one spelling of a name in
/// every output.
std::string valid_utf8(std::string_view text);

/// The byte length of the valid UTF-8 sequence at the start of `s` (1 to 4),
/// or 0 when it is not one.
int utf8_length(std::string_view s);

}  // namespace archsim
