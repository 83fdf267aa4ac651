// Is there a screen? SFML aborts the whole process (it cannot be caught) when
// it opens a window or an off-screen texture without an X display, so every
// entry point asks first.
#pragma once

#include <string>

namespace archsim::viz {

/// True if an X display can be opened; otherwise false and the reason.
bool display_available(std::string* why = nullptr);

}  // namespace archsim::viz
