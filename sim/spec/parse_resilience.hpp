// The schema of the resilience patterns and of the fault timeline: call
// retries and breakers, rate limits, load shedding, bulkheads, autoscaling,
// weighted balancer targets, health checks and `faults:`. parse.cpp calls
// these from its schema; check_resilience runs with the reference checks,
// once the whole file (and its design) is read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archsim/diagnostics.hpp"
#include "archsim/spec.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim {

/// `retry: {max, backoff, base, cap, jitter, budget}` of a call or a traffic source.
std::optional<RetrySpec> read_retry(const yaml::Source& src, const yaml::Field& f);
/// `breaker: {consecutive | failure_rate, window, min_calls, open_for, probes}` of a call.
std::optional<BreakerSpec> read_breaker(const yaml::Source& src, const yaml::Field& f);
/// `rate_limit: {rate, burst, kind, window}` of a service or a balancer.
std::optional<RateLimitSpec> read_rate_limit(const yaml::Source& src, const yaml::Field& f);

/// The resilience keys of service `m` (queue_policy, queue_deadline,
/// concurrency_limit, rate_limit, bulkheads, autoscale, idempotent). Runs
/// after `replicas` is read: an autoscaled service without `replicas`
/// starts at its minimum.
void read_service_resilience(const yaml::Map& m, ServiceSpec& svc, const std::string& where);
/// A balancer's `to:`, a name or a map of weights; and its `rate_limit`
/// and `health_check`.
void read_balancer_resilience(const yaml::Map& m, LoadBalancerSpec& lb, const std::string& where);

/// The entries of `faults:`, appended to `out` (not yet sorted).
void read_faults(const yaml::Source& src, const yaml::Field& f, std::vector<FaultSpec>& out);

/// "unknown component 'apii' in WHAT: did you mean 'api'?", or the list of
/// the components when no name is close (validate.cpp's message, shared).
std::string unknown_component_message(const ScenarioSpec& spec, const std::string& target,
                                      std::string_view what);

/// Checks across the file: bulkheads name components the service calls,
/// every fault names a target that exists and is of a kind the fault fits,
/// shifted weights name the balancer's targets, replicas fit.
void check_resilience(const ScenarioSpec& spec, Diagnostics& diags);

}  // namespace archsim
