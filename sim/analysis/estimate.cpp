#include "analysis/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include <fmt/format.h>

#include "analysis/call_graph.hpp"
#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/ticks.hpp"
#include "engine/sampler.hpp"
#include "spec/platform_faults.hpp"

namespace archsim {

namespace {

namespace q = queueing;
constexpr double kInf = std::numeric_limits<double>::infinity();

double mean_of(const DistSpec& d) { return sampled_moments(d).mean; }

std::string fmt_percent(double x) { return fmt::format("{:.0f}%", x * 100); }

/// E[min(R, T)] for an exponential R of mean r: the time a caller waits
/// for a reply with a timeout T.
double capped(double r, double t) { return r <= 0 ? 0 : r * -std::expm1(-t / r); }

/// P(R > T) for an exponential R of mean r: the share of calls that time out.
double tail(double r, double t) { return r <= 0 ? 0 : std::exp(-t / r); }

/// Expected attempts of a call that fails with probability p and is tried
/// again up to `retries` times: 1 + p + ... + p^retries.
double attempts(double p, int retries) {
  double s = 1, term = 1;
  for (int k = 0; k < retries; ++k) s += term *= p;
  return s;
}

/// The rate multiplier of a traffic source at time t: its profile times
/// the spikes of the fault timeline.
double multiplier_at(const ScenarioSpec& spec, const TrafficSpec& ts, double t) {
  double level = 1.0;
  for (const ProfilePoint& p : ts.profile) {
    if (t < p.at) break;
    if (p.ramp > 0 && t < p.at + p.ramp) {
      level = level + (p.x - level) * (t - p.at) / p.ramp;
      break;
    }
    level = p.x;
  }
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::Spike && f.target == ts.name && t >= f.at &&
        (!f.duration || t < f.at + *f.duration))
      level *= f.x;
  return level;
}

/// The key store of a keyed cache or a cdn, else nullptr.
const KeyedStoreSpec* store_of(const ComponentSpec& cs) {
  if (cs.cdn()) return &cs.cdn()->store;
  if (cs.cache() && cs.cache()->keyed()) return &cs.cache()->store;
  return nullptr;
}

/// A breaking story's key, averaged over the measured window: from `at` it
/// takes `share` of the reads (the other keys the rest), before it none.
void add_hot_key(std::vector<q::KeyClass>& keys, const KeyedStoreSpec& st, const ScenarioSpec& spec) {
  const double window = spec.duration - spec.warmup;
  if (window <= 0) return;
  const double after = std::clamp((spec.duration - std::max(st.hot->at, spec.warmup)) / window, 0.0, 1.0);
  const double w = st.hot->share * after;
  for (q::KeyClass& k : keys) k.p *= 1 - w;
  const double readers = st.vary ? static_cast<double>(st.vary->keys) : 1.0;  // its copies, one per reader
  keys.push_back(q::KeyClass{w / readers, readers});
}

/// One evaluation of the model with each traffic source's rate multiplied:
/// a fixed point of arrivals (which depend on hit ratios and retries) and
/// holding times (which depend on the callees' waits).
class Model {
 public:
  Model(const ScenarioSpec& spec, const std::vector<int>& order) : spec_(spec), order_(order) {
    const std::size_t n = spec.components.size();
    keys_.resize(n);
    feeder_.assign(n, -1);
    for (std::size_t c = 0; c < n; ++c) {
      const ComponentSpec& cs = spec.components[c];
      if (const KeyedStoreSpec* st = store_of(cs)) {
        keys_[c] = q::zipf_classes(st->keys, st->popularity.zipf);
        if (st->vary)  // a copy per reader: pairs of (item, reader)
          keys_[c] = q::product_classes(keys_[c], q::zipf_classes(st->vary->keys, st->vary->popularity.zipf));
        if (st->hot) add_hot_key(keys_[c], *st, spec);
      }
      // A cdn whose origin is a keyed tier of the same key space feeds it its fetches.
      if (const CdnSpec* cd = cs.cdn()) {
        const int o = spec.find(cd->origin);
        const KeyedStoreSpec* up = o >= 0 ? store_of(spec.components[static_cast<std::size_t>(o)]) : nullptr;
        if (up && up->copies() == cd->store.copies() && up->popularity.zipf == cd->store.popularity.zipf)
          feeder_[static_cast<std::size_t>(o)] = static_cast<int>(c);
      }
    }
    // Once, not per iteration: a scan over every caller for each component
    // (n^2 name comparisons) took 12% of a 5 s run of 1,000 services.
    concurrency_.resize(n);
    for (std::size_t c = 0; c < n; ++c) concurrency_[c] = count_callers_concurrency(c);
  }

  struct State {
    std::vector<double> arrivals, offered, admitted, hold, response, wait, util, hit, miss, coalesced, fill;
    std::vector<double> pool_wait, abandon, reject, fail;
    std::vector<double> limited;    ///< share of arrivals the rate limit refuses (at once: no time)
    std::vector<double> pool_load;  ///< offered load of the busiest pool / its connections
    std::vector<double> reads, puts, invalidations;
    std::vector<std::vector<std::pair<int, double>>> pool_callers;  ///< db: (caller, calls/s)
    std::map<const StepSpec*, double> attempts;                     ///< per call site
    std::vector<std::map<std::string, double>> ops;                 ///< per component: calls/s by operation
    std::map<const StepSpec*, double> site_fail;                    ///< per call site: P(the call fails)
    std::map<const StepSpec*, double>
        bulkhead_full;                       ///< per call site: P(its bulkhead's permits are all taken)
    std::vector<double> visit_fail;          ///< per service: P(a visit fails)
    std::vector<std::vector<double>> fetch;  ///< keyed stores: per key class, the share of reads that fetch
    std::vector<double> source_rate;         ///< requests/s per traffic source (closed loops solved)
    std::vector<double> closed_wait;         ///< per single station a closed loop alone feeds: MVA's wait, s
    bool overloaded = false;
  };

  State run(const std::vector<double>& mult) const {
    const std::size_t n = spec_.components.size();
    State s;
    for (auto* v :
         {&s.arrivals, &s.offered,   &s.admitted, &s.hold,          &s.response,   &s.wait,    &s.util,
          &s.hit,      &s.coalesced, &s.fill,     &s.pool_wait,     &s.pool_load,  &s.abandon, &s.reject,
          &s.fail,     &s.reads,     &s.puts,     &s.invalidations, &s.visit_fail, &s.limited})
      v->assign(n, 0.0);
    s.miss.assign(n, 1.0);
    for (std::size_t c = 0; c < n; ++c)
      if (const CacheSpec* cs = spec_.components[c].cache(); cs && !cs->keyed()) {
        s.hit[c] = cs->hit_ratio.value_or(0.0);
        s.miss[c] = 1 - s.hit[c];
      }
    s.source_rate.assign(spec_.traffic.size(), 0.0);
    s.closed_wait.assign(n, -1.0);
    s.ops.assign(n, {});
    s.fetch.assign(n, {});
    double last = -1;
    for (int it = 0; it < 60; ++it) {
      holds(s);
      flows(s, mult);
      stations(s);
      double total = 0;
      for (double a : s.arrivals) total += a;
      for (double h : s.hold) total += h;
      if (std::abs(total - last) <= 1e-7 * std::max(1.0, std::abs(total))) break;
      last = total;
    }
    return s;
  }

 private:
  const ScenarioSpec& spec_;
  const std::vector<int>& order_;
  std::vector<std::vector<q::KeyClass>> keys_;
  std::vector<int> feeder_;          ///< per keyed store: the keyed tier whose fetches it serves, or -1
  std::vector<double> concurrency_;  ///< per component: callers_concurrency
  /// sliding_window_admitted by (offered, rate, window): up to 4e7 steps a
  /// call, and the fixed point asks again with the same offered rate.
  mutable std::map<std::tuple<double, double, double>, double> windows_;
  double window_admitted(double lambda, double rate, double window) const {
    const auto key = std::make_tuple(lambda, rate, window);
    if (const auto it = windows_.find(key); it != windows_.end()) return it->second;
    if (windows_.size() > 256) windows_.clear();
    return windows_[key] = q::sliding_window_admitted(lambda, rate, window);
  }

