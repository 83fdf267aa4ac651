// Reading a run's results in tests: one way to run an inline scenario and to
// find a component and a figure, failing the test (not returning a stand-in
// value) when the name is not there.
#pragma once

#include <algorithm>
#include <string>

#include <doctest/doctest.h>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"

namespace archsim::test {

/// Simulates a scenario given as text (file names the messages use).
inline RunResult run_text(const std::string& yaml, const std::string& file = "t.yaml") {
  return simulate(load_scenario_text(yaml, file));
}

/// What loading a scenario text reports: its diagnostics, "" when it loads.
inline std::string load_errors(const std::string& yaml, const std::string& file = "t.yaml") {
  try {
    load_scenario_text(yaml, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

/// The measured requests that failed with error `kind` (0 when none did).
inline std::uint64_t error_count(const RunResult& r, const std::string& kind) {
  const auto it = r.errors.find(kind);
  return it == r.errors.end() ? 0 : it->second;
}

/// The component called name; fails the test when the run has none.
inline const ComponentResult& component(const RunResult& r, const std::string& name) {
  for (const ComponentResult& c : r.components)
    if (c.name == name) return c;
  FAIL("no component " << name);
  throw;  // unreachable: FAIL throws
}

inline bool has_figure(const ComponentResult& c, const std::string& name) {
  return std::any_of(c.figures.begin(), c.figures.end(), [&](const Figure& f) { return f.name == name; });
}

/// The component's figure called name; fails the test when it has none.
inline double figure(const ComponentResult& c, const std::string& name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  FAIL("component " << c.name << " has no figure " << name);
  throw;  // unreachable: FAIL throws
}

}  // namespace archsim::test
