#include "report/edit.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "archsim/diagnostics.hpp"
#include "archsim/text.hpp"
#include "spec/limits.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim::report {

namespace {

namespace fs = std::filesystem;

// The top-level keys of a scenario (parse.cpp's kTopKeys); a first path
// segment that is not one of them names a component.
const std::vector<std::string> kTopKeys = {"name",       "description", "seed",    "duration",
                                           "warmup",     "design",      "network", "traffic",
                                           "components", "slo",         "budget"};

std::string read_text_file(const std::string& path, const std::string& what) {
  std::string why;
  auto text = read_input_file(path, why, static_cast<std::uint64_t>(limits::kFileBytes.max));
  if (!text) throw InputError({Diagnostic{path, {}, fmt::format("cannot read the {}: {}", what, why)}});
  return std::move(*text);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

Mark mark_of(const YAML::Node& n, int doc) {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return Mark{0, 0, doc};
  return Mark{m.line + 1, m.column + 1, doc};
}

/// One parsed document, with the text positions of its nodes.
struct Parsed {
  int doc = 0;
  const std::string* path = nullptr;
  const std::string* text = nullptr;
  YAML::Node root;
};

Parsed parse(const std::string& path, const std::string& text, int doc) {
  Diagnostics d;
  yaml::Source src(path, doc, d);
  std::optional<YAML::Node> root = src.parse(text);
  d.throw_if_any();
  Parsed p;
  p.doc = doc;
  p.path = &path;
  p.text = &text;
  p.root = root ? *root : YAML::Node();
  return p;
}

[[noreturn]] void bad_path(const Parsed& p, Mark m, const std::string& path, const std::string& msg) {
  throw InputError({Diagnostic{*p.path, m, fmt::format("--set {}: {}", path, msg)}});
}

std::string names_hint(const std::string& word, const std::vector<std::string>& names,
                       const std::string& what) {
  const std::string guess = did_you_mean(word, names);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  if (!guess.empty()) return fmt::format("did you mean '{}'? {}: {}", guess, what, list);
  return fmt::format("{}: {}", what, list.empty() ? "none" : list);
}

std::vector<std::string> keys_of(const YAML::Node& map) {
  std::vector<std::string> keys;
  for (auto it = map.begin(); it != map.end(); ++it) keys.push_back(it->first.Scalar());
  return keys;
}

/// Where a new `key: value` goes in `map`: after a line that holds one
/// whole `key: scalar` entry of it, at the same indentation, or just inside
/// the `{` of a flow map.
void place_insertion(const Parsed& p, const YAML::Node& map, const std::string& key, Target& t) {
  const std::string& text = *p.text;
  t.mark = mark_of(map, p.doc);
  if (map.Style() == YAML::EmitterStyle::Flow) {
    std::size_t brace = map.Mark().pos;
    while (brace < text.size() && text[brace] != '{') ++brace;
    if (brace >= text.size())
      bad_path(p, t.mark, t.path, "cannot add a key to this map: write it in the file first");
    t.pos = brace + 1;
    t.insert_prefix = key + ": ";
    t.insert_suffix = map.size() ? ", " : "";
    return;
  }
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node k = it->first;  // copies: the iterator hands out a temporary pair
    const YAML::Node v = it->second;
    if (!v.IsScalar() || v.Mark().is_null() || v.Mark().line != k.Mark().line) continue;
    std::size_t eol = text.find('\n', v.Mark().pos);
    if (eol == std::string::npos) eol = text.size();
    // A multi-line scalar would continue on the next line.
    const std::size_t next = eol + 1;
    if (next < text.size()) {
      std::size_t indent = 0;
      while (next + indent < text.size() && text[next + indent] == ' ') ++indent;
      if (static_cast<int>(indent) > k.Mark().column && text[next + indent] != '\n' &&
          text[next + indent] != '#')
        continue;
    }
    t.pos = eol;
    t.insert_prefix = "\n" + std::string(static_cast<std::size_t>(k.Mark().column), ' ') + key + ": ";
    t.adds_line = true;
    return;
  }
  bad_path(p, t.mark, t.path, fmt::format("cannot add '{}' here: write it in the file first", key));
}

/// The byte range of a scalar value in the text.
void place_value(const Parsed& p, const YAML::Node& v, Target& t) {
  const std::string& text = *p.text;
  t.mark = mark_of(v, p.doc);
  const std::size_t pos = v.Mark().pos;
  t.pos = pos;
  if (pos < text.size() && (text[pos] == '"' || text[pos] == '\'')) {
    const char q = text[pos];
    std::size_t e = pos + 1;
    while (e < text.size()) {
      if (q == '"' && text[e] == '\\') {
        e += 2;
        continue;
      }
      if (text[e] == q) {
        if (q == '\'' && e + 1 < text.size() && text[e + 1] == '\'') {
          e += 2;
          continue;
        }
        break;
      }
      ++e;
    }
    t.len = e + 1 - pos;
    t.current = v.Scalar();
    return;
  }
  // A plain scalar reads as it is written when it fits on one line.
  const std::string protected_text = yaml::protect_calls(text);
  const std::string& s = v.Scalar();
  if (protected_text.compare(pos, s.size(), s) != 0)
    bad_path(p, t.mark, t.path, "cannot change a value that spans lines: write it on one line");
  t.len = s.size();
  t.current = yaml::restore(s);
}

// Item `s` of a list: by number, or by the `name:` of its items.
YAML::Node list_item(const Parsed& in, const YAML::Node& node, const std::string& s, const std::string& where,
                     const std::string& path) {
  std::size_t index = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), index);
  if (ec == std::errc() && end == s.data() + s.size()) {
    if (index >= node.size())
      bad_path(in, mark_of(node, in.doc), path,
               fmt::format("'{}' has {} items, counted from 0: no item {}", where, node.size(), index));
    return node[index];
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    if (item.IsMap() && item["name"] && item["name"].IsScalar()) {
      names.push_back(item["name"].Scalar());
      if (item["name"].Scalar() == s) return item;
    }
  }
  bad_path(in, mark_of(node, in.doc), path,
           fmt::format("'{}' has no item named '{}': {}", where, s, names_hint(s, names, "names")));
}