  double latency(const std::optional<DistSpec>& own) const {
    if (own) return mean_of(*own);
    return spec_.network_latency ? mean_of(*spec_.network_latency) : 0.0;
  }
  int target(const StepSpec& st) const { return spec_.find(st.call.target); }
  double site_attempts(const State& s, const StepSpec& st) const {
    const auto it = s.attempts.find(&st);
    return it == s.attempts.end() ? 1.0 : it->second;
  }

  double full_share(const State& s, const StepSpec& st) const {
    const auto it = s.bulkhead_full.find(&st);
    return it == s.bulkhead_full.end() ? 0.0 : it->second;
  }
  /// How long a call holds its bulkhead permit: all its attempts (0 when no callee).
  double attempts_time(const State& s, const StepSpec& st) const {
    const int t = target(st);
    if (t < 0) return 0;
    const auto c = static_cast<std::size_t>(t);
    const double one = 2 * latency(st.call.latency) + (1 - s.limited[c]) * op_response(s, c, st.call.op);
    return site_attempts(s, st) * (st.call.timeout ? waited(st, one) : one);
  }

  /// What a caller waits for one call (after the network): the callee's
  /// response; nothing when its bulkhead is full (the call fails at once).
  double call_time(const State& s, const StepSpec& st) const {
    const int t = target(st);
    if (t < 0) return 0;
    const auto c = static_cast<std::size_t>(t);
    double time = attempts_time(s, st);
    if (!st.on_miss.empty()) {
      // Cache-aside: the fetch and the store after it, for the reads that miss.
      const double store = 2 * latency(st.call.latency) + cache_time(c, "store", s);
      time += s.miss[c] * (steps_time(s, st.on_miss) + store);
    }
    return (1 - full_share(s, st)) * time;
  }

  /// The distribution of a visit's own time where it is one draw: a service
  /// of one work step, a database query (nullptr otherwise).
  const DistSpec* own_time(std::size_t c, const std::string& op) const {
    const ComponentSpec& cs = spec_.components[c];
    if (const ServiceSpec* sv = cs.service();
        sv && sv->steps.size() == 1 && sv->steps[0].kind == StepSpec::Kind::Work)
      return &sv->steps[0].work;
    if (const DatabaseSpec* d = cs.database()) {
      int i = d->query(op.empty() ? "read" : op);
      if (i < 0 && op == "write") i = d->query("read");
      if (i >= 0) return &d->queries[static_cast<std::size_t>(i)].time;
    }
    return nullptr;
  }
  /// The part of a call's time that is not the callee's own draw: network and waits.
  double overhead(const StepSpec& st, double one) const {
    const auto c = static_cast<std::size_t>(target(st));
    const DistSpec* d = own_time(c, st.call.op);
    return d ? std::max(0.0, one - sampled_moments(*d).mean) : one;
  }
  /// E[min(R, timeout)] for a call of mean time `one` (the draw's own
  /// distribution when there is one, else an exponential).
  double waited(const StepSpec& st, double one) const {
    const auto c = static_cast<std::size_t>(target(st));
    const DistSpec* d = own_time(c, st.call.op);
    if (!d) return capped(one, *st.call.timeout);
    const double over = overhead(st, one);
    return std::min(*st.call.timeout, over + sampled_capped_mean(*d, *st.call.timeout - over));
  }
  /// P(R > t) for a call of mean time `one`.
  double late(const StepSpec& st, double one, double t) const {
    const auto c = static_cast<std::size_t>(target(st));
    const DistSpec* d = own_time(c, st.call.op);
    if (!d) return tail(one, t);
    return sampled_tail(*d, t - overhead(st, one));
  }

  /// What a caller waits at component c for an operation of type op: the
  /// query's or the cache operation's own time where it has one.
  double op_response(const State& s, std::size_t c, const std::string& op) const {
    const ComponentSpec& cs = spec_.components[c];
    if (const DatabaseSpec* d = cs.database()) return s.pool_wait[c] + s.wait[c] + query_time(*d, op);
    if (cs.cache() && !op.empty()) return s.wait[c] + cache_time(c, op, s);
    return s.response[c];
  }

  /// Mean time a step list holds its worker.
  double steps_time(const State& s, const std::vector<StepSpec>& steps) const {
    double t = 0;
    for (const StepSpec& st : steps) {
      switch (st.kind) {
        case StepSpec::Kind::Work: t += mean_of(st.work); break;
        case StepSpec::Kind::Call: t += call_time(s, st); break;
        case StepSpec::Kind::Async: break;
        case StepSpec::Kind::Parallel: {
          // Replies as independent exponentials: the k-th of n arrives after
          // mean x (1/n + ... + 1/(n-k+1)), taken at the slowest call's mean.
          double slowest = 0;
          for (const StepSpec& c : st.steps)
            slowest =
                std::max(slowest, c.kind == StepSpec::Kind::Call ? call_time(s, c) : steps_time(s, {c}));
          const auto n = static_cast<int>(st.steps.size());
          const int k = st.wait > 0 ? std::min(st.wait, n) : n;
          double h = 0;
          for (int i = n - k + 1; i <= n; ++i) h += 1.0 / i;
          t += st.timeout ? capped(slowest * h, *st.timeout) : slowest * h;
          break;
        }
        case StepSpec::Kind::Repeat: t += st.mean_count() * steps_time(s, st.steps); break;
        case StepSpec::Kind::Branch:
          for (const StepSpec::Arm& a : st.arms) t += a.p * steps_time(s, a.steps);
          break;
      }
    }
    return t;
  }

  /// A cache's worker time for one operation.
  double cache_time(std::size_t c, const std::string& op, const State& s) const {
    const CacheSpec* cs = spec_.components[c].cache();
    if (!cs) return 0;
    const double hit = cs->hit_latency ? mean_of(*cs->hit_latency) : 0.0;
    const double miss = cs->miss_latency ? mean_of(*cs->miss_latency) : hit;
    if (!op.empty()) return hit;
    return (s.hit[c] + s.coalesced[c]) * hit + s.miss[c] * miss;
  }

  /// The time a query of type `op` runs on a database node.
  double query_time(const DatabaseSpec& d, const std::string& op) const {
    int i = d.query(op.empty() ? "read" : op);
    if (i < 0 && op == "write") i = d.query("read");
    return i >= 0 ? mean_of(d.queries[static_cast<std::size_t>(i)].time) : 0.0;
  }

  /// The mean over a component's incoming operations of f(op), weighed by
  /// their rates (the last evaluation's; the default operation at first).
  template <class F>
  double per_op(const State& s, std::size_t c, F f) const {
    double weight = 0, total = 0;
    for (const auto& [op, rate] : s.ops[c]) {
      weight += rate;
      total += rate * f(op);
    }
    return weight > 0 ? total / weight : f("");
  }

  /// Visits of c that can be in flight at once: the workers of the services
  /// that call it (infinite when traffic or a balancer sends to it).
  double callers_concurrency(std::size_t c) const { return concurrency_[c]; }
  double count_callers_concurrency(std::size_t c) const {
    double n = 0;
    for (const ComponentSpec& cs : spec_.components) {
      bool calls = false;
      if (const ServiceSpec* sv = cs.service())
        for_each_call(sv->steps, [&](const StepSpec& st, double) {
          calls |= st.call.target == spec_.components[c].name;
        });
      if (const LoadBalancerSpec* lb = cs.load_balancer()) {
        calls = lb->to == spec_.components[c].name;
        for (const auto& tw : lb->targets) calls |= tw.first == spec_.components[c].name;
        if (calls) return kInf;
      }
      if (const QueueSpec* qs = cs.queue(); qs && qs->consumer == spec_.components[c].name) {
        // Consumer k's deliveries go to replica k mod replicas, one at a time:
        // at most ceil(consumers / replicas) at once on a replica.
        const ServiceSpec* me = spec_.components[c].service();
        const double reps = me ? std::max(1, me->replicas) : 1.0;
        const double consumers =
            qs->consumers > 0 ? qs->consumers : reps * (me ? std::max(1, me->workers) : 1);
        n += std::ceil(consumers / reps);
        continue;
      }
      if (const CdnSpec* cd = cs.cdn(); cd && cd->origin == spec_.components[c].name) return kInf;
      if (calls) n += static_cast<double>(cs.service()->replicas) * cs.service()->workers;
    }
    for (const TrafficSpec& ts : spec_.traffic)
      if (ts.to == spec_.components[c].name) return kInf;
    return n;
  }

