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

}  // namespace

Timeline synthetic_timeline(const SyntheticRun& run) {
  Lcg rng{run.seed * 0x9e3779b97f4a7c15ULL + 7};
  Timeline tl;
  TimelineHeader& h = tl.header;
  h.scenario = "synthetic-" + std::to_string(run.components);
  h.file = "synthetic";
  h.seed = run.seed;
  h.duration = run.duration;
  h.warmup = std::min(5.0, run.duration / 10);
  h.tick = 1;
  for (int s = 0; s < std::max(1, run.sources); ++s)
    h.sources.push_back(s == 0 ? "users" : "users-" + std::to_string(s + 1));

  const int n = std::max(3, run.components);
  const int lbs = n >= 25 ? 2 : 1;
  int services = std::max(1, static_cast<int>(std::lround(n * 0.45)));
  int caches = static_cast<int>(std::lround(n * 0.15));
  int queues = n >= 8 ? std::max(1, static_cast<int>(std::lround(n * 0.07))) : 0;
  int dbs = n - lbs - services - caches - queues;
  while (dbs < 1) {
    if (caches > 0) --caches;
    else if (services > 1) --services;
    ++dbs;
  }
  auto add = [&](std::string name, std::string kind, int replicas, int workers) {
    h.components.push_back({std::move(name), std::move(kind), replicas, workers, std::nullopt});
    return static_cast<int>(h.components.size()) - 1;
  };
  auto service_name = [&](int i) {
    const int k = static_cast<int>(std::size(kServices));
    return i < k ? std::string(kServices[i])
                 : std::string(kServices[i % k]) + "-" + std::to_string(i / k + 1);
  };
  std::vector<int> lb_ids, svc, cache, queue, db;
  lb_ids.push_back(add("edge", "load_balancer", 1, 0));
  if (lbs > 1) lb_ids.push_back(add("edge-2", "load_balancer", 1, 0));
  for (int i = 0; i < services; ++i)
    svc.push_back(add(service_name(i), "service", 1 + rng.below(6), 8 << rng.below(3)));
  for (int i = 0; i < queues; ++i)
    queue.push_back(add(i == 0 ? "events" : "events-" + std::to_string(i + 1), "queue", 1, 1));
  for (int i = 0; i < caches; ++i)
    cache.push_back(add(service_name(i) + "-cache", "cache", 1 + rng.below(3), 64));
  for (int i = 0; i < dbs; ++i) db.push_back(add(service_name(i) + "-db", "database", 1 + rng.below(3), 16));

  // Calls: sources -> balancers -> front services -> back services -> stores.
  struct Call {
    int from, to;
    double share;  // of the caller's arrivals
  };
  std::vector<Call> calls;
  for (int s = 0; s < static_cast<int>(h.sources.size()); ++s)
    calls.push_back(
        {-1 - s, lb_ids[s % lb_ids.size()], 1.0 / ((h.sources.size() + lb_ids.size() - 1) / lb_ids.size())});
  const int front = std::max(1, services / 3);
  for (int i = 0; i < front; ++i) calls.push_back({lb_ids[i % lb_ids.size()], svc[i], 1.0});
  for (int i = front; i < services; ++i) {
    // every back service has a caller in the front
    calls.push_back({svc[rng.below(front)], svc[i], 0.4 + 0.4 * rng.next()});
    if (rng.next() < 0.4 && i + 1 < services)
      calls.push_back({svc[i], svc[i + 1 + rng.below(services - i - 1)], 0.3});
  }
  for (int i = 0; i < caches; ++i) calls.push_back({svc[i % services], cache[i], 1.0});
  for (int i = 0; i < dbs; ++i) calls.push_back({svc[i % services], db[i], caches > i ? 0.15 : 0.6});
  for (int i = 0; i < queues; ++i) {
    calls.push_back({svc[(i * 3) % services], queue[i], 0.5});
    calls.push_back({queue[i], svc[services - 1 - (i % services)], 1.0});
  }
  for (const auto& c : calls) h.edges.push_back({c.from, c.to});

  const int C = static_cast<int>(h.components.size());
  std::vector<double> own(C, 0.003);  // seconds a visit spends here itself
  for (int c = 0; c < C; ++c) {
    const auto& k = h.components[c].kind;
    own[c] = k == "load_balancer" ? 0.0002
             : k == "cache"       ? 0.0005
             : k == "database"    ? 0.004
             : k == "queue"       ? 0.001
                                  : 0.003;
  }
  // Base arrivals per component for the capacity: one pass in index order
  // (calls only go to later components, and sources feed balancers first).
  auto flow = [&](double total, std::vector<double>& arrivals, std::vector<double>& edge_rate) {
    arrivals.assign(C, 0);
    edge_rate.assign(calls.size(), 0);
    const double per_source = total / h.sources.size();
    for (std::size_t e = 0; e < calls.size(); ++e)
      if (calls[e].from < 0) {
        edge_rate[e] = per_source;
        arrivals[calls[e].to] += per_source;
      }
    for (int c = 0; c < C; ++c)
      for (std::size_t e = 0; e < calls.size(); ++e)
        if (calls[e].from == c) {
          edge_rate[e] = arrivals[c] * calls[e].share;
          arrivals[calls[e].to] += edge_rate[e];
        }
  };
  std::vector<double> base_arr, base_edge;
  flow(run.rate, base_arr, base_edge);

  for (int t = 1; t <= static_cast<int>(std::lround(run.duration)); ++t) {
    const double m = 1 + 0.12 * std::sin(2 * M_PI * t / 20.0) + 0.04 * (rng.next() * 2 - 1);
    std::vector<double> arr, er;
    flow(run.rate * m, arr, er);
    const bool incident = run.failing >= 0 && run.failing < C && t > run.fail_from;
    // Failure share and latency, callee before caller.
    std::vector<double> fail(C, 0), lat(C, 0);
    for (int c = C - 1; c >= 0; --c) {
      lat[c] = own[c] * (incident && c == run.failing ? 25 : 1);
      double f = incident && c == run.failing ? run.fail_share : 0;
      for (std::size_t e = 0; e < calls.size(); ++e)
        if (calls[e].from == c) {
          lat[c] += std::min(1.0, calls[e].share) * lat[calls[e].to];
          f += std::min(1.0, calls[e].share) * fail[calls[e].to];
        }
      fail[c] = std::min(1.0, f);
    }
    Tick k;
    k.t = t;
    k.dt = 1;
    k.components.resize(C);
    for (std::size_t e = 0; e < calls.size(); ++e) {
      EdgeTick et;
      et.calls = static_cast<std::uint32_t>(std::lround(er[e]));
      et.failed = static_cast<std::uint32_t>(std::lround(et.calls * fail[calls[e].to]));
      et.p50 = lat[calls[e].to];
      et.p99 = lat[calls[e].to] * 4;
      k.edges.push_back(et);
      if (calls[e].from < 0) {
        k.started += et.calls;
        k.failed += et.failed;
        k.completed += et.calls - et.failed;
        k.p50 = std::max(k.p50, et.p50);
        k.p99 = std::max(k.p99, et.p99);
      }
    }
    if (k.failed) k.errors["timeout"] = k.failed;
    for (int c = 0; c < C; ++c) {
      ComponentTick& ct = k.components[c];
      ct.arrivals = static_cast<std::uint32_t>(std::lround(arr[c]));
      ct.failed = static_cast<std::uint32_t>(std::lround(arr[c] * fail[c]));
      ct.completed = ct.arrivals - std::min(ct.arrivals, ct.failed);
      const bool lb = h.components[c].kind == "load_balancer";
      ct.utilization = lb ? 0 : std::min(1.0, 0.65 * arr[c] / std::max(1e-9, base_arr[c]));
      if (incident && c == run.failing) {
        ct.utilization = 0.98;
        ct.queue = static_cast<std::uint32_t>(20 * (t - run.fail_from));
      }
      ct.in_flight = static_cast<std::uint32_t>(arr[c] * lat[c]) + ct.queue;
      ct.p50 = lat[c];
      ct.p99 = lat[c] * 4;
    }
    tl.ticks.push_back(std::move(k));
  }
  h.slo.push_back({SloSpec::Kind::LatencyP99, "latency_p99", 0.05, {}, {}});
  h.slo.push_back({SloSpec::Kind::ErrorRate, "error_rate", 0.01, {}, {}});
  return tl;
}

}  // namespace archsim::viz
