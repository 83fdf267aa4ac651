#include "display.hpp"

#include <cstdlib>

#include <X11/Xlib.h>

namespace archsim::viz {

bool display_available(std::string* why) {
  const char* name = std::getenv("DISPLAY");
  if (!name || !*name) {
    if (why) *why = "DISPLAY is not set";
    return false;
  }
  Display* d = XOpenDisplay(nullptr);
  if (!d) {
    if (why) *why = std::string("cannot open the X display ") + name;
    return false;
  }
  XCloseDisplay(d);
  return true;
}

}  // namespace archsim::viz
