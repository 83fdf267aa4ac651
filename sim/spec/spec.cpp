// The small amount of behaviour the plain Spec structs carry: moments of a
// distribution, its text form, and the one table of names per enum.
#include "archsim/spec.hpp"

#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "archsim/load.hpp"

namespace archsim {

namespace {

// z such that P(Z <= z) = 0.99 for a standard normal: a lognormal given by its
// median and 99th percentile has sigma = ln(p99 / median) / z99.
constexpr double kZ99 = 2.3263478740408408;
constexpr double kInf = std::numeric_limits<double>::infinity();

template <class E>
struct Named {
  E value;
  std::string_view name;
};

// The tables. Parsing, "valid choices" in messages and name_of all read these,
// so a name cannot be accepted in one place and unknown in another.
constexpr std::array kComponentKinds{
    Named<ComponentKind>{ComponentKind::Service, "service"},
    Named<ComponentKind>{ComponentKind::LoadBalancer, "load_balancer"},
    Named<ComponentKind>{ComponentKind::Cache, "cache"},
    Named<ComponentKind>{ComponentKind::Database, "database"},
    Named<ComponentKind>{ComponentKind::Queue, "queue"},
    Named<ComponentKind>{ComponentKind::Cdn, "cdn"},
};

constexpr std::array kEvictions{
    Named<Eviction>{Eviction::Lru, "lru"},
    Named<Eviction>{Eviction::Lfu, "lfu"},
    Named<Eviction>{Eviction::Fifo, "fifo"},
};

constexpr std::array kReadFroms{
    Named<ReadFrom>{ReadFrom::Primary, "primary"},
    Named<ReadFrom>{ReadFrom::Replicas, "replicas"},
    Named<ReadFrom>{ReadFrom::Any, "any"},
};

constexpr std::array kWhenFulls{
    Named<WhenFull>{WhenFull::Block, "block"},
    Named<WhenFull>{WhenFull::Reject, "reject"},
    Named<WhenFull>{WhenFull::DropOldest, "drop_oldest"},
};

constexpr std::array kLbPolicies{
    Named<LbPolicy>{LbPolicy::RoundRobin, "round_robin"},
    Named<LbPolicy>{LbPolicy::Random, "random"},
    Named<LbPolicy>{LbPolicy::LeastConnections, "least_connections"},
    Named<LbPolicy>{LbPolicy::PowerOfTwo, "power_of_two"},
};

constexpr std::array kDistKinds{
    Named<DistSpec::Kind>{DistSpec::Kind::Const, "const"},
    Named<DistSpec::Kind>{DistSpec::Kind::Exp, "exp"},
    Named<DistSpec::Kind>{DistSpec::Kind::Uniform, "uniform"},
    Named<DistSpec::Kind>{DistSpec::Kind::Normal, "normal"},
    Named<DistSpec::Kind>{DistSpec::Kind::Lognormal, "lognormal"},
    Named<DistSpec::Kind>{DistSpec::Kind::Erlang, "erlang"},
    Named<DistSpec::Kind>{DistSpec::Kind::Pareto, "pareto"},
};

constexpr std::array kSloKinds{
    Named<SloSpec::Kind>{SloSpec::Kind::LatencyP50, "latency_p50"},
    Named<SloSpec::Kind>{SloSpec::Kind::LatencyP90, "latency_p90"},
    Named<SloSpec::Kind>{SloSpec::Kind::LatencyP99, "latency_p99"},
    Named<SloSpec::Kind>{SloSpec::Kind::LatencyP999, "latency_p999"},
    Named<SloSpec::Kind>{SloSpec::Kind::LatencyMean, "latency_mean"},
    Named<SloSpec::Kind>{SloSpec::Kind::ErrorRate, "error_rate"},
    Named<SloSpec::Kind>{SloSpec::Kind::ThroughputMin, "throughput_min"},
    Named<SloSpec::Kind>{SloSpec::Kind::Duplicates, "duplicates"},
    Named<SloSpec::Kind>{SloSpec::Kind::StaleReadRatio, "stale_reads"},
    Named<SloSpec::Kind>{SloSpec::Kind::StalenessP99, "staleness_p99"},
    Named<SloSpec::Kind>{SloSpec::Kind::LostMessages, "lost_messages"},
    Named<SloSpec::Kind>{SloSpec::Kind::Availability, "availability"},
    Named<SloSpec::Kind>{SloSpec::Kind::LostWrites, "lost_writes"},
    Named<SloSpec::Kind>{SloSpec::Kind::DeliveryP99, "delivery_p99"},
    Named<SloSpec::Kind>{SloSpec::Kind::StaleServeRatio, "stale_serves"},
    Named<SloSpec::Kind>{SloSpec::Kind::InconsistentWrites, "inconsistent_writes"},
};

constexpr std::array kBackoffs{
    Named<RetrySpec::Backoff>{RetrySpec::Backoff::Constant, "constant"},
    Named<RetrySpec::Backoff>{RetrySpec::Backoff::Linear, "linear"},
    Named<RetrySpec::Backoff>{RetrySpec::Backoff::Exponential, "exponential"},
};

constexpr std::array kJitters{
    Named<RetrySpec::Jitter>{RetrySpec::Jitter::None, "none"},
    Named<RetrySpec::Jitter>{RetrySpec::Jitter::Full, "full"},
    Named<RetrySpec::Jitter>{RetrySpec::Jitter::Equal, "equal"},
    Named<RetrySpec::Jitter>{RetrySpec::Jitter::Decorrelated, "decorrelated"},
};

constexpr std::array kRateLimitKinds{
    Named<RateLimitSpec::Kind>{RateLimitSpec::Kind::TokenBucket, "token_bucket"},
    Named<RateLimitSpec::Kind>{RateLimitSpec::Kind::SlidingWindow, "sliding_window"},
};

constexpr std::array kQueuePolicies{
    Named<QueuePolicy>{QueuePolicy::Fifo, "fifo"},
    Named<QueuePolicy>{QueuePolicy::Lifo, "lifo"},
    Named<QueuePolicy>{QueuePolicy::AdaptiveLifo, "adaptive_lifo"},
};

// Also the key that names a fault's kind in a `faults:` entry.
constexpr std::array kFaultKinds{
    Named<FaultSpec::Kind>{FaultSpec::Kind::Kill, "kill"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Restart, "restart"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Slow, "slow"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Errors, "errors"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Partition, "partition"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Flush, "flush"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::ExhaustPool, "exhaust_pool"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Leak, "leak"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Deploy, "deploy"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Scale, "scale"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Pool, "pool"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::RateLimit, "rate_limit"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Breaker, "breaker"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Shift, "shift"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Resize, "resize"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::CacheSize, "cache_size"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Retries, "retries"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Disable, "disable"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Enable, "enable"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::Spike, "spike"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::HostDown, "host_down"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::HostSlow, "host_slow"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::LinkDown, "link_down"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::LinkDegraded, "link_degraded"},
    Named<FaultSpec::Kind>{FaultSpec::Kind::RegionPartition, "region_partition"},
};

// What `disable:` / `enable:` name.
constexpr std::array kFeatures{
    Named<FaultSpec::Feature>{FaultSpec::Feature::Retries, "retries"},
    Named<FaultSpec::Feature>{FaultSpec::Feature::Breaker, "breaker"},
    Named<FaultSpec::Feature>{FaultSpec::Feature::Timeout, "timeout"},
    Named<FaultSpec::Feature>{FaultSpec::Feature::HealthCheck, "health_check"},
    Named<FaultSpec::Feature>{FaultSpec::Feature::ConcurrencyLimit, "concurrency_limit"},
    Named<FaultSpec::Feature>{FaultSpec::Feature::QueueDeadline, "queue_deadline"},
};

template <class E>
constexpr const auto& table() {
  if constexpr (std::is_same_v<E, ComponentKind>) return kComponentKinds;
  else if constexpr (std::is_same_v<E, LbPolicy>) return kLbPolicies;
  else if constexpr (std::is_same_v<E, DistSpec::Kind>) return kDistKinds;
  else if constexpr (std::is_same_v<E, RetrySpec::Backoff>) return kBackoffs;
  else if constexpr (std::is_same_v<E, RetrySpec::Jitter>) return kJitters;
  else if constexpr (std::is_same_v<E, Eviction>) return kEvictions;
  else if constexpr (std::is_same_v<E, ReadFrom>) return kReadFroms;
  else if constexpr (std::is_same_v<E, WhenFull>) return kWhenFulls;
  else if constexpr (std::is_same_v<E, RateLimitSpec::Kind>) return kRateLimitKinds;
  else if constexpr (std::is_same_v<E, QueuePolicy>) return kQueuePolicies;
  else if constexpr (std::is_same_v<E, FaultSpec::Kind>) return kFaultKinds;
  else if constexpr (std::is_same_v<E, FaultSpec::Feature>) return kFeatures;
  else return kSloKinds;
}

template <class E>
std::string_view lookup_name(E value) {
  for (const auto& entry : table<E>())
    if (entry.value == value) return entry.name;
  return "?";  // unreachable while every enumerator has a row
}

}  // namespace

template <class E>
std::optional<E> from_name(std::string_view name) {
  for (const auto& entry : table<E>())
    if (entry.name == name) return entry.value;
  return std::nullopt;
}

template <class E>
std::vector<std::string_view> all_names() {
  std::vector<std::string_view> out;
  for (const auto& entry : table<E>()) out.push_back(entry.name);
  return out;
}

SloUnit slo_unit(std::string_view key) {
  const std::size_t dot = key.rfind('.');
  const auto kind = from_name<SloSpec::Kind>(dot == std::string_view::npos ? key : key.substr(dot + 1));
  if (!kind) return SloUnit::Seconds;
  using K = SloSpec::Kind;
  switch (*kind) {  // no default: a new SLO kind must say its unit here
    case K::LatencyP50:
    case K::LatencyP90:
    case K::LatencyP99:
    case K::LatencyP999:
    case K::LatencyMean:
    case K::StalenessP99:
    case K::DeliveryP99: return SloUnit::Seconds;
    case K::ErrorRate:
    case K::StaleReadRatio:
    case K::StaleServeRatio:
    case K::Availability: return SloUnit::Fraction;
    case K::ThroughputMin: return SloUnit::PerSecond;
    case K::Duplicates:
    case K::LostMessages:
    case K::LostWrites:
    case K::InconsistentWrites: return SloUnit::Count;
  }
  return SloUnit::Seconds;
}

template std::optional<ComponentKind> from_name<ComponentKind>(std::string_view);
template std::optional<LbPolicy> from_name<LbPolicy>(std::string_view);
template std::optional<DistSpec::Kind> from_name<DistSpec::Kind>(std::string_view);
template std::optional<SloSpec::Kind> from_name<SloSpec::Kind>(std::string_view);
template std::vector<std::string_view> all_names<ComponentKind>();
template std::vector<std::string_view> all_names<LbPolicy>();
template std::vector<std::string_view> all_names<DistSpec::Kind>();
template std::vector<std::string_view> all_names<SloSpec::Kind>();
template std::optional<Eviction> from_name<Eviction>(std::string_view);
template std::optional<ReadFrom> from_name<ReadFrom>(std::string_view);
template std::optional<WhenFull> from_name<WhenFull>(std::string_view);
template std::vector<std::string_view> all_names<Eviction>();
template std::vector<std::string_view> all_names<ReadFrom>();
template std::vector<std::string_view> all_names<WhenFull>();
template std::optional<RetrySpec::Backoff> from_name<RetrySpec::Backoff>(std::string_view);
template std::optional<RetrySpec::Jitter> from_name<RetrySpec::Jitter>(std::string_view);
template std::vector<std::string_view> all_names<RetrySpec::Backoff>();
template std::vector<std::string_view> all_names<RetrySpec::Jitter>();
template std::optional<RateLimitSpec::Kind> from_name<RateLimitSpec::Kind>(std::string_view);
template std::optional<QueuePolicy> from_name<QueuePolicy>(std::string_view);
template std::optional<FaultSpec::Kind> from_name<FaultSpec::Kind>(std::string_view);
template std::vector<std::string_view> all_names<RateLimitSpec::Kind>();
template std::vector<std::string_view> all_names<QueuePolicy>();
template std::vector<std::string_view> all_names<FaultSpec::Kind>();
template std::optional<FaultSpec::Feature> from_name<FaultSpec::Feature>(std::string_view);
template std::vector<std::string_view> all_names<FaultSpec::Feature>();

std::string_view name_of(ComponentKind k) { return lookup_name(k); }
std::string_view name_of(LbPolicy p) { return lookup_name(p); }
std::string_view name_of(DistSpec::Kind k) { return lookup_name(k); }
std::string_view name_of(SloSpec::Kind k) { return lookup_name(k); }
std::string_view name_of(Eviction e) { return lookup_name(e); }
std::string_view name_of(ReadFrom r) { return lookup_name(r); }
std::string_view name_of(WhenFull w) { return lookup_name(w); }
std::string_view name_of(RateLimitSpec::Kind k) { return lookup_name(k); }
std::string_view name_of(QueuePolicy p) { return lookup_name(p); }
std::string_view name_of(FaultSpec::Kind k) { return lookup_name(k); }
std::string_view name_of(FaultSpec::Feature f) { return lookup_name(f); }

double DistSpec::mean() const {
  switch (kind) {
    case Kind::Const:
    case Kind::Exp: return a;
    case Kind::Uniform: return (a + b) / 2;
    // As if untruncated: the sampler redraws negative values, which raises the
    // mean by sd * phi(mean/sd) / Phi(mean/sd), under 0.5% of sd when mean >= 3 sd.
    case Kind::Normal: return a;
    case Kind::Lognormal: {
      const double sigma = std::log(b / a) / kZ99;
      return a * std::exp(sigma * sigma / 2);
    }
    case Kind::Erlang: return b;
    case Kind::Pareto: return b > 1 ? b * a / (b - 1) : kInf;
  }
  return a;
}

double DistSpec::scv() const {
  switch (kind) {
    case Kind::Const: return 0;
    case Kind::Exp: return 1;
    case Kind::Uniform: {
      const double m = mean();
      return m > 0 ? (b - a) * (b - a) / 12 / (m * m) : 0;
    }
    case Kind::Normal:  // untruncated, as in mean()
      if (a > 0) return b * b / (a * a);
      return b > 0 ? kInf : 0;
    case Kind::Lognormal: {
      const double sigma = std::log(b / a) / kZ99;
      return std::expm1(sigma * sigma);
    }
    case Kind::Erlang: return a > 0 ? 1 / a : kInf;
    case Kind::Pareto: return b > 2 ? 1 / (b * (b - 2)) : kInf;
  }
  return 0;
}

std::string DistSpec::str() const {
  const auto d = format_duration;
  switch (kind) {
    case Kind::Const: return d(a);  // a plain duration is a constant
    case Kind::Exp: return fmt::format("exp({})", d(a));
    case Kind::Uniform: return fmt::format("uniform({}, {})", d(a), d(b));
    case Kind::Normal: return fmt::format("normal({}, {})", d(a), d(b));
    case Kind::Lognormal: return fmt::format("lognormal(median: {}, p99: {})", d(a), d(b));
    case Kind::Erlang: return fmt::format("erlang({:g}, {})", a, d(b));
    case Kind::Pareto: return fmt::format("pareto({}, {:g})", d(a), b);
  }
  return "?";
}

int ComponentSpec::replica_count() const {
  if (const ServiceSpec* s = service()) return s->replicas;
  if (const DatabaseSpec* d = database()) return d->shards * d->nodes_per_shard();
  return 1;
}

int DatabaseSpec::query(std::string_view wanted) const {
  for (std::size_t i = 0; i < queries.size(); ++i)
    if (queries[i].name == wanted) return static_cast<int>(i);
  return -1;
}

void ScenarioSpec::index_names() {
  auto index = std::make_shared<std::unordered_map<std::string, int>>();
  index->reserve(components.size());
  for (std::size_t i = 0; i < components.size(); ++i) index->emplace(components[i].name, static_cast<int>(i));
  name_index = std::move(index);
}

int ScenarioSpec::find(std::string_view wanted) const {
  // A hit is checked against the list (which may have changed since).
  if (name_index) {
    const auto it = name_index->find(std::string(wanted));
    if (it != name_index->end() && it->second < static_cast<int>(components.size()) &&
        components[static_cast<std::size_t>(it->second)].name == wanted)
      return it->second;
  }
  for (std::size_t i = 0; i < components.size(); ++i)
    if (components[i].name == wanted) return static_cast<int>(i);
  return -1;
}

int ScenarioSpec::fan_of(const CallSpec& call) const {
  const int t = find(call.target);
  const DatabaseSpec* db = t >= 0 ? components[static_cast<std::size_t>(t)].database() : nullptr;
  if (!db || db->shards <= 1) return 1;
  const int q = db->query(call.op.empty() ? "read" : call.op);
  return q >= 0 && db->queries[static_cast<std::size_t>(q)].scatter ? db->shards : 1;
}

}  // namespace archsim
