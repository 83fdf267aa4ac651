// Turning a RunResult into what people and programs read.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "archsim/simulation.hpp"

namespace archsim {

/// The --json object (keys as in the brief; latencies in milliseconds).
nlohmann::ordered_json to_json(const RunResult& r);
/// The same, without the `engine` section: what must be identical between
/// two runs of the same file and seed.
nlohmann::ordered_json to_json_deterministic(const RunResult& r);

/// One note as JSON: {t, kind, target, what, detail}.
nlohmann::ordered_json note_json(const Note& n);

/// Colour in the terminal summary (green pass, red FAIL); off by default.
void set_colour(bool on);
/// True when file descriptor fd is a terminal and NO_COLOR is not set.
bool colour_wanted(int fd);

/// The terminal summary: SLO verdicts, latency, throughput, errors, components.
void print_summary(std::ostream& out, const RunResult& r);

/// "12.3 ms", "1.20 s", "850 us": a duration in seconds for people.
std::string human_duration(double seconds);
/// An SLO's target or actual in its unit (slo_unit): "0.1%", "250 ms", "3", "100/s".
std::string slo_text(const std::string& key, double v);
/// "1,234,567"
std::string human_count(std::uint64_t n);

}  // namespace archsim

namespace archsim {

/// One figure of the output, defined once: what is counted, over which
/// requests (or visits), over which window. The JSON, the summary, the
/// timeline and the view use these meanings; README's output reference
/// repeats them (a test checks that it names every key).
struct FigureDefinition {
  const char* key;         ///< JSON path, e.g. "requests.error_rate"
  const char* unit;        ///< "count", "fraction", "ms", "req/s", ...
  const char* definition;  ///< what is counted, over which requests, over which window
};
/// Every defined figure, in the order of the JSON.
const std::vector<FigureDefinition>& figure_definitions();

}  // namespace archsim
