#include "backend/backends.hpp"

#include <stdexcept>

#include "archsim/platform.hpp"
#ifdef ARCHSIM_WITH_SIMGRID
#include <cstring>
#include <string>

#include "ranks/module.hpp"
#endif

namespace archsim {

#ifdef ARCHSIM_WITH_SIMGRID
namespace {

using Factory = Backend* (*)(Kernel&, const ScenarioSpec&);

/// Opens the module (once per process; the handle is never closed, since
/// SimGrid keeps its engine until exit) and returns its factory, or throws
/// BackendUnavailable saying where it looked and why it failed.
Factory simgrid_factory() {
  struct Loaded {
    Factory make = nullptr;
    std::string why;
  };
  static const Loaded loaded = [] {
    Loaded l;
    void* h = modules::open(ARCHSIM_SIMGRID_MODULE, ARCHSIM_SIMGRID_MODULE_DIR, "ARCHSIM_SIMGRID_MODULE",
                            false, l.why);
    if (!h) return l;
    using Version = const char* (*)();
    const auto version = reinterpret_cast<Version>(modules::symbol(h, "archsim_simgrid_version"));
    const auto make = reinterpret_cast<Factory>(modules::symbol(h, "archsim_simgrid_backend"));
    if (!version || !make) l.why = "\n  the module has no archsim_simgrid_backend entry point";
    else if (std::strcmp(version(), ARCHSIM_VERSION) != 0)
      l.why = std::string("\n  the module is from archsim ") + version() + ", this is " + ARCHSIM_VERSION;
    else l.make = make;
    return l;
  }();
  if (!loaded.make)
    throw BackendUnavailable("backend 'simgrid': cannot load its module " ARCHSIM_SIMGRID_MODULE
                             " (it holds SimGrid; reinstall archsim, or set ARCHSIM_SIMGRID_MODULE "
                             "to its path):" +
                             loaded.why);
  return loaded.make;
}

}  // namespace
#endif

std::unique_ptr<Backend> make_backend(const std::string& name, Kernel& k, const ScenarioSpec& spec) {
  if (name.empty() || name == "fast") return nullptr;
  if (name == "simgrid") {
#ifdef ARCHSIM_WITH_SIMGRID
    return std::unique_ptr<Backend>(simgrid_factory()(k, spec));
#else
    (void)k;
    (void)spec;
    throw std::invalid_argument("backend 'simgrid' is not available: this archsim was built without SimGrid");
#endif
  }
  throw std::invalid_argument("unknown backend '" + name + "' (valid: fast, simgrid)");
}

}  // namespace archsim
