#include "spec/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include "archsim/text.hpp"
#include "spec/merge_keys.hpp"
#include "spec/units.hpp"

namespace archsim::yaml {

namespace {

// Stand-ins for ':' and ',' inside a protected call. Control characters never
// occur in a scenario file, and yaml-cpp takes them as ordinary scalar text.
constexpr char kColon = '\x1f';
constexpr char kComma = '\x1e';

// A limit or a value in a message: whole numbers in full, others short.
std::string plain(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e18)
    return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{:g}", v);
}

bool starts_token(char before) {
  return before == ' ' || before == '\t' || before == '\n' || before == '[' || before == '{' ||
         before == ',' || before == ':' || before == '"' || before == '\'';
}

}  // namespace

std::string protect_calls(std::string text) {
  const std::vector<std::string_view> names = all_names<DistSpec::Kind>();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && !starts_token(text[i - 1])) continue;
    for (std::string_view name : names) {
      const std::size_t open = i + name.size();
      if (open >= text.size() || text[open] != '(' || text.compare(i, name.size(), name) != 0) continue;
      // The matching ')' on the same line; a call never spans lines. Without
      // one, the text is left as it is and its parse reports the problem.
      int depth = 0;
      std::size_t close = open;
      for (; close < text.size() && text[close] != '\n'; ++close) {
        if (text[close] == '(') ++depth;
        if (text[close] == ')' && --depth == 0) break;
      }
      if (close < text.size() && text[close] == ')') {
        for (std::size_t k = open + 1; k < close; ++k) {
          if (text[k] == ':') text[k] = kColon;
          if (text[k] == ',') text[k] = kComma;
        }
        i = close;
      }
      break;
    }
  }
  return text;
}

std::string restore(std::string text) {
  for (char& c : text) {
    if (c == kColon) c = ':';
    if (c == kComma) c = ',';
  }
  return text;
}

Mark Source::mark(const YAML::Node& n) const {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return Mark{0, 0, file_};
  return Mark{m.line + 1, m.column + 1, file_};
}

namespace {

// yaml-cpp's parser messages, said the way a person would. Each entry notes
// the usual cause; the position already says where.
std::string plain_words(const std::string& msg) {
  static const std::map<std::string, std::string> words = {
      {YAML::ErrorMsg::MAP_VALUE,
       "a 'key: value' where none can start: check the indentation, and quote a value that contains ': '"},
      {YAML::ErrorMsg::END_OF_MAP,
       "this line does not line up with the keys above it: check its indentation"},
      {YAML::ErrorMsg::END_OF_SEQ,
       "this line does not line up with the list above it: check its indentation"},
      {YAML::ErrorMsg::END_OF_MAP_FLOW, "a '{' is not closed by a matching '}'"},
      {YAML::ErrorMsg::END_OF_SEQ_FLOW, "a '[' is not closed by a matching ']'"},
      {YAML::ErrorMsg::FLOW_END, "a ']' or '}' without a matching '[' or '{'"},
      {YAML::ErrorMsg::BLOCK_ENTRY, "a '- ' list entry where none can start: check the indentation"},
      {YAML::ErrorMsg::MAP_KEY, "a '?' key where none can start"},
      {YAML::ErrorMsg::UNKNOWN_TOKEN, "a character that cannot start a value: quote the value"},
      {YAML::ErrorMsg::UNKNOWN_ANCHOR, "an alias '*name' whose anchor '&name' is not defined above it"},
      {YAML::ErrorMsg::TAB_IN_INDENTATION, "a tab in the indentation: YAML indents with spaces only"},
      {YAML::ErrorMsg::EOF_IN_SCALAR, "the file ends inside a quoted text: a closing quote is missing"},
      {YAML::ErrorMsg::DOC_IN_SCALAR, "a '---' or '...' inside a quoted text: a closing quote is missing"},
  };
  if (auto it = words.find(msg); it != words.end()) return it->second;
  if (msg.rfind(YAML::ErrorMsg::INVALID_ESCAPE, 0) == 0)
    return fmt::format(
        "unknown escape '\\{}' in a double-quoted text: write '\\\\' for a backslash, or use "
        "single quotes",
        msg.substr(std::string_view(YAML::ErrorMsg::INVALID_ESCAPE).size()));
  return msg;
}

// The first tab in the indentation of line `line` (0-based), as a column from 0.
std::optional<int> tab_in_indentation(const std::string& text, int line) {
  std::size_t pos = 0;
  for (int l = 0; l < line && pos != std::string::npos; ++l) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos == std::string::npos) return std::nullopt;
  for (std::size_t i = pos; i < text.size() && (text[i] == ' ' || text[i] == '\t'); ++i)
    if (text[i] == '\t') return static_cast<int>(i - pos);
  return std::nullopt;
}

