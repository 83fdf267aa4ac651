#include "report/explain.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "archsim/output.hpp"

namespace archsim::report {

namespace {

// A tick whose utilisation reaches this is "flat out"; a component is
// saturated when it stays so for kMinRun seconds in a row (one busy second
// happens by chance at 90% load; three in a row do not, in practice).
constexpr double kBusy = 0.97;
constexpr double kMinRun = 3.0;

std::string percent(double x) {
  if (x >= 0.995 && x < 1) return "99%";
  if (x > 0 && x < 0.01) return "<1%";
  return fmt::format("{:.0f}%", x * 100);
}

std::string count_words(double n) { return human_count(static_cast<std::uint64_t>(std::llround(std::max(0.0, n)))); }

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
    case K::ThroughputMin:
      return t.dt > 0 ? t.completed / t.dt : 0.0;
    default:  // correctness and availability: counted over the run, not per tick
      return std::nullopt;
  }
  return std::nullopt;
}

std::string slo_value(SloSpec::Kind k, double v) {
  using K = SloSpec::Kind;
  if (k == K::ErrorRate || k == K::StaleReadRatio || k == K::Availability) return fmt::format("{:.3g}%", v * 100);
  if (k == K::Duplicates || k == K::LostMessages || k == K::LostWrites) return fmt::format("{:.0f}", v);
  if (k == K::ThroughputMin) return rate_words(v) + " req/s";
  return human_duration(v);
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
    return pool ? figure(t.components[ui], "pool_waiting") > 0 : t.components[ui].utilization >= kBusy;
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
      if (!found) s.at = tick_start(ticks[k]);
      found = true;
      s.until = ticks[e - 1].t;
      s.at_end = e == ticks.size();
      s.seconds += len;
      for (std::size_t q = k; q < e; ++q) {
        served += ticks[q].components[ui].completed;
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

/// "8 connections per api replica, acquire timeout 500 ms"
std::string pool_words(const ScenarioSpec& spec, const Saturation& s) {
  const DatabaseSpec* db = spec.components[static_cast<std::size_t>(s.component)].database();
  if (!db || !db->pool) return "";
  return fmt::format("{} connection{} per caller replica, acquire timeout {}", *db->pool, *db->pool == 1 ? "" : "s",
                     human_duration(db->acquire_timeout));
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

std::vector<ErrorSource> error_sources(const ScenarioSpec& spec, const RunResult& r, const std::vector<Tick>& ticks,
                                       const std::vector<EdgeInfo>& edges) {
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
    const double client = kind == "timeout" && n > at_components ? static_cast<double>(n - at_components) : 0.0;
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
  std::stable_sort(out.begin(), out.end(), [](const ErrorSource& a, const ErrorSource& b) { return a.share > b.share; });
  return out;
}

/// "timeouts at the client (shoppers give up after 2 s)"
std::string error_words(const ErrorSource& e, const ScenarioSpec& spec) {
  std::string kind = e.kind == "timeout"   ? "timeouts"
                     : e.kind == "rejected" ? "rejections"
                                            : e.kind;
  if (e.at_client) {
    std::string who = e.origin.empty() ? "the clients" : "the client " + e.origin;
    std::string patience;
    if (spec.traffic.size() == 1 && spec.traffic[0].timeout)
      patience = fmt::format(" (they give up after {})", human_duration(*spec.traffic[0].timeout));
    return fmt::format("{} at {}{}", kind, who, patience);
  }
  if (e.origin.empty()) return kind;
  std::string where = e.origin;
  if (!e.waiting_for.empty()) where += " -> " + e.waiting_for;
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
  for (const Note& n : r.notes) {
    if (n.kind != "fault" && n.kind != "action") continue;
    if (n.detail == "over") {
      // The end of an earlier entry with a `for:`.
      for (auto it = out.rbegin(); it != out.rend(); ++it)
        if (it->until < 0 && it->what.rfind(n.what + " " + n.target, 0) == 0) {
          it->until = n.t;
          break;
        }
      continue;
    }
    out.push_back(FaultMark{n.t, -1, fmt::format("{} {}{}", n.what, n.target, n.detail.empty() ? "" : ": " + n.detail)});
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

Explanation explain(const ScenarioSpec& spec, const RunResult& r, const std::vector<Tick>& ticks,
                    const std::vector<EdgeInfo>& edges, const std::vector<FaultMark>& faults) {
  Explanation x;
  const auto callees = callees_of(spec);
  const std::size_t n = std::min(r.components.size(), spec.components.size());

  // Saturation, the root cause first: earliest, and of two that saturated
  // within the same few seconds the one the other calls (it waits on it).
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<Saturation> s;
    if (const DatabaseSpec* db = spec.components[i].database(); db && db->pool)
      s = find_saturation(static_cast<int>(i), ticks, r.components[i], true);
    if (!s && r.components[i].workers > 0) s = find_saturation(static_cast<int>(i), ticks, r.components[i], false);
    if (s) x.saturated.push_back(*s);
  }
  std::stable_sort(x.saturated.begin(), x.saturated.end(), [&](const Saturation& a, const Saturation& b) {
    if (std::abs(a.at - b.at) <= kMinRun) {
      if (reaches(callees, b.component, a.component)) return true;
      if (reaches(callees, a.component, b.component)) return false;
    }
    return a.at < b.at;
  });

  for (std::size_t i = 0; i < n; ++i) {
    const ComponentResult& c = r.components[i];
    if (c.workers <= 0) continue;
    if (x.busiest < 0 || c.utilization > r.components[static_cast<std::size_t>(x.busiest)].utilization)
      x.busiest = static_cast<int>(i);
  }
  if (x.busiest >= 0)
    for (const Tick& t : ticks) {
      const auto b = static_cast<std::size_t>(x.busiest);
      if (t.t > r.warmup_s && t.components.size() > b && t.components[b].utilization > x.busiest_peak) {
        x.busiest_peak = t.components[b].utilization;
        x.busiest_peak_at = tick_start(t);
      }
    }

  for (std::size_t k = 0; k < spec.slo.size() && k < r.slo.size(); ++k)
    if (!r.slo[k].pass) x.breaks.push_back(find_break(spec.slo[k], ticks, r.warmup_s));

  x.errors = error_sources(spec, r, ticks, edges);

  // Slow without a queue: where the time of a request goes (the N+1 pattern,
  // a slow query), by the leaf components it visits.
  std::string time_goes;  // "a request spends 4.11 s at db (42 visits of 97.9 ms each), 99% of its mean 4.13 s"
  bool latency_broke = false;
  for (const SloBreak& b : x.breaks) latency_broke = latency_broke || b.slo.rfind("latency_", 0) == 0;
  if (latency_broke && x.saturated.empty() && r.started > 0 && r.latency.mean > 0) {
    int slowest = -1;
    double most = 0, visits_of = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!callees[i].empty()) continue;
      const double visits = static_cast<double>(r.components[i].arrivals) / static_cast<double>(r.started);
      const double t = visits * r.components[i].latency.mean;
      if (t > most) most = t, slowest = static_cast<int>(i), visits_of = visits;
    }
    if (slowest >= 0) {
      const ComponentResult& c = r.components[static_cast<std::size_t>(slowest)];
      const double share = most / r.latency.mean;
      time_goes = fmt::format(
          "a request spends {} at {} ({:.3g} visit{} of {} each){}", human_duration(most), c.name,
          visits_of, visits_of >= 0.995 && visits_of < 1.005 ? "" : "s", human_duration(c.latency.mean),
          share <= 1.0 ? fmt::format(", {} of its mean {}", percent(share), human_duration(r.latency.mean))
                       : fmt::format(" in calls that overlap (mean request {})", human_duration(r.latency.mean)));
    }
  }
  // --- the words ---
  const Saturation* root = x.saturated.empty() ? nullptr : &x.saturated.front();
  const ComponentResult* root_c = root ? &r.components[static_cast<std::size_t>(root->component)] : nullptr;
  std::vector<std::string> head;

  // The upstream queue that grew because its workers wait on the root cause.
  int upstream = -1;
  double upstream_peak = 0, upstream_peak_at = 0;
  if (root) {
    for (std::size_t i = 0; i < n; ++i) {
      if (static_cast<int>(i) == root->component || !reaches(callees, static_cast<int>(i), root->component)) continue;
      for (const Tick& t : ticks)
        if (t.components.size() > i && t.components[i].queue > upstream_peak &&
            t.components[i].queue > root->queue_peak) {
          upstream = static_cast<int>(i);
          upstream_peak = t.components[i].queue;
          upstream_peak_at = t.t;
        }
    }
  }

  if (!r.slo.empty() && r.slo_pass) {
    head.push_back("all SLOs met");
  }
  if (!x.breaks.empty()) {
    // The SLO that broke first in time leads.
    const SloBreak* first = &x.breaks.front();
    for (const SloBreak& b : x.breaks)
      if (b.timed && (!first->timed || b.at < first->at)) first = &b;
    const SloBreak& b = *first;
    std::string h = !b.timed                          ? fmt::format("{} failed", slo_short(b.slo))
                    : b.at <= r.warmup_s + kMinRun ? fmt::format("{} was over its target from the start", slo_short(b.slo))
                                                   : fmt::format("{} broke at {}", slo_short(b.slo), clock(b.at));
    if (!root && !time_goes.empty()) h += ": " + time_goes;
    head.push_back(h);
  }
  if (root) {
    std::string s = root->pool ? fmt::format("{}'s pool ({}) ran dry at {}", root->name, pool_words(spec, *root),
                                             clock(root->at))
                               : fmt::format("{} ({}) saturated at {}", root->name, shape(*root_c), clock(root->at));
    if (!head.empty() && !x.breaks.empty()) s = "when " + s;
    head.push_back(s + fmt::format(", serving {} req/s", rate_words(root->served_rps)));
  }
  if (!x.errors.empty() && (!r.slo_pass || r.slo.empty())) {
    const ErrorSource& e = x.errors.front();
    head.push_back(fmt::format("{} of errors are {}", percent(e.share), error_words(e, spec)));
  }
  if (upstream >= 0) {
    head.push_back(fmt::format("{}'s queue grew to {}",
                               r.components[static_cast<std::size_t>(upstream)].name, count_words(upstream_peak)));
  } else if (root && root->queue_peak >= 1) {
    head.push_back(root->pool ? fmt::format("up to {} requests waited for one of its connections",
                                            count_words(root->queue_peak))
                              : fmt::format("{}'s queue grew to {}", root->name, count_words(root->queue_peak)));
  }
  if (!root && x.busiest >= 0 && r.slo_pass) {
    const ComponentResult& b = r.components[static_cast<std::size_t>(x.busiest)];
    head.push_back(fmt::format("the busiest component is {} at {} ({} in its busiest second)", b.name,
                               percent(b.utilization), percent(x.busiest_peak)));
  }
  if (head.empty()) head.push_back(r.failed ? "requests failed" : "nothing stood out");
  // "p99 broke at 2m16s when db (32 workers) saturated at 2m10s ...; 100% of errors are ...; api's queue grew to 64,036"
  std::string headline;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (i == 0) headline = head[i];
    else if (head[i].rfind("when ", 0) == 0) headline += " " + head[i];
    else headline += "; " + head[i];
  }
  // Our own words start with a capital; a component's name or "p99" keeps its spelling.
  for (const char* w : {"all ", "the ", "requests ", "nothing "})
    if (headline.rfind(w, 0) == 0) headline[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(headline[0])));
  x.headline = headline + ".";

  // Details.
  for (const SloBreak& b : x.breaks) {
    const SloSpec* s = nullptr;
    for (const SloSpec& q : spec.slo)
      if (q.key == b.slo) s = &q;
    if (!s) continue;
    if (b.timed)
      x.details.push_back(fmt::format("{} broke at {} (target {}; worst second {} at {}).", b.slo, clock(b.at),
                                      slo_value(s->kind, s->target), slo_value(s->kind, b.worst), clock(b.worst_at)));
    else if (r.completed == 0)
      x.details.push_back(fmt::format("{} failed: no request succeeded, so there is no latency to meet it.", b.slo));
    else
      x.details.push_back(fmt::format("{} failed over the whole run (target {}) though no single second broke it.",
                                      b.slo, slo_value(s->kind, s->target)));
  }
  for (std::size_t k = 0; k < x.saturated.size(); ++k) {
    const Saturation& s = x.saturated[k];
    const ComponentResult& c = r.components[static_cast<std::size_t>(s.component)];
    std::string line =
        s.pool ? fmt::format("{}'s connection pool ({}) {}ran dry at {}: it served {} req/s while {} req/s entered the "
                             "system",
                             s.name, pool_words(spec, s), k == 0 ? "" : "then ", clock(s.at), rate_words(s.served_rps),
                             rate_words(s.offered_rps))
               : fmt::format("{} ({}) {}saturated at {}: it served {} req/s at most while {} req/s entered the system",
                             s.name, shape(c), k == 0 ? "" : "then ", clock(s.at), rate_words(s.served_rps),
                             rate_words(s.offered_rps));
    if (s.pool && s.queue_peak >= 1)
      line += fmt::format("; up to {} requests waited for a connection (at {}), {} on average",
                          count_words(s.queue_peak), clock(s.queue_peak_at), human_duration(c.wait.mean));
    else if (s.queue_peak >= 1)
      line += fmt::format("; its queue peaked at {} at {} (mean wait {}, p99 {})", count_words(s.queue_peak),
                          clock(s.queue_peak_at), human_duration(c.wait.mean), human_duration(c.wait.p99));
    x.details.push_back(line + ".");
    if (k == 0 && upstream >= 0) {
      const ComponentResult& u = r.components[static_cast<std::size_t>(upstream)];
      x.details.push_back(fmt::format("Upstream, {}'s queue grew to {} by {}: each of its {} workers holds its place "
                                      "while it waits for {}.",
                                      u.name, count_words(upstream_peak), clock(upstream_peak_at),
                                      count_words(static_cast<double>(u.workers) * u.replicas), s.name));
    }
  }
  if (root) {
    // Work that helped nobody: the root kept serving while no request succeeded.
    const auto ri = static_cast<std::size_t>(root->component);
    double dead_from = -1, dead_len = 0, served = 0;
    for (const Tick& t : ticks) {
      if (t.t <= r.warmup_s || t.components.size() <= ri) continue;
      if (t.started > 0 && t.completed == 0 && t.components[ri].completed > 0) {
        if (dead_len == 0) dead_from = tick_start(t);
        dead_len += t.dt;
        served += t.components[ri].completed;
      } else if (dead_len < kMinRun) {
        dead_len = 0, served = 0;
      } else {
        break;
      }
    }
    // Long enough, and with enough requests, that it is no lull in arrivals.
    double started_in = 0;
    for (const Tick& t : ticks)
      if (tick_start(t) >= dead_from && t.t <= dead_from + dead_len) started_in += t.started;
    if (dead_len >= kMinRun && started_in >= 50) {
      std::string patience;
      if (spec.traffic.size() == 1 && spec.traffic[0].timeout)
        patience = fmt::format(" after {}", human_duration(*spec.traffic[0].timeout));
      x.details.push_back(fmt::format("For {} from {} no request succeeded at all, though {} still served {} req/s: "
                                      "it worked on requests whose clients had already given up{}.",
                                      clock(dead_len), clock(dead_from), root->name, rate_words(served / dead_len),
                                      patience));
    }
    const double back = load_back_at(spec);
    if (root->at_end) {
      x.details.push_back(back >= 0 && back < r.sim_time_s
                              ? fmt::format("{} was still saturated when the run ended at {}, though the load fell "
                                            "back at {}: it did not recover.",
                                            root->name, clock(r.sim_time_s), clock(back))
                              : fmt::format("{} was still saturated when the run ended at {}.", root->name,
                                            clock(r.sim_time_s)));
    } else {
      x.details.push_back(fmt::format("{} recovered at {}{}.", root->name, clock(root->until),
                                      back >= 0 && root->until > back
                                          ? fmt::format(", {} after the load fell back", clock(root->until - back))
                                          : ""));
    }
  }
  if (!time_goes.empty()) x.details.push_back("Where the time goes: " + time_goes + ".");

  // What the resilience machinery did: retries, duplicate executions, breakers, shedding.
  for (std::size_t i = 0; i < n; ++i) {
    const ComponentResult& c = r.components[i];
    double retries = 0, duplicates = 0, opened = 0, refused = 0, shed = 0;
    for (const Figure& f : c.figures) {
      if (f.name == "retries") retries = f.value;
      if (f.name == "duplicates") duplicates = f.value;
      if (f.name == "breaker_opened") opened = f.value;
      if (f.name == "breaker_refused") refused = f.value;
      if (f.name == "shed") shed = f.value;
    }
    if (retries > 0 && c.arrivals > 0)
      x.details.push_back(fmt::format("{} retried {} calls ({} of its {} visits){}.", c.name, count_words(retries),
                                      percent(retries / static_cast<double>(c.arrivals)), human_count(c.arrivals),
                                      retries > 0.2 * static_cast<double>(c.arrivals) && !x.saturated.empty()
                                          ? ": the retries added load where capacity was short"
                                          : ""));
    if (duplicates > 0)
      x.details.push_back(fmt::format("{} executed {} requests twice or more: retries after replies that were lost "
                                      "or late, and it is not idempotent.",
                                      c.name, count_words(duplicates)));
    if (opened > 0)
      x.details.push_back(fmt::format("{}'s circuit breaker opened {} time{} and refused {} calls.", c.name,
                                      count_words(opened), opened == 1 ? "" : "s", count_words(refused)));
    if (shed > 0) x.details.push_back(fmt::format("{} shed {} requests.", c.name, count_words(shed)));
  }
  if (!x.errors.empty()) {
    std::string line = fmt::format("{} requests failed: ", human_count(r.failed));
    for (std::size_t k = 0; k < x.errors.size() && k < 4; ++k)
      line += (k ? ", " : "") + fmt::format("{} {}", percent(x.errors[k].share), error_words(x.errors[k], spec));
    if (x.errors.size() > 4) line += ", and others";
    x.details.push_back(line + ".");
  }
  if (!root && x.busiest >= 0) {
    const ComponentResult& b = r.components[static_cast<std::size_t>(x.busiest)];
    if (x.busiest_peak > 0.05)
      x.details.push_back(fmt::format("Nothing saturated. The busiest component is {} ({}): {} on average, {} in "
                                      "its busiest second ({}); it would saturate first, at about {:.1f}x that "
                                      "second's load.",
                                      b.name, shape(b), percent(b.utilization), percent(x.busiest_peak),
                                      clock(x.busiest_peak_at), 1.0 / x.busiest_peak));
  }
  // On the platform backend a worker's occupancy is not its CPU: name the busiest core too.
  if (const auto h = std::max_element(r.hosts.begin(), r.hosts.end(), [](const HostResult& a, const HostResult& b) { return a.cpu_utilization < b.cpu_utilization; }); h != r.hosts.end()) x.details.push_back(fmt::format("The busiest host's CPU is {} at {} (utilisation above counts workers held, not cores busy).", h->name, percent(h->cpu_utilization)));
  // Message queues whose backlog grew: consumers fell behind.
  for (std::size_t i = 0; i < n; ++i) {
    if (!spec.components[i].queue()) continue;
    double peak = 0, peak_at = 0, lag = 0;
    for (const Tick& t : ticks) {
      if (t.components.size() <= i) continue;
      const double m = figure(t.components[i], "lag_messages");
      if (m > peak) peak = m, peak_at = t.t, lag = figure(t.components[i], "lag_s");
    }
    const double end = ticks.empty() || ticks.back().components.size() <= i
                           ? 0
                           : figure(ticks.back().components[i], "lag_messages");
    if (peak >= 100)
      x.details.push_back(fmt::format("{}'s backlog peaked at {} messages at {} (the oldest {} old){}.",
                                      r.components[i].name, count_words(peak), clock(peak_at), human_duration(lag),
                                      end > 0.5 * peak ? ": its consumers had not caught up when the run ended" : ""));
  }

  // State changes the run made on its own (breakers, autoscaling, health checks).
  {
    std::map<std::string, std::pair<int, std::pair<double, double>>> groups;  // "api breaker open" -> count, first, last
    std::vector<std::string> order;
    for (const Note& note : r.notes) {
      if (note.kind == "fault" || note.kind == "action") continue;
      const std::string key = fmt::format("{} {} {}", note.kind, note.target, note.what);
      auto [it, fresh] = groups.try_emplace(key, 0, std::make_pair(note.t, note.t));
      if (fresh) order.push_back(key);
      ++it->second.first;
      it->second.second.second = note.t;
    }
    for (std::size_t k = 0; k < order.size() && k < 6; ++k) {
      const auto& [count, span] = groups[order[k]];
      std::string last;
      for (const Note& note : r.notes)
        if (fmt::format("{} {} {}", note.kind, note.target, note.what) == order[k]) last = note.detail;
      x.details.push_back(count == 1 ? fmt::format("At {}: {} ({}).", clock(span.first), order[k], last)
                                     : fmt::format("{} {} times between {} and {} (last: {}).", order[k], count,
                                                   clock(span.first), clock(span.second), last));
    }
  }

  for (const FaultMark& f : faults) {
    std::string effect;
    for (const Saturation& s : x.saturated)
      if (s.at >= f.at) {
        effect = fmt::format("{} saturated {} later", s.name, clock(s.at - f.at));
        break;
      }
    bool failing_before = false;
    for (const Tick& t : ticks)
      if (t.t <= f.at && t.t > f.at - kMinRun && t.failed > 0) failing_before = true;
    for (const Tick& t : ticks) {
      if (failing_before || tick_start(t) < f.at || t.failed == 0) continue;
      std::string kinds;
      for (const auto& [k, v] : t.errors) kinds += (kinds.empty() ? "" : ", ") + k;
      effect += fmt::format("{}errors began {} later ({})", effect.empty() ? "" : "; ",
                            clock(std::max(0.0, tick_start(t) - f.at)), kinds);
      break;
    }
    // What it set off: state changes within a minute of it.
    for (const Note& note : r.notes) {
      if (note.kind == "fault" || note.kind == "action" || note.t < f.at || note.t > f.at + 60) continue;
      effect += fmt::format("{}{} {} {} at {}", effect.empty() ? "" : "; ", note.kind, note.target, note.what,
                            clock(note.t));
      break;
    }
    x.details.push_back(fmt::format("At {}: {}{}{}.", clock(f.at), f.what,
                                    f.until > f.at ? fmt::format(" until {}", clock(f.until)) : "",
                                    effect.empty() ? ": no visible effect" : " -> " + effect));
  }
  return x;
}

}  // namespace archsim::report