  /// The squared coefficient of variation of the gaps between arrivals at
  /// one of c's k replicas: 1/k when one round robin spreads its (Poisson)
  /// arrivals, every k-th to a replica (Erlang-k gaps), else 1. A service
  /// has one round robin for all its direct callers; a balancer its own.
  double arrival_scv(std::size_t c, int replicas) const {
    if (replicas <= 1 || !spec_.components[c].service()) return 1;
    const std::string& name = spec_.components[c].name;
    int spreads = 0;  // round robins feeding c
    bool direct = false;
    for (const ComponentSpec& cs : spec_.components) {
      if (const LoadBalancerSpec* lb = cs.load_balancer()) {
        bool to = lb->to == name;
        for (const auto& tw : lb->targets) to |= tw.first == name;
        if (to && (lb->policy != LbPolicy::RoundRobin || lb->targets.size() > 1)) return 1;
        spreads += to ? 1 : 0;
      } else if (const ServiceSpec* sv = cs.service()) {
        for_each_call(sv->steps, [&](const StepSpec& st, double) { direct |= st.call.target == name; });
      }
    }
    for (const TrafficSpec& ts : spec_.traffic) direct |= ts.to == name;
    return spreads + (direct ? 1 : 0) == 1 ? 1.0 / replicas : 1.0;
  }

  /// The scv of a visit's hold when its steps are work and plain calls (no
  /// retry, timeout, hedge or on_miss) to callees that answer with one draw
  /// and never queue: independent parts, whose variances add (a call: the
  /// callee's draw and two network latencies). Otherwise 1 (exponential).
  double hold_scv(const State& s, const std::vector<StepSpec>& steps) const {
    double mean = 0, var = 0;
    const auto add = [&](const DistSpec& d, double times) {
      const Moments m = sampled_moments(d);
      mean += times * m.mean;
      var += times * m.scv * m.mean * m.mean;
    };
    for (const StepSpec& st : steps) {
      if (st.kind == StepSpec::Kind::Work) {
        add(st.work, 1);
        continue;
      }
      const int t = st.kind == StepSpec::Kind::Call ? target(st) : -1;
      if (t < 0 || st.call.retry || st.call.timeout || st.call.hedge || !st.on_miss.empty() ||
          spec_.fan_of(st.call) != 1)
        return 1;
      const auto c = static_cast<std::size_t>(t);
      const DistSpec* d = own_time(c, st.call.op);
      if (!d || s.wait[c] > 0 || s.pool_wait[c] > 0) return 1;
      add(*d, 1);
      if (st.call.latency) add(*st.call.latency, 2);
      else if (spec_.network_latency) add(*spec_.network_latency, 2);
    }
    return mean > 0 ? var / (mean * mean) : 1;
  }

  /// Whether traffic source t is all that sends to c (no other source, no
  /// caller, balancer, queue or cdn).
  bool fed_only_by(std::size_t c, std::size_t t) const {
    const std::string& name = spec_.components[c].name;
    for (std::size_t o = 0; o < spec_.traffic.size(); ++o)
      if (o != t && spec_.traffic[o].to == name) return false;
    bool fed = false;
    for (const ComponentSpec& cs : spec_.components) {
      if (const ServiceSpec* sv = cs.service())
        for_each_call(sv->steps, [&](const StepSpec& st, double) { fed |= st.call.target == name; });
      if (const LoadBalancerSpec* lb = cs.load_balancer()) {
        fed |= lb->to == name;
        for (const auto& tw : lb->targets) fed |= tw.first == name;
      }
      if (const QueueSpec* qs = cs.queue()) fed |= qs->consumer == name;
      if (const CdnSpec* cd = cs.cdn()) fed |= cd->origin == name || cd->include == name;
    }
    return !fed;
  }

  /// A service of one worker and one replica whose steps are all work.
  bool single_station(std::size_t c) const {
    const ServiceSpec* sv = spec_.components[c].service();
    if (!sv || sv->replicas != 1 || sv->workers != 1 || sv->queue) return false;
    for (const StepSpec& st : sv->steps)
      if (st.kind != StepSpec::Kind::Work) return false;
    return true;
  }

  void holds(State& s) const;
  void flows(State& s, const std::vector<double>& mult) const;
  void visit(State& s, std::size_t from, const std::vector<StepSpec>& steps, double rate) const;
  void deliver(State& s, std::size_t c, const QueueSpec& qs, double a) const;
  void stations(State& s) const;
  void station(State& s, std::size_t c) const;
  struct MessageService {
    double deliveries = 1;  ///< E[N], deliveries per message
    double mean = 0;        ///< E[S], s: a message's hold of its consumer, all deliveries
    double scv = 1;         ///< of S
  };
  MessageService message_service(const State& s, std::size_t c) const;
  void partitioned(State& s, std::size_t c, int partitions, int consumers, const MessageService& m) const;
  void queue_wait(State& s, std::size_t c, int partitions, int consumers) const;
  double open_wait(std::size_t c, int replicas, int workers, double lambda, double mu, double scv) const;
  void pools(State& s, std::size_t c, const DatabaseSpec& d) const;
  void caches(State& s, std::size_t c) const;
  void bulkheads(State& s, std::size_t c) const;
  bool warm_static(const State& s, std::size_t c, const KeyedStoreSpec& st, double capacity) const;
  void sites(State& s, const std::vector<StepSpec>& steps) const;
};

void Model::holds(State& s) const {
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    const auto c = static_cast<std::size_t>(*it);
    const ComponentSpec& cs = spec_.components[c];
    double h = 0, resp = 0;
    if (const ServiceSpec* sv = cs.service()) {
      h = steps_time(s, sv->steps);
      resp = s.wait[c] + h;
    } else if (const LoadBalancerSpec* lb = cs.load_balancer()) {
      std::vector<std::pair<std::string, double>> targets = lb->targets;
      if (targets.empty()) targets.emplace_back(lb->to, 1.0);
      double total = 0, held = 0;
      for (const auto& [name, weight] : targets) {
        const int t = spec_.find(name);
        total += weight;
        if (t >= 0) held += weight * s.response[static_cast<std::size_t>(t)];
      }
      h = resp = total > 0 ? 2 * latency(lb->latency) + held / total : 0;
    } else if (cs.cache()) {
      h = per_op(s, c, [&](const std::string& op) { return cache_time(c, op, s); });
      resp = s.wait[c] + h + s.coalesced[c] * s.fill[c] / 2;
    } else if (const CdnSpec* cd = cs.cdn()) {
      h = cd->edge_latency ? mean_of(*cd->edge_latency) : 0.0;
      const int o = spec_.find(cd->origin);
      double fetch = 2 * (cd->origin_latency ? mean_of(*cd->origin_latency) : 0.0) +
                     (o >= 0 ? s.response[static_cast<std::size_t>(o)] : 0);
      if (cd->origin_timeout) fetch = capped(fetch, *cd->origin_timeout);
      s.fill[c] = fetch;
      resp = s.wait[c] + h + s.miss[c] * fetch + s.coalesced[c] * fetch / 2;
      if (const int i = spec_.find(cd->include); i >= 0)  // every request waits for its include
        resp += 2 * (cd->include_latency ? mean_of(*cd->include_latency) : 0.0) +
                s.response[static_cast<std::size_t>(i)];
    } else if (const DatabaseSpec* d = cs.database()) {
      h = per_op(s, c, [&](const std::string& op) { return query_time(*d, op); });
      resp = s.pool_wait[c] + s.wait[c] + h;
    } else if (const QueueSpec* qs = cs.queue()) {
      const int t = spec_.find(qs->consumer);
      // A delivery goes to a free consumer: it waits in the queue, not there.
      // A failed delivery keeps its consumer through the redelivery delay.
      // The delivery is a call to the consumer: the network's latency when the queue names none.
      h = 2 * latency(qs->latency) +
          (t >= 0 ? s.hold[static_cast<std::size_t>(t)] +
                        s.visit_fail[static_cast<std::size_t>(t)] * qs->redelivery_delay
                  : 0);
      resp = 0;  // a publish returns once the message is enqueued
    }
    s.hold[c] = h;
    s.response[c] = resp;
  }
  // A cache's fill: the caller's on_miss steps (the first caller's).
  for (const ComponentSpec& caller : spec_.components)
    if (const ServiceSpec* sv = caller.service())
      for_each_call(sv->steps, [&](const StepSpec& st, double) {
        const int t = target(st);
        if (t >= 0 && !st.on_miss.empty() && spec_.components[static_cast<std::size_t>(t)].cache())
          s.fill[static_cast<std::size_t>(t)] = steps_time(s, st.on_miss) + 2 * latency(st.call.latency);
      });
}

