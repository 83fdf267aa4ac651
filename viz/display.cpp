#include "display.hpp"

#include <cstdlib>

#include <X11/Xlib.h>

#if defined(__SANITIZE_ADDRESS__)
#define ARCHSIM_HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARCHSIM_HAVE_LSAN 1
#endif
#endif
#ifdef ARCHSIM_HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace archsim::viz {

bool display_available(std::string* why) {
  const char* name = std::getenv("DISPLAY");
  if (!name || !*name) {
    if (why) *why = "DISPLAY is not set";
    return false;
  }
  // The connection stays open for the life of the process. An X server with
  // no clients left resets itself (Xvfb under xvfb-run does), and a
  // connection SFML opens during that reset fails, which SFML answers with
  // abort(): one client of ours that never leaves prevents that.
  static Display* kept = nullptr;
  static std::string kept_name;
  if (kept && kept_name == name) return true;
  Display* d = XOpenDisplay(nullptr);
  if (!d) {
    if (why) *why = std::string("cannot open the X display ") + name;
    return false;
  }
  if (kept) XCloseDisplay(kept);
  kept = d;
  kept_name = name;
  return true;
}

#ifdef ARCHSIM_HAVE_LSAN
GlLeakScope::GlLeakScope() { __lsan_disable(); }
GlLeakScope::~GlLeakScope() { __lsan_enable(); }
#else
GlLeakScope::GlLeakScope() = default;
GlLeakScope::~GlLeakScope() = default;
#endif

}  // namespace archsim::viz
