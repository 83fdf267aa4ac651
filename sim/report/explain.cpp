#include "report/explain.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "analysis/call_graph.hpp"
#include "archsim/figures.hpp"
#include "archsim/output.hpp"
#include "archsim/platform.hpp"
#include "spec/kinds.hpp"

namespace archsim::report {

namespace {

// A tick whose utilisation reaches this is "flat out"; a component is
// saturated when it stays so for kMinRun seconds in a row (one busy second
// happens by chance at 90% load; three in a row do not, in practice).
constexpr double kBusy = 0.97;
constexpr double kMinRun = 3.0;
// Arrival rates of a saturated component are taken over its first seconds saturated.
constexpr double kOnset = 30.0;

std::string percent(double x) {
  if (x >= 0.995 && x < 1) return "99%";
  if (x > 0 && x < 0.01) return "<1%";
  return fmt::format("{:.0f}%", x * 100);
}

std::string count_words(double n) {
  return human_count(static_cast<std::uint64_t>(std::llround(std::max(0.0, n))));
}

/// "32 workers", "4 replicas x 64 workers".
std::string shape(const ComponentResult& c) {
  if (c.replicas <= 1) return fmt::format("{} worker{}", c.workers, c.workers == 1 ? "" : "s");
  return fmt::format("{} replicas x {} workers", c.replicas, c.workers);
}

/// Every call target of a list of steps, nested ones included.
void call_targets(const std::vector<StepSpec>& steps, std::vector<std::string>& out) {
  for (const StepSpec& s : steps) {
    if (s.kind == StepSpec::Kind::Call || s.kind == StepSpec::Kind::Async) out.push_back(s.call.target);
    call_targets(s.steps, out);
    call_targets(s.on_miss, out);
    call_targets(s.fallback, out);
    for (const auto& a : s.arms) call_targets(a.steps, out);
  }
}

/// callees[i]: the components component i calls (or a balancer spreads over).
std::vector<std::vector<int>> callees_of(const ScenarioSpec& spec) {
  std::vector<std::vector<int>> out(spec.components.size());
  for (std::size_t i = 0; i < spec.components.size(); ++i) {
    const ComponentSpec& c = spec.components[i];
    std::vector<std::string> names;
    if (const ServiceSpec* s = c.service()) call_targets(s->steps, names);
    if (const LoadBalancerSpec* lb = c.load_balancer()) names.push_back(lb->to);
    for (const std::string& n : names) {
      const int j = spec.find(n);
      if (j >= 0 && std::find(out[i].begin(), out[i].end(), j) == out[i].end()) out[i].push_back(j);
    }
  }
  return out;
}

bool reaches(const std::vector<std::vector<int>>& callees, int from, int to) {
  std::vector<char> seen(callees.size(), 0);
  std::function<bool(int)> go = [&](int i) {
    if (i == to) return true;
    if (seen[static_cast<std::size_t>(i)]) return false;
    seen[static_cast<std::size_t>(i)] = 1;
    for (int j : callees[static_cast<std::size_t>(i)])
      if (go(j)) return true;
    return false;
  };
  for (int j : callees[static_cast<std::size_t>(from)])
    if (go(j)) return true;
  return false;
}

double tick_start(const Tick& t) { return t.t - t.dt; }

/// The value of an SLO's metric over one tick, or nullopt when the tick
/// says nothing about it (no request finished).
std::optional<double> tick_metric(SloSpec::Kind k, const Tick& t) {
  using K = SloSpec::Kind;
  const double done = static_cast<double>(t.completed) + t.failed;
  switch (k) {
    case K::LatencyP50:
    case K::LatencyMean:
      if (t.completed == 0) return std::nullopt;
      return t.p50;
    case K::LatencyP90:
    case K::LatencyP99:
    case K::LatencyP999:
      if (t.completed == 0) return std::nullopt;
      return t.p99;
    case K::ErrorRate:
      if (done == 0) return std::nullopt;
      return t.failed / done;
    case K::ThroughputMin: return t.dt > 0 ? t.completed / t.dt : 0.0;
    default:  // correctness and availability: counted over the run, not per tick
      return std::nullopt;
  }
  return std::nullopt;
}

std::string slo_value(SloSpec::Kind k, double v) {
  if (k == SloSpec::Kind::ThroughputMin) return rate_words(v) + " req/s";
  return slo_text(std::string(name_of(k)), v);
}

/// "p99" for latency_p99 in sentences.
std::string slo_short(const std::string& key) {
  if (key.rfind("latency_", 0) == 0) return key.substr(8) == "p999" ? "p99.9" : key.substr(8);
  if (key == "error_rate") return "the error rate";
  if (key == "throughput_min") return "throughput";
  return key;
}

SloBreak find_break(const SloSpec& s, const std::vector<Tick>& ticks, double warmup) {
  SloBreak b;
  b.slo = s.key;
  const bool higher = s.kind == SloSpec::Kind::ThroughputMin;
  auto bad = [&](double v) { return higher ? v < s.target : v > s.target; };
  double run_start = -1, run_len = 0, first_bad = -1;
  bool worst_set = false;
  for (const Tick& t : ticks) {
    if (t.t <= warmup) continue;
    const auto v = tick_metric(s.kind, t);
    if (!v) continue;
    if (!worst_set || (higher ? *v < b.worst : *v > b.worst)) {
      b.worst = *v;
      b.worst_at = tick_start(t);
      worst_set = true;
    }
    if (bad(*v)) {
      if (first_bad < 0) first_bad = tick_start(t);
      if (run_start < 0) run_start = tick_start(t), run_len = 0;
      run_len += t.dt;
      if (run_len >= kMinRun && !b.timed) {
        b.timed = true;
        b.at = run_start;
      }
    } else {
      run_start = -1;
    }
  }
  if (!b.timed && first_bad >= 0) {
    b.timed = true;
    b.at = first_bad;
  }
  return b;
}

/// A figure of a component's tick, or -1 when it has none by that name.
double figure(const ComponentTick& c, std::string_view name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  return -1;
}

/// Stretches of kMinRun seconds or more at kBusy utilisation or above (or,
/// with `pool`, with requests waiting for a database connection).
std::optional<Saturation> find_saturation(int i, const std::vector<Tick>& ticks, const ComponentResult& c,
                                          bool pool) {
  Saturation s;
  s.component = i;
  s.name = c.name;
  s.pool = pool;
  bool found = false;
  double served = 0, offered = 0;
  const auto ui = static_cast<std::size_t>(i);
  const auto flat_out = [&](const Tick& t) {
    if (t.components.size() <= ui) return false;
    if (pool) return figure(t.components[ui], "pool_waiting") > 0;
    // A queue whose consumers all hold a message and processed none is
    // blocked by failing deliveries (redelivered after a delay), not short
    // of consumers: what fails is behind it.
    if (c.kind == ComponentKind::Queue && figure(t.components[ui], "processed") == 0) return false;
    return t.components[ui].utilization >= kBusy;
  };
  std::size_t k = 0;
  while (k < ticks.size()) {
    if (!flat_out(ticks[k])) {
      ++k;
      continue;
    }
    std::size_t e = k;
    double len = 0;
    while (e < ticks.size() && flat_out(ticks[e])) len += ticks[e++].dt;
    if (len >= kMinRun) {
      if (!found) {
        s.at = tick_start(ticks[k]);
        // The rates at its onset, before a long stretch's drain averages them away.
        double span = 0, entered = 0, arrived_then = 0;
        for (std::size_t q = k; q < e && span < kOnset; ++q)
          span += ticks[q].dt, entered += ticks[q].started, arrived_then += ticks[q].components[ui].arrivals;
        s.onset_s = span;
        s.onset_entering_rps = entered / span;
        s.onset_arrived_rps = arrived_then / span;
      }
      found = true;
      s.until = ticks[e - 1].t;
      s.at_end = e == ticks.size();
      s.seconds += len;
      for (std::size_t q = k; q < e; ++q) {
        // A queue serves what its consumers processed (an outbox's rows are no visits).
        served += c.kind == ComponentKind::Queue ? figure(ticks[q].components[ui], "processed")
                                                 : ticks[q].components[ui].completed;
        offered += ticks[q].started;
      }
    }
    k = e;
  }
  if (!found) return std::nullopt;
  s.served_rps = served / s.seconds;
  s.offered_rps = offered / s.seconds;
  for (const Tick& t : ticks) {
    if (t.components.size() <= ui) continue;
    const double q = pool ? figure(t.components[ui], "pool_waiting") : t.components[ui].queue;
    if (q > s.queue_peak) {
      s.queue_peak = q;
      s.queue_peak_at = t.t;
    }
  }
  return s;
}

/// What a platform link joins, in words.
std::string link_joins(const PlatformMap& m, const PlatformMap::Link& l) {
  const auto at = [](const std::vector<std::string>& v, int i) { return v[static_cast<std::size_t>(i)]; };
  switch (l.joins) {
    case PlatformMap::Joins::Host: return m.hosts[static_cast<std::size_t>(l.a)].name + "'s link";
    case PlatformMap::Joins::Zones: return at(m.regions, l.a) + "'s zones";
    case PlatformMap::Joins::Regions: return at(m.regions, l.a) + " to " + at(m.regions, l.b);
  }
  return "";
}

/// Links that stayed at kBusy of their bandwidth or more for kMinRun seconds
/// in a row (the ticks' link_util), in the order they first did.
std::vector<LinkSaturation> link_saturations(const ScenarioSpec& spec, const std::vector<Tick>& ticks) {
  std::vector<LinkSaturation> out;
  const std::optional<PlatformMap> m = platform_map(spec);
  if (!m) return out;
  for (std::size_t l = 0; l < m->links.size(); ++l) {
    const PlatformMap::Link& pl = m->links[l];
    LinkSaturation s{static_cast<int>(l), pl.name, link_joins(*m, pl), pl.bandwidth};
    const auto busy = [&](const Tick& t) { return t.link_util.size() > l && t.link_util[l] >= kBusy; };
    for (std::size_t k = 0; k < ticks.size();) {
      std::size_t e = k;
      double len = 0;
      while (e < ticks.size() && busy(ticks[e])) len += ticks[e++].dt;
      if (len >= kMinRun) {
        if (s.seconds == 0) s.at = tick_start(ticks[k]);
        s.seconds += len;
        for (std::size_t q = k; q < e; ++q)
          if (ticks[q].link_util[l] > s.peak) s.peak = ticks[q].link_util[l], s.peak_at = ticks[q].t;
      }
      k = e > k ? e : k + 1;
    }
    if (s.seconds > 0) out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const LinkSaturation& a, const LinkSaturation& b) { return a.at < b.at; });
  return out;
}

/// Whether component c's calls (to its callees, or its callers' to it)
/// cross platform link `link`: then its workers wait on the link's transfers.
bool waits_on_link(const ScenarioSpec& spec, const std::vector<std::vector<int>>& callees, int c, int link) {
  const std::optional<PlatformMap> m = platform_map(spec);
  if (!m || c < 0) return false;
  const auto crosses = [&](int a, int b) {
    if (static_cast<std::size_t>(a) >= m->replica_host.size() ||
        static_cast<std::size_t>(b) >= m->replica_host.size())
      return false;
    for (int ha : m->replica_host[static_cast<std::size_t>(a)])
      for (int hb : m->replica_host[static_cast<std::size_t>(b)]) {
        const std::vector<int> ls = links_between(*m, ha, hb);
        if (std::find(ls.begin(), ls.end(), link) != ls.end()) return true;
      }
    return false;
  };
  for (std::size_t i = 0; i < callees.size(); ++i)
    for (int j : callees[i])
      if ((static_cast<int>(i) == c || j == c) && crosses(static_cast<int>(i), j)) return true;
  return false;
}

/// Whether the first saturated link, rather than the first saturated
/// component, is the root cause: which came first, and which waits on which.
bool link_is_root(const ScenarioSpec& spec, const std::vector<std::vector<int>>& callees,
                  const Explanation& x) {
  if (x.saturated_links.empty()) return false;
  if (x.saturated.empty()) return true;
  const LinkSaturation& l = x.saturated_links.front();
  const Saturation& s = x.saturated.front();
  if (l.at <= s.at) return true;  // the link came first (a tie: the component behind it queues for it)
  return l.at <= s.at + kMinRun && waits_on_link(spec, callees, s.component, l.link);
}

/// "8 connections per api replica, acquire timeout 500 ms"
std::string pool_words(const ScenarioSpec& spec, const Saturation& s) {
  const DatabaseSpec* db = spec.components[static_cast<std::size_t>(s.component)].database();
  if (!db || !db->pool) return "";
  return fmt::format("{} connection{} per caller replica, acquire timeout {}", *db->pool,
                     *db->pool == 1 ? "" : "s", human_duration(db->acquire_timeout));
}

/// When the offered load is back to its base level after the last change
/// of a traffic profile (the end of a spike), or -1.
double load_back_at(const ScenarioSpec& spec) {
  double back = -1;
  for (const TrafficSpec& t : spec.traffic) {
    if (t.profile.empty()) continue;
    const ProfilePoint& last = t.profile.back();
    if (last.x <= 1.0 + 1e-9 && t.profile.size() > 1) back = std::max(back, last.at + last.ramp);
  }
  return back;
}

std::vector<ErrorSource> error_sources(const ScenarioSpec& spec, const RunResult& r,
                                       const std::vector<Tick>& ticks, const std::vector<EdgeInfo>& edges) {
  std::vector<ErrorSource> out;
  if (r.failed == 0) return out;
  const double failed = static_cast<double>(r.failed);
  // Failed calls per edge, over the whole run: where a component's timeouts point.
  std::vector<std::uint64_t> edge_failed(edges.size(), 0);
  for (const Tick& t : ticks)
    for (std::size_t e = 0; e < t.edges.size() && e < edges.size(); ++e) edge_failed[e] += t.edges[e].failed;
  auto gave_up_on = [&](int comp) -> std::string {
    std::uint64_t best = 0;
    std::string name;
    for (std::size_t e = 0; e < edges.size(); ++e)
      if (edges[e].from == comp && edge_failed[e] > best && edges[e].to >= 0 &&
          edges[e].to < static_cast<int>(spec.components.size())) {
        best = edge_failed[e];
        name = spec.components[static_cast<std::size_t>(edges[e].to)].name;
      }
    return name;
  };
  for (const auto& [kind, n] : r.errors) {
    const double kind_share = static_cast<double>(n) / failed;
    std::uint64_t at_components = 0;
    for (const ComponentResult& c : r.components)
      if (auto it = c.errors.find(kind); it != c.errors.end()) at_components += it->second;
    // A client's own timeouts are the only errors no component records.
    const double client =
        kind == "timeout" && n > at_components ? static_cast<double>(n - at_components) : 0.0;
    const double comp_total = static_cast<double>(n) - client;
    if (client > 0) {
      ErrorSource s;
      s.kind = kind;
      s.at_client = true;
      if (spec.traffic.size() == 1) s.origin = spec.traffic[0].name;
      s.share = client / failed;
      out.push_back(s);
    }
    for (std::size_t i = 0; i < r.components.size(); ++i) {
      const ComponentResult& c = r.components[i];
      auto it = c.errors.find(kind);
      if (it == c.errors.end() || it->second == 0 || at_components == 0) continue;
      ErrorSource s;
      s.kind = kind;
      s.origin = c.name;
      if (kind == "timeout") s.waiting_for = gave_up_on(static_cast<int>(i));
      s.share = comp_total / failed * static_cast<double>(it->second) / static_cast<double>(at_components);
      out.push_back(s);
    }
    if (at_components == 0 && client == 0) {
      ErrorSource s;
      s.kind = kind;
      s.share = kind_share;
      out.push_back(s);
    }
  }
  for (ErrorSource& s : out) s.count = static_cast<std::uint64_t>(std::llround(s.share * failed));
  std::stable_sort(out.begin(), out.end(),
                   [](const ErrorSource& a, const ErrorSource& b) { return a.share > b.share; });
  return out;
}

/// "timeouts at the client (shoppers give up after 2 s)"
std::string error_words(const ErrorSource& e, const ScenarioSpec& spec) {
  std::string kind = e.kind == "timeout" ? "timeouts" : e.kind == "rejected" ? "rejections" : e.kind;
  if (e.at_client) {
    std::string who = e.origin.empty() ? "the clients" : "the client " + e.origin;
    std::string patience;
    if (spec.traffic.size() == 1 && spec.traffic[0].timeout)
      patience = fmt::format(" (they give up after {})", human_duration(*spec.traffic[0].timeout));
    return fmt::format("{} at {}{}", kind, who, patience);
  }
  if (e.origin.empty()) return kind;
  std::string where = e.origin;
  if (!e.waiting_for.empty()) where += " waiting for " + e.waiting_for;
  std::string why;
  if (e.kind == "rejected") {
    const int i = spec.find(e.origin);
    if (i >= 0)
      if (const ServiceSpec* s = spec.components[static_cast<std::size_t>(i)].service(); s && s->queue)
        why = fmt::format(" (queue full: {} per replica)", *s->queue);
  }
  return fmt::format("{} at {}{}", kind, where, why);
}

}  // namespace

