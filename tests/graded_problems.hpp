// Helpers for tests that load the library's graded problems with a design:
// the problem and design paths, a design given as text, its refusal, the
// grade and one graded item. Used by grading_test and grading_library_test.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "archsim/load.hpp"
#include "report/analysis.hpp"
#include "report/grade.hpp"

namespace archsim::test {

inline const std::filesystem::path kLibrary = std::filesystem::path(ARCHSIM_SOURCE_DIR) / "scenarios";

inline std::string problem(const std::string& p) { return (kLibrary / p / "problem.yaml").string(); }
inline std::string design(const std::string& p, const std::string& d) {
  return (kLibrary / p / "designs" / (d + ".yaml")).string();
}

/// A library design, loaded with its problem (duration > 0 shortens the run).
inline ScenarioSpec load_design(const std::string& p, const std::string& d, double duration = 0) {
  LoadOptions o;
  o.design = design(p, d);
  if (duration > 0) o.duration = duration;
  return load_scenario(problem(p), o);
}

/// A design given as text (named as if it sat beside the problem).
inline ScenarioSpec load_design_text(const std::string& p, const std::string& text, double duration = 0) {
  LoadOptions o;
  o.design = (kLibrary / p / "designs" / "test.yaml").string();
  o.design_text = text;
  if (duration > 0) o.duration = duration;
  return load_scenario(problem(p), o);
}

/// Every diagnostic of a refused design, one per line, or "" when it loads.
inline std::string refusal(const std::string& p, const std::string& text) {
  try {
    load_design_text(p, text);
  } catch (const InputError& e) {
    std::string out;
    for (const Diagnostic& d : e.diagnostics()) out += d.str() + "\n";
    return out;
  }
  return "";
}

inline report::Grade graded_run(const ScenarioSpec& spec) {
  return report::grade(report::run_analysed(spec));
}

inline const report::GradeItem& item(const report::Grade& g, const std::string& name) {
  for (const report::GradeItem& i : g.items)
    if (i.name == name) return i;
  FAIL("no graded item " << name);
  throw;
}

}  // namespace archsim::test
