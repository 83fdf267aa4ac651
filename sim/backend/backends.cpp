#include "backend/backends.hpp"

#include <stdexcept>

#include "archsim/platform.hpp"
#ifdef ARCHSIM_WITH_SIMGRID
#include "backend/simgrid.hpp"
#endif

namespace archsim {

std::unique_ptr<Backend> make_backend(const std::string& name, Kernel& k, const ScenarioSpec& spec) {
  if (name.empty() || name == "fast") return nullptr;
  if (name == "simgrid") {
#ifdef ARCHSIM_WITH_SIMGRID
    return std::make_unique<SimGridBackend>(k, spec);
#else
    (void)k;
    (void)spec;
    throw std::invalid_argument("backend 'simgrid' is not available: this archsim was built without SimGrid");
#endif
  }
  throw std::invalid_argument("unknown backend '" + name + "' (valid: fast, simgrid)");
}

}  // namespace archsim
