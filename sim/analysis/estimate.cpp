#include "analysis/estimate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/call_graph.hpp"
#include "archsim/load.hpp"

namespace archsim {

namespace {

/// Mean one-way network delay of a call (its own latency, else the default).
double call_latency(const ScenarioSpec& spec, const std::optional<DistSpec>& own) {
  if (own) return own->mean();
  return spec.network_latency ? spec.network_latency->mean() : 0.0;
}

/// Mean own work of a step list per visit (repeat counts and branch
/// probabilities weigh it; a parallel block's calls are counted as calls).
double work_time(const std::vector<StepSpec>& steps) {
  double t = 0;
  for (const StepSpec& s : steps) {
    if (s.kind == StepSpec::Kind::Work) t += s.work.mean();
    if (s.kind == StepSpec::Kind::Repeat) t += s.count * work_time(s.steps);
    if (s.kind == StepSpec::Kind::Branch)
      for (const StepSpec::Arm& a : s.arms) t += a.p * work_time(a.steps);
    if (s.kind == StepSpec::Kind::Call) t += work_time(s.on_miss);
  }
  return t;
}

/// The data-tier kinds: the time a visit holds one of their workers and how
/// many workers they have (0: no limit). A database's queries are weighed by
/// how often the call steps of the scenario ask for each; a keyed cache's
/// hit ratio is unknown before the run, so its hits' time is taken.
std::pair<double, double> data_hold(const ScenarioSpec& spec, const ComponentSpec& cs) {
  if (const CacheSpec* c = cs.cache()) {
    const double hit = c->hit_latency ? c->hit_latency->mean() : 0.0;
    const double miss = c->miss_latency ? c->miss_latency->mean() : hit;
    const double h = c->hit_ratio ? *c->hit_ratio * hit + (1 - *c->hit_ratio) * miss : hit;
    return {h, c->workers};
  }
  if (const CdnSpec* c = cs.cdn()) return {c->edge_latency ? c->edge_latency->mean() : 0.0, c->workers};
  if (const DatabaseSpec* d = cs.database()) {
    const auto time_of = [&](const std::string& op) {
      int q = d->query(op.empty() ? "read" : op);
      if (q < 0 && op == "write") q = d->query("read");
      return q >= 0 ? d->queries[static_cast<std::size_t>(q)].time.mean() : 0.0;
    };
    double weight = 0, total = 0;
    for (const ComponentSpec& caller : spec.components) {
      if (const ServiceSpec* s = caller.service()) {
        for_each_call(s->steps, [&](const StepSpec& st, double times) {
          if (st.call.target != cs.name) return;
          weight += times;
          total += times * time_of(st.call.op);
        });
      }
    }
    const double h = weight > 0 ? total / weight : time_of("");
    return {h, static_cast<double>(d->workers) * d->shards * (1 + d->replicas)};
  }
  return {0.0, 0.0};
}

}  // namespace

std::optional<Estimate> estimate(const ScenarioSpec& spec) {
  const CallGraph g(spec);
  const auto order = g.topological_order();
  if (!order) return std::nullopt;
  const std::size_t n = spec.components.size();
  Estimate est;

  // Holding time per visit, callees first: own work plus, for each
  // synchronous call, the round trip and the callee's own holding time.
  std::vector<double> hold(n, 0.0);
  for (auto it = order->rbegin(); it != order->rend(); ++it) {
    const auto c = static_cast<std::size_t>(*it);
    const ComponentSpec& cs = spec.components[c];
    double h = 0;
    if (const ServiceSpec* s = cs.service()) {
      h = work_time(s->steps);
      // A synchronous call holds the worker for the round trip and the callee's time.
      for_each_call(s->steps, [&](const StepSpec& st, double times) {
        const int t = spec.find(st.call.target);
        if (st.kind == StepSpec::Kind::Call && t >= 0)
          h += times * (2 * call_latency(spec, st.call.latency) + hold[static_cast<std::size_t>(t)]);
      });
    } else if (const LoadBalancerSpec* lb = cs.load_balancer()) {
      // Weighted targets: the mean over the shares of the visits.
      std::vector<std::pair<std::string, double>> targets = lb->targets;
      if (targets.empty()) targets.emplace_back(lb->to, 1.0);
      double total = 0, held = 0;
      for (const auto& [name, weight] : targets) {
        const int t = spec.find(name);
        total += weight;
        if (t >= 0) held += weight * hold[static_cast<std::size_t>(t)];
      }
      if (total > 0) h = 2 * call_latency(spec, lb->latency) + held / total;
    } else {
      h = data_hold(spec, cs).first;
    }
    hold[c] = h;
  }

  // Arrivals per component. An open loop sends its rate; a closed loop of N
  // users thinking Z sends at most N / (Z + R0), R0 the response time with no
  // queueing (the asymptotic bound of operational analysis).
  std::vector<double> arrivals(n, 0.0);
  for (std::size_t t = 0; t < spec.traffic.size(); ++t) {
    const TrafficSpec& ts = spec.traffic[t];
    const auto visits = g.visits_per_request(static_cast<int>(t));
    if (!visits) return std::nullopt;
    double rate = ts.rate;
    if (ts.closed()) {
      const int entry = spec.find(ts.to);
      const double r0 = entry >= 0 ? hold[static_cast<std::size_t>(entry)] + 2 * call_latency(spec, std::nullopt) : 0;
      rate = static_cast<double>(ts.users) / (ts.think.mean() + r0);
      est.notes.push_back("traffic '" + ts.name + "' is a closed loop: its rate is bounded by users / (think + response) = " +
                          format_rate(rate) + " with no queueing; queueing lowers it");
    }
    for (const ProfilePoint& p : ts.profile) est.peak_multiplier = std::max(est.peak_multiplier, p.x);
    est.entry_rate += rate;
    for (std::size_t c = 0; c < n; ++c) arrivals[c] += rate * (*visits)[c];
  }

  const auto reachable = g.reachable_from_traffic();
  for (std::size_t c = 0; c < n; ++c) {
    const ComponentSpec& cs = spec.components[c];
    ComponentEstimate e;
    e.index = static_cast<int>(c);
    e.name = cs.name;
    e.arrivals = arrivals[c];
    e.visits = est.entry_rate > 0 ? arrivals[c] / est.entry_rate : 0;
    e.hold = hold[c];
    e.reachable = reachable[c];
    if (const ServiceSpec* s = cs.service()) e.capacity = static_cast<double>(s->replicas) * s->workers;
    else e.capacity = data_hold(spec, cs).second;
    if (e.capacity > 0) {
      e.utilization = e.arrivals * e.hold / e.capacity;
      e.peak_utilization = e.utilization * est.peak_multiplier;
      if (e.utilization > 0) e.saturation_rate = est.entry_rate / e.utilization;
      est.saturation_order.push_back(e.index);
    }
    est.components.push_back(e);
  }
  std::stable_sort(est.saturation_order.begin(), est.saturation_order.end(), [&](int a, int b) {
    return est.components[static_cast<std::size_t>(a)].utilization > est.components[static_cast<std::size_t>(b)].utilization;
  });
  return est;
}

RunCost run_cost(const ScenarioSpec& spec, const Estimate& est, bool keep_ticks) {
  RunCost c;
  const double T = spec.duration;
  // Every visit, and every entry request, at the base rates (a profile's
  // spike is usually short; the peak would overstate most runs).
  double visits = 0;
  for (const ComponentEstimate& e : est.components) visits += e.arrivals;
  c.events = T * (kEventsPerVisit * visits + 2 * est.entry_rate);
  // One tick per second; health checks, one per target replica per interval.
  c.events += T;
  double worst = 0;
  for (const ComponentSpec& cs : spec.components) {
    if (const LoadBalancerSpec* lb = cs.load_balancer(); lb && lb->health_check) {
      double replicas = 0;
      for (const auto& [name, w] : lb->targets)
        if (const int t = spec.find(name); t >= 0) replicas += spec.components[static_cast<std::size_t>(t)].replica_count();
      if (const int t = spec.find(lb->to); t >= 0) replicas += spec.components[static_cast<std::size_t>(t)].replica_count();
      c.events += T * replicas / lb->health_check->interval;
    }
  }
  // An unbounded queue in front of a saturated component keeps every request
  // that cannot be served: its backlog grows for the whole run.
  for (const ComponentEstimate& e : est.components) {
    const ServiceSpec* s = spec.components[static_cast<std::size_t>(e.index)].service();
    if (!s || s->queue || e.capacity <= 0 || e.hold <= 0) continue;
    const double excess = e.arrivals * est.peak_multiplier - e.capacity / e.hold;
    if (excess <= 0) continue;
    const double bytes = excess * T * kBytesPerWaiting;
    c.bytes += bytes;
    if (bytes > worst) {
      worst = bytes;
      c.biggest = fmt::format("{}'s unbounded queue would grow by {:.3g} requests/s", e.name, excess);
    }
  }
  if (keep_ticks) c.bytes += T * kBytesPerTick * static_cast<double>(spec.components.size() + 1);
  return c;
}

}  // namespace archsim
