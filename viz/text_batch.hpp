// Text drawn in a few calls: glyph quads gathered per font and size and
// drawn with that size's glyph texture. One sf::Text per label costs a draw
// call each, which on a software OpenGL (Xvfb) was a fifth of a frame.
#pragma once

#include <map>
#include <string>
#include <utility>

#include <SFML/Graphics/Color.hpp>
#include <SFML/Graphics/Font.hpp>
#include <SFML/Graphics/RenderTarget.hpp>
#include <SFML/Graphics/VertexArray.hpp>

namespace archsim::viz {

class TextBatch {
 public:
  /// Width of a UTF-8 string in pixels (advances and kerning).
  static float width(const std::string& utf8, const sf::Font& font, unsigned size);
  /// Queues a string with its top-left corner at (x, y); returns its width.
  float add(const std::string& utf8, const sf::Font& font, unsigned size, float x, float y, sf::Color color);
  /// Draws what was queued, then forgets it.
  void flush(sf::RenderTarget& target);

 private:
  std::map<std::pair<const sf::Font*, unsigned>, sf::VertexArray> groups_;
};

}  // namespace archsim::viz
