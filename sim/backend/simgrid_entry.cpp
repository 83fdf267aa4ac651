// The entry point of the simgrid backend's module (libarchsim_simgrid.so):
// backend/backends.cpp finds these two C symbols with dlsym after dlopen.
#include "backend/simgrid.hpp"

extern "C" {

/// The version of archsim the module was built with: the loader refuses a
/// module from another version (its Kernel and ScenarioSpec may differ).
const char* archsim_simgrid_version() { return ARCHSIM_VERSION; }

/// A new SimGridBackend for `spec` on kernel `k`, owned by the caller.
archsim::Backend* archsim_simgrid_backend(archsim::Kernel& k, const archsim::ScenarioSpec& spec) {
  return new archsim::SimGridBackend(k, spec);
}
}