std::vector<FaultMark> faults_of(const RunResult& r) {
  std::vector<FaultMark> out;
  // The marks still open (no end yet) by their "what target", latest last:
  // an "over" note ends the latest, in n log n however many there are.
  std::map<std::string, std::vector<std::size_t>> open;
  for (const Note& n : r.notes) {
    if (n.kind != "fault" && n.kind != "action") continue;
    const std::string key = n.what + " " + n.target;
    if (n.detail == "over") {
      // The end of an earlier entry with a `for:`.
      auto it = open.find(key);
      if (it != open.end() && !it->second.empty()) {
        out[it->second.back()].until = n.t;
        it->second.pop_back();
      }
      continue;
    }
    open[key].push_back(out.size());
    out.push_back(FaultMark{
        n.t, -1, fmt::format("{} {}{}", n.what, n.target, n.detail.empty() ? "" : ": " + n.detail)});
  }
  return out;
}

std::string clock(double s) {
  if (s < 0) return "-" + clock(-s);
  const auto total = static_cast<long long>(std::llround(s));
  if (std::abs(s - std::round(s)) > 0.05 && s < 60) return fmt::format("{:.1f}s", s);
  const long long h = total / 3600, m = (total % 3600) / 60, sec = total % 60;
  if (h > 0) return sec ? fmt::format("{}h{:02}m{:02}s", h, m, sec) : fmt::format("{}h{:02}m", h, m);
  if (m > 0) return sec ? fmt::format("{}m{:02}s", m, sec) : fmt::format("{}m", m);
  return fmt::format("{}s", sec);
}