void Model::visit(State& s, std::size_t from, const std::vector<StepSpec>& steps, double rate) const {
  for (const StepSpec& st : steps) {
    switch (st.kind) {
      case StepSpec::Kind::Work: break;
      case StepSpec::Kind::Call:
      case StepSpec::Kind::Async: {
        const int t = target(st);
        if (t < 0) break;
        const auto c = static_cast<std::size_t>(t);
        // A scatter: one per shard. A call its bulkhead refuses reaches nobody.
        const double through = rate * (1 - full_share(s, st));
        const double calls = through * site_attempts(s, st) * spec_.fan_of(st.call);
        s.arrivals[c] += calls;
        const std::string& op = st.call.op;
        s.ops[c][op] += calls;
        if (op.empty()) s.reads[c] += calls;
        else if (op == "write") s.puts[c] += calls;
        else if (op == "invalidate") s.invalidations[c] += calls;
        if (spec_.components[c].database()) s.pool_callers[c].emplace_back(static_cast<int>(from), calls);
        if (!st.on_miss.empty()) {
          visit(s, from, st.on_miss, through * s.miss[c]);
          s.arrivals[c] += through * s.miss[c];  // the store
          s.ops[c]["store"] += through * s.miss[c];
        }
        break;
      }
      case StepSpec::Kind::Parallel: visit(s, from, st.steps, rate); break;
      case StepSpec::Kind::Repeat: visit(s, from, st.steps, rate * st.mean_count()); break;
      case StepSpec::Kind::Branch:
        for (const StepSpec::Arm& a : st.arms) visit(s, from, a.steps, rate * a.p);
        break;
    }
  }
}

void Model::flows(State& s, const std::vector<double>& mult) const {
  for (auto* v : {&s.arrivals, &s.admitted, &s.reads, &s.puts, &s.invalidations})
    std::fill(v->begin(), v->end(), 0.0);
  s.pool_callers.assign(spec_.components.size(), {});
  s.ops.assign(spec_.components.size(), {});
  for (std::size_t t = 0; t < spec_.traffic.size(); ++t) {
    const TrafficSpec& ts = spec_.traffic[t];
    const int e = spec_.find(ts.to);
    if (e < 0) continue;
    const double r = 2 * latency(std::nullopt) + s.response[static_cast<std::size_t>(e)];
    double rate = ts.rate * mult[t];
    // A closed loop of N users thinking Z: N / (Z + R) (the response law);
    // exact MVA where the entry is one single-server station that calls nothing.
    if (ts.closed() && single_station(static_cast<std::size_t>(e))) {
      const auto c = static_cast<std::size_t>(e);
      const q::MvaResult m =
          q::mva(static_cast<int>(std::min(1e6, std::round(static_cast<double>(ts.users) * mult[t]))),
                 mean_of(ts.think) + 2 * latency(std::nullopt), {s.hold[c]});
      rate = m.throughput;
      // Its wait too, when nothing else sends to it (the open M/M/1 at that
      // throughput waits about twice as long).
      s.closed_wait[c] = fed_only_by(c, t) ? std::max(0.0, m.response - s.hold[c]) : -1;
    } else if (ts.closed())
      rate = static_cast<double>(ts.users) * mult[t] /
             (mean_of(ts.think) + (ts.timeout ? capped(r, *ts.timeout) : r));
    double p = s.fail[static_cast<std::size_t>(e)] + (ts.timeout ? tail(r, *ts.timeout) : 0.0);
    if (ts.retry && !ts.closed()) rate *= attempts(std::min(p, 1.0), ts.retry->max);
    s.source_rate[t] = rate;
    s.arrivals[static_cast<std::size_t>(e)] += rate;
  }
  for (int ci : order_) {
    const auto c = static_cast<std::size_t>(ci);
    const ComponentSpec& cs = spec_.components[c];
    double a = s.arrivals[c];
    const std::optional<RateLimitSpec>* rl = nullptr;
    if (const ServiceSpec* sv = cs.service()) rl = &sv->rate_limit;
    if (const LoadBalancerSpec* lb = cs.load_balancer()) rl = &lb->rate_limit;
    if (rl && *rl) {
      // The excess is refused (rate_limited): a token bucket is M/D/1+D
      // (queueing::token_bucket_admitted), a sliding window a Markov chain
      // over its windows' counts (queueing::sliding_window_admitted).
      const RateLimitSpec& r = **rl;
      a = r.kind == RateLimitSpec::Kind::TokenBucket
              ? q::token_bucket_admitted(a, r.rate, r.burst > 0 ? r.burst : std::max(1.0, r.rate))
              : window_admitted(a, r.rate, r.window);
    }
    s.offered[c] = a;
    a *= 1 - s.reject[c] - s.abandon[c];
    s.admitted[c] = a;
    if (const ServiceSpec* sv = cs.service()) {
      visit(s, c, sv->steps, a);
    } else if (const LoadBalancerSpec* lb = cs.load_balancer()) {
      std::vector<std::pair<std::string, double>> targets = lb->targets;
      if (targets.empty()) targets.emplace_back(lb->to, 1.0);
      double total = 0;
      for (const auto& tw : targets) total += tw.second;
      for (const auto& [name, w] : targets)
        if (const int t = spec_.find(name); t >= 0 && total > 0)
          s.arrivals[static_cast<std::size_t>(t)] += a * w / total;
    } else if (const CdnSpec* cd = cs.cdn()) {
      s.reads[c] = s.arrivals[c];
      s.ops[c][""] = s.arrivals[c];
      if (const int o = spec_.find(cd->origin); o >= 0)
        s.arrivals[static_cast<std::size_t>(o)] += a * s.miss[c];
      if (const int i = spec_.find(cd->include); i >= 0) s.arrivals[static_cast<std::size_t>(i)] += a;
    } else if (const QueueSpec* qs = cs.queue()) {
      deliver(s, c, *qs, a);
    }
  }
}

/// At least once: a failed delivery is delivered again, max_attempts in
/// all; a message whose every delivery failed (p^max_attempts of them) goes
/// to the dead-letter queue.
void Model::deliver(State& s, std::size_t c, const QueueSpec& qs, double a) const {
  const int t = spec_.find(qs.consumer);
  if (t < 0) return;
  const double p = s.visit_fail[static_cast<std::size_t>(t)];
  const double deliveries = attempts(p, qs.max_attempts - 1);
  s.arrivals[static_cast<std::size_t>(t)] += a * deliveries;
  s.admitted[c] = a * deliveries;
  if (const int d = spec_.find(qs.dead_letter); d >= 0)
    s.arrivals[static_cast<std::size_t>(d)] += a * std::pow(p, std::max(1, qs.max_attempts));
}

/// Hit ratios of a keyed cache or cdn from its read, write and invalidation
/// rates. Its keys are asked for by popularity, or, behind another keyed
/// tier of the same key space, in proportion to that tier's fetches.
void Model::caches(State& s, std::size_t c) const {
  const KeyedStoreSpec* st = store_of(spec_.components[c]);
  if (!st || s.reads[c] <= 0) return;
  std::vector<q::KeyClass> keys = keys_[c];
  if (const int u = feeder_[c]; u >= 0 && s.fetch[static_cast<std::size_t>(u)].size() == keys.size()) {
    double sum = 0;
    for (std::size_t i = 0; i < keys.size(); ++i)
      sum += keys[i].count * (keys[i].p *= s.fetch[static_cast<std::size_t>(u)][i]);
    for (q::KeyClass& k : keys) k.p = sum > 0 ? k.p / sum : 0;
  }
  const double capacity = st->capacity > 0 ? static_cast<double>(std::min(st->capacity, st->copies()))
                                           : static_cast<double>(st->copies());
  if (warm_static(s, c, *st, capacity)) {
    // Warm and never expiring within the run, turned over less than once:
    // it holds the warm keys (the most popular) all along.
    double room = static_cast<double>(std::min(st->warm, st->keys));
    s.fetch[c].assign(keys.size(), 1.0);
    double hit = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const double held = std::clamp(room, 0.0, keys[i].count);
      room -= held;
      hit += keys[i].count * keys[i].p * held / keys[i].count;
      s.fetch[c][i] = 1 - held / keys[i].count;
    }
    s.hit[c] = hit;
    s.miss[c] = 1 - hit;
    s.coalesced[c] = 0;
    return;
  }
  q::CachePolicy pol = q::CachePolicy::Lru;
  if (st->eviction == Eviction::Fifo) pol = q::CachePolicy::Fifo;
  if (st->eviction == Eviction::Lfu) pol = q::CachePolicy::Lfu;
  // A purge on each of the source's updates removes the key as an invalidation does.
  const double purges = st->purge_on_update ? st->updates : 0.0;
  q::CacheLoad load{s.reads[c], s.puts[c], s.invalidations[c] + purges, s.fill[c]};
  const q::CacheHit h =
      q::keyed_hit_ratio(keys, capacity, pol, st->ttl.value_or(kInf), load, st->coalesce, &s.fetch[c]);
  s.hit[c] = h.hit;
  s.miss[c] = h.miss;
  s.coalesced[c] = h.coalesced;
}

