#include "cli/commands.hpp"

namespace archsim::cli {

void register_commands(CLI::App& app, Actions& actions) {
  register_check(app, actions);
  register_compare(app, actions);
  register_sweep(app, actions);
  register_list(app, actions);
  register_view(app, actions);
  register_completion(app, actions);  // last: it lists the others
}

}  // namespace archsim::cli
