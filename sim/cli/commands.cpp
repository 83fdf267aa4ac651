#include "cli/commands.hpp"

#include <iostream>

#include "archsim/platform.hpp"

namespace archsim::cli {

bool select_backend(const std::string& flag, ScenarioSpec& spec) {
  if (flag.empty()) return true;
  if (flag != "fast" && (flag != "simgrid" || !simgrid_available())) {
    std::cerr << "archsim: backend '" << flag << "' is not available in this build (valid: "
              << (simgrid_available() ? "fast, simgrid" : "fast") << ")\n";
    return false;
  }
  // A graded problem owns its run: another backend's result is practice,
  // not a verdict (as another --seed or --duration).
  if (spec.contract && flag != spec.backend)
    spec.run_changed += (spec.run_changed.empty() ? "" : "; ") + std::string("backend ") + flag +
                        ", not the problem's " + spec.backend;
  spec.backend = flag;
  return true;
}

void register_commands(CLI::App& app, Actions& actions) {
  register_check(app, actions);
  register_compare(app, actions);
  register_sweep(app, actions);
  register_list(app, actions);
  register_view(app, actions);
  register_completion(app, actions);  // last: it lists the others
}

}  // namespace archsim::cli