/// A warm store that neither expires within the run nor fetches as many
/// keys as it holds over the run (at the steady state's miss rate, an
/// upper bound) keeps its warm contents.
bool Model::warm_static(const State& s, std::size_t c, const KeyedStoreSpec& st, double capacity) const {
  if (st.warm == 0 || (st.ttl && *st.ttl < spec_.duration)) return false;
  if (static_cast<double>(st.warm) < capacity && st.warm < st.keys) return false;
  const double miss = std::max(s.miss[c], 0.0);
  return miss * s.reads[c] * spec_.duration < 0.5 * capacity;
}

/// Connection pools of a database, one per caller replica: M/M/c with
/// patience (the acquire timeout); a connection is held for the query's
/// wait and run on the node.
void Model::pools(State& s, std::size_t c, const DatabaseSpec& d) const {
  s.pool_wait[c] = s.abandon[c] = s.pool_load[c] = 0;
  if (!d.pool) return;
  double total = 0, wait = 0, gave_up = 0;
  const double held = s.wait[c] + s.hold[c];
  if (held <= 0) return;
  std::map<int, double> per_caller;  // a caller's call steps share its replicas' pools
  for (const auto& [caller, calls] : s.pool_callers[c]) per_caller[caller] += calls;
  for (const auto& [caller, calls] : per_caller) {
    const int replicas = std::max(1, spec_.components[static_cast<std::size_t>(caller)].replica_count());
    const q::PatienceResult r = q::mmc_patience(*d.pool, calls / replicas, 1 / held, d.acquire_timeout);
    s.pool_load[c] = std::max(s.pool_load[c], calls / replicas * held / *d.pool);
    total += calls;
    wait += calls * r.mean_wait;
    gave_up += calls * r.abandon;
  }
  if (total <= 0) return;
  s.pool_wait[c] = wait / total;
  s.abandon[c] = gave_up / total;
}

/// The share of a database's queries that its busiest node runs.
double busiest_node_share(const DatabaseSpec& d) {
  double shard = 1.0 / d.shards;
  if (d.hot_shard) shard = std::max(*d.hot_shard, (1 - *d.hot_shard) / std::max(1, d.shards - 1));
  if (d.shard_skew && d.shards > 1) shard = q::zipf(d.shards, d.shard_skew->zipf).front();
  // A leaderless store runs every query on each node of its shard.
  if (d.consistency) return shard;
  return shard / (1 + d.replicas);  // a rough split over the shard's nodes
}

/// Each node's share of a primary-and-replicas database's queries: the
/// shards' (even, a hot shard 0, or Zipf), each spread over the shard's nodes
/// (the rough split busiest_node_share takes too).
std::vector<double> node_shares(const DatabaseSpec& d) {
  const int n = std::max(1, d.shards);
  std::vector<double> shard(static_cast<std::size_t>(n), 1.0 / n);
  if (d.hot_shard && n > 1) {
    shard.assign(static_cast<std::size_t>(n), (1 - *d.hot_shard) / (n - 1));
    shard[0] = *d.hot_shard;
  }
  if (d.shard_skew && n > 1) shard = q::zipf(n, d.shard_skew->zipf);
  std::vector<double> out;
  for (const double p : shard)
    for (int r = 0; r <= d.replicas; ++r) out.push_back(p / (1 + d.replicas));
  return out;
}

/// The mean wait for a worker of an open station. Allen-Cunneen: the M/M/c
/// wait times (scv of the gaps + scv of service) / 2, with Cosmetatos's
/// correction below exponential service (queueing::ggc_wait); round robin over
/// single-worker replicas of exponential work: E_k/M/1, exact.
double Model::open_wait(std::size_t c, int replicas, int workers, double lambda, double mu,
                        double scv) const {
  const double ca = arrival_scv(c, replicas);
  if (ca < 1 && workers == 1 && std::abs(scv - 1) < 1e-9)
    return q::ekm1_response(replicas, lambda, mu) - 1 / mu;
  return q::ggc_wait(workers, lambda, mu, ca, std::min(scv, 10.0));
}

void Model::station(State& s, std::size_t c) const {
  const ComponentSpec& cs = spec_.components[c];
  int replicas = 1, workers = 0, partitions = 0;
  double share = 1;   // of the load on the busiest replica or node
  double copies = 1;  // nodes each visit runs on (a leaderless store's replication factor)
  std::optional<std::int64_t> queue;
  double scv = 1;
  if (const ServiceSpec* sv = cs.service()) {
    replicas = sv->replicas;
    workers = sv->workers;
    queue = sv->queue;
    scv = hold_scv(s, sv->steps);
  } else if (const CacheSpec* ca = cs.cache()) {
    workers = ca->workers;
    queue = ca->queue;
  } else if (const CdnSpec* cd = cs.cdn()) {
    workers = cd->workers;
  } else if (const DatabaseSpec* d = cs.database()) {
    replicas = cs.replica_count();
    workers = d->workers;
    share = busiest_node_share(*d) * replicas;
    if (d->consistency) copies = d->consistency->n;
  } else if (const QueueSpec* qs = cs.queue()) {
    workers = qs->consumers;
    if (workers == 0)
      if (const int t = spec_.find(qs->consumer); t >= 0)
        if (const ServiceSpec* sv = spec_.components[static_cast<std::size_t>(t)].service())
          workers = sv->replicas * sv->workers;
    partitions = qs->partitions;
    // A full queue that refuses publishes is M/M/c/K; one line only (the
    // partitions share the room).
    if (qs->capacity && qs->when_full == WhenFull::Reject && partitions == 0) queue = *qs->capacity;
  }
  s.wait[c] = 0;
  s.util[c] = 0;
  if (workers <= 0 || s.hold[c] <= 0) return;
  // Callers that cannot have more visits in flight than it has workers
  // never make it queue (one worker calling one: M/G/1 at the caller).
  const bool bounded = callers_concurrency(c) <= static_cast<double>(workers);
  const double lambda = s.admitted[c] / replicas * share;
  const double mu = 1 / s.hold[c];
  const ServiceSpec* sv = cs.service();
  if (sv && sv->queue_deadline && !queue) {
    // M/M/c+D (Baccelli and Hebuterne): a request whose offered wait V
    // reaches the deadline is shed when it reaches the head, after waiting
    // V, so the mean wait of all is E[min(V, D)] + P(V >= D) / (c mu).
    // Shedding keeps it stable however large the load.
    const q::PatienceResult r =
        q::mmc_patience(workers, s.offered[c] / replicas * share, mu, *sv->queue_deadline);
    s.reject[c] = r.abandon;
    s.wait[c] = r.mean_wait + r.abandon / (workers * mu);
    s.util[c] = r.utilization;
    return;
  }
  if (queue) {
    const q::LossResult r = q::mmck(workers, workers + static_cast<int>(*queue), s.offered[c] / replicas, mu);
    s.reject[c] = r.blocking;
    s.wait[c] = std::max(0.0, r.response - s.hold[c]);
    s.util[c] = r.utilization;
    return;
  }
  s.util[c] = s.admitted[c] * s.hold[c] * copies / (static_cast<double>(replicas) * workers);
  if (cs.queue()) return queue_wait(s, c, partitions, workers);
  if (lambda >= workers * mu) {
    s.overloaded = true;
    s.wait[c] = 0;  // unbounded; the caller's hold is left without it
    return;
  }
  s.wait[c] = bounded ? 0.0 : open_wait(c, replicas, workers, lambda, mu, scv);
  // A database's nodes take uneven shares (a hot shard): the mean over queries.
  if (const DatabaseSpec* d = cs.database(); d && !bounded && !d->consistency) {
    s.wait[c] = 0;
    for (const double p : node_shares(*d))
      s.wait[c] += p * open_wait(c, 1, workers, s.admitted[c] * p, mu, scv);
  }
  if (s.closed_wait[c] >= 0) s.wait[c] = s.closed_wait[c];  // a closed loop's own station: MVA
}