// The component named by a path's first segment, in whichever file has
// the components.
YAML::Node component_node(const Parsed* in, const Parsed& problem, const std::string& first,
                          const std::string& path) {
  if (!in) bad_path(problem, Mark{1, 1, 0}, path, "the scenario has no components");
  const YAML::Node comps = in->root["components"];
  if (!comps.IsMap()) bad_path(*in, mark_of(comps, in->doc), path, "'components' is not a map");
  if (!comps[first]) {
    std::vector<std::string> choices = keys_of(comps);
    bad_path(*in, mark_of(comps, in->doc), path,
             fmt::format("no component or top-level key '{}': {}", first,
                         names_hint(first, choices, "components")));
  }
  return comps[first];
}

}  // namespace

Documents read_documents(const std::string& file, const LoadOptions& opt) {
  Documents d;
  d.problem_path = file;
  d.problem_text = read_text_file(file, "scenario file");
  d.load = opt;
  if (opt.design) {
    d.design_path = *opt.design;
  } else {
    // The design the problem names, relative to it (as the loader does).
    const Parsed p = parse(d.problem_path, d.problem_text, 0);
    if (p.root.IsMap() && p.root["design"] && p.root["design"].IsScalar())
      d.design_path = (fs::path(file).parent_path() / p.root["design"].Scalar()).lexically_normal().string();
  }
  if (!d.design_path.empty()) d.design_text = read_text_file(d.design_path, "design file");
  return d;
}

Target locate(const Documents& docs, const std::string& path) {
  Target t;
  t.path = path;
  const Parsed problem = parse(docs.problem_path, docs.problem_text, 0);
  std::optional<Parsed> design;
  if (!docs.design_path.empty()) design = parse(docs.design_path, docs.design_text, 1);

  const std::vector<std::string> seg = split(path, '.');
  for (const std::string& s : seg)
    if (s.empty())
      bad_path(problem, {}, path, "expected a path such as api.replicas or traffic.shoppers.rate");

  // The first segment: a top-level key (in whichever file has it) or a component.
  const Parsed* in = &problem;
  YAML::Node node;
  std::size_t next = 1;
  auto top = [&](const std::string& key) -> const Parsed* {
    if (problem.root.IsMap() && problem.root[key]) return &problem;
    if (design && design->root.IsMap() && design->root[key]) return &*design;
    return nullptr;
  };
  if (std::find(kTopKeys.begin(), kTopKeys.end(), seg[0]) != kTopKeys.end()) {
    in = top(seg[0]);
    if (!in) {
      if (seg.size() > 1) bad_path(problem, Mark{1, 1, 0}, path, fmt::format("the file has no '{}'", seg[0]));
      in = &problem;  // a missing top-level value (duration, seed ...) is added to the problem
      t.doc = 0;
      place_insertion(problem, problem.root, seg[0], t);
      return t;
    }
    node.reset(in->root[seg[0]]);
  } else {
    in = top("components");
    node.reset(component_node(in, problem, seg[0], path));
  }
  t.doc = in->doc;

  std::string where = seg[0];
  for (; next < seg.size(); ++next) {
    const std::string& s = seg[next];
    const bool last = next + 1 == seg.size();
    const YAML::Node cur(node);  // const: lookups must not add keys to the document
    if (cur.IsMap()) {
      if (!cur[s]) {
        if (last) {
          place_insertion(*in, node, s, t);
          return t;
        }
        bad_path(
            *in, mark_of(node, in->doc), path,
            fmt::format("'{}' has no key '{}': {}", where, s, names_hint(s, keys_of(node), "keys here")));
      }
      node.reset(cur[s]);
    } else if (node.IsSequence()) {
      node.reset(list_item(*in, node, s, where, path));
    } else {
      bad_path(*in, mark_of(node, in->doc), path,
               fmt::format("'{}' is a single value, so '{}' cannot be inside it", where, s));
    }
    where += "." + s;
  }
  if (!node.IsScalar())
    bad_path(*in, mark_of(node, in->doc), path,
             fmt::format("'{}' is {}, not a single value: give the path of one value inside it", where,
                         node.IsMap() ? "a map" : "a list"));
  t.exists = true;
  place_value(*in, node, t);
  return t;
}

