#include "theme.hpp"

namespace archsim::viz {

sf::Color health_color(Health h) {
  switch (h) {
    case Health::Idle: return {88, 102, 120};
    case Health::Healthy: return {46, 204, 163};
    case Health::Saturated: return {245, 170, 48};
    case Health::Failing: return {240, 64, 56};
    case Health::Down: return {150, 150, 162};
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