// Counts n and what it holds against `budget`; false once it runs out. A
// loop, not recursion: an alias inside its own anchor (`c: &c [*c]`) makes
// the node graph cyclic, and recursing until the budget ran out overflowed
// the stack (found by the fuzz target); the budget ends the walk instead.
bool within_nodes(const YAML::Node& root, std::uint64_t& budget) {
  std::vector<YAML::Node> todo{root};
  while (!todo.empty()) {
    if (budget == 0) return false;
    --budget;
    const YAML::Node n = todo.back();
    todo.pop_back();
    if (n.IsSequence()) {
      for (const YAML::Node& c : n) todo.push_back(c);
    } else if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        todo.push_back(it->first);
        todo.push_back(it->second);
      }
    }
  }
  return true;
}

// Counts the documents of a stream, stopping at the second: where it starts.
// YAML::LoadAll cannot be used. On a ',' outside any [...] or {...} at the
// top level (",x" or '"a",b'), yaml-cpp 0.7 never consumes the token and
// returns an empty document for it forever, until memory runs out (found by
// the fuzz target).
class DocumentCounter : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark second;
  void OnDocumentStart(const YAML::Mark& m) override {
    if (++documents == 2) second = m;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
  }
  void OnMapEnd() override {}
};

}  // namespace

std::optional<YAML::Node> Source::parse(const std::string& text) const {
  try {
    const std::string protected_text = protect_calls(text);
    DocumentCounter counter;
    {
      std::istringstream in(protected_text);
      YAML::Parser parser(in);
      while (counter.documents < 2 && parser.HandleNextDocument(counter)) {
      }
    }
    if (counter.documents == 0) return YAML::Node();  // an empty file: the caller reports what is missing
    if (counter.documents > 1) {
      const Mark at{counter.second.line + 1, counter.second.column + 1, file_};
      const bool separator =
          protected_text.compare(static_cast<std::size_t>(counter.second.pos), 3, "---") == 0;
      if (!separator) {
        error(at,
              "malformed YAML: the document ends before this text (a ',' separates items only inside "
              "[...] or {...})");
        return std::nullopt;
      }
      error(at,
            "a scenario file holds one YAML document: remove the '---' and what follows, or move it to its "
            "own file");
    }
    std::vector<YAML::Node> docs{YAML::Load(protected_text)};
    // Aliases share nodes: a few KB of '&a [*b, *b, ...]' can stand for
    // billions of nodes that every later walk would visit. Count the tree as
    // it will be read, stopping at the limit.
    std::uint64_t budget = static_cast<std::uint64_t>(limits::kYamlNodes.max);
    if (!within_nodes(docs[0], budget)) {
      error(start(),
            fmt::format("the file expands to more than {} YAML nodes (aliases '*name' repeat what their "
                        "anchor holds): the limit (see Limits in the README)",
                        plain(limits::kYamlNodes.max)));
      return std::nullopt;
    }
    expand_merge_keys(*this, docs[0]);
    return docs[0];
  } catch (const YAML::ParserException& e) {
    // A tab in the indentation confuses yaml-cpp into other messages
    // ("illegal map value"): say what is really wrong, at the tab.
    if (auto tab = tab_in_indentation(text, e.mark.line)) {
      error(Mark{e.mark.line + 1, *tab + 1, file_},
            "malformed YAML: " + plain_words(YAML::ErrorMsg::TAB_IN_INDENTATION));
    } else {
      error(Mark{e.mark.line + 1, e.mark.column + 1, file_}, "malformed YAML: " + plain_words(e.msg));
    }
    return std::nullopt;
  }
}