Documents apply(const Documents& docs, const std::vector<std::pair<Target, std::string>>& edits) {
  Documents out = docs;
  // Later positions first, so that earlier ones stay valid.
  std::vector<const std::pair<Target, std::string>*> order;
  for (const auto& e : edits) order.push_back(&e);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    if (a->first.doc != b->first.doc) return a->first.doc < b->first.doc;
    return a->first.pos > b->first.pos;
  });
  for (const auto* e : order) {
    std::string& text = e->first.doc == 0 ? out.problem_text : out.design_text;
    const Target& t = e->first;
    if (t.exists) text.replace(t.pos, t.len, e->second);
    else text.insert(t.pos, t.insert_prefix + e->second + t.insert_suffix);
  }
  return out;
}

ScenarioSpec load_edited(const Documents& base, const std::vector<std::pair<Target, std::string>>& edits) {
  const Documents d = apply(base, edits);
  LoadOptions opt = base.load;
  if (!d.design_path.empty()) opt.design_text = d.design_text;
  try {
    return load_scenario_text(d.problem_text, d.problem_path, opt);
  } catch (const InputError& err) {
    // Point each problem on an edited line at the original text.
    std::vector<Diagnostic> list = err.diagnostics();
    for (Diagnostic& g : list) {
      const int doc = g.file == base.problem_path ? 0 : g.file == base.design_path ? 1 : -1;
      if (doc < 0) {
        std::string sets;
        for (const auto& [t, value] : edits)
          sets += fmt::format("{}--set {}={}", sets.empty() ? "" : ", ", t.path, value);
        g.message = fmt::format("with {}: {}", sets, g.message);
      }
      if (doc < 0) continue;
      const std::string& text = doc == 0 ? base.problem_text : base.design_text;
      // Added lines, in the edited text's numbering (in file order).
      std::vector<std::pair<int, const std::pair<Target, std::string>*>> added;
      for (const auto& e : edits)
        if (e.first.doc == doc && !e.first.exists && e.first.adds_line)
          added.emplace_back(1 + static_cast<int>(std::count(
                                     text.begin(), text.begin() + static_cast<long>(e.first.pos), '\n')),
                             &e);
      std::sort(added.begin(), added.end(), [](auto& a, auto& b) { return a.first < b.first; });
      const std::pair<Target, std::string>* culprit = nullptr;
      int line = g.mark.line, shift = 0;
      for (const auto& [after, e] : added) {
        if (line == after + shift + 1) culprit = e;
        if (line > after + shift + 1) ++shift;
      }
      if (!culprit) {
        line -= shift;  // back to the original numbering
        for (const auto& e : edits)
          if (e.first.doc == doc && e.first.exists && e.first.mark.line == line) culprit = &e;
      }
      if (culprit) {
        g.message = fmt::format("with --set {}={}: {}", culprit->first.path, culprit->second, g.message);
        g.mark = culprit->first.mark;
      } else {
        // The files loaded before the edits: the problem comes from one of them.
        g.mark.line = line;
        std::string sets;
        for (const auto& [t, value] : edits)
          sets += fmt::format("{}--set {}={}", sets.empty() ? "" : ", ", t.path, value);
        g.message = fmt::format("with {}: {}", sets, g.message);
      }
    }
    throw InputError(std::move(list));
  }
}

std::optional<std::pair<double, std::string>> split_number(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), v);
  if (ec != std::errc()) return std::nullopt;
  std::string unit(end, text.data() + text.size());
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  return std::make_pair(v, unit);
}

std::string format_number(double v) {
  if (std::abs(v - std::round(v)) < 1e-9 && std::abs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(std::llround(v)));
  return fmt::format("{:.6g}", v);
}

}  // namespace archsim::report
