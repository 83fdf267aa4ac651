#include "text_batch.hpp"

#include <SFML/Graphics/RenderStates.hpp>
#include <SFML/System/String.hpp>

namespace archsim::viz {

float TextBatch::width(const std::string& utf8, const sf::Font& font, unsigned size) {
  const sf::String s = sf::String::fromUtf8(utf8.begin(), utf8.end());
  float x = 0;
  sf::Uint32 prev = 0;
  for (const sf::Uint32 c : s) {
    x += font.getKerning(prev, c, size);
    prev = c;
    x += font.getGlyph(c, size, false).advance;
  }
  return x;
}

float TextBatch::add(const std::string& utf8, const sf::Font& font, unsigned size, float x0, float y0,
                     sf::Color color) {
  const sf::String s = sf::String::fromUtf8(utf8.begin(), utf8.end());
  sf::VertexArray& va = groups_[{&font, size}];
  va.setPrimitiveType(sf::Quads);
  // As sf::Text lays glyphs out: the baseline one character size below the
  // top, glyph bounds relative to it, one texel of padding around each.
  const float baseline = y0 + static_cast<float>(size);
  const float pad = 1;
  float x = x0;
  sf::Uint32 prev = 0;
  for (const sf::Uint32 c : s) {
    x += font.getKerning(prev, c, size);
    prev = c;
    const sf::Glyph& g = font.getGlyph(c, size, false);
    if (g.textureRect.width > 0 && c != ' ') {
      const float l = x + g.bounds.left - pad, t = baseline + g.bounds.top - pad;
      const float r = x + g.bounds.left + g.bounds.width + pad,
                  b = baseline + g.bounds.top + g.bounds.height + pad;
      const float u1 = static_cast<float>(g.textureRect.left) - pad,
                  v1 = static_cast<float>(g.textureRect.top) - pad;
      const float u2 = static_cast<float>(g.textureRect.left + g.textureRect.width) + pad;
      const float v2 = static_cast<float>(g.textureRect.top + g.textureRect.height) + pad;
      va.append(sf::Vertex({l, t}, color, {u1, v1}));
      va.append(sf::Vertex({r, t}, color, {u2, v1}));
      va.append(sf::Vertex({r, b}, color, {u2, v2}));
      va.append(sf::Vertex({l, b}, color, {u1, v2}));
    }
    x += g.advance;
  }
  return x - x0;
}

void TextBatch::flush(sf::RenderTarget& target) {
  for (auto& [key, va] : groups_) {
    if (va.getVertexCount() == 0) continue;
    sf::RenderStates st;
    // Fetched now: loading glyphs may have grown the page texture.
    st.texture = &key.first->getTexture(key.second);
    target.draw(va, st);
    va.clear();
  }
}

}  // namespace archsim::viz
