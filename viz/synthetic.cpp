#include "synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace archsim::viz {

namespace {

struct Lcg {
  std::uint64_t s;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) * 0x1.0p-53;
  }
  int below(int n) { return std::min(n - 1, static_cast<int>(next() * n)); }
};

const char* kServices[] = {"api",    "auth",     "feed",    "search",   "cart",    "checkout", "users",
                           "orders", "payments", "catalog", "reviews",  "notify",  "media",    "profile",
                           "ads",    "ranking",  "stock",   "shipping", "pricing", "session",  "billing",
                           "geo",    "recs",     "chat",    "email",    "social",  "stats",    "tags"};

/// A call of the made-up graph and the share of the caller's arrivals it takes.
struct Call {
  int from, to;
  double share;
};

/// synthetic_timeline in its steps: the components, the calls between
/// them, then one tick per second (the random numbers drawn in that order).
class SyntheticBuilder {
 public:
  SyntheticBuilder(const SyntheticRun& run, Timeline& tl)
      : run_(run), rng_{run.seed * 0x9e3779b97f4a7c15ULL + 7}, tl_(tl), h_(tl.header) {}

  void build() {
    header();
    components();
    wire();
    service_times();
    flow(run_.rate, base_arr_, base_edge_);
    for (int t = 1; t <= static_cast<int>(std::lround(run_.duration)); ++t) tick(t);
    h_.slo.push_back({SloSpec::Kind::LatencyP99, "latency_p99", 0.05, {}, {}});
    h_.slo.push_back({SloSpec::Kind::ErrorRate, "error_rate", 0.01, {}, {}});
  }

 private:
  void header() {
    h_.scenario = "synthetic-" + std::to_string(run_.components);
    h_.file = "synthetic";
    h_.seed = run_.seed;
    h_.duration = run_.duration;
    h_.warmup = std::min(5.0, run_.duration / 10);
    h_.tick = 1;
    for (int s = 0; s < std::max(1, run_.sources); ++s)
      h_.sources.push_back(s == 0 ? "users" : "users-" + std::to_string(s + 1));
  }

  int add(std::string name, std::string kind, int replicas, int workers) {
    h_.components.push_back({std::move(name), std::move(kind), replicas, workers, std::nullopt});
    return static_cast<int>(h_.components.size()) - 1;
  }

  static std::string service_name(int i) {
    const int k = static_cast<int>(std::size(kServices));
    return i < k ? std::string(kServices[i])
                 : std::string(kServices[i % k]) + "-" + std::to_string(i / k + 1);
  }

  /// Balancers, services, queues, caches and databases in about the shares of a real system.
  void components() {
    const int n = std::max(3, run_.components);
    const int lbs = n >= 25 ? 2 : 1;
    services_ = std::max(1, static_cast<int>(std::lround(n * 0.45)));
    caches_ = static_cast<int>(std::lround(n * 0.15));
    queues_ = n >= 8 ? std::max(1, static_cast<int>(std::lround(n * 0.07))) : 0;
    dbs_ = n - lbs - services_ - caches_ - queues_;
    while (dbs_ < 1) {
      if (caches_ > 0) --caches_;
      else if (services_ > 1) --services_;
      ++dbs_;
    }
    lb_ids_.push_back(add("edge", "load_balancer", 1, 0));
    if (lbs > 1) lb_ids_.push_back(add("edge-2", "load_balancer", 1, 0));
    for (int i = 0; i < services_; ++i)
      svc_.push_back(add(service_name(i), "service", 1 + rng_.below(6), 8 << rng_.below(3)));
    for (int i = 0; i < queues_; ++i)
      queue_.push_back(add(i == 0 ? "events" : "events-" + std::to_string(i + 1), "queue", 1, 1));
    for (int i = 0; i < caches_; ++i)
      cache_.push_back(add(service_name(i) + "-cache", "cache", 1 + rng_.below(3), 64));
    for (int i = 0; i < dbs_; ++i)
      db_.push_back(add(service_name(i) + "-db", "database", 1 + rng_.below(3), 16));
    C_ = static_cast<int>(h_.components.size());
  }

  /// Calls: sources -> balancers -> front services -> back services -> stores.
  void wire() {
    const auto& lbs = lb_ids_;
    for (int s = 0; s < static_cast<int>(h_.sources.size()); ++s)
      calls_.push_back(
          {-1 - s, lbs[s % lbs.size()], 1.0 / ((h_.sources.size() + lbs.size() - 1) / lbs.size())});
    const int front = std::max(1, services_ / 3);
    for (int i = 0; i < front; ++i) calls_.push_back({lbs[i % lbs.size()], svc_[i], 1.0});
    for (int i = front; i < services_; ++i) {
      // every back service has a caller in the front
      calls_.push_back({svc_[rng_.below(front)], svc_[i], 0.4 + 0.4 * rng_.next()});
      if (rng_.next() < 0.4 && i + 1 < services_)
        calls_.push_back({svc_[i], svc_[i + 1 + rng_.below(services_ - i - 1)], 0.3});
    }
    for (int i = 0; i < caches_; ++i) calls_.push_back({svc_[i % services_], cache_[i], 1.0});
    for (int i = 0; i < dbs_; ++i) calls_.push_back({svc_[i % services_], db_[i], caches_ > i ? 0.15 : 0.6});
    for (int i = 0; i < queues_; ++i) {
      calls_.push_back({svc_[(i * 3) % services_], queue_[i], 0.5});
      calls_.push_back({queue_[i], svc_[services_ - 1 - (i % services_)], 1.0});
    }
    for (const auto& c : calls_) h_.edges.push_back({c.from, c.to});
  }

