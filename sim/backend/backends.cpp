#include "backend/backends.hpp"

#include <stdexcept>

#include "archsim/platform.hpp"
#ifdef ARCHSIM_WITH_SIMGRID
#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>
#endif

namespace archsim {

#ifdef ARCHSIM_WITH_SIMGRID
namespace {

using Factory = Backend* (*)(Kernel&, const ScenarioSpec&);

/// The directory of the running program (/proc/self/exe), or "" if unknown.
std::filesystem::path program_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

/// Where the module may be, in order: $ARCHSIM_SIMGRID_MODULE (a file), beside
/// the program (the build tree), and LIBDIR/archsim relative to it (installed).
std::vector<std::string> module_candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("ARCHSIM_SIMGRID_MODULE"); env && *env) out.emplace_back(env);
  const std::filesystem::path dir = program_dir();
  if (!dir.empty()) {
    out.push_back((dir / ARCHSIM_SIMGRID_MODULE).string());
    out.push_back((dir / ARCHSIM_SIMGRID_MODULE_DIR / ARCHSIM_SIMGRID_MODULE).lexically_normal().string());
  }
  return out;
}

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
    // Linked in already (the tests link it): the same copy, not a second one.
    void* h = dlopen(ARCHSIM_SIMGRID_MODULE, RTLD_NOW | RTLD_NOLOAD);
    for (const std::string& path : module_candidates()) {
      if (h) break;
      h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) l.why += "\n  " + path + ": " + dlerror();
    }
    if (!h) return l;
    using Version = const char* (*)();
    const auto version = reinterpret_cast<Version>(dlsym(h, "archsim_simgrid_version"));
    const auto make = reinterpret_cast<Factory>(dlsym(h, "archsim_simgrid_backend"));
    if (!version || !make)
      l.why = "\n  the module has no archsim_simgrid_backend entry point";
    else if (std::strcmp(version(), ARCHSIM_VERSION) != 0)
      l.why = std::string("\n  the module is from archsim ") + version() + ", this is " + ARCHSIM_VERSION;
    else
      l.make = make;
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