/// A message holds its consumer through all its deliveries: N visits V and,
/// after each failed one but the last, the redelivery delay d (the consumer
/// waits it out). N is truncated geometric in the visit's failure share p
/// (at most max_attempts), so S = V_1 + ... + V_N + (N - 1) d has
/// E[S] = E[N] E[V] + (E[N] - 1) d and
/// Var S = E[N] Var V + Var N (E[V] + d)^2 (a random sum). Taking a
/// delivery for the unit of service instead (rate x E[N], one visit each)
/// keeps the utilisation but not the wait: queue_dlq.yaml waited 96 ms in
/// check and 163 ms in the run, as P-K with this S gives.
Model::MessageService Model::message_service(const State& s, std::size_t c) const {
  const QueueSpec* qs = spec_.components[c].queue();
  const int t = spec_.find(qs->consumer);
  MessageService m;
  m.mean = s.hold[c];
  if (t < 0) return m;
  const auto u = static_cast<std::size_t>(t);
  const double p = std::clamp(s.visit_fail[u], 0.0, 1.0);
  const double v = 2 * latency(qs->latency) + s.hold[u];
  const ServiceSpec* sv = spec_.components[u].service();
  const double var_v = (sv ? hold_scv(s, sv->steps) : 1.0) * v * v;
  double en = 0, en2 = 0, pk = 1;  // pk = p^(k-1)
  const int most = std::max(1, qs->max_attempts);
  for (int k = 1; k <= most; ++k, pk *= p) {
    const double share = k < most ? pk * (1 - p) : pk;
    en += k * share;
    en2 += static_cast<double>(k) * k * share;
  }
  const double d = qs->redelivery_delay;
  m.deliveries = en;
  m.mean = en * v + (en - 1) * d;
  const double var = en * var_v + (en2 - en * en) * (v + d) * (v + d);
  m.scv = m.mean > 0 ? var / (m.mean * m.mean) : 1;
  return m;
}

/// The wait of a message for a consumer: per message (its deliveries are
/// one service, message_service), M/G/c by Allen-Cunneen on one shared
/// line, or per consumer when partitioned.
void Model::queue_wait(State& s, std::size_t c, int partitions, int consumers) const {
  const MessageService m = message_service(s, c);
  if (partitions > 0) return partitioned(s, c, partitions, consumers, m);
  const double lambda = s.admitted[c] / m.deliveries;
  if (m.mean <= 0) return;
  if (lambda * m.mean >= consumers) {
    s.overloaded = true;
    s.wait[c] = 0;  // unbounded; the caller's hold is left without it
    return;
  }
  const bool bounded = callers_concurrency(c) <= static_cast<double>(consumers);
  s.wait[c] = bounded ? 0.0 : open_wait(c, 1, consumers, lambda, 1 / m.mean, m.scv);
}

/// A partitioned queue: partition p is consumer (p mod n)'s alone, so each
/// consumer is an M/G/1 (P-K with the message's service) fed by its
/// partitions' share of the messages (keys spread evenly), not one M/M/n.
/// The wait is the messages' mean over the consumers.
void Model::partitioned(State& s, std::size_t c, int partitions, int consumers,
                        const MessageService& m) const {
  const int n = std::min(partitions, consumers);
  s.wait[c] = 0;
  for (int k = 0; k < n; ++k) {
    const double share = static_cast<double>(partitions / n + (k < partitions % n ? 1 : 0)) / partitions;
    const double lambda = s.admitted[c] / m.deliveries * share;
    if (lambda * m.mean >= 1) {
      s.overloaded = true;
      s.wait[c] = 0;
      return;
    }
    s.wait[c] += share * q::mg1_wait(lambda, m.mean, m.scv);
  }
}

void Model::sites(State& s, const std::vector<StepSpec>& steps) const {
  for (const StepSpec& st : steps) {
    if (st.kind == StepSpec::Kind::Call || st.kind == StepSpec::Kind::Async) {
      const int t = target(st);
      if (t < 0) continue;
      const auto c = static_cast<std::size_t>(t);
      const double r = 2 * latency(st.call.latency) + op_response(s, c, st.call.op);
      const double p = std::min(1.0, s.fail[c] + (st.call.timeout ? late(st, r, *st.call.timeout) : 0.0));
      double a = st.call.retry ? attempts(p, st.call.retry->max) : 1.0;
      if (st.call.hedge) a += late(st, r, *st.call.hedge);  // a second attempt when no reply by then
      s.attempts[&st] = a;
      // The call fails when its bulkhead is full or every attempt fails (and
      // no fallback catches it).
      const double full = full_share(s, st);
      s.site_fail[&st] = st.fallback.empty() && st.kind == StepSpec::Kind::Call
                             ? full + (1 - full) * std::pow(p, st.call.retry ? st.call.retry->max + 1 : 1)
                             : 0.0;
    }
    sites(s, st.steps);
    sites(s, st.on_miss);
    for (const StepSpec::Arm& arm : st.arms) sites(s, arm.steps);
  }
}

void Model::stations(State& s) const {
  s.overloaded = false;
  for (std::size_t c = 0; c < spec_.components.size(); ++c) {
    caches(s, c);
    station(s, c);
    if (const DatabaseSpec* d = spec_.components[c].database()) pools(s, c, *d);
    // A call its rate limit refuses fails at once, as one a full queue
    // turns away does (the caller's retries and visit failures count it).
    const double limited = s.arrivals[c] > 0 ? std::max(0.0, 1 - s.offered[c] / s.arrivals[c]) : 0.0;
    s.limited[c] = limited;
    s.fail[c] = std::min(1.0, limited + (1 - limited) * (s.reject[c] + s.abandon[c]));
  }
  for (std::size_t c = 0; c < spec_.components.size(); ++c) {
    const ServiceSpec* sv = spec_.components[c].service();
    if (!sv) continue;
    bulkheads(s, c);
    sites(s, sv->steps);
    double survive = 0;  // log P(every call of a visit succeeds)
    for_each_call(sv->steps, [&](const StepSpec& st, double times) {
      const auto it = s.site_fail.find(&st);
      // A site visited `times` times on average: a branch taken with
      // probability times < 1 fails times x p (not 1 - (1 - p)^times: a
      // branch of 25% to a call that always fails fails 25%, not 97%);
      // a repeat fails unless every call succeeds.
      if (it != s.site_fail.end() && it->second > 0)
        survive += times < 1 ? std::log1p(-times * std::min(it->second, 0.999999))
                             : times * std::log1p(-std::min(it->second, 0.999999));
    });
    s.visit_fail[c] = -std::expm1(survive);
  }
}

/// A replica's permits for a callee are a loss system: M/G/k/k, whose
/// blocking is Erlang B at the offered load (the calls it would have in
/// progress without the limit), whatever the calls' time distribution. A
/// call holds its permit for all its attempts.
void Model::bulkheads(State& s, std::size_t c) const {
  const ServiceSpec* sv = spec_.components[c].service();
  for (const BulkheadSpec& b : sv->bulkheads) {
    const auto each_site = [&](auto fn) {
      for_each_call(sv->steps, [&](const StepSpec& st, double times) {
        if (st.kind == StepSpec::Kind::Call && st.call.target == b.target) fn(st, times);
      });
    };
    double erlangs = 0;
    each_site(
        [&](const StepSpec& st, double times) { erlangs += s.admitted[c] * times * attempts_time(s, st); });
    const double full = q::erlang_b(b.permits, erlangs / std::max(1, sv->replicas));
    each_site([&](const StepSpec& st, double) { s.bulkhead_full[&st] = full; });
  }
}