std::string rate_words(double v) {
  if (v >= 100) return count_words(v);
  if (v >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.3g}", v);
}

namespace {

// A fault or action is said to have moved a figure only when the figure
// moved within this many seconds after it; later changes are not its doing
// as far as the run can show.
constexpr double kEffectWindow = 30.0;

/// Everything the finding producers read: the run and what earlier steps derived.
struct Run {
  const ScenarioSpec& spec;
  const RunResult& r;
  const std::vector<Tick>& ticks;
  const std::vector<EdgeInfo>& edges;
  const std::vector<FaultMark>& faults;
  std::vector<std::vector<int>> callees;
  std::size_t n = 0;  ///< components in both the spec and the result
  const Saturation* root = nullptr;
  int upstream = -1;  ///< the queue that grew because its workers wait on the root
  double upstream_peak = 0, upstream_peak_at = 0;
  std::optional<Finding> time_goes;  ///< where a slow request's time goes
  std::optional<Cause> cause;        ///< where the time went or the stall began, when not the root itself
};

Finding finding(std::string kind, std::string component, double at, std::string text,
                std::vector<Figure> evidence) {
  return Finding{std::move(kind), std::move(component), at, std::move(text), std::move(evidence)};
}

std::vector<Saturation> saturations(const Run& run) {
  std::vector<Saturation> out;
  for (std::size_t i = 0; i < run.n; ++i) {
    std::optional<Saturation> s;
    if (const DatabaseSpec* db = run.spec.components[i].database(); db && db->pool)
      s = find_saturation(static_cast<int>(i), run.ticks, run.r.components[i], true);
    // A pool with more connections than the database has workers runs dry
    // because its connections wait in the database's line: when the workers
    // were flat out by then, they are the limit, not the pool.
    if (run.r.components[i].workers > 0)
      if (auto w = find_saturation(static_cast<int>(i), run.ticks, run.r.components[i], false);
          w && (!s || w->at <= s->at + kMinRun))
        s = w;
    if (s) out.push_back(*s);
  }
  // The root cause first: earliest, and of two that saturated within the
  // same few seconds the one the other calls (it waits on it).
  std::stable_sort(out.begin(), out.end(), [&](const Saturation& a, const Saturation& b) {
    if (std::abs(a.at - b.at) <= kMinRun) {
      if (reaches(run.callees, b.component, a.component)) return true;
      if (reaches(run.callees, a.component, b.component)) return false;
    }
    return a.at < b.at;
  });
  return out;
}

void find_busiest(const Run& run, Explanation& x) {
  for (std::size_t i = 0; i < run.n; ++i) {
    const ComponentResult& c = run.r.components[i];
    if (c.workers <= 0) continue;
    if (x.busiest < 0 || c.utilization > run.r.components[static_cast<std::size_t>(x.busiest)].utilization)
      x.busiest = static_cast<int>(i);
  }
  if (x.busiest < 0) return;
  const auto b = static_cast<std::size_t>(x.busiest);
  for (const Tick& t : run.ticks)
    if (t.t > run.r.warmup_s && t.components.size() > b && t.components[b].utilization > x.busiest_peak) {
      x.busiest_peak = t.components[b].utilization;
      x.busiest_peak_at = tick_start(t);
    }
}

/// Components reached by synchronous calls from the traffic (the work a waiting client is owed).
std::vector<char> waited_for(const ScenarioSpec& spec) {
  std::vector<char> out(spec.components.size(), 0);
  std::function<void(int)> go = [&](int i) {
    if (i < 0 || out[static_cast<std::size_t>(i)]) return;
    out[static_cast<std::size_t>(i)] = 1;
    const ComponentSpec& c = spec.components[static_cast<std::size_t>(i)];
    std::vector<std::string> names;
    if (const ServiceSpec* s = c.service()) {
      std::vector<StepSpec> sync;
      std::function<void(const std::vector<StepSpec>&)> walk = [&](const std::vector<StepSpec>& steps) {
        for (const StepSpec& st : steps) {
          if (st.kind == StepSpec::Kind::Call) names.push_back(st.call.target);
          walk(st.steps), walk(st.on_miss), walk(st.fallback);
          for (const auto& a : st.arms) walk(a.steps);
        }
      };
      walk(s->steps);
    }
    if (const LoadBalancerSpec* lb = c.load_balancer()) names.push_back(lb->to);
    for (const std::string& n : names) go(spec.find(n));
  };
  for (const TrafficSpec& t : spec.traffic) go(spec.find(t.to));
  return out;
}

// ---- the cause: follow a saturated tier's wait down the calls ----

// A tier waits on a callee when at least this share of its busy workers
// hold a call in progress there.
constexpr double kWaiting = 0.5;
// A collector that stops a replica this share of its time or more stalls its requests.
constexpr double kGcStall = 0.05;

/// Visits a component holds a worker for at the end of a tick (in progress, not queued).
double held(const ComponentTick& c) {
  return c.in_flight > c.queue ? static_cast<double>(c.in_flight - c.queue) : 0.0;
}

/// The ticks [first, last) that start at or after `from` and end by `to`.
std::pair<std::size_t, std::size_t> tick_range(const std::vector<Tick>& ticks, double from, double to) {
  const auto first = std::lower_bound(ticks.begin(), ticks.end(), from,
                                      [](const Tick& t, double v) { return tick_start(t) < v - 1e-9; });
  const auto last =
      std::upper_bound(first, ticks.end(), to, [](double v, const Tick& t) { return v + 1e-9 < t.t; });
  return {static_cast<std::size_t>(first - ticks.begin()), static_cast<std::size_t>(last - ticks.begin())};
}

/// Over ticks [k0, k1), of the visits i holds, the share whose call to c is
/// in progress: c's visits in progress, times i's share of the calls c answered.
double waiting_share(const Run& run, int i, int c, std::size_t k0, std::size_t k1) {
  const auto ui = static_cast<std::size_t>(i), uc = static_cast<std::size_t>(c);
  double holding = 0, at_callee = 0;
  for (std::size_t k = k0; k < k1; ++k) {
    const Tick& t = run.ticks[k];
    if (t.components.size() <= std::max(ui, uc)) continue;
    double mine = 0, all = 0;
    for (std::size_t e = 0; e < run.edges.size() && e < t.edges.size(); ++e)
      if (run.edges[e].to == c) {
        all += t.edges[e].calls;
        if (run.edges[e].from == i) mine += t.edges[e].calls;
      }
    holding += held(t.components[ui]);
    if (all > 0) at_callee += mine / all * t.components[uc].in_flight;
  }
  return holding > 0 ? at_callee / holding : 0;
}

/// The highest value of a figure of component i over ticks [k0, k1), and its tick (or -1 when none).
std::pair<double, std::size_t> figure_peak(const Run& run, std::size_t i, std::string_view name,
                                           std::size_t k0, std::size_t k1) {
  double best = -1;
  std::size_t at = k0;
  for (std::size_t k = k0; k < k1; ++k)
    if (run.ticks[k].components.size() > i) {
      const double v = figure(run.ticks[k].components[i], name);
      if (v > best) best = v, at = k;
    }
  return {best, at};
}

/// "in GC pauses (its fullest replica's heap 71% full, stopped 11% of the time)", or "" below kGcStall.
std::string gc_words(const Run& run, std::size_t i, std::size_t k0, std::size_t k1, std::vector<Figure>& ev) {
  const auto [share, k] = figure_peak(run, i, fig::kGcShare, k0, k1);
  if (share < kGcStall) return "";
  const double fill = figure(run.ticks[k].components[i], fig::kHeapFill);
  ev.push_back({"gc_share", share});
  ev.push_back({"heap_fill", fill});
  return fmt::format("stalled in GC pauses (its fullest replica's heap {} full, stopped {} of the time)",
                     percent(fill), percent(share));
}

/// A fault on component `name` under way at time t (begun at most kMinRun
/// after it, and not over before it): "kill db: 1 replica down, 2m to 3m".
std::string fault_words(const Run& run, const std::string& name, double t, std::vector<Figure>& ev) {
  for (const FaultMark& f : run.faults) {
    const std::size_t sp = f.what.find(' ');
    if (sp == std::string::npos || f.what.compare(sp + 1, name.size(), name) != 0) continue;
    const std::size_t after = sp + 1 + name.size();
    if (after < f.what.size() && f.what[after] != ':' && f.what[after] != ' ') continue;
    const bool on = f.at <= t + kMinRun && (f.until < 0 ? f.at >= t - kEffectWindow : f.until >= t);
    if (!on) continue;
    ev.push_back({"fault_at_s", f.at});
    if (f.until >= 0) ev.push_back({"fault_until_s", f.until});
    return f.until >= 0 ? fmt::format("under {}, {} to {}", f.what, clock(f.at), clock(f.until))
                        : fmt::format("after {} at {}", f.what, clock(f.at));
  }
  return "";
}

/// A replica stopped in GC pauses when the first SLO broke (within kMinRun of it) on a synchronous path.
std::optional<Cause> gc_cause(const Run& run, const Explanation& x, const std::vector<char>& sync) {
  const SloBreak* first = nullptr;
  for (const SloBreak& b : x.breaks)
    if (b.timed && (!first || b.at < first->at)) first = &b;
  if (!first) return std::nullopt;
  const auto [k0, k1] = tick_range(run.ticks, first->at - kMinRun, first->at + 2 * kMinRun);
  std::optional<Cause> best;
  double best_share = 0;
  for (std::size_t i = 0; i < run.n; ++i) {
    if (!sync[i]) continue;
    Cause c;
    c.component = static_cast<int>(i);
    c.name = run.r.components[i].name;
    c.at = first->at;
    c.mechanism = gc_words(run, i, k0, k1, c.evidence);
    if (c.mechanism.empty() || c.evidence.front().value <= best_share) continue;
    best_share = c.evidence.front().value;
    best = std::move(c);
  }
  return best;
}

/// Follows the root's busy workers down the calls they wait in (over its
/// first seconds saturated) to where the time is spent: a tier whose workers
/// mostly wait on a callee is a symptom of it.
std::optional<Cause> wait_cause(const Run& run) {
  if (!run.root || run.root->pool) return std::nullopt;
  const auto [k0, k1] = tick_range(run.ticks, run.root->at, run.root->at + run.root->onset_s);
  std::vector<char> seen(run.n, 0);
  int at = run.root->component;
  double first_share = 0;
  for (;;) {
    seen[static_cast<std::size_t>(at)] = 1;
    int next = -1;
    double most = 0;
    for (int c : run.callees[static_cast<std::size_t>(at)]) {
      if (c < 0 || static_cast<std::size_t>(c) >= run.n || seen[static_cast<std::size_t>(c)]) continue;
      const double share = waiting_share(run, at, c, k0, k1);
      if (share > most) most = share, next = c;
    }
    if (next < 0 || most < kWaiting) break;
    if (at == run.root->component) first_share = most;
    at = next;
  }
  if (at == run.root->component) return std::nullopt;
  Cause c;
  c.component = at;
  c.name = run.r.components[static_cast<std::size_t>(at)].name;
  c.at = run.root->at;
  c.waiter = run.root->component;
  c.waiting_share = first_share;
  c.evidence.push_back({"waiting_share", first_share});
  const auto ui = static_cast<std::size_t>(at);
  const std::string& name = run.r.components[ui].name;
  c.mechanism = gc_words(run, ui, k0, k1, c.evidence);
  if (c.mechanism.empty()) c.mechanism = fault_words(run, name, c.at, c.evidence);
  if (c.mechanism.empty()) {
    double peak = 0;
    for (std::size_t q = k0; q < k1; ++q)
      if (run.ticks[q].components.size() > ui)
        peak = std::max<double>(peak, run.ticks[q].components[ui].queue);
    c.evidence.push_back({"queue_peak", peak});
    c.mechanism = fmt::format("with its queue at {}", count_words(peak));
  }
  return c;
}

void find_upstream(Run& run) {
  if (!run.root) return;
  for (std::size_t i = 0; i < run.n; ++i) {
    if (static_cast<int>(i) == run.root->component ||
        !reaches(run.callees, static_cast<int>(i), run.root->component))
      continue;
    for (const Tick& t : run.ticks)
      if (t.components.size() > i && t.components[i].queue > run.upstream_peak &&
          t.components[i].queue > run.root->queue_peak) {
        run.upstream = static_cast<int>(i);
        run.upstream_peak = t.components[i].queue;
        run.upstream_peak_at = t.t;
      }
  }
}

/// "1", "40", "0.5": visits per request for a sentence.
std::string per_request(double v) { return v >= 10 ? count_words(v) : fmt::format("{:.2g}", v); }

/// The visit groups of a component in words, the top contributors by total
/// time named, the rest summed: "1 of 4.0 s (customer_by_email from api) and 41 of 0.47 ms".
std::string visit_words(const ComponentResult& c, double started, std::vector<Figure>& ev) {
  double total = 0, visits = 0;
  for (const VisitGroup& g : c.visits_by_call) total += g.total_s, visits += static_cast<double>(g.visits);
  if (c.visits_by_call.size() <= 1 || total <= 0)
    return fmt::format("{} visit{} of {} each", per_request(visits / started),
                       visits / started >= 1.5 ? "s" : "", human_duration(visits > 0 ? total / visits : 0));
  std::string out;
  double named = 0, named_visits = 0;
  std::size_t k = 0;
  for (; k < c.visits_by_call.size() && k < 2 && named < 0.8 * total; ++k) {
    const VisitGroup& g = c.visits_by_call[k];
    const std::string what =
        g.op.empty() ? fmt::format("line {} of {}", g.line, g.from) : fmt::format("{} from {}", g.op, g.from);
    out += fmt::format(
        "{}{} of {} ({}, longest {})", k ? ", " : "", per_request(static_cast<double>(g.visits) / started),
        human_duration(g.total_s / static_cast<double>(g.visits)), what, human_duration(g.max_s));
    named += g.total_s, named_visits += static_cast<double>(g.visits);
    ev.push_back({fmt::format("visit_{}_mean_s", k), g.total_s / static_cast<double>(g.visits)});
    ev.push_back({fmt::format("visit_{}_per_request", k), static_cast<double>(g.visits) / started});
  }
  if (k < c.visits_by_call.size() && visits > named_visits)
    out += fmt::format(" and {} of {}", per_request((visits - named_visits) / started),
                       human_duration((total - named) / (visits - named_visits)));
  return fmt::format("{} visits: {}", per_request(visits / started), out);
}

/// Slow without a queue: where the time of a request goes (the N+1 pattern,
/// a slow query), at the leaf component where it spends the most.
void find_time_goes(const Explanation& x, Run& run) {
  const RunResult& r = run.r;
  bool latency_broke = false;
  for (const SloBreak& b : x.breaks) latency_broke = latency_broke || b.slo.rfind("latency_", 0) == 0;
  if (!latency_broke || !x.saturated.empty() || r.started == 0 || r.latency.mean <= 0) return;
  const auto started = static_cast<double>(r.started);
  int slowest = -1;
  double most = 0;
  for (std::size_t i = 0; i < run.n; ++i) {
    if (!run.callees[i].empty()) continue;
    double t = 0;
    for (const VisitGroup& g : r.components[i].visits_by_call) t += g.total_s;
    if (t / started > most) most = t / started, slowest = static_cast<int>(i);
  }
  // A leaf that holds a small part of the time does not say where it goes (the network, calls that overlap).
  if (slowest < 0 || most < 0.25 * r.latency.mean) return;
  const ComponentResult& c = r.components[static_cast<std::size_t>(slowest)];
  std::vector<Figure> ev{{"time_per_request_s", most}, {"request_mean_s", r.latency.mean}};
  const std::string visits = visit_words(c, started, ev);
  const double share = most / r.latency.mean;
  const std::string text = fmt::format(
      "a request spends {} at {} ({}){}", human_duration(most), c.name, visits,
      share <= 1.0 ? fmt::format(", {} of its mean {}", percent(share), human_duration(r.latency.mean))
                   : fmt::format(" in calls that overlap (mean request {})", human_duration(r.latency.mean)));
  run.time_goes = finding("time_goes", c.name, -1, text, std::move(ev));
}

/// Visits per second the design asks of component i while requests enter
/// at `entering` per second: its call graph's visits per request with the
/// open-loop sources in their base mix; 0 when a source is a closed loop
/// (its rate depends on response times) or the graph has a cycle.
double design_rps(const Run& run, int i, double entering) {
  double base = 0;
  for (const TrafficSpec& t : run.spec.traffic) {
    if (t.closed()) return 0;
    base += t.rate;
  }
  if (base <= 0) return 0;
  const CallGraph g(run.spec);
  const auto v = g.offered_rates();
  if (!v || static_cast<std::size_t>(i) >= v->size()) return 0;
  return (*v)[static_cast<std::size_t>(i)] * entering / base;
}

// ---- the headline ----

double figure_of(const ComponentResult& c, std::string_view name);

/// delivery_p99 names the queue that delivered slowest: ": new-posts held
/// its messages 39.8 s at p99 from publish to processed (mean 2.1 s)".
std::string delivery_words(const Run& run) {
  const ComponentResult* worst = nullptr;
  for (const ComponentResult& c : run.r.components)
    if (c.kind == ComponentKind::Queue &&
        (!worst || figure_of(c, "delay_p99_ms") > figure_of(*worst, "delay_p99_ms")))
      worst = &c;
  if (!worst) return "";
  std::string lost;  // messages never delivered count as late as can be (run/simulation.cpp)
  for (const ComponentResult& c : run.r.components) {
    if (c.kind != ComponentKind::Queue) continue;
    const double n = std::max(0.0, figure_of(c, "dropped")) + std::max(0.0, figure_of(c, "dead_letters"));
    if (n > 0.01 * (n + std::max(0.0, figure_of(c, "processed"))))
      lost += fmt::format("; {} lost {:.0f} messages (dropped or dead-lettered: never delivered)", c.name, n);
  }
  return fmt::format(": {} held its messages {} at p99 from publish to processed (mean {}){}", worst->name,
                     human_duration(figure_of(*worst, "delay_p99_ms") / 1e3),
                     human_duration(figure_of(*worst, "delay_ms") / 1e3), lost);
}

std::string headline_break(const Explanation& x, const Run& run) {
  const SloBreak* first = &x.breaks.front();  // the SLO that broke first in time leads
  for (const SloBreak& b : x.breaks)
    if (b.timed && (!first->timed || b.at < first->at)) first = &b;
  const SloBreak& b = *first;
  std::string h = !b.timed ? fmt::format("{} failed", slo_short(b.slo))
                  : b.at <= run.r.warmup_s + kMinRun
                      ? fmt::format("{} was over its target from the start", slo_short(b.slo))
                      : fmt::format("{} broke at {}", slo_short(b.slo), clock(b.at));
  if (b.slo == "delivery_p99") return h + delivery_words(run);
  if (!run.root && run.time_goes) h += ": " + run.time_goes->text;
  return h;
}

/// shape() at the moment t a finding names: a `resize` or a `scale` action
/// changes the workers and replicas mid-run, and the result holds the
/// end's. The workers from the tick figure a resize leaves (else the
/// design's), the replicas from the last `scale` at or before t.
/// Figure `name` of component i in the tick that runs from t on (a
/// finding's time is its first tick's start), if that tick has it.
std::optional<double> tick_figure_at(const Run& run, int i, double t, std::string_view name) {
  for (const Tick& k : run.ticks) {
    if (k.t <= t || k.components.size() <= static_cast<std::size_t>(i)) continue;
    for (const Figure& f : k.components[static_cast<std::size_t>(i)].figures)
      if (f.name == name) return f.value;
    return std::nullopt;  // the tick that holds t
  }
  return std::nullopt;
}

/// The component's replicas and workers at time t, not at the end of the run.
std::string shape_at(const Run& run, int i, double t) {
  ComponentResult c = run.r.components[static_cast<std::size_t>(i)];
  const ComponentSpec& cs = run.spec.components[static_cast<std::size_t>(i)];
  bool resized = false, scaled = false;
  for (const FaultSpec& f : run.spec.faults) {
    resized |= f.kind == FaultSpec::Kind::Resize && f.target == cs.name;
    scaled |= f.kind == FaultSpec::Kind::Scale && f.target == cs.name;
  }
  if (resized) {
    c.workers = workers_per_replica(run.spec, cs);
    if (auto w = tick_figure_at(run, i, t, fig::kWorkersNow)) c.workers = static_cast<int>(std::lround(*w));
  }
  if (scaled) {
    c.replicas = cs.replica_count();
    for (const FaultSpec& f : run.spec.faults)  // in time order
      if (f.kind == FaultSpec::Kind::Scale && f.target == cs.name && f.at <= t && f.replicas)
        c.replicas = *f.replicas;
  }
  // An autoscaler or a kill: the tick says how many replicas were serving.
  if (auto n = tick_figure_at(run, i, t, fig::kReplicas)) c.replicas = static_cast<int>(std::lround(*n));
  return shape(c);
}

std::string headline_root(const Run& run) {
  const Saturation& s = *run.root;
  return (s.pool ? fmt::format("{}'s pool ({}) ran dry at {}", s.name, pool_words(run.spec, s), clock(s.at))
                 : fmt::format("{} ({}) saturated at {}", s.name, shape_at(run, s.component, s.at),
                               clock(s.at))) +
         fmt::format(", serving {} visits/s", rate_words(s.served_rps));
}

/// "api stalled in GC pauses (...)", "db (3 replicas x 8 workers), under kill db: ..., held up profiles ...".
std::string headline_cause(const Run& run) {
  const Cause& c = *run.cause;
  const ComponentResult& cr = run.r.components[static_cast<std::size_t>(c.component)];
  if (c.waiter < 0) return fmt::format("{} {}", cr.name, c.mechanism);
  const ComponentResult& w = run.r.components[static_cast<std::size_t>(c.waiter)];
  return fmt::format(
      "{} ({}), {}, held up {} from {}: {} of {}'s busy workers waited on calls to it, and {} served {} "
      "visits/s",
      cr.name, shape(cr), c.mechanism, w.name, clock(c.at), percent(c.waiting_share), w.name, w.name,
      rate_words(run.root->served_rps));
}

std::string headline_link(const LinkSaturation& s) {
  return fmt::format("the link {} ({}, {}) saturated at {}", s.name, s.joins, format_bandwidth(s.bandwidth),
                     clock(s.at));
}

std::string make_headline(const Explanation& x, const Run& run) {
  const RunResult& r = run.r;
  std::vector<std::string> head;
  if (!r.slo.empty() && r.slo_pass) head.push_back("all SLOs met");
  if (!x.breaks.empty()) head.push_back(headline_break(x, run));
  const std::string when = !head.empty() && !x.breaks.empty() ? "when " : "";
  // A link ahead of a saturated component; without one, as before: a stall's cause, then the link.
  if (x.link_root && run.root) head.push_back(when + headline_link(x.saturated_links.front()));
  else if (run.cause) head.push_back(when + headline_cause(run));
  else if (run.root) head.push_back(when + headline_root(run));
  else if (x.link_root) head.push_back(when + headline_link(x.saturated_links.front()));
  if (!x.errors.empty() && (!r.slo_pass || r.slo.empty()))
    head.push_back(fmt::format("{} of errors are {}", percent(x.errors.front().share),
                               error_words(x.errors.front(), run.spec)));
  if (run.upstream >= 0)
    head.push_back(fmt::format("{}'s queue grew to {}",
                               r.components[static_cast<std::size_t>(run.upstream)].name,
                               count_words(run.upstream_peak)));
  else if (run.root && run.root->queue_peak >= 1)
    head.push_back(run.root->pool ? fmt::format("up to {} requests waited for one of its connections",
                                                count_words(run.root->queue_peak))
                                  : fmt::format("{}'s queue grew to {}", run.root->name,
                                                count_words(run.root->queue_peak)));
  if (!run.root && x.busiest >= 0 && r.slo_pass) {
    const ComponentResult& b = r.components[static_cast<std::size_t>(x.busiest)];
    head.push_back(fmt::format("the busiest component is {} at {} ({} in its busiest second)", b.name,
                               percent(b.utilization), percent(x.busiest_peak)));
  }
  if (head.empty()) head.push_back(r.failed ? "requests failed" : "nothing stood out");
  std::string h;
  for (std::size_t i = 0; i < head.size(); ++i)
    h += i == 0 ? head[i] : (head[i].rfind("when ", 0) == 0 ? " " : "; ") + head[i];
  // Our own words start with a capital; a component's name or "p99" keeps its spelling.
  for (const char* w : {"all ", "the ", "requests ", "nothing "})
    if (h.rfind(w, 0) == 0) h[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(h[0])));
  return h + ".";
}

