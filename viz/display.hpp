// Is there a screen? SFML aborts the whole process (it cannot be caught) when
// it opens a window or an off-screen texture without an X display, so every
// entry point asks first.
#pragma once

#include <string>

namespace archsim::viz {

/// True if an X display can be opened; otherwise false and the reason.
bool display_available(std::string* why = nullptr);

/// While one lives, memory allocated on this thread is not reported as
/// leaked by LeakSanitizer (dev builds). Mesa's OpenGL driver keeps
/// allocations for the life of the process and is unloaded before the leak
/// check runs, which makes them look leaked; hold one around SFML drawing.
/// Does nothing in builds without AddressSanitizer.
class GlLeakScope {
 public:
  GlLeakScope();
  ~GlLeakScope();
  GlLeakScope(const GlLeakScope&) = delete;
  GlLeakScope& operator=(const GlLeakScope&) = delete;
};

}  // namespace archsim::viz
