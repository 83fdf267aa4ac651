#include "spec/kinds.hpp"

#include <algorithm>
#include <array>

namespace archsim {

namespace {

using F = FaultSpec::Kind;

// The faults each kind's apply() supports: a fault a kind would ignore is
// reported by the parser rather than as a no-op at run time.
constexpr F kServiceFaults[] = {F::Kill,    F::Restart, F::Slow,      F::Errors,  F::Scale,
                                F::Leak,    F::Deploy,  F::RateLimit, F::Breaker, F::Resize,
                                F::Retries, F::Disable, F::Enable};
constexpr F kBalancerFaults[] = {F::RateLimit, F::Shift, F::Disable, F::Enable};
constexpr F kCacheFaults[] = {F::Kill, F::Restart, F::Slow, F::Errors, F::Flush, F::CacheSize};
constexpr F kDatabaseFaults[] = {F::Kill, F::Restart, F::Slow, F::Errors, F::ExhaustPool, F::Pool, F::Resize};
constexpr F kQueueFaults[] = {F::Kill, F::Restart};
constexpr F kCdnFaults[] = {F::Kill, F::Restart, F::Slow, F::Errors, F::Flush, F::CacheSize};

int service_workers(const ScenarioSpec&, const ComponentSpec& c) { return c.service()->workers; }
int no_workers(const ScenarioSpec&, const ComponentSpec&) { return 0; }
int cache_workers(const ScenarioSpec&, const ComponentSpec& c) { return c.cache()->workers; }
int database_workers(const ScenarioSpec&, const ComponentSpec& c) { return c.database()->workers; }
int cdn_workers(const ScenarioSpec&, const ComponentSpec& c) { return c.cdn()->workers; }
int queue_consumers(const ScenarioSpec& spec, const ComponentSpec& c) {
  const QueueSpec& q = *c.queue();
  if (q.consumers > 0 || q.consumer.empty()) return q.consumers;
  const int i = spec.find(q.consumer);
  const ServiceSpec* svc = i >= 0 ? spec.components[static_cast<std::size_t>(i)].service() : nullptr;
  return svc ? svc->replicas * svc->workers : 1;
}

// Default prices: approximate AWS us-east-1 on-demand list prices (Linux,
// single-AZ), rounded. They make designs comparable, not bills exact; a
// component's `cost:` replaces them. Keep README.md's table in step. A CDN
// bills what it sends (report/cost.cpp).
// In ComponentKind order (checked below).
constexpr std::array<KindTraits, 6> kKinds = {{
    {ComponentKind::Service, kServiceFaults, 0.096, service_workers},    // EC2 m6i.large: $0.096/h
    {ComponentKind::LoadBalancer, kBalancerFaults, 0.0225, no_workers},  // ALB hour; LCU charges not included
    {ComponentKind::Cache, kCacheFaults, 0.206, cache_workers},          // ElastiCache cache.r6g.large
    {ComponentKind::Database, kDatabaseFaults, 0.25,
     database_workers},  // RDS PostgreSQL db.r6g.large, single-AZ, per instance
    {ComponentKind::Queue, kQueueFaults, 0.21, queue_consumers},  // MSK kafka.m5.large, per broker
    {ComponentKind::Cdn, kCdnFaults, std::nullopt, cdn_workers},
}};
static_assert(
    [] {
      for (std::size_t i = 0; i < kKinds.size(); ++i)
        if (static_cast<std::size_t>(kKinds[i].kind) != i) return false;
      return true;
    }(),
    "kKinds is in ComponentKind order");

}  // namespace

const KindTraits& traits(ComponentKind k) { return kKinds[static_cast<std::size_t>(k)]; }

bool accepts(ComponentKind k, FaultSpec::Kind f) {
  const auto fs = traits(k).faults;
  return std::find(fs.begin(), fs.end(), f) != fs.end();
}

bool has_feature(const ComponentSpec& c, FaultSpec::Feature f) {
  using Ft = FaultSpec::Feature;
  if (f == Ft::HealthCheck) return c.load_balancer() && c.load_balancer()->health_check.has_value();
  const ServiceSpec* s = c.service();
  if (!s) return false;
  if (f == Ft::ConcurrencyLimit) return s->concurrency_limit.has_value();
  if (f == Ft::QueueDeadline) return s->queue_deadline.has_value();
  bool has = false;
  for_each_call(s->steps, [&](const StepSpec& st, double) {
    has |= f == Ft::Retries   ? st.call.retry.has_value()
           : f == Ft::Breaker ? st.call.breaker.has_value()
                              : st.call.timeout.has_value();
  });
  return has;
}

std::string_view feature_key(FaultSpec::Feature f) {
  using Ft = FaultSpec::Feature;
  switch (f) {
    case Ft::Retries: return "retry:";
    case Ft::Breaker: return "breaker:";
    case Ft::Timeout: return "timeout:";
    case Ft::HealthCheck: return "health_check:";
    case Ft::ConcurrencyLimit: return "concurrency_limit:";
    case Ft::QueueDeadline: return "queue_deadline:";
  }
  return "";
}

int workers_per_replica(const ScenarioSpec& spec, const ComponentSpec& c) {
  return traits(c.kind()).workers(spec, c);
}

}  // namespace archsim
