// Loading one of archsim's modules: a shared object built with archsim and
// opened with dlopen only when a run needs it, so that its libraries (SimGrid
// with ns-3, OpenMPI) are not loaded at every start. Used by the simgrid
// backend (backend/backends.cpp) and by ranks (ranks/ranks.cpp).
#pragma once

#include <string>

namespace archsim::modules {

/// Opens module `file` (e.g. "libarchsim_simgrid.so"): the path in
/// environment variable `env` when it is set (that one only); otherwise the
/// copy loaded already (a program that links it), or the one beside the
/// running program (the build tree), or in `installed_dir` relative to the
/// program's directory (an install: "../lib/archsim"). `global`: RTLD_GLOBAL, for a library
/// whose own plugins need its symbols (OpenMPI). Returns the handle, never closed; nullptr with, in `why`,
/// each place tried and why it failed.
void* open(const char* file, const char* installed_dir, const char* env, bool global, std::string& why);

/// The address of `symbol` in module `handle`, or nullptr.
void* symbol(void* handle, const char* symbol);

}  // namespace archsim::modules
