// Reading YAML with positions. Every problem becomes a Diagnostic at the line
// and column of the text that caused it, and reading goes on, so that one pass
// over a file finds all of its problems. The scenario schema lives in
// parse.cpp; this file knows nothing about scenarios.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"
#include "spec/limits.hpp"

namespace archsim::yaml {

/// Makes each distribution call such as `lognormal(median: 3ms, p99: 20ms)`
/// one plain YAML scalar. In plain YAML its ": " would start a map and, inside
/// `{...}`, its ", " would end the value. The ':' and ',' between the
/// parentheses are swapped for two control characters, one byte each, so every
/// line and column stays where it was; restore() swaps them back.
std::string protect_calls(std::string text);
/// Undoes protect_calls in a scalar read from the tree.
std::string restore(std::string text);

/// A file being read: its name as printed in messages, which file it is
/// (Mark::file), and where its problems go.
class Source {
 public:
  Source(std::string path, int file, Diagnostics& diags)
      : path_(std::move(path)), file_(file), diags_(&diags) {}

  const std::string& path() const { return path_; }
  int file() const { return file_; }
  /// The position of a node, counted from 1.
  Mark mark(const YAML::Node& n) const;
  /// The position of the start of the file.
  Mark start() const { return Mark{1, 1, file_}; }
  void error(Mark m, std::string message) const { diags_->error(path_, m, std::move(message)); }

  /// Parses the text of the whole file. Malformed YAML is reported in plain
  /// words and yields nullopt: nothing after a syntax error can be trusted.
  std::optional<YAML::Node> parse(const std::string& text) const;

 private:
  std::string path_;
  int file_;
  Diagnostics* diags_;
};

/// One `key: value` of a map.
struct Field {
  std::string key;
  Mark key_mark;
  YAML::Node value;
  Mark value_mark;  ///< the key's position when the value is left empty
};

/// A YAML map, read once. Duplicate keys, which yaml-cpp keeps silently,
/// are reported when it is opened; lookups then see the first occurrence.
class Map {
 public:
  /// Reads `node` as a map; reports "expected a map of keys for WHAT" and
  /// returns nullopt when it is not one. `at` is where the map is named (its
  /// key), for "missing key" messages. `noun` names the keys in the duplicate
  /// message ("duplicate component 'api'").
  static std::optional<Map> open(const Source& src, const YAML::Node& node, Mark at, std::string_view what,
                                 std::string_view noun = "key");

  const Field* get(std::string_view key) const;
  /// get(), reporting "missing required key 'KEY' in WHERE" when absent.
  const Field* need(std::string_view key, std::string_view where) const;
  /// The fields whose key is not in `allowed`, in file order.
  std::vector<const Field*> unknown(const std::vector<std::string_view>& allowed) const;
  /// Reports each unknown key ("did you mean" or the valid keys); returns how many.
  int allow_only(const std::vector<std::string_view>& allowed, std::string_view where) const;

  /// Every key once (first occurrences), in file order.
  const std::vector<Field>& fields() const { return fields_; }
  /// Where the map is named (its key, or its `- ` entry).
  Mark at() const { return at_; }
  const Source& source() const { return *src_; }

 private:
  const Source* src_ = nullptr;
  Mark at_;
  std::vector<Field> fields_;
  std::unordered_map<std::string, std::size_t>
      index_;  ///< key -> fields_ position: a large map opens in O(n)
};

/// "unknown key 'worker' in component 'api': did you mean 'workers'?", or the
/// valid keys when nothing is close.
void report_unknown_key(const Source& src, const Field& f, const std::vector<std::string_view>& allowed,
                        std::string_view where);

/// How a node looks in a message: "'many'", "a list", "a map", "nothing".
std::string describe(const YAML::Node& n);
/// "a text", "a list", "a map", "nothing": never the text itself (a whole
/// file read by mistake must not be echoed).
std::string shape(const YAML::Node& n);

/// "a, b, c".
std::string join(const std::vector<std::string_view>& names, std::string_view sep = ", ");

// Typed readers. Each reports its own problem at the value and returns
// nullopt; the caller keeps going with the default.

/// A scalar's text; `expected` names it in the wrong-type message
/// ("expected a component name for 'to', got a list").
std::optional<std::string> read_text(const Source& src, const Field& f, std::string_view expected = "a text");
/// An integer >= min and <= limits::kCount. `hint` is added to the "expected
/// an integer" message.
std::optional<std::int64_t> read_int(const Source& src, const Field& f, std::int64_t min,
                                     std::string_view hint = "");
/// An integer in [min, max.max]: above it, "'KEY' must be at most MAX (the
/// limit on NAME)" rather than a silent clamp.
std::optional<std::int64_t> read_int(const Source& src, const Field& f, std::int64_t min,
                                     const limits::Limit& max, std::string_view hint = "");
/// Reports "'KEY' must be at most ..." at `m` when v > max.max; true when v is within.
bool within(const Source& src, Mark m, std::string_view key, double v, const limits::Limit& max);
std::optional<std::uint64_t> read_uint64(const Source& src, const Field& f);
/// A plain number >= min.
std::optional<double> read_number(const Source& src, const Field& f, double min);

enum class Bound { NonNegative, Positive };
/// A duration in seconds; a bare number proposes `suggest` as its unit.
std::optional<double> read_duration(const Source& src, const Field& f, Bound bound, std::string_view suggest);
/// A rate in requests per second, positive.
std::optional<double> read_rate(const Source& src, const Field& f);
/// A size in bytes.
std::optional<double> read_size(const Source& src, const Field& f);
/// A fraction in [0, 1] from "0.5%" or "0.005".
std::optional<double> read_fraction(const Source& src, const Field& f);
/// A distribution (or a duration, a constant), with its position.
std::optional<DistSpec> read_distribution(const Source& src, const Field& f, std::string_view suggest);
/// A sequence's items; reports anything else.
std::optional<std::vector<YAML::Node>> read_list(const Source& src, const Field& f);

/// One of an enum's names (its table in spec.cpp); `what` is the noun in the
/// message: "unknown policy 'round-robin': did you mean 'round_robin'? valid
/// choices: round_robin, random, least_connections, power_of_two".
template <class E>
std::optional<E> read_choice(const Source& src, const Field& f, std::string_view what) {
  auto text = read_text(src, f);
  if (!text) return std::nullopt;
  if (auto v = from_name<E>(*text)) return v;
  const std::vector<std::string_view> names = all_names<E>();
  const std::string guess = did_you_mean(*text, std::vector<std::string>(names.begin(), names.end()));
  src.error(f.value_mark,
            guess.empty() ? "unknown " + std::string(what) + " '" + *text + "': valid choices: " + join(names)
                          : "unknown " + std::string(what) + " '" + *text + "': did you mean '" + guess +
                                "'? valid choices: " + join(names));
  return std::nullopt;
}

}  // namespace archsim::yaml
