// What ranks send each other (sim/ranks): a run's figures as nlohmann JSON,
// every field, lossless (unlike the rounded output JSON of output/json.cpp).
// Every struct is listed field by field in wire.cpp, and a static_assert there
// counts the struct's fields against its list, so a field added to RunResult
// (or to anything in it) without being added to the wire fails the build
// instead of vanishing from sweeps and replications run over MPI ranks.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "report/replications.hpp"
#include "report/sweep.hpp"

namespace archsim::report {

nlohmann::json replica_to_wire(const Replica& r);
Replica replica_from_wire(const nlohmann::json& j);

/// A sweep point without its replications (those travel as Replicas).
nlohmann::json point_to_wire(const Point& p);
Point point_from_wire(const nlohmann::json& j);

/// A run's result alone (what replica_to_wire sends as "result").
nlohmann::json result_to_wire(const RunResult& r);
RunResult result_from_wire(const nlohmann::json& j);

namespace wire_detail {

/// Converts to any member type: T{Any, Any, ...} compiles for as many
/// Anys as T (an aggregate) has fields, and no more.
struct Any {
  template <class T>
  operator T() const;  // never defined: only used unevaluated
};

template <class T, class... A>
concept BraceInit = requires {
  T{std::declval<A>()...};
};

/// The number of fields of the aggregate T.
template <class T, class... A>
consteval std::size_t field_count() {
  if constexpr (BraceInit<T, A..., Any>) return field_count<T, A..., Any>();
  else return sizeof...(A);
}

/// The number of names in "a, b, c" (a macro's stringised argument list).
consteval std::size_t names(std::string_view list) {
  std::size_t n = list.empty() ? 0 : 1;
  for (char ch : list) n += ch == ',';
  return n;
}

}  // namespace wire_detail
}  // namespace archsim::report
