// What each component kind is, in one table: the faults and operator
// actions it accepts, its workers per replica and its default price (its
// name is in the names table of spec.cpp: name_of, from_name). The parser, the model, the layout, the
// timeline, the estimate and the cost read it; the factory (model/builder.cpp, make_component) has the one
// other line a kind needs.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "archsim/spec.hpp"

namespace archsim {

struct KindTraits {
  ComponentKind kind;
  std::span<const FaultSpec::Kind> faults;  ///< faults and actions it accepts
  std::optional<double> price_per_hour;     ///< default USD per replica-hour; none: billed by usage
  /// Workers of one replica (one database node) as the file sets them, 0
  /// when unlimited or none; a queue's consumers (by default one per worker
  /// of the consumer service).
  int (*workers)(const ScenarioSpec& spec, const ComponentSpec& c);
};

/// The row of a kind.
const KindTraits& traits(ComponentKind k);
/// Does a kind accept this fault (or action)?
bool accepts(ComponentKind k, FaultSpec::Kind f);
/// Does the design give component c this resilience feature (what
/// `disable:` / `enable:` turn off and on): a call with `retry:`,
/// `breaker:` or `timeout:`, a service's `concurrency_limit:` or
/// `queue_deadline:`, a balancer's `health_check:`.
bool has_feature(const ComponentSpec& c, FaultSpec::Feature f);
/// The key that gives it ("retry:", "health_check:").
std::string_view feature_key(FaultSpec::Feature f);
/// Workers per replica of a component (KindTraits::workers).
int workers_per_replica(const ScenarioSpec& spec, const ComponentSpec& c);

}  // namespace archsim