// ---- the finding producers: each reads the run and adds what it shows ----

void slo_findings(const Run& run, Explanation& x) {
  for (const SloBreak& b : x.breaks) {
    const SloSpec* s = nullptr;
    for (const SloSpec& q : run.spec.slo)
      if (q.key == b.slo) s = &q;
    if (!s) continue;
    std::vector<Figure> ev{{"target", s->target}, {"worst", b.worst}, {"worst_at_s", b.worst_at}};
    if (b.timed)
      x.findings.push_back(
          finding("slo_break", "", b.at,
                  fmt::format("{} broke at {} (target {}; worst second {} at {}).", b.slo, clock(b.at),
                              slo_value(s->kind, s->target), slo_value(s->kind, b.worst), clock(b.worst_at)),
                  ev));
    else if (run.r.completed == 0)
      x.findings.push_back(
          finding("slo_break", "", -1,
                  fmt::format("{} failed: no request succeeded, so there is no latency to meet it.", b.slo),
                  {{"completed", 0}}));
    else
      x.findings.push_back(
          finding("slo_break", "", -1,
                  fmt::format("{} failed over the whole run (target {}) though no single second "
                              "broke it.",
                              b.slo, slo_value(s->kind, s->target)),
                  ev));
  }
}

/// Served against asked, every rate in visits per second of the saturated
/// component; requests per second only where the component sees one visit
/// per request.
std::string capacity_words(const Run& run, const Saturation& s, std::vector<Figure>& ev) {
  const double design = design_rps(run, s.component, s.onset_entering_rps);
  ev.push_back({"served_visits_rps", s.served_rps});
  ev.push_back({"onset_s", s.onset_s});
  ev.push_back({"onset_arrived_visits_rps", s.onset_arrived_rps});
  ev.push_back({"onset_entering_rps", s.onset_entering_rps});
  if (design > 0) ev.push_back({"design_visits_rps", design});
  std::string text =
      fmt::format("served {} visits/s at most, while {} visits/s arrived in its first {} saturated",
                  rate_words(s.served_rps), rate_words(s.onset_arrived_rps), clock(s.onset_s));
  if (design > 0 && std::abs(design - s.onset_arrived_rps) > 0.05 * design)
    text += fmt::format(" (the design asks about {} visits/s of it at the {} req/s then entering the system)",
                        rate_words(design), rate_words(s.onset_entering_rps));
  return text;
}

