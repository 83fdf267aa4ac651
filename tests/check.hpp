// The test suite's one way to compare a measured value with an expected one:
// a RELATIVE tolerance, |actual - expected| <= rel * |expected|.
//
// doctest's Approx(x).epsilon(e) passes when |a - b| < e (1 + max(|a|, |b|)):
// for values in seconds (0.05 s) epsilon(0.03) is +-30 ms absolute, so an
// M/M/1 check of 50 ms would pass anything from 18 to 82 ms. Use Rel for
// every value with a unit:
//   CHECK(r.latency.mean == Rel(0.050, 0.03));   // within 3% of 50 ms
// and agrees() where one validation is run both as a positive check and as
// a perturbed negative one.
#pragma once

#include <cmath>
#include <iostream>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace archsim::test {

/// true when |actual - expected| <= rel * |expected| (exact when expected is 0).
inline bool agrees(double actual, double expected, double rel) {
  return std::abs(actual - expected) <= rel * std::abs(expected);
}

/// `actual == Rel(expected, rel)`: relative comparison with a readable message.
struct Rel {
  double expected;
  double rel = 1e-9;  ///< default: equal up to rounding
  Rel(double e, double r = 1e-9) : expected(e), rel(r) {}
  /// Drop-in for Approx(x).epsilon(e), but relative.
  Rel epsilon(double r) const { return Rel(expected, r); }
  friend bool operator==(double a, const Rel& r) { return agrees(a, r.expected, r.rel); }
  friend bool operator==(const Rel& r, double a) { return agrees(a, r.expected, r.rel); }
  friend bool operator!=(double a, const Rel& r) { return !(a == r); }
  friend bool operator!=(const Rel& r, double a) { return !(a == r); }
};

/// Says that the running test case cannot run here and why. CTest marks a
/// test whose output holds this line as skipped (SKIP_REGULAR_EXPRESSION in
/// tests/CMakeLists.txt), not passed. Call it, then return.
inline void skip(const std::string& why) {
  std::cout << "archsim-test skipped: " << why << std::endl;
  MESSAGE("skipped: " << why);
}

}  // namespace archsim::test

namespace doctest {
template <>
struct StringMaker<archsim::test::Rel> {
  static String convert(const archsim::test::Rel& r) {
    return fmt::format("{:.9g} (+-{:g}%: {:.9g} .. {:.9g})", r.expected, r.rel * 100,
                       r.expected - r.rel * std::abs(r.expected), r.expected + r.rel * std::abs(r.expected))
        .c_str();
  }
};
}  // namespace doctest
