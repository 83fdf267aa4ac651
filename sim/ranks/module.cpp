#include "ranks/module.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace archsim::modules {
namespace {

/// The directory of the running program (/proc/self/exe), or "" if unknown.
std::filesystem::path program_dir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : exe.parent_path();
}

}  // namespace

void* open(const char* file, const char* installed_dir, const char* env, bool global, std::string& why) {
  const int mode = RTLD_NOW | (global ? RTLD_GLOBAL : RTLD_LOCAL);
  std::vector<std::string> paths;
  if (const char* p = std::getenv(env); p && *p) {
    paths.emplace_back(p);  // named: that one only
  } else {
    // Linked in already (the tests link the simgrid module): that copy.
    if (void* h = dlopen(file, RTLD_NOW | RTLD_NOLOAD)) return h;
    if (const std::filesystem::path dir = program_dir(); !dir.empty()) {
      paths.push_back((dir / file).string());
      paths.push_back((dir / installed_dir / file).lexically_normal().string());
    }
  }
  for (const std::string& path : paths) {
    if (void* h = dlopen(path.c_str(), mode)) return h;
    why += "\n  " + path + ": " + dlerror();
  }
  return nullptr;
}

void* symbol(void* handle, const char* name) { return dlsym(handle, name); }

}  // namespace archsim::modules