void saturation_findings(const Run& run, Explanation& x) {
  for (std::size_t k = 0; k < x.saturated.size(); ++k) {
    const Saturation& s = x.saturated[k];
    const ComponentResult& c = run.r.components[static_cast<std::size_t>(s.component)];
    std::vector<Figure> ev{
        {"saturated_s", s.seconds}, {"queue_peak", s.queue_peak}, {"queue_peak_at_s", s.queue_peak_at}};
    const std::string cap = capacity_words(run, s, ev);
    std::string line =
        s.pool ? fmt::format("{}'s connection pool ({}) {}ran dry at {}: it {}", s.name,
                             pool_words(run.spec, s), k == 0 ? "" : "then ", clock(s.at), cap)
               : fmt::format("{} ({}) {}saturated at {}: it {}", s.name, shape_at(run, s.component, s.at),
                             k == 0 ? "" : "then ", clock(s.at), cap);
    if (s.pool && s.queue_peak >= 1)
      line += fmt::format("; up to {} requests waited for a connection (at {}), {} on average",
                          count_words(s.queue_peak), clock(s.queue_peak_at), human_duration(c.wait.mean));
    else if (s.queue_peak >= 1)
      line += fmt::format("; its queue peaked at {} at {} (mean wait {}, p99 {})", count_words(s.queue_peak),
                          clock(s.queue_peak_at), human_duration(c.wait.mean), human_duration(c.wait.p99));
    x.findings.push_back(
        finding(s.pool ? "pool_dry" : "saturation", s.name, s.at, line + ".", std::move(ev)));
    if (k == 0 && run.upstream >= 0) {
      const ComponentResult& u = run.r.components[static_cast<std::size_t>(run.upstream)];
      x.findings.push_back(finding(
          "upstream_queue", u.name, run.upstream_peak_at,
          fmt::format(
              "Upstream, {}'s queue grew to {} by {}: each of its {} workers holds its place while it waits "
              "for {}.",
              u.name, count_words(run.upstream_peak), clock(run.upstream_peak_at),
              count_words(static_cast<double>(u.workers) * u.replicas), s.name),
          {{"queue_peak", run.upstream_peak}, {"workers", static_cast<double>(u.workers) * u.replicas}}));
    }
  }
}