/// Components joined to c by any edge of the call graph, c included.
std::vector<bool> connected(const ScenarioSpec& spec, const CallGraph& g, int c) {
  const std::size_t n = spec.components.size();
  std::vector<std::vector<int>> adj(n);
  const auto& G = g.graph();
  for (auto [e, end] = boost::edges(G); e != end; ++e) {
    const auto& a = G[boost::source(*e, G)];
    const auto& b = G[boost::target(*e, G)];
    if (a.traffic || b.traffic) continue;
    adj[static_cast<std::size_t>(a.index)].push_back(b.index);
    adj[static_cast<std::size_t>(b.index)].push_back(a.index);
  }
  std::vector<bool> seen(n, false);
  std::vector<int> todo{c};
  seen[static_cast<std::size_t>(c)] = true;
  while (!todo.empty()) {
    const int x = todo.back();
    todo.pop_back();
    for (int y : adj[static_cast<std::size_t>(x)])
      if (!seen[static_cast<std::size_t>(y)]) seen[static_cast<std::size_t>(y)] = true, todo.push_back(y);
  }
  return seen;
}

/// Marks c (and, with `spread`, every component joined to it) as having no estimate.
void no_estimate(Estimate& est, const ScenarioSpec& spec, const CallGraph& g, int c, const std::string& why,
                 bool spread) {
  const auto mark = [&](std::size_t i) {
    if (est.components[i].no_estimate.empty()) est.components[i].no_estimate = why;
  };
  if (!spread) return mark(static_cast<std::size_t>(c));
  const auto joined = connected(spec, g, c);
  for (std::size_t i = 0; i < joined.size(); ++i)
    if (joined[i]) mark(i);
}

/// Faults in the measured window other than spikes (which the multipliers count).
void fault_reasons(Estimate& est, const ScenarioSpec& spec, const CallGraph& g) {
  for (const FaultSpec& f : spec.faults) {
    if (f.kind == FaultSpec::Kind::Spike) continue;
    // Over before the measured window starts: a kill or slow-down with a
    // `for:`, a restart, a flush (the warm-up refills the cache).
    double end = kInf;
    if (f.duration) end = f.at + *f.duration;
    if (f.kind == FaultSpec::Kind::Restart) end = f.at + f.restart_time;
    if (f.kind == FaultSpec::Kind::Flush) end = f.at;
    if (end <= spec.warmup) continue;
    if (is_platform_fault(f.kind)) {
      // A host or a link changes under every component (and a component
      // may be named like a host): none has a steady state.
      for (std::size_t i = 0; i < est.components.size(); ++i)
        no_estimate(est, spec, g, static_cast<int>(i),
                    "the run has a fault of the platform (" + std::string(name_of(f.kind)) + " " + f.target +
                        " at " + format_duration(f.at) + "): capacity and delays change over the run",
                    false);
      continue;
    }
    const int c = spec.find(f.target);
    if (c < 0) continue;
    no_estimate(est, spec, g, c,
                "the run has a fault or action (" + std::string(name_of(f.kind)) + " " + f.target + " at " +
                    format_duration(f.at) + "): its load and capacity change over the run",
                true);
  }
}

/// A fan-out by followers whose pushes come mostly from rare authors: the
/// mean is right, but a run of minutes sees few of their posts (tens), so
/// its measured load is that count's luck. "" when the pushes are spread.
std::string rare_authors(const StepSpec::Followers& f) {
  const double mean = f.mean();
  for (const auto& [share, n] : f.shares)
    if (share < 0.05 && mean > 0 && share * f.batches(n) > 0.5 * mean)
      return fmt::format(
          "a fan-out by followers: {:.3g}% of the posts (authors with {:.0f} followers) make {:.3g}% of its "
          "pushes; a run sees few of them, so its load varies by their count (the mean is {:.1f} batches per "
          "post)",
          share * 100, n, share * f.batches(n) / mean * 100, mean);
  return "";
}

/// Features whose effect on one component has no closed form here.
void feature_reasons(Estimate& est, const ScenarioSpec& spec, const std::string& backend) {
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ComponentSpec& cs = spec.components[c];
    std::string& why = est.components[c].no_estimate;
    if (!est.components[c].reachable && why.empty()) why = "no traffic reaches it";
    const ServiceSpec* sv = cs.service();
    if (!sv || !why.empty()) continue;
    if (sv->autoscale) why = "autoscaled: its replicas follow the load";
    std::function<void(const std::vector<StepSpec>&)> scan = [&](const std::vector<StepSpec>& steps) {
      for (const StepSpec& st : steps) {
        if (st.kind == StepSpec::Kind::Parallel && st.steps.size() > 1 && why.empty())
          why =
              "a fan-out: its workers wait for the slowest (or k-th) of several replies, which has no closed "
              "form here";
        if (st.followers && why.empty()) why = rare_authors(*st.followers);
        scan(st.steps);
        scan(st.on_miss);
        for (const auto& a : st.arms) scan(a.steps);
      }
    };
    scan(sv->steps);
    // The queue that feeds it is as busy as its consumers: the same reason.
    for (std::size_t q = 0; q < spec.components.size() && !why.empty(); ++q)
      if (const QueueSpec* qs = spec.components[q].queue(); qs && qs->consumer == cs.name &&
                                                            est.components[q].no_estimate.empty() &&
                                                            why.rfind("a fan-out by followers", 0) == 0)
        est.components[q].no_estimate = why;
    if (backend == "simgrid" && spec.platform && why.empty())
      why =
          "on the simgrid backend with a platform, workers share cores and links: their time stretches with "
          "the load";
  }
}

/// Rate multipliers per traffic source: the time average over the
/// measured window and the peak over the run (profiles and spikes).
void multipliers(const ScenarioSpec& spec, Estimate& est, std::vector<double>& mean,
                 std::vector<double>& peak) {
  const std::size_t nt = spec.traffic.size();
  mean.assign(nt, 1.0);
  peak.assign(nt, 1.0);
  const int steps = 2000;
  for (std::size_t t = 0; t < nt; ++t) {
    const TrafficSpec& ts = spec.traffic[t];
    double sum = 0;
    for (int i = 0; i < steps; ++i)
      sum += multiplier_at(spec, ts, spec.warmup + (spec.duration - spec.warmup) * (i + 0.5) / steps);
    for (int i = 0; i <= steps; ++i)
      peak[t] = std::max(peak[t], multiplier_at(spec, ts, spec.duration * i / steps));
    mean[t] = spec.duration > spec.warmup ? sum / steps : 1.0;
    if (!ts.closed()) {
      est.peak_multiplier = std::max(est.peak_multiplier, peak[t]);
      est.mean_multiplier = mean[t];  // the last open source's (reported; each is used)
    }
  }
}

/// Workers across a component's replicas, as the run counts them (0: none or no limit).
double workers_of(const ScenarioSpec& spec, const ComponentSpec& cs) {
  if (const ServiceSpec* s = cs.service()) return static_cast<double>(s->replicas) * s->workers;
  if (const DatabaseSpec* d = cs.database()) return static_cast<double>(d->workers) * cs.replica_count();
  if (const CacheSpec* ca = cs.cache()) return ca->workers;
  if (const CdnSpec* cd = cs.cdn()) return cd->workers;
  if (const QueueSpec* qs = cs.queue()) {
    if (qs->consumers > 0) return qs->consumers;
    if (const int t = spec.find(qs->consumer); t >= 0)
      if (const ServiceSpec* sv = spec.components[static_cast<std::size_t>(t)].service())
        return static_cast<double>(sv->replicas) * sv->workers;
  }
  return 0;
}

