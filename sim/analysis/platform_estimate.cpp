#include "analysis/platform_estimate.hpp"

#include <algorithm>
#include <functional>

#include "backend/layout.hpp"
#include "engine/sampler.hpp"

namespace archsim {

namespace {

/// Mean own work of a service's steps per visit: the CPU a visit asks for.
double service_work(const std::vector<StepSpec>& steps) {
  double t = 0;
  for (const StepSpec& s : steps) {
    if (s.kind == StepSpec::Kind::Work)
      t += sampled_moments(s.work).mean;  // as drawn (a normal is truncated)
    if (s.kind == StepSpec::Kind::Repeat) t += s.mean_count() * service_work(s.steps);
    if (s.kind == StepSpec::Kind::Branch)
      for (const StepSpec::Arm& a : s.arms) t += a.p * service_work(a.steps);
    if (s.kind == StepSpec::Kind::Call) t += service_work(s.on_miss);
  }
  return t;
}

// What the napkin math offers each component per second (the peak, or the
// mean over the window).
using RateOf = std::function<double(std::size_t)>;

// CPU: each replica's share of its component's arrivals times the work of
// a visit. Returns whether a data kind's visit stood for its CPU.
bool estimate_hosts(const ScenarioSpec& spec, const Estimate& est, const Layout& L, const RateOf& rate_of,
                    PlatformEstimate& out) {
  std::vector<double> demand(L.hosts.size(), 0.0);
  std::vector<std::vector<std::string>> runs(L.hosts.size());
  bool data_kinds = false;
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ComponentSpec& cs = spec.components[c];
    const ComponentEstimate& ce = est.components[c];
    double work = 0;
    if (const ServiceSpec* s = cs.service()) work = service_work(s->steps);
    else if (cs.cache() || cs.database() || cs.cdn()) {
      work = ce.hold;  // their visit is their own work
      data_kinds = true;
    }
    const auto& hosts = L.replica_host[c];
    for (std::size_t r = 0; r < hosts.size(); ++r) {
      const auto h = static_cast<std::size_t>(hosts[r]);
      demand[h] += rate_of(c) / static_cast<double>(hosts.size()) * work;
      runs[h].push_back(cs.name + "." + std::to_string(r));
    }
  }
  for (std::size_t h = 0; h < L.hosts.size(); ++h) {
    const Layout::Host& lh = L.hosts[h];
    if (lh.name.rfind("traffic.", 0) == 0) continue;  // the users' side
    HostEstimate he;
    he.name = lh.name;
    he.zone = L.zones[static_cast<std::size_t>(lh.zone)].name;
    he.cores = lh.cores;
    he.speed = lh.speed / kReferenceSpeed;
    he.demand = demand[h];
    he.utilization = demand[h] / (lh.cores * he.speed);
    he.runs = runs[h];
    out.host_list.push_back(std::move(he));
  }
  out.hosts = out.host_list.size();
  return data_kinds;
}

// Network: each call step's rate, spread evenly over the pairs of caller
// and callee replicas; the request goes one way, the response back.
void estimate_links(const ScenarioSpec& spec, const Layout& L, const RateOf& rate_of,
                    const std::vector<double>& source_rate, PlatformEstimate& out) {
  std::vector<double> up(L.links.size(), 0.0), down(L.links.size(), 0.0);
  const auto carry = [&](int a, int b, double bytes_per_s) {
    if (bytes_per_s <= 0) return;
    for (const Layout::Hop& hop : L.route(a, b))
      (hop.up ? up : down)[static_cast<std::size_t>(hop.link)] += bytes_per_s;
  };
  for (std::size_t c = 0; c < spec.components.size(); ++c) {
    const ServiceSpec* s = spec.components[c].service();
    if (!s) continue;
    const double rate = rate_of(c);
    for_each_call(s->steps, [&](const StepSpec& st, double times) {
      const int to = spec.find(st.call.target);
      if (to < 0 || times <= 0) return;
      const auto& from_hosts = L.replica_host[c];
      const auto& to_hosts = L.replica_host[static_cast<std::size_t>(to)];
      const double pair_rate =
          rate * times / static_cast<double>(from_hosts.size()) / static_cast<double>(to_hosts.size());
      for (int a : from_hosts) {
        for (int b : to_hosts) {
          carry(a, b, pair_rate * st.call.request_bytes);
          if (st.kind != StepSpec::Kind::Async) carry(b, a, pair_rate * st.call.response_bytes);
        }
      }
    });
  }
  // Answers to users (answer_bytes, archsim/spec.hpp): from the entry's
  // replicas to the source's host, spread evenly over the replicas.
  for (std::size_t t = 0; t < spec.traffic.size() && t < source_rate.size(); ++t) {
    const int entry = spec.find(spec.traffic[t].to);
    const double bytes = answer_bytes(spec, spec.traffic[t]);
    if (entry < 0 || bytes <= 0) continue;
    const auto& hosts = L.replica_host[static_cast<std::size_t>(entry)];
    for (int a : hosts)
      carry(a, L.source_host[t], source_rate[t] / static_cast<double>(hosts.size()) * bytes);
  }
  out.links = L.links.size();
  for (std::size_t l = 0; l < L.links.size(); ++l) {
    const Layout::Link& ll = L.links[l];
    const bool limited = ll.bandwidth < kUnlimitedBandwidth;
    if (!limited && up[l] == 0 && down[l] == 0) continue;
    LinkEstimate le;
    le.name = ll.name;
    le.bandwidth = ll.bandwidth;
    le.latency = ll.latency;
    le.up = up[l];
    le.down = down[l];
    le.utilization = std::max(up[l], down[l]) / ll.bandwidth;
    le.up_label = "out";  // a host's own link: from the host, and to it
    le.down_label = "in";
    if (spec.platform) {
      for (const RouteSpec& rt : spec.platform->routes)
        for (int k : rt.links)
          if (spec.platform->links[static_cast<std::size_t>(k)].name == ll.name) {
            le.up_label = rt.a + "->" + rt.b;
            le.down_label = rt.b + "->" + rt.a;
          }
    }
    if (!limited && le.up == 0 && le.down == 0) continue;
    out.link_list.push_back(std::move(le));
  }
}

}  // namespace

PlatformEstimate estimate_platform(const ScenarioSpec& spec, const Estimate& est, bool window_mean) {
  const RateOf rate_of = [&](std::size_t c) {
    return window_mean ? est.components[c].mean_arrivals : est.components[c].arrivals;
  };
  const Layout L = Layout::build(spec);
  PlatformEstimate out;
  out.declared = L.declared;
  out.regions = L.regions.size();
  out.zones = L.zones.size();
  const bool data_kinds = estimate_hosts(spec, est, L, rate_of, out);
  estimate_links(spec, L, rate_of, window_mean ? est.source_mean_rates : est.source_rates, out);
  if (data_kinds)
    out.notes.push_back("a cache, database or cdn node's CPU is its time per visit (as if every visit hit)");
  if (!L.declared)
    out.notes.push_back(
        "no 'platform:' section: one host per replica with a core per worker, on a LAN that neither "
        "delays nor limits");
  return out;
}

}  // namespace archsim