/// The cause below the root, or the stall when an SLO broke, with its evidence.
void cause_finding(const Run& run, Explanation& x) {
  if (!run.cause) return;
  const Cause& c = *run.cause;
  const std::string& name = run.r.components[static_cast<std::size_t>(c.component)].name;
  std::string text;
  if (c.waiter < 0) {
    text = fmt::format("When the first SLO broke ({}), {} was {}.", clock(c.at), name,
                       c.mechanism.substr(c.mechanism.find(' ') + 1));
  } else {
    const std::string& w = run.r.components[static_cast<std::size_t>(c.waiter)].name;
    text = fmt::format(
        "{}'s workers were waiting on {}: over its first {} saturated, {} of the visits it held had a call "
        "in "
        "progress there; {} was {}.",
        w, name, clock(run.root->onset_s), percent(c.waiting_share), name, c.mechanism);
  }
  x.findings.push_back(finding("cause", name, c.at, text, c.evidence));
}

/// Work that helped nobody: the root kept serving while no request succeeded.
void dead_time_finding(const Run& run, Explanation& x) {
  if (!run.root) return;
  const auto ri = static_cast<std::size_t>(run.root->component);
  double from = -1, len = 0, served = 0;
  for (const Tick& t : run.ticks) {
    if (t.t <= run.r.warmup_s || t.components.size() <= ri) continue;
    if (t.started > 0 && t.completed == 0 && t.components[ri].completed > 0) {
      if (len == 0) from = tick_start(t);
      len += t.dt;
      served += t.components[ri].completed;
    } else if (len < kMinRun) {
      len = 0, served = 0;
    } else {
      break;
    }
  }
  // Long enough, and with enough requests, that it is no lull in arrivals.
  double started_in = 0;
  for (const Tick& t : run.ticks)
    if (tick_start(t) >= from && t.t <= from + len) started_in += t.started;
  if (len < kMinRun || started_in < 50) return;
  std::string patience;
  if (run.spec.traffic.size() == 1 && run.spec.traffic[0].timeout)
    patience = fmt::format(" after {}", human_duration(*run.spec.traffic[0].timeout));
  x.findings.push_back(
      finding("work_for_nobody", run.root->name, from,
              fmt::format("For {} from {} no request succeeded at all, though {} still served {} "
                          "visits/s: it worked on requests whose clients had already given up{}.",
                          clock(len), clock(from), run.root->name, rate_words(served / len), patience),
              {{"seconds", len}, {"served_visits_rps", served / len}, {"started", started_in}}));
}

void recovery_finding(const Run& run, Explanation& x) {
  if (!run.root) return;
  const Saturation& s = *run.root;
  const double back = load_back_at(run.spec);
  std::vector<Figure> ev{{"saturated_until_s", s.until}, {"load_back_at_s", back}};
  std::string text;
  if (s.at_end)
    text = back >= 0 && back < run.r.sim_time_s
               ? fmt::format(
                     "{} was still saturated when the run ended at {}, though the load fell back at {}: it "
                     "did not recover.",
                     s.name, clock(run.r.sim_time_s), clock(back))
               : fmt::format("{} was still saturated when the run ended at {}.", s.name,
                             clock(run.r.sim_time_s));
  else
    text = fmt::format("{} recovered at {}{}.", s.name, clock(s.until),
                       back >= 0 && s.until > back
                           ? fmt::format(", {} after the load fell back", clock(s.until - back))
                           : "");
  x.findings.push_back(
      finding(s.at_end ? "no_recovery" : "recovery", s.name, s.at_end ? -1 : s.until, text, ev));
}

void time_goes_finding(const Run& run, Explanation& x) {
  if (!run.time_goes) return;
  Finding f = *run.time_goes;
  f.text = "Where the time goes: " + f.text + ".";
  x.findings.push_back(std::move(f));
}

