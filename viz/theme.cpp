#include "theme.hpp"

namespace archsim::viz {

sf::Color health_color(Health h) {
  switch (h) {
    case Health::Idle: return {88, 102, 120};      // dim slate (and a hollow icon)
    case Health::Healthy: return {0, 178, 130};    // Okabe-Ito bluish green
    case Health::Saturated: return {230, 159, 0};  // Okabe-Ito orange
    case Health::Failing: return {230, 75, 20};    // Okabe-Ito vermillion
    case Health::Down: return {170, 170, 182};     // light grey
  }
  return {88, 102, 120};
}

bool Fonts::load(std::string* why, const std::string& dir) {
  const std::string base = dir + "/DejaVuSans.ttf";
  if (!regular.loadFromFile(base)) {
    if (why)
      *why = "cannot read the font " + base +
             " (install it with: sudo apt-get install --no-install-recommends fonts-dejavu-core)";
    return false;
  }
  // Bold and mono come with the same package; fall back to regular.
  if (!bold.loadFromFile(dir + "/DejaVuSans-Bold.ttf")) bold = regular;
  if (!mono.loadFromFile(dir + "/DejaVuSansMono.ttf")) mono = regular;
  return true;
}

}  // namespace archsim::viz
