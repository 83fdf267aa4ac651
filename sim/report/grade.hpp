// The verdict of a graded problem: pass or fail per SLO with its margin, the
// correctness objectives, the cost against the budget, a score out of 100
// with its rubric, and hints built from the run (never from a reference design).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/analysis.hpp"

namespace archsim::report {

/// One graded requirement.
struct GradeItem {
  std::string name;   ///< "latency_p99", "eu.latency_p99", "duplicates", "budget"
  std::string group;  ///< "service", "per_source", "correctness", "budget"
  std::string target_text, actual_text;
  double target = 0, actual = 0;
  double margin = 0;  ///< room left as a share of the target (negative: missed by)
  bool pass = false;
  /// false: a latency SLO with no successful request (SloCheck::measured):
  /// failed, with no actual value and no margin.
  bool measured = true;
  double weight = 1;  ///< points it is worth (the rubric)
  double earned = 0;
};

struct Grade {
  std::vector<GradeItem> items;
  double points = 0, total = 0;
  int score = 0;      ///< 0..100
  bool pass = false;  ///< every item passed
  /// Not the problem's run (--duration or --seed changed it): a practice
  /// grade, never a pass (README: Graded problems). "" for a verdict.
  std::string practice;
  std::vector<std::string> levers;  ///< pulled by the design
};

/// The rubric, as printed under every grade and documented in README.md.
std::string rubric();

/// Grades an analysed run of a graded problem.
Grade grade(const Analysis& a);
void print_grade(std::ostream& out, const Analysis& a, const Grade& g);
nlohmann::ordered_json grade_json(const Grade& g);

/// Hints at `level` 1 (the symptom and where), 2 (the lever family), 3 (the
/// lever and the size the napkin math suggests), from the run and the
/// problem's levers. Empty when every requirement is met.
std::vector<std::string> hints(const Analysis& a, const Grade& g, int level);

}  // namespace archsim::report