std::string describe(const YAML::Node& n) {
  // A long text (a whole file read as YAML, such as /etc/passwd) is cut short.
  if (n.IsScalar()) {
    const std::string s = restore(n.Scalar());
    return s.size() > 60 || s.find('\n') != std::string::npos
               ? "'" + s.substr(0, std::min<std::size_t>(40, s.find('\n'))) + "...'"
               : "'" + s + "'";
  }
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return "nothing";
}

std::string shape(const YAML::Node& n) {
  if (n.IsScalar()) return "a text";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a map";
  return "nothing";
}

std::string join(const std::vector<std::string_view>& names, std::string_view sep) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += sep;
    out += n;
  }
  return out;
}

std::optional<Map> Map::open(const Source& src, const YAML::Node& node, Mark at, std::string_view what,
                             std::string_view noun) {
  if (!node.IsMap()) {
    src.error(node.IsNull() ? at : src.mark(node),
              fmt::format("expected a map of keys for {}, got {}", what, describe(node)));
    return std::nullopt;
  }
  Map m;
  m.src_ = &src;
  m.at_ = at;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const Mark key_mark = src.mark(it->first);
    if (!it->first.IsScalar()) {
      src.error(key_mark, fmt::format("expected a name as a key, got {}", describe(it->first)));
      continue;
    }
    Field f{restore(it->first.Scalar()), key_mark, it->second, src.mark(it->second)};
    // An empty value ("workers:") has no text of its own; yaml-cpp then gives
    // the position of whatever follows, often the next line. Point at the key.
    if (f.value.IsNull() && (f.value_mark.line != key_mark.line || f.value_mark.line == 0))
      f.value_mark = key_mark;
    if (const Field* first = m.get(f.key)) {
      src.error(key_mark,
                fmt::format("duplicate {} '{}' (first at line {})", noun, f.key, first->key_mark.line));
      continue;
    }
    m.index_.emplace(f.key, m.fields_.size());
    m.fields_.push_back(std::move(f));
  }
  return m;
}

const Field* Map::get(std::string_view key) const {
  const auto it = index_.find(std::string(key));
  return it == index_.end() ? nullptr : &fields_[it->second];
}

const Field* Map::need(std::string_view key, std::string_view where) const {
  const Field* f = get(key);
  if (!f) {
    src_->error(at_, where.empty() ? fmt::format("missing required key '{}'", key)
                                   : fmt::format("missing required key '{}' in {}", key, where));
  }
  return f;
}

std::vector<const Field*> Map::unknown(const std::vector<std::string_view>& allowed) const {
  std::vector<const Field*> out;
  for (const Field& f : fields_)
    if (std::find(allowed.begin(), allowed.end(), f.key) == allowed.end()) out.push_back(&f);
  return out;
}

int Map::allow_only(const std::vector<std::string_view>& allowed, std::string_view where) const {
  const std::vector<const Field*> bad = unknown(allowed);
  for (const Field* f : bad) report_unknown_key(*src_, *f, allowed, where);
  return static_cast<int>(bad.size());
}

void report_unknown_key(const Source& src, const Field& f, const std::vector<std::string_view>& allowed,
                        std::string_view where) {
  const std::string in = where.empty() ? "" : fmt::format(" in {}", where);
  const std::string guess = did_you_mean(f.key, std::vector<std::string>(allowed.begin(), allowed.end()));
  // A key longer than any name is shown cut short.
  const auto cap = static_cast<std::size_t>(limits::kNameLength.max);
  const std::string key = f.key.size() > cap ? f.key.substr(0, cap) + "..." : f.key;
  if (!guess.empty()) {
    src.error(f.key_mark, fmt::format("unknown key '{}'{}: did you mean '{}'?", key, in, guess));
  } else {
    src.error(f.key_mark, fmt::format("unknown key '{}'{}: valid keys: {}", key, in, join(allowed)));
  }
}

