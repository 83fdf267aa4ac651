// Colours and fonts of the view: a dark background, cool colours for normal
// traffic and healthy nodes, amber for saturation, red for errors.
#pragma once

#include <string>

#include <SFML/Graphics/Color.hpp>
#include <SFML/Graphics/Font.hpp>

#include "playback.hpp"

namespace archsim::viz {

// Health, traffic and errors use the Okabe-Ito palette (safe for red-green
// colour blindness); each health also has its own icon (viz/scene.cpp).
namespace color {
inline const sf::Color background(13, 17, 23);
inline const sf::Color panel(20, 26, 34);
inline const sf::Color panel_edge(42, 52, 66);
inline const sf::Color node_fill(24, 31, 41);
inline const sf::Color text(222, 230, 238);
inline const sf::Color text_dim(136, 150, 168);
inline const sf::Color edge_line(54, 82, 110);
inline const sf::Color edge_hot(104, 150, 196);
inline const sf::Color traffic(86, 180, 233);  // Okabe-Ito sky blue
inline const sf::Color error(230, 75, 20);     // Okabe-Ito vermillion, lifted for a dark background
inline const sf::Color cause(240, 228, 66);    // Okabe-Ito yellow: the root cause
inline const sf::Color latency(178, 140, 255);
inline const sf::Color client(128, 146, 255);
inline const sf::Color pass(60, 200, 120);
inline const sf::Color fail(240, 72, 62);
}  // namespace color

/// The colour of a node's health (its border, its strip and the legend).
sf::Color health_color(Health h);

/// DejaVu Sans (fonts-dejavu-core).
struct Fonts {
  sf::Font regular, bold, mono;
  /// Loads the fonts from `dir` (default: the Debian location); false and a
  /// sentence in `why` if they are missing.
  bool load(std::string* why, const std::string& dir = "/usr/share/fonts/truetype/dejavu");
};

}  // namespace archsim::viz