/// One component's figures from the model at the base rate, the window's mean and the peak.
ComponentEstimate component_figures(const ScenarioSpec& spec, std::size_t c, double entry_rate,
                                    const Model::State& base, const Model::State& mean,
                                    const Model::State& peak) {
  const ComponentSpec& cs = spec.components[c];
  ComponentEstimate e;
  e.index = static_cast<int>(c);
  e.name = cs.name;
  e.arrivals = base.arrivals[c];
  e.mean_arrivals = mean.arrivals[c];
  e.visits = entry_rate > 0 ? e.arrivals / entry_rate : 0;
  e.hold = base.hold[c];
  e.wait = base.wait[c];
  e.capacity = workers_of(spec, cs);
  if (cs.cdn() || (cs.cache() && (cs.cache()->keyed() || cs.cache()->hit_ratio))) e.hit_ratio = mean.hit[c];
  if (const DatabaseSpec* d = cs.database(); d && d->pool) {
    e.pool_wait = base.pool_wait[c];
    e.pool_exhausted = base.abandon[c];
  }
  if (base.arrivals[c] > 0 && base.offered[c] < base.arrivals[c])
    e.rate_limited = 1 - base.offered[c] / base.arrivals[c];
  if (const ServiceSpec* sv = cs.service(); sv && !sv->bulkheads.empty()) {
    double kept = 0;  // log P(no call of a visit finds its bulkhead full)
    for_each_call(sv->steps, [&](const StepSpec& st, double times) {
      const auto it = base.bulkhead_full.find(&st);
      if (it != base.bulkhead_full.end()) kept += times * std::log1p(-std::min(it->second, 0.999999));
    });
    e.bulkhead_full = -std::expm1(kept);
  }
  if (base.reject[c] > 0) {
    const ServiceSpec* sv = cs.service();
    (sv && sv->queue_deadline && !sv->queue ? e.shed : e.rejected) = base.reject[c];
  }
  if (e.capacity > 0) {
    e.utilization = base.util[c];
    e.mean_utilization = mean.util[c];
    e.peak_utilization = peak.util[c];
    if (e.utilization > 0) e.saturation_rate = entry_rate / e.utilization;
  }
  return e;
}

/// Where the model stops at the peak: pools that run dry, workers over
/// 100% (queues, timeouts and retries feed back), warm entries that expire
/// together. Pools first: their overload is the cause of the rest.
void overload_reasons(Estimate& est, const ScenarioSpec& spec, const CallGraph& g, const Model::State& peak) {
  const std::size_t n = spec.components.size();
  for (std::size_t c = 0; c < n; ++c)
    if (peak.abandon[c] > 0.02 || peak.pool_load[c] >= 0.9)
      no_estimate(est, spec, g, static_cast<int>(c),
                  "overload: " + est.components[c].name + "'s connection pools are " +
                      fmt_percent(peak.pool_load[c]) +
                      " busy at the peak; waits, pool_exhausted failures and retries feed back",
                  true);
  for (std::size_t c = 0; c < n; ++c) {
    const ComponentEstimate& e = est.components[c];
    if (e.capacity > 0 && e.peak_utilization >= 0.98 && !peak.reject[c])
      no_estimate(est, spec, g, static_cast<int>(c),
                  "overload: " + e.name + " is at " + fmt_percent(e.peak_utilization) +
                      " at the peak; its queue grows, and timeouts and retries feed back (no closed form)",
                  true);
    const KeyedStoreSpec* st = store_of(spec.components[c]);
    if (st && st->warm > 0 && st->ttl && *st->ttl < spec.duration)
      no_estimate(est, spec, g, static_cast<int>(c),
                  "the warm entries of " + e.name + " all expire together at " + format_duration(*st->ttl) +
                      " (a stampede), not a steady state",
                  true);
  }
}

/// Scales every source's base rate until a component's workers are all
/// busy or a pool's queries start to give up (1%): the first limit.
std::optional<Estimate::Limit> first_limit(const ScenarioSpec& spec, const Model& model, const Estimate& est,
                                           const std::vector<bool>& reachable) {
  const std::size_t nt = spec.traffic.size();
  const auto limit = [&](double x) -> std::optional<Estimate::Limit> {
    const Model::State s = model.run(std::vector<double>(nt, x));
    // Requests offered (first tries; a closed loop's rate is what its users send).
    double entering = 0;
    for (std::size_t t = 0; t < nt; ++t)
      entering += spec.traffic[t].closed() ? s.source_rate[t] : spec.traffic[t].rate * x;
    std::optional<Estimate::Limit> best;
    for (std::size_t c = 0; c < spec.components.size(); ++c) {
      if (!reachable[c]) continue;
      if (est.components[c].capacity > 0 && s.util[c] >= 0.999)
        return Estimate::Limit{static_cast<int>(c), entering, "workers"};
      if (s.abandon[c] >= 0.01 && !best)
        best = Estimate::Limit{static_cast<int>(c), entering, "connection pool"};
    }
    return best;
  };
  double lo = 0, hi = 1;
  while (!limit(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > 1e6) return std::nullopt;
  }
  for (int i = 0; i < 10; ++i) {  // to within 2^(1/1024) of the limit
    const double mid = lo > 0 ? std::sqrt(lo * hi) : hi / 2;
    (limit(mid) ? hi : lo) = mid;
  }
  return limit(hi);
}

}  // namespace

/// A sliding window the chain does not solve (over 64 per window, or
/// offered over 4 times its rate) is taken at min(offered, rate): an upper
/// bound on what it admits, and the output says so.
void window_notes(const ScenarioSpec& spec, const Model::State& base, Estimate& est) {
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ComponentSpec& cs = spec.components[c];
    const std::optional<RateLimitSpec>* rl = nullptr;
    if (const ServiceSpec* sv = cs.service()) rl = &sv->rate_limit;
    if (const LoadBalancerSpec* lb = cs.load_balancer()) rl = &lb->rate_limit;
    if (!rl || !*rl || (*rl)->kind != RateLimitSpec::Kind::SlidingWindow) continue;
    const RateLimitSpec& r = **rl;
    if (base.arrivals[c] <= 0 || q::sliding_window_solved(base.arrivals[c], r.rate, r.window)) continue;
    est.notes.push_back(cs.name + "'s sliding window is taken to admit min(offered, rate) = " +
                        format_rate(std::min(base.arrivals[c], r.rate)) +
                        ", an upper bound (exact below 64 per window and 4 times its rate offered)");
  }
}

std::optional<Estimate> estimate(const ScenarioSpec& spec) {
  const CallGraph g(spec);
  const auto order = g.topological_order();
  if (!order) return std::nullopt;
  const std::size_t nt = spec.traffic.size();
  Estimate est;
  const Model model(spec, *order);
  std::vector<double> mean, peak;
  multipliers(spec, est, mean, peak);
  const Model::State at_base = model.run(std::vector<double>(nt, 1.0));
  const Model::State at_mean = model.run(mean);
  const Model::State at_peak = model.run(peak);
  // Requests offered: first tries (retries show as more visits per request).
  for (std::size_t t = 0; t < nt; ++t) {
    const TrafficSpec& ts = spec.traffic[t];
    est.entry_rate += ts.closed() ? at_base.source_rate[t] : ts.rate;
    est.source_rates.push_back(at_base.source_rate[t]);
    est.source_mean_rates.push_back(at_mean.source_rate[t]);
    if (ts.closed())
      est.notes.push_back("traffic '" + ts.name + "' is a closed loop: users / (think + response) = " +
                          format_rate(at_base.source_rate[t]) + " with the estimated response time");
    if (ts.closed() && ts.users > 1 && sampled_moments(ts.think).scv < 1e-9) {
      est.in_step = true;
      est.notes.push_back("traffic '" + ts.name + "' thinks a constant " + ts.think.str() +
                          ": its users start together and stay nearly in step, arriving in waves, so the "
                          "waits here (for arrivals spread out) can be far too short");
    }
  }
  window_notes(spec, at_base, est);
  const auto reachable = g.reachable_from_traffic();
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    est.components.push_back(component_figures(spec, c, est.entry_rate, at_base, at_mean, at_peak));
    est.components.back().reachable = reachable[c];
    if (est.components.back().capacity > 0) est.saturation_order.push_back(static_cast<int>(c));
  }
  std::stable_sort(est.saturation_order.begin(), est.saturation_order.end(), [&](int a, int b) {
    return est.components[static_cast<std::size_t>(a)].utilization >
           est.components[static_cast<std::size_t>(b)].utilization;
  });
  feature_reasons(est, spec, spec.backend);
  fault_reasons(est, spec, g);
  overload_reasons(est, spec, g, at_peak);
  est.first_limit = first_limit(spec, model, est, reachable);
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
        if (const int t = spec.find(name); t >= 0)
          replicas += spec.components[static_cast<std::size_t>(t)].replica_count();
      if (const int t = spec.find(lb->to); t >= 0)
        replicas += spec.components[static_cast<std::size_t>(t)].replica_count();
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
  // Kept ticks stop growing at the tick store's budget (archsim/ticks.hpp).
  if (keep_ticks)
    c.bytes += std::min(T * kBytesPerTick * static_cast<double>(spec.components.size() + 1),
                        static_cast<double>(TickStore::kDefaultBudget));
  return c;
}

}  // namespace archsim