namespace {

// The scalar text of a value, or a "wrong type" report naming what was expected.
std::optional<std::string> scalar(const Source& src, const Field& f, std::string_view expected) {
  // One spelling of a text in every output: bytes that are not UTF-8 become
  // U+FFFD here, once, rather than make a JSON writer fail after a run.
  if (f.value.IsScalar()) return valid_utf8(restore(f.value.Scalar()));
  src.error(f.value_mark, fmt::format("expected {} for '{}', got {}", expected, f.key, describe(f.value)));
  return std::nullopt;
}

std::string too_large(std::string_view key, std::string_view text, const limits::Limit& max) {
  return fmt::format("'{}' must be at most {}{} (the limit on {}: see Limits in the README), got {}", key,
                     plain(max.max), max.unit, max.name,
                     text.size() > 40 ? std::string(text.substr(0, 40)) + "..." : std::string(text));
}

template <class Int>
std::optional<Int> to_integer(std::string_view s) {
  s = units::trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  Int v{};
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) {
    // "1M", "250k", "1e9": a whole count written the short way.
    const auto c = units::count(s);
    if (!c || *c < static_cast<double>(std::numeric_limits<Int>::min()) ||
        *c > static_cast<double>(std::numeric_limits<Int>::max()))
      return std::nullopt;
    return static_cast<Int>(*c);
  }
  return v;
}

}  // namespace

std::optional<std::string> read_text(const Source& src, const Field& f, std::string_view expected) {
  return scalar(src, f, expected);
}

std::optional<std::int64_t> read_int(const Source& src, const Field& f, std::int64_t min,
                                     std::string_view hint) {
  return read_int(src, f, min, limits::kCount, hint);
}

bool within(const Source& src, Mark m, std::string_view key, double v, const limits::Limit& max) {
  if (v <= max.max) return true;
  src.error(m, fmt::format("'{}' must be at most {} (the limit on {}: see Limits in the README), got {}", key,
                           plain(max.max), max.name, plain(v)));
  return false;
}

