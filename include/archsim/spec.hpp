// Plain structs that a scenario file is parsed into, once. Every value keeps
// the line and column it came from so that later checks can point at it.
// Quantities are SI doubles: seconds, requests per second, bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace archsim {

/// A position in a scenario file, counted from 1; line 0 means unknown.
struct Mark {
  int line = 0;
  int col = 0;
  /// Which file: 0 the scenario file, 1 the design it names (ScenarioSpec::file_of).
  int file = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

/// A random variable over durations (seconds).
struct DistSpec {
  enum class Kind { Const, Exp, Uniform, Normal, Lognormal, Erlang, Pareto };
  Kind kind = Kind::Const;
  /// Parameters in seconds (shape parameters are plain numbers):
  /// const(a) exp(mean a) uniform(a, b) normal(mean a, sd b)
  /// lognormal(median a, p99 b) erlang(k a, mean b) pareto(min a, shape b)
  double a = 0;
  double b = 0;
  Mark mark;

  static DistSpec constant(double seconds) { return {Kind::Const, seconds, 0, {}}; }
  /// Mean in seconds (infinite for a Pareto with shape <= 1).
  double mean() const;
  /// Squared coefficient of variation Var/mean^2 (for Pollaczek-Khinchine).
  double scv() const;
  /// The text form, e.g. "exp(4ms)".
  std::string str() const;
};

/// One point of a traffic profile: from `at`, the rate multiplier moves to
/// `x` linearly over `ramp` seconds (0 = a step).
struct ProfilePoint {
  double at = 0;
  double x = 1;
  double ramp = 0;
  Mark mark;
};

/// A traffic source: open loop (rate) or closed loop (users + think).
struct TrafficSpec {
  std::string name;
  Mark mark;
  std::string to;
  Mark to_mark;
  double rate = 0;              ///< requests/s, open loop; 0 when closed loop
  std::vector<ProfilePoint> profile;
  std::uint64_t users = 0;      ///< closed loop population; 0 when open loop
  DistSpec think;               ///< closed loop think time
  std::optional<double> timeout;  ///< seconds; the client gives up after it
  bool closed() const { return users > 0; }
};

/// A synchronous call to another component.
struct CallSpec {
  std::string target;
  Mark mark;                     ///< position of the target name
  std::optional<DistSpec> latency;  ///< one-way network delay; reply takes the same
  std::optional<double> timeout;    ///< seconds; the caller stops waiting
  double request_bytes = 0;
  double response_bytes = 0;
};

/// One step of what a service does for a request.
struct StepSpec {
  enum class Kind { Work, Call };
  Kind kind = Kind::Work;
  Mark mark;
  DistSpec work;   ///< Kind::Work
  CallSpec call;   ///< Kind::Call
};

enum class LbPolicy { RoundRobin, Random, LeastConnections, PowerOfTwo };

struct ServiceSpec {
  int replicas = 1;
  int workers = 1;
  std::optional<std::int64_t> queue;  ///< waiting room per replica; none = unbounded
  std::vector<StepSpec> steps;
};

struct LoadBalancerSpec {
  LbPolicy policy = LbPolicy::RoundRobin;
  std::string to;
  Mark to_mark;
  std::optional<DistSpec> latency;  ///< delay the balancer adds, one way
};

enum class ComponentKind { Service, LoadBalancer };

struct ComponentSpec {
  std::string name;
  Mark mark;
  ComponentKind kind = ComponentKind::Service;
  std::variant<ServiceSpec, LoadBalancerSpec> body;

  const ServiceSpec* service() const { return std::get_if<ServiceSpec>(&body); }
  const LoadBalancerSpec* load_balancer() const { return std::get_if<LoadBalancerSpec>(&body); }
  ServiceSpec* service() { return std::get_if<ServiceSpec>(&body); }
  LoadBalancerSpec* load_balancer() { return std::get_if<LoadBalancerSpec>(&body); }
  /// Replicas this component runs (1 for a balancer).
  int replica_count() const;
};

/// One service-level objective.
struct SloSpec {
  enum class Kind { LatencyP50, LatencyP90, LatencyP99, LatencyP999, LatencyMean, ErrorRate, ThroughputMin };
  Kind kind = Kind::LatencyP99;
  std::string key;   ///< as written, e.g. "latency_p99"
  double target = 0; ///< seconds, a fraction, or requests/s
  Mark mark;
};

struct ScenarioSpec {
  std::string file;        ///< where it came from (for messages)
  std::string design_file; ///< the design it names, if any
  std::string name;        ///< `name:` of the scenario, or the file's stem
  std::string design_name; ///< `name:` of the design file, if it has one
  std::string description;
  std::uint64_t seed = 1;
  double duration = 60;    ///< seconds of simulated time
  double warmup = 0;       ///< seconds; requests started before are not measured
  std::optional<DistSpec> network_latency;  ///< default one-way call latency
  std::vector<TrafficSpec> traffic;
  std::vector<ComponentSpec> components;
  std::vector<SloSpec> slo;

  /// Index of the component with this name, or -1.
  int find(std::string_view name) const;
  /// The file a position belongs to (`file` or `design_file`).
  const std::string& file_of(Mark m) const { return m.file == 1 ? design_file : file; }
};

/// Names shared by the parser, the messages and the docs. Each enum has one
/// table of names (in spec.cpp); name_of, from_name and all_names read it.
std::string_view name_of(ComponentKind k);
std::string_view name_of(LbPolicy p);
std::string_view name_of(DistSpec::Kind k);
std::string_view name_of(SloSpec::Kind k);  ///< the key in `slo:`, e.g. "latency_p99"

/// The enum value with this exact name (ComponentKind, LbPolicy,
/// DistSpec::Kind, SloSpec::Kind), or nullopt.
template <class E>
std::optional<E> from_name(std::string_view name);
/// Every valid name of the enum, in table order (for "valid choices: ...").
template <class E>
std::vector<std::string_view> all_names();

}  // namespace archsim