/// A p99 visit longer than every client waits: at least 1% of the visits
/// served requests whose clients had already left.
void late_work_findings(const Run& run, Explanation& x) {
  double patience = 0;
  for (const TrafficSpec& t : run.spec.traffic) {
    if (!t.timeout) return;  // someone waits for ever
    patience = std::max(patience, *t.timeout);
  }
  if (patience <= 0) return;
  const std::vector<char> sync = waited_for(run.spec);
  for (std::size_t i = 0; i < run.n; ++i) {
    const ComponentResult& c = run.r.components[i];
    if (!sync[i] || c.latency.count == 0 || c.latency.p99 <= patience) continue;
    x.findings.push_back(finding(
        "late_work", c.name, -1,
        fmt::format("{}'s p99 visit took {}, over the clients' {} timeout: at least 1% of its visits served "
                    "requests whose clients had already left.",
                    c.name, human_duration(c.latency.p99), human_duration(patience)),
        {{"p99_s", c.latency.p99}, {"client_timeout_s", patience}}));
  }
}

double figure_of(const ComponentResult& c, std::string_view name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  return 0;
}

/// What the resilience machinery did: retries, duplicate executions, breakers, shedding.
void resilience_findings(const Run& run, Explanation& x) {
  for (std::size_t i = 0; i < run.n; ++i) {
    const ComponentResult& c = run.r.components[i];
    const double retries = figure_of(c, "retries"), duplicates = figure_of(c, "duplicates");
    const double opened = figure_of(c, "breaker_opened"), refused = figure_of(c, "breaker_refused");
    const double shed = figure_of(c, "shed");
    if (retries > 0 && c.arrivals > 0)
      x.findings.push_back(
          finding("retries", c.name, -1,
                  fmt::format("{} retried {} calls ({} of its {} visits).", c.name, count_words(retries),
                              percent(retries / static_cast<double>(c.arrivals)), human_count(c.arrivals)),
                  {{"retries", retries}, {"visits", static_cast<double>(c.arrivals)}}));
    if (duplicates > 0)
      x.findings.push_back(
          finding("duplicates", c.name, -1,
                  fmt::format("{} executed {} requests twice or more: retries after replies that were "
                              "lost or late, and it is not idempotent.",
                              c.name, count_words(duplicates)),
                  {{"duplicates", duplicates}}));
    if (opened > 0)
      x.findings.push_back(
          finding("breaker", c.name, -1,
                  fmt::format("{}'s circuit breaker opened {} time{} and refused {} calls.", c.name,
                              count_words(opened), opened == 1 ? "" : "s", count_words(refused)),
                  {{"opened", opened}, {"refused", refused}}));
    if (shed > 0)
      x.findings.push_back(finding("shed", c.name, -1,
                                   fmt::format("{} shed {} requests.", c.name, count_words(shed)),
                                   {{"shed", shed}}));
  }
  for (const SourceResult& s : run.r.sources)
    if (s.retries > 0 || s.abandoned > 0)
      x.findings.push_back(finding(
          "source_retries", s.name, -1,
          fmt::format("The clients of {} abandoned {} attempts at their {} timeout (their work went on "
                      "downstream) and "
                      "retried {} times.",
                      s.name, human_count(s.abandoned), human_duration(s.timeout_s), human_count(s.retries)),
          {{"abandoned", static_cast<double>(s.abandoned)}, {"retries", static_cast<double>(s.retries)}}));
}

void error_findings(const Run& run, Explanation& x) {
  if (x.errors.empty()) return;
  std::string line = fmt::format("{} requests failed: ", human_count(run.r.failed));
  std::vector<Figure> ev{{"failed", static_cast<double>(run.r.failed)}, {"error_rate", run.r.error_rate}};
  for (std::size_t k = 0; k < x.errors.size() && k < 4; ++k) {
    line += (k ? ", " : "") +
            fmt::format("{} {}", percent(x.errors[k].share), error_words(x.errors[k], run.spec));
    ev.push_back({fmt::format("share_{}", k), x.errors[k].share});
  }
  if (x.errors.size() > 4) line += ", and others";
  x.findings.push_back(finding("errors", x.errors.front().origin, -1, line + ".", std::move(ev)));
}

void busiest_finding(const Run& run, Explanation& x) {
  if (run.root || x.busiest < 0 || x.busiest_peak <= 0.05) return;
  const ComponentResult& b = run.r.components[static_cast<std::size_t>(x.busiest)];
  x.findings.push_back(
      finding("busiest", b.name, x.busiest_peak_at,
              fmt::format("{} The busiest component is {} ({}): {} on average, {} in "
                          "its busiest second ({}); it would saturate first, at about {:.1f}x that "
                          "second's load.",
                          x.saturated_links.empty() ? "Nothing saturated." : "No component saturated.",
                          b.name, shape(b), percent(b.utilization), percent(x.busiest_peak),
                          clock(x.busiest_peak_at), 1.0 / x.busiest_peak),
              {{"utilization", b.utilization}, {"peak_utilization", x.busiest_peak}}));
}

/// Platform links that saturated: their transfers shared the bandwidth and waited.
void link_findings(const Run&, Explanation& x) {
  for (const LinkSaturation& s : x.saturated_links)
    x.findings.push_back(finding(
        "link_saturated", s.name, s.at,
        fmt::format("The link {} ({}, {}) was saturated from {} for {} in all: it carried up to {} of its "
                    "bandwidth ({}), so the transfers across it shared it and took longer.",
                    s.name, s.joins, format_bandwidth(s.bandwidth), clock(s.at), clock(s.seconds),
                    percent(s.peak), clock(s.peak_at)),
        {{"bandwidth_bytes_per_s", s.bandwidth},
         {"saturated_s", s.seconds},
         {"peak_utilization", s.peak},
         {"peak_at_s", s.peak_at}}));
}

/// On the platform backend a worker's occupancy is not its CPU: name the busiest host's cores too.
void host_finding(const Run& run, Explanation& x) {
  const auto& hosts = run.r.hosts;
  const auto h = std::max_element(hosts.begin(), hosts.end(), [](const HostResult& a, const HostResult& b) {
    return a.cpu_utilization < b.cpu_utilization;
  });
  if (h == hosts.end()) return;
  x.findings.push_back(
      finding("host_cpu", h->name, -1,
              fmt::format("The busiest host's CPU is {} at {} (utilisation above counts workers "
                          "held, not cores busy).",
                          h->name, percent(h->cpu_utilization)),
              {{"cpu_utilization", h->cpu_utilization}}));
}

/// Message queues whose backlog grew: consumers fell behind.
void backlog_findings(const Run& run, Explanation& x) {
  for (std::size_t i = 0; i < run.n; ++i) {
    if (!run.spec.components[i].queue()) continue;
    double peak = 0, peak_at = 0, lag = 0;
    for (const Tick& t : run.ticks) {
      if (t.components.size() <= i) continue;
      const double m = figure(t.components[i], "lag_messages");
      if (m > peak) peak = m, peak_at = t.t, lag = figure(t.components[i], "lag_s");
    }
    const double end = run.ticks.empty() || run.ticks.back().components.size() <= i
                           ? 0
                           : figure(run.ticks.back().components[i], "lag_messages");
    if (peak < 100) continue;
    x.findings.push_back(
        finding("backlog", run.r.components[i].name, peak_at,
                fmt::format("{}'s backlog peaked at {} messages at {} (the oldest {} old){}.",
                            run.r.components[i].name, count_words(peak), clock(peak_at), human_duration(lag),
                            end > 0.5 * peak ? "; it was still over half that when the run ended" : ""),
                {{"peak_messages", peak}, {"oldest_s", lag}, {"end_messages", end}}));
  }
}

/// State changes the run made on its own (breakers, autoscaling, health checks), grouped.
void state_change_findings(const Run& run, Explanation& x) {
  struct Group {
    int count = 0;
    double first = 0, last = 0;
    std::string target, detail;
  };
  std::map<std::string, Group> groups;  // "autoscale orders scale" -> its notes
  std::vector<std::string> order;
  for (const Note& note : run.r.notes) {
    if (note.kind == "fault" || note.kind == "action") continue;
    const std::string key = fmt::format("{} {} {}", note.kind, note.target, note.what);
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(key), it->second.first = note.t, it->second.target = note.target;
    ++it->second.count;
    it->second.last = note.t;
    it->second.detail = note.detail;
  }
  for (std::size_t k = 0; k < order.size() && k < 6; ++k) {
    const Group& g = groups[order[k]];
    x.findings.push_back(
        finding("state_change", g.target, g.first,
                g.count == 1 ? fmt::format("At {}: {} ({}).", clock(g.first), order[k], g.detail)
                             : fmt::format("{} {} times between {} and {} (last: {}).", order[k], g.count,
                                           clock(g.first), clock(g.last), g.detail),
                {{"count", static_cast<double>(g.count)}, {"first_s", g.first}, {"last_s", g.last}}));
  }
}

