// Changing one value of a scenario by its path ("api.replicas",
// "traffic.shoppers.rate", "slo.latency_p99") before it is parsed: what
// sweeps and capacity searches vary. The text is edited in place, so that a
// problem the parser finds still points at the right line of the file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "archsim/load.hpp"
#include "archsim/spec.hpp"

namespace archsim::report {

/// A scenario's files as text: the problem and the design it names (or the
/// --design file).
struct Documents {
  std::string problem_path;
  std::string problem_text;
  std::string design_path;  ///< empty: no design file
  std::string design_text;
  LoadOptions load;  ///< --design, --seed, --duration
};

/// Reads the problem and its design; a missing file is an InputError.
Documents read_documents(const std::string& file, const LoadOptions& opt);

/// Where a path leads in the documents.
struct Target {
  std::string path;           ///< as given
  int doc = 0;                ///< 0 the problem, 1 the design
  bool exists = false;        ///< false: the key is added to its map
  std::size_t pos = 0;        ///< exists: the value's first byte; else where the new line goes
  std::size_t len = 0;        ///< exists: the value's length in the text
  std::string current;        ///< exists: the value as written
  std::string insert_prefix;  ///< !exists: what goes before the value ("\n    replicas: ")
  std::string insert_suffix;  ///< !exists: what goes after it (", " in a flow map)
  bool adds_line = false;     ///< !exists: the new key takes a line of its own
  Mark mark;                  ///< the value, or the map the key is added to
};

/// Finds a path: a component name ("api.replicas", "api.steps.1.timeout"), a
/// traffic source ("traffic.shoppers.rate"), or a top-level key ("duration",
/// "slo.latency_p99"). A list is indexed by number or by its items' `name`.
/// Throws InputError (with the position and the names that exist) for a
/// path that leads nowhere.
Target locate(const Documents& docs, const std::string& path);

/// The documents with values replaced: (target, new value as written in YAML).
Documents apply(const Documents& docs, const std::vector<std::pair<Target, std::string>>& edits);

/// Parses edited documents. A problem on an edited line is reported at the
/// original position, as "with --set PATH=VALUE: MESSAGE".
ScenarioSpec load_edited(const Documents& base, const std::vector<std::pair<Target, std::string>>& edits);

/// A number and its unit as written: "600/s" -> {600, "/s"}, "25ms" ->
/// {25, "ms"}, "1.2k/s" -> {1.2, "k/s"}; nullopt for text that does not
/// start with a number (a distribution, a name).
std::optional<std::pair<double, std::string>> split_number(const std::string& text);

/// A number for a YAML file: "8", "2.5", "0.001".
std::string format_number(double v);

}  // namespace archsim::report