std::optional<std::int64_t> read_int(const Source& src, const Field& f, std::int64_t min,
                                     const limits::Limit& max, std::string_view hint) {
  auto text = scalar(src, f, "an integer");
  if (!text) return std::nullopt;
  const auto v = to_integer<std::int64_t>(*text);
  if (!v) {
    // Digits only, but too many for 64 bits: a limit, not a typo.
    const std::string_view t = units::trim(*text);
    if (!t.empty() && t.size() < 400 && t.find_first_not_of("0123456789") == std::string_view::npos) {
      src.error(f.value_mark,
                fmt::format("'{}' must be at most {} (the limit on {}: see Limits in the README), got {}",
                            f.key, plain(max.max), max.name, t));
      return std::nullopt;
    }
    src.error(f.value_mark, fmt::format("expected an integer for '{}', got '{}'{}", f.key, *text,
                                        hint.empty() ? "" : fmt::format(" ({})", hint)));
    return std::nullopt;
  }
  if (*v < min) {
    src.error(f.value_mark, min == 0 ? fmt::format("'{}' cannot be negative, got {}", f.key, *v)
                                     : fmt::format("'{}' must be at least {}, got {}", f.key, min, *v));
    return std::nullopt;
  }
  if (!within(src, f.value_mark, f.key, static_cast<double>(*v), max)) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> read_uint64(const Source& src, const Field& f) {
  auto text = scalar(src, f, "a non-negative integer");
  if (!text) return std::nullopt;
  const auto v = to_integer<std::uint64_t>(*text);
  if (!v) {
    src.error(f.value_mark, fmt::format("expected a non-negative integer for '{}', got '{}'", f.key, *text));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_number(const Source& src, const Field& f, double min) {
  auto text = scalar(src, f, "a number");
  if (!text) return std::nullopt;
  const auto v = units::number(*text);
  if (v && (!std::isfinite(*v) || std::abs(*v) > 1e15)) {
    src.error(f.value_mark, fmt::format("'{}' must be at most 1e15, got {}", f.key, *text));
    return std::nullopt;
  }
  if (!v) {
    src.error(f.value_mark, fmt::format("expected a number for '{}', got '{}'", f.key, *text));
    return std::nullopt;
  }
  if (*v < min) {
    src.error(f.value_mark, min == 0 ? fmt::format("'{}' cannot be negative, got {}", f.key, *text)
                                     : fmt::format("'{}' must be at least {}, got {}", f.key, min, *text));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_duration(const Source& src, const Field& f, Bound bound,
                                    std::string_view suggest) {
  auto text = scalar(src, f, "a duration");
  if (!text) return std::nullopt;
  std::string why;
  const auto v = units::duration(*text, &why, suggest);
  if (!v) {
    src.error(f.value_mark, why);
    return std::nullopt;
  }
  if (!std::isfinite(*v) || std::abs(*v) > limits::kDuration.max) {
    src.error(f.value_mark, too_large(f.key, *text, limits::kDuration));
    return std::nullopt;
  }
  if (bound == Bound::Positive && *v <= 0) {
    src.error(f.value_mark, fmt::format("'{}' must be positive, got {}", f.key, *text));
    return std::nullopt;
  }
  if (bound == Bound::NonNegative && *v < 0) {
    src.error(f.value_mark, fmt::format("'{}' cannot be negative, got {}", f.key, *text));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_rate(const Source& src, const Field& f) {
  auto text = scalar(src, f, "a rate");
  if (!text) return std::nullopt;
  std::string why;
  const auto v = units::rate(*text, &why);
  if (!v) {
    src.error(f.value_mark, why);
    return std::nullopt;
  }
  if (!std::isfinite(*v) || std::abs(*v) > limits::kRate.max) {
    src.error(f.value_mark, too_large(f.key, *text, limits::kRate));
    return std::nullopt;
  }
  if (*v <= 0) {
    src.error(f.value_mark, fmt::format("'{}' must be positive, got {}", f.key, *text));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_size(const Source& src, const Field& f) {
  auto text = scalar(src, f, "a size");
  if (!text) return std::nullopt;
  std::string why;
  const auto v = units::size(*text, &why);
  if (!v) {
    src.error(f.value_mark, why);
    return std::nullopt;
  }
  if (!std::isfinite(*v) || *v > 1e18) {  // an exabyte: beyond any message or disk simulated
    src.error(f.value_mark, fmt::format("'{}' must be at most 1EB, got {}", f.key, *text));
    return std::nullopt;
  }
  if (*v < 0) {
    src.error(f.value_mark, fmt::format("'{}' cannot be negative, got {}", f.key, *text));
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_fraction(const Source& src, const Field& f) {
  auto text = scalar(src, f, "a percentage");
  if (!text) return std::nullopt;
  std::string why;
  const auto v = units::fraction(*text, &why);
  if (!v) src.error(f.value_mark, why);
  return v;
}

std::optional<DistSpec> read_distribution(const Source& src, const Field& f, std::string_view suggest) {
  auto text = scalar(src, f, "a duration or a distribution");
  if (!text) return std::nullopt;
  std::string why;
  auto d = units::distribution(*text, &why, suggest);
  if (!d) {
    src.error(f.value_mark, why);
    return std::nullopt;
  }
  // Every parameter, and the mean where there is one, a representable time.
  const double mean = d->mean();
  if (!std::isfinite(d->a) || !std::isfinite(d->b) || std::abs(d->a) > limits::kDuration.max ||
      std::abs(d->b) > limits::kDuration.max || (std::isfinite(mean) && mean > limits::kDuration.max)) {
    src.error(f.value_mark, too_large(f.key, *text, limits::kDuration));
    return std::nullopt;
  }
  d->mark = f.value_mark;
  return d;
}

std::optional<std::vector<YAML::Node>> read_list(const Source& src, const Field& f) {
  if (!f.value.IsSequence()) {
    src.error(f.value_mark, fmt::format("expected a list for '{}' (entries starting with '- '), got {}",
                                        f.key, describe(f.value)));
    return std::nullopt;
  }
  return std::vector<YAML::Node>(f.value.begin(), f.value.end());
}

}  // namespace archsim::yaml