/// End-to-end counts over the ticks that end in (from, to].
struct Window {
  double started = 0, completed = 0, failed = 0, first_fail = -1, first_success = -1;
  std::string kinds;  ///< error kinds of the first failing tick
  double error_rate() const { return completed + failed > 0 ? failed / (completed + failed) : 0; }
};

/// The ticks that end in (from, to], found by bisection (ticks are in time order).
Window window_of(const std::vector<Tick>& ticks, double from, double to) {
  Window w;
  const auto end_after = [](double v, const Tick& t) { return v < t.t; };
  const auto first = std::upper_bound(ticks.begin(), ticks.end(), from + 1e-9, end_after);
  const auto last = std::upper_bound(first, ticks.end(), to + 1e-9, end_after);
  for (auto it = first; it != last; ++it) {
    const Tick& t = *it;
    w.started += t.started, w.completed += t.completed, w.failed += t.failed;
    if (t.failed > 0 && w.first_fail < 0) {
      w.first_fail = tick_start(t);
      for (const auto& [k, v] : t.errors) w.kinds += (w.kinds.empty() ? "" : ", ") + k;
    }
    if (t.completed > 0 && w.first_success < 0) w.first_success = tick_start(t);
  }
  return w;
}

/// The run's own state changes (notes other than faults and actions), in time order.
std::vector<const Note*> state_changes(const RunResult& r) {
  std::vector<const Note*> out;
  for (const Note& note : r.notes)
    if (note.kind != "fault" && note.kind != "action") out.push_back(&note);
  std::stable_sort(out.begin(), out.end(), [](const Note* a, const Note* b) { return a->t < b->t; });
  return out;
}

/// What moved within kEffectWindow after fault f, each with its delay.
std::vector<std::string> effects_of(const Explanation& x, const std::vector<const Note*>& changes,
                                    const FaultMark& f, const Window& before, const Window& after) {
  std::vector<std::string> out;
  for (const Saturation& s : x.saturated)
    if (s.at >= f.at && s.at <= f.at + kEffectWindow)
      out.push_back(fmt::format("{} saturated {} later", s.name, clock(s.at - f.at)));
  if (before.failed == 0 && after.first_fail >= 0)
    out.push_back(fmt::format("errors began {} later ({})", clock(std::max(0.0, after.first_fail - f.at)),
                              after.kinds));
  else if (before.completed == 0 && before.started > 0 && after.first_success >= 0)
    out.push_back(
        fmt::format("requests succeeded again {} later", clock(std::max(0.0, after.first_success - f.at))));
  if (before.failed > 0 && after.completed + after.failed > 0 && before.error_rate() >= 0.05 &&
      after.error_rate() <= 0.5 * before.error_rate())
    out.push_back(fmt::format("the error rate fell from {} to {}", percent(before.error_rate()),
                              percent(after.error_rate())));
  else if (before.failed > 0 && after.error_rate() >= 0.05 && after.error_rate() >= 2 * before.error_rate())
    out.push_back(fmt::format("the error rate rose from {} to {}", percent(before.error_rate()),
                              percent(after.error_rate())));
  const auto next = std::lower_bound(changes.begin(), changes.end(), f.at,
                                     [](const Note* n, double v) { return n->t < v; });
  if (next != changes.end() && (*next)->t <= f.at + kEffectWindow)
    out.push_back(
        fmt::format("{} {} {} at {}", (*next)->kind, (*next)->target, (*next)->what, clock((*next)->t)));
  return out;
}

// A fault or action that recurs more often than this, and more often than
// the file lists it (a leak's restarts, a flapping link), is one line: its first time with what followed it,
// and the count with the first and last time.
constexpr std::size_t kRepeatLines = 5;

/// "leak api" of "leak api: replica 0 ran out of memory and restarts": what recurs.
std::string fault_key(const FaultMark& f) { return f.what.substr(0, f.what.find(':')); }

/// One fault's line: what moved within kEffectWindow after it (the error
/// rate compared over the same span before and after), or that nothing did.
Finding fault_line(const Run& run, const Explanation& x, const std::vector<const Note*>& changes,
                   const FaultMark& f) {
  const Window before = window_of(run.ticks, f.at - kEffectWindow, f.at);
  const Window after = window_of(run.ticks, f.at, f.at + kEffectWindow);
  const std::vector<std::string> effects = effects_of(x, changes, f, before, after);
  std::string what = fmt::format("At {}: {}{}", clock(f.at), f.what,
                                 f.until > f.at ? fmt::format(" until {}", clock(f.until)) : "");
  if (effects.empty()) {
    what += fmt::format(": nothing moved within {} after it (error rate {} in the {} before, {} after)",
                        clock(kEffectWindow), percent(before.error_rate()), clock(kEffectWindow),
                        percent(after.error_rate()));
  } else {
    what += fmt::format(" -> within {}: ", clock(kEffectWindow));
    for (std::size_t k = 0; k < effects.size(); ++k) what += (k ? "; " : "") + effects[k];
  }
  return finding("fault", "", f.at, what + ".",
                 {{"window_s", kEffectWindow},
                  {"error_rate_before", before.error_rate()},
                  {"error_rate_after", after.error_rate()},
                  {"completed_before", before.completed},
                  {"completed_after", after.completed}});
}

/// Each fault or action and what moved within kEffectWindow after it; a
/// change later than that is not put down to it. One that recurs more than
/// kRepeatLines times is one line with its count (n log n in the faults).
void fault_findings(const Run& run, Explanation& x) {
  const std::vector<const Note*> changes = state_changes(run.r);
  struct Repeats {
    std::size_t count = 0;
    double first = 0, last = 0;
  };
  std::map<std::string, Repeats> repeats;
  // Entries of the file's `faults:` by the same key: each is its own line
  // (a migration's steps); only what one entry repeats on its own collapses.
  std::map<std::string, std::size_t> listed;
  for (const FaultSpec& f : run.spec.faults) ++listed[fmt::format("{} {}", name_of(f.kind), f.target)];
  for (const FaultMark& f : run.faults) {
    Repeats& g = repeats[fault_key(f)];
    if (g.count++ == 0) g.first = f.at;
    g.last = std::max(g.last, f.at);
  }
  std::map<std::string, bool> said;
  for (const FaultMark& f : run.faults) {
    const std::string key = fault_key(f);
    const Repeats& g = repeats[key];
    if (g.count <= std::max(kRepeatLines, listed[key])) {
      x.findings.push_back(fault_line(run, x, changes, f));
      continue;
    }
    if (said[key]) continue;
    said[key] = true;
    Finding line = fault_line(run, x, changes, f);
    line.text.pop_back();  // the full stop
    line.text +=
        fmt::format(" ({} {} times in all, the first at {}, the last at {}; the effects are the first's).",
                    key, g.count, clock(g.first), clock(g.last));
    line.evidence.push_back({"count", static_cast<double>(g.count)});
    line.evidence.push_back({"first_s", g.first});
    line.evidence.push_back({"last_s", g.last});
    x.findings.push_back(std::move(line));
  }
}

}  // namespace

Explanation explain(const ScenarioSpec& spec, const RunResult& r, const std::vector<Tick>& ticks,
                    const std::vector<EdgeInfo>& edges, const std::vector<FaultMark>& faults) {
  Explanation x;
  Run run{spec,
          r,
          ticks,
          edges,
          faults,
          callees_of(spec),
          std::min(r.components.size(), spec.components.size()),
          nullptr,
          -1,
          0,
          0,
          std::nullopt,
          std::nullopt};
  x.saturated = saturations(run);
  x.saturated_links = link_saturations(spec, ticks);
  x.link_root = link_is_root(spec, run.callees, x);
  run.root = x.saturated.empty() ? nullptr : &x.saturated.front();
  find_busiest(run, x);
  for (std::size_t k = 0; k < spec.slo.size() && k < r.slo.size(); ++k)
    if (!r.slo[k].pass) x.breaks.push_back(find_break(spec.slo[k], ticks, r.warmup_s));
  x.errors = error_sources(spec, r, ticks, edges);
  find_upstream(run);
  find_time_goes(x, run);
  run.cause = gc_cause(run, x, waited_for(spec));
  if (!run.cause) run.cause = wait_cause(run);
  x.cause = run.cause;
  x.headline = make_headline(x, run);
  // The details, in this order; each producer adds the findings it can show.
  using Producer = void (*)(const Run&, Explanation&);
  for (Producer p :
       {slo_findings, saturation_findings, cause_finding, dead_time_finding, recovery_finding,
        time_goes_finding, late_work_findings, resilience_findings, error_findings, busiest_finding,
        link_findings, host_finding, backlog_findings, state_change_findings, fault_findings})
    p(run, x);
  for (const Finding& f : x.findings) x.details.push_back(f.text);
  return x;
}

}  // namespace archsim::report
