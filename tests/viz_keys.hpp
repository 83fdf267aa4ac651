// The view's sandbox driven by key presses, as a user would press them.
#pragma once

#include <SFML/Window/Event.hpp>

#include "../viz/controller.hpp"

namespace archsim::test {

/// Presses key k (with Shift when `shift`) on the controller.
inline void press(viz::Controller& ctl, sf::Keyboard::Key k, bool shift = false) {
  sf::Event ev;
  ev.type = sf::Event::KeyPressed;
  ev.key = {k, false, false, shift, false};
  ctl.handle(ev);
}

}  // namespace archsim::test