  /// Seconds a visit spends at each component itself.
  void service_times() {
    own_.assign(C_, 0.003);
    for (int c = 0; c < C_; ++c) {
      const auto& k = h_.components[c].kind;
      own_[c] = k == "load_balancer" ? 0.0002
                : k == "cache"       ? 0.0005
                : k == "database"    ? 0.004
                : k == "queue"       ? 0.001
                                     : 0.003;
    }
  }

  /// Arrivals per component and calls per edge for `total` requests/s: one
  /// pass in index order (calls only go to later components, and sources
  /// feed balancers first).
  void flow(double total, std::vector<double>& arrivals, std::vector<double>& edge_rate) const {
    arrivals.assign(C_, 0);
    edge_rate.assign(calls_.size(), 0);
    const double per_source = total / h_.sources.size();
    for (std::size_t e = 0; e < calls_.size(); ++e)
      if (calls_[e].from < 0) {
        edge_rate[e] = per_source;
        arrivals[calls_[e].to] += per_source;
      }
    for (int c = 0; c < C_; ++c)
      for (std::size_t e = 0; e < calls_.size(); ++e)
        if (calls_[e].from == c) {
          edge_rate[e] = arrivals[c] * calls_[e].share;
          arrivals[calls_[e].to] += edge_rate[e];
        }
  }

  /// Failure share and latency of each component, callee before caller.
  void failures(bool incident, std::vector<double>& fail, std::vector<double>& lat) const {
    fail.assign(C_, 0);
    lat.assign(C_, 0);
    for (int c = C_ - 1; c >= 0; --c) {
      lat[c] = own_[c] * (incident && c == run_.failing ? 25 : 1);
      double f = incident && c == run_.failing ? run_.fail_share : 0;
      for (std::size_t e = 0; e < calls_.size(); ++e)
        if (calls_[e].from == c) {
          lat[c] += std::min(1.0, calls_[e].share) * lat[calls_[e].to];
          f += std::min(1.0, calls_[e].share) * fail[calls_[e].to];
        }
      fail[c] = std::min(1.0, f);
    }
  }

  void tick(int t) {
    const double m = 1 + 0.12 * std::sin(2 * M_PI * t / 20.0) + 0.04 * (rng_.next() * 2 - 1);
    std::vector<double> arr, er, fail, lat;
    flow(run_.rate * m, arr, er);
    const bool incident = run_.failing >= 0 && run_.failing < C_ && t > run_.fail_from;
    failures(incident, fail, lat);
    Tick k;
    k.t = t;
    k.dt = 1;
    k.components.resize(C_);
    for (std::size_t e = 0; e < calls_.size(); ++e) {
      EdgeTick et;
      et.calls = static_cast<std::uint32_t>(std::lround(er[e]));
      et.failed = static_cast<std::uint32_t>(std::lround(et.calls * fail[calls_[e].to]));
      et.p50 = lat[calls_[e].to];
      et.p99 = lat[calls_[e].to] * 4;
      k.edges.push_back(et);
      if (calls_[e].from < 0) {
        k.started += et.calls;
        k.failed += et.failed;
        k.completed += et.calls - et.failed;
        k.p50 = std::max(k.p50, et.p50);
        k.p99 = std::max(k.p99, et.p99);
      }
    }
    if (k.failed) k.errors["timeout"] = k.failed;
    for (int c = 0; c < C_; ++c) component_tick(k.components[c], c, t, incident, arr[c], fail[c], lat[c]);
    tl_.ticks.push_back(std::move(k));
  }

  void component_tick(ComponentTick& ct, int c, int t, bool incident, double arr, double fail,
                      double lat) const {
    ct.arrivals = static_cast<std::uint32_t>(std::lround(arr));
    ct.failed = static_cast<std::uint32_t>(std::lround(arr * fail));
    ct.completed = ct.arrivals - std::min(ct.arrivals, ct.failed);
    const bool lb = h_.components[c].kind == "load_balancer";
    ct.utilization = lb ? 0 : std::min(1.0, 0.65 * arr / std::max(1e-9, base_arr_[c]));
    if (incident && c == run_.failing) {
      ct.utilization = 0.98;
      ct.queue = static_cast<std::uint32_t>(20 * (t - run_.fail_from));
    }
    ct.in_flight = static_cast<std::uint32_t>(arr * lat) + ct.queue;
    ct.p50 = lat;
    ct.p99 = lat * 4;
  }

  const SyntheticRun& run_;
  Lcg rng_;
  Timeline& tl_;
  TimelineHeader& h_;
  int services_ = 0, caches_ = 0, queues_ = 0, dbs_ = 0, C_ = 0;
  std::vector<int> lb_ids_, svc_, cache_, queue_, db_;
  std::vector<Call> calls_;
  std::vector<double> own_, base_arr_, base_edge_;
};

}  // namespace

Timeline synthetic_timeline(const SyntheticRun& run) {
  Timeline tl;
  SyntheticBuilder(run, tl).build();
  return tl;
}

}  // namespace archsim::viz
