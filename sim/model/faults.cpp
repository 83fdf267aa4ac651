#include "model/faults.hpp"

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "model/client.hpp"
#include "spec/platform_faults.hpp"

namespace archsim {

namespace {
constexpr std::uint16_t kEnd = 0x8000;  // aux bit: the end of a fault with `for:`
}  // namespace

FaultTimeline::FaultTimeline(Kernel& k, const ScenarioSpec& spec, std::vector<Component*> comps,
                             std::vector<Client*> clients)
    : kernel_(k), spec_(spec), comps_(std::move(comps)), clients_(std::move(clients)) {}

void FaultTimeline::schedule(const FaultSpec& f, double start) {
  // The index rides in the event's 32-bit payload: any number of faults.
  const auto i = static_cast<std::uint32_t>(all_.size());
  all_.push_back(&f);
  if (start > kernel_.now()) kernel_.schedule_timer(start, this, 0, i);
  else fire(f, false);
  // A latent defect's `for:` counts from its first request: its target ends it.
  if (f.duration && !f.latent) kernel_.schedule_timer(start + *f.duration, this, kEnd, i);
}

void FaultTimeline::begin() {
  for (const FaultSpec& f : spec_.faults) schedule(f, f.at);
}

void FaultTimeline::handle(const Event& e) {
  const std::size_t i = e.token;  // Kernel::schedule_timer's payload
  if (i < all_.size()) fire(*all_[i], (e.aux & kEnd) != 0);
}

void FaultTimeline::apply_now(const FaultSpec& f) { schedule(f, kernel_.now()); }

std::string FaultTimeline::describe(const FaultSpec& f) {
  using K = FaultSpec::Kind;
  const std::string n =
      f.replicas ? fmt::format("{} replica{}", *f.replicas, *f.replicas == 1 ? "" : "s") : "all replicas";
  switch (f.kind) {
    case K::Kill: return n + " down";
    case K::Restart: return fmt::format("{} restart ({} down)", n, format_duration(f.restart_time));
    case K::Slow:
      return f.add > 0 ? fmt::format("work x{:g} + {}", f.x, format_duration(f.add))
                       : fmt::format("work x{:g}", f.x);
    case K::Errors:
      return fmt::format("{:g}% of visits fail{}", f.p * 100,
                         f.latent ? " (a latent defect: from its first request)" : "");
    case K::Partition: return "cut from " + f.other;
    case K::Flush: return "cache flushed";
    case K::ExhaustPool: return "no connections left in the pools";
    case K::Leak:
      return fmt::format("memory leak: a replica restarts every {}", format_duration(f.every)) +
             (f.gc_pause > 0 ? fmt::format(", GC pauses growing to {}", format_duration(f.gc_pause)) : "");
    case K::Deploy:
      return fmt::format("rolling deploy, {} at a time, {} each", f.batch, format_duration(f.restart_time));
    case K::Scale: return fmt::format("scale to {} replicas", f.replicas.value_or(0));
    case K::Pool: return fmt::format("pool size {}", f.size);
    case K::RateLimit: return f.rate_limit ? "rate limit " + format_rate(f.rate_limit->rate) : "rate limit";
    case K::Breaker: return "breaker retuned";
    case K::Shift: {
      std::string w;
      for (const auto& [name, weight] : f.weights)
        w += (w.empty() ? "" : ", ") + fmt::format("{} {:g}", name, weight);
      return "weights " + w;
    }
    case K::Resize:
      if (f.workers && !f.instance.empty())
        return fmt::format("resize to {} with {} workers", f.instance, *f.workers);
      return f.workers ? fmt::format("resize to {} workers", *f.workers) : "resize to " + f.instance;
    case K::CacheSize: return fmt::format("cache size to {} entries", f.capacity);
    case K::Retries: return f.enabled ? "retries on" : "retries off";
    case K::Disable: return fmt::format("{} off", name_of(f.feature));
    case K::Enable: return fmt::format("{} on", name_of(f.feature));
    case K::Spike: return fmt::format("traffic x{:g}", f.x);
    case K::HostDown: return "host down";
    case K::HostSlow: return fmt::format("host x{:g} slower", f.x);
    case K::LinkDown: return "link down";
    case K::LinkDegraded: {
      std::string what = f.bandwidth > 0         ? "bandwidth " + format_bandwidth(f.bandwidth)
                         : f.bandwidth_share < 1 ? fmt::format("bandwidth {:g}%", f.bandwidth_share * 100)
                                                 : "";
      if (f.add > 0) what += (what.empty() ? "latency +" : ", latency +") + format_duration(f.add);
      return what;
    }
    case K::RegionPartition: return "region cut from " + f.other;
  }
  return "";
}

void FaultTimeline::partition(const FaultSpec& f, bool on) {
  const int a = spec_.find(f.target), b = spec_.find(f.other);
  for (auto& e : kernel_.edges)
    if ((e->from == a && e->to == b) || (e->from == b && e->to == a)) e->partitioned = on;
}

void FaultTimeline::fire(const FaultSpec& f, bool end) {
  using K = FaultSpec::Kind;
  const bool action = f.kind == K::Scale || f.kind == K::Pool || f.kind == K::RateLimit ||
                      f.kind == K::Breaker || f.kind == K::Shift || f.kind == K::Resize ||
                      f.kind == K::CacheSize || f.kind == K::Retries || f.kind == K::Disable ||
                      f.kind == K::Enable;
  bool done = false;
  if (f.kind == K::Partition) {
    partition(f, !end);
    done = true;
  } else if (is_platform_fault(f.kind)) {
    done = kernel_.backend && kernel_.backend->apply_fault(f, end);
  } else if (f.kind == K::Spike) {
    for (Client* c : clients_)
      if (c->traffic_name() == f.target) done = c->apply(f, end) || done;
  } else {
    const int i = spec_.find(f.target);
    if (i >= 0) done = comps_[static_cast<std::size_t>(i)]->apply(f, end);
  }
  const std::string kind_name(name_of(f.kind));
  std::string detail = end ? "over" : describe(f);
  if (!done)
    detail += is_platform_fault(f.kind) ? " (no platform on this backend: nothing happened)"
                                        : " (not supported by this component: nothing happened)";
  kernel_.note(action ? "action" : "fault", f.target, kind_name, detail);
}

}  // namespace archsim
