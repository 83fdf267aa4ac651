// `archsim grade PROBLEM --design F` and `archsim hint PROBLEM --design F
// --level N`: the verdict of a graded problem (report/grade.cpp) and hints
// built from the run and the problem's levers.
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "archsim/output.hpp"
#include "archsim/output_file.hpp"
#include "archsim/simulation.hpp"
#include "cli/budget.hpp"
#include "cli/commands.hpp"
#include "cli/library.hpp"
#include "report/analysis.hpp"
#include "report/grade.hpp"

namespace archsim::cli {

namespace {

struct GradeFlags {
  std::string file;
  LoadFlags load;
  std::string json;
  bool fail_on_slo = false;
  int level = 1;
  bool force = false;
};

// Loads a graded problem (refusing a sandbox file) and runs it to the end.
report::Analysis run_graded(const GradeFlags& given) {
  GradeFlags f = given;
  resolve_library(f.file, f.load.design);
  const ScenarioSpec spec = load_scenario(f.file, f.load.options());
  if (!spec.graded())
    throw InputError(
        {Diagnostic{f.file, Mark{1, 1, 0},
                    spec.design_file.empty()
                        ? "not a graded problem: give the design to grade with --design (or 'design:')"
                        : "not a graded problem: the problem declares no world ('work:', 'data:', "
                          "'operations:'), so a design could rewrite the question; run it with "
                          "'archsim run' instead"}});
  // The output can be written and the run is affordable, before it runs (exit 2).
  check_outputs({{"--json", f.json}}, {f.file, spec.design_file});
  check_budget(spec, /*keep_ticks=*/true, f.force);
  return report::run_analysed(spec);
}

int grade_cmd(const GradeFlags& f) {
  const report::Analysis a = run_graded(f);
  const report::Grade g = report::grade(a);
  if (!f.json.empty()) {
    nlohmann::ordered_json j = to_json_deterministic(a.result);
    report::add_to_json(j, a);  // adds "grade"
    const std::string text = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (f.json == "-") {
      std::cout << text;
    } else {
      write_output_file(f.json, text);  // complete or not at all, never replacing a link or a device
    }
  }
  if (f.json != "-") {
    report::print_grade(std::cout, a, g);
    fmt::print(std::cout, "\nWhy: {}\n", a.why.headline);
  }
  return f.fail_on_slo && (!g.pass || !g.practice.empty()) ? 3 : 0;
}

int hint_cmd(const GradeFlags& f) {
  if (f.level < 1 || f.level > 3)
    throw InputError(
        {Diagnostic{"--level", {}, "expected 1 (the symptom), 2 (the lever family) or 3 (the lever)"}});
  const report::Analysis a = run_graded(f);
  const report::Grade g = report::grade(a);
  const std::vector<std::string> hs = report::hints(a, g, f.level);
  if (hs.empty()) {
    fmt::print(std::cout, "Every requirement is met (score {}/100): no hint needed.\n", g.score);
    return 0;
  }
  for (const std::string& h : hs) fmt::print(std::cout, "{}\n", h);
  return 0;
}

}  // namespace

void register_grade(CLI::App& app, Actions& actions) {
  auto f = std::make_shared<GradeFlags>();
  auto* g = app.add_subcommand("grade",
                               "Grade a design against a graded problem: SLOs, correctness, budget, score");
  g->add_option("file", f->file, "Problem file (scenarios/<p>/problem.yaml)")->required();
  add_load_options(g, f->load);
  g->add_option("--json", f->json, "Write the result and the grade as JSON to FILE, or - for stdout");
  g->add_flag("--fail-on-slo", f->fail_on_slo, "Exit with code 3 when the design does not pass");
  add_force_option(g, f->force);
  g->callback([f, &actions] { actions.push_back([f] { return grade_cmd(*f); }); });

  auto h = std::make_shared<GradeFlags>();
  auto* hc = app.add_subcommand("hint", "A hint for a graded problem, from the run and the problem's levers");
  hc->add_option("file", h->file, "Problem file")->required();
  add_load_options(hc, h->load);
  hc->add_option("--level", h->level,
                 "1: the symptom and where, 2: the lever family, 3: the lever and its size");
  add_force_option(hc, h->force);
  hc->callback([h, &actions] { actions.push_back([h] { return hint_cmd(*h); }); });
}

}  // namespace archsim::cli
