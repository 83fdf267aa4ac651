#include "backend/simgrid.hpp"

#include "archsim/simulation.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

// SimGrid 3.32 keeps its clock in a static member that a destroyed engine
// leaves where it stopped; the next engine in the process would start there
// (and refuse to run "until" an earlier date). Between two engines, when no
// engine exists, archsim sets it back to 0 so that every run starts at 0 and
// gives the same figures as in a fresh process.
extern double archsim_simgrid_clock asm("_ZN7simgrid6kernel10EngineImpl4now_E");

// SimGrid keeps some allocations until the process exits (its configuration,
// log categories, signal tables): not archsim's leaks.
extern "C" __attribute__((used, visibility("default"))) const char* __lsan_default_suppressions() {
  return "leak:libsimgrid.so\n";
}

namespace archsim {

namespace {

// One engine per process: the slot, who holds it, and the running backend.
std::mutex g_mutex;
std::condition_variable g_released;
bool g_busy = false;
std::thread::id g_owner;
SimGridBackend* g_current = nullptr;

void acquire_engine() {
  std::unique_lock lock(g_mutex);
  if (g_busy && g_owner == std::this_thread::get_id())
    throw std::logic_error(
        "only one simgrid simulation can exist at a time in a process (SimGrid has one engine "
        "per process): destroy the first before creating the next");
  g_released.wait(lock, [] { return !g_busy; });
  g_busy = true;
  g_owner = std::this_thread::get_id();
}

void release_engine() {
  {
    std::lock_guard lock(g_mutex);
    g_busy = false;
  }
  g_released.notify_all();
}

constexpr double kNever = std::numeric_limits<double>::infinity();

}  // namespace

struct SimGridBackend::Impl {
  /// An activity in progress and what to post when it is over.
  struct Flight {
    Event ev;
    double extra = 0;  ///< stated call latency, added after a transfer
    int a = -1;        ///< the host of the work, or the sender
    int b = -1;        ///< the receiver (transfers)
    bool comm = false;
    double amount = 0;   ///< flop (work) or bytes (transfer) of the activity
    double counted = 0;  ///< of it, already counted in the figures (progress so far)
  };

  SimGridBackend& self;
  Kernel& kernel;
  const Layout& layout;
  std::unique_ptr<sg4::Engine> engine;
  sg4::Host* control = nullptr;
  std::vector<sg4::Host*> hosts;  ///< by Layout host index
  std::vector<sg4::Link*> links;  ///< by Layout link index (split-duplex)
  std::vector<char> host_on, link_on;
  /// Flop per reference-core flop on each host: its SimGrid speed over the
  /// speed it should have now (set_host_speed). 1 until a speed changes.
  std::vector<double> slowdown;
  int hosts_down = 0, links_down = 0;
  /// Seconds added to each link's latency (set_link_latency), and how many
  /// links have some: messages without a SimGrid communication add them.
  std::vector<double> added_latency;
  int links_slowed = 0;
  /// cut[a][b]: regions a and b cannot reach each other; how many pairs are.
  std::vector<std::vector<char>> cut;
  int cuts = 0;
  /// Sum of latencies from zone a's switch to zone b's (routes between zones).
  std::vector<std::vector<double>> zone_latency;

  sg4::ActorPtr actor;
  std::vector<sg4::ActivityPtr> acts;  ///< in progress, parallel to flights
  std::vector<Flight> flights;
  double target = 0;     ///< run_until's time: the actor does not wait past it
  double reached = 0;    ///< the latest time the actor has waited to
  bool running = false;  ///< inside Engine::run_until (kernel events run in the actor)
  bool parked = false;   ///< the actor is suspended at the target
  bool quit = false;
  void (*after_event)(void*) = nullptr;
  void* ctx = nullptr;
  std::vector<std::function<void()>> pending;  ///< changes asked between run_until calls
  std::exception_ptr error;

  Impl(SimGridBackend& s, Kernel& k) : self(s), kernel(k), layout(s.layout_) {}

  // ------------------------------------------------------------ platform

  void build() {
    static char arg0[] = "archsim";
    static char log[] = "--log=root.thresh:critical";
    static char model[] = "--cfg=network/model:CM02";      // latencies as stated (LV08 multiplies them)
    static char cross[] = "--cfg=network/crosstraffic:0";  // a reply does not slow the request's direction
    static char gamma[] = "--cfg=network/TCP-gamma:0";     // no TCP window bound on long-latency routes
    static char ctx_factory[] = "--cfg=contexts/factory:raw";
    char* argv[] = {arg0, log, model, cross, gamma, ctx_factory, nullptr};
    int argc = 6;
    archsim_simgrid_clock = 0;
    engine = std::make_unique<sg4::Engine>(&argc, argv);

    sg4::NetZone* root = sg4::create_full_zone("archsim");
    // archsim's own names have a ':', which platform names cannot have.
    control = root->create_host("archsim:control", kReferenceSpeed);
    links.assign(layout.links.size(), nullptr);
    hosts.assign(layout.hosts.size(), nullptr);

    std::vector<sg4::NetZone*> zones;
    std::vector<simgrid::kernel::routing::NetPoint*> gateways;
    for (std::size_t z = 0; z < layout.zones.size(); ++z) {
      sg4::NetZone* nz = sg4::create_star_zone(layout.zones[z].name);
      nz->set_parent(root);
      simgrid::kernel::routing::NetPoint* gw = nz->create_router(layout.zones[z].name + ":switch");
      nz->add_route(gw, nullptr, nullptr, nullptr, {}, true);
      for (std::size_t h = 0; h < layout.hosts.size(); ++h) {
        const Layout::Host& lh = layout.hosts[h];
        if (lh.zone != static_cast<int>(z)) continue;
        sg4::Host* host = nz->create_host(lh.name, lh.speed)->set_core_count(lh.cores);
        sg4::Link* nic = make_link(nz, lh.nic);
        nz->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                      {sg4::LinkInRoute(nic, sg4::LinkInRoute::Direction::UP)}, true);
        host->seal();
        hosts[h] = host;
      }
      zones.push_back(nz);
      gateways.push_back(gw);
    }
    // Routes between zones, each way on its own (a split-duplex link is
    // crossed UP one way and DOWN the other). A pair without links in the
    // layout (two zones of a region without a backbone) still needs a link
    // in SimGrid: one that neither delays nor limits.
    std::vector<sg4::Link*> free_links(layout.regions.size(), nullptr);
    for (std::size_t a = 0; a < zones.size(); ++a) {
      for (std::size_t b = 0; b < zones.size(); ++b) {
        if (a == b) continue;
        std::vector<sg4::LinkInRoute> route;
        for (const Layout::Hop& hop : layout.zone_route[a][b])
          route.emplace_back(make_link(root, hop.link),
                             hop.up ? sg4::LinkInRoute::Direction::UP : sg4::LinkInRoute::Direction::DOWN);
        if (route.empty()) {
          const auto r = static_cast<std::size_t>(layout.zones[a].region);
          if (!free_links[r]) {
            free_links[r] =
                root->create_link(layout.regions[r] + ":switching", kUnlimitedBandwidth)->set_latency(0);
            free_links[r]->seal();
          }
          route.emplace_back(free_links[r]);
        }
        root->add_route(zones[a]->get_netpoint(), zones[b]->get_netpoint(), gateways[a], gateways[b], route,
                        false);
      }
    }
    for (sg4::NetZone* z : zones) z->seal();
    root->seal();

    host_on.assign(hosts.size(), 1);
    slowdown.assign(hosts.size(), 1.0);
    link_on.assign(links.size(), 1);
    added_latency.assign(links.size(), 0.0);
    cut.assign(layout.regions.size(), std::vector<char>(layout.regions.size(), 0));
    const std::size_t nz = layout.zones.size();
    zone_latency.assign(nz, std::vector<double>(nz, 0.0));
    for (std::size_t a = 0; a < nz; ++a)
      for (std::size_t b = 0; b < nz; ++b)
        for (const Layout::Hop& hop : layout.zone_route[a][b])
          zone_latency[a][b] += layout.links[static_cast<std::size_t>(hop.link)].latency;
  }

  sg4::Link* make_link(sg4::NetZone* zone, int index) {
    auto& l = links[static_cast<std::size_t>(index)];
    if (!l) {
      const Layout::Link& spec = layout.links[static_cast<std::size_t>(index)];
      l = zone->create_split_duplex_link(spec.name, spec.bandwidth)->set_latency(spec.latency);
      l->seal();
    }
    return l;
  }

  double latency(int a, int b) const {
    if (a == b) return 0;
    const Layout::Host& ha = layout.hosts[static_cast<std::size_t>(a)];
    const Layout::Host& hb = layout.hosts[static_cast<std::size_t>(b)];
    return layout.links[static_cast<std::size_t>(ha.nic)].latency +
           zone_latency[static_cast<std::size_t>(ha.zone)][static_cast<std::size_t>(hb.zone)] +
           layout.links[static_cast<std::size_t>(hb.nic)].latency;
  }

  /// The latency set_link_latency added along the route from a to b, s.
  double added(int a, int b) const {
    double sum = 0;
    if (links_slowed > 0)
      for (const Layout::Hop& h : layout.route(a, b)) sum += added_latency[static_cast<std::size_t>(h.link)];
    return sum;
  }

  int region_of(int host) const {
    return layout.zones[static_cast<std::size_t>(layout.hosts[static_cast<std::size_t>(host)].zone)].region;
  }

  bool cut_apart(int a, int b) const {
    return cuts > 0 && cut[static_cast<std::size_t>(region_of(a))][static_cast<std::size_t>(region_of(b))];
  }

  bool route_down(int a, int b) const {
    for (const Layout::Hop& h : layout.route(a, b))
      if (!link_on[static_cast<std::size_t>(h.link)]) return true;
    return false;
  }

  bool crosses(int a, int b, int link) const {
    for (const Layout::Hop& h : layout.route(a, b))
      if (h.link == link) return true;
    return false;
  }

  // ------------------------------------------------------------ delivery

  /// Puts e into the kernel at time `at` (now or later), unless it is stale.
  void deliver(const Event& e, double at) {
    if (e.job && e.job->token != e.token) return;
    if (at <= kernel.now()) kernel.post(e);
    else kernel.schedule(at, e.target, e.code, e.job, e.aux);
  }

  /// Work that cannot run (its host is down): the visit fails with `kind`,
  /// delivered as a failed reply to the job (no call is pending: a component
  /// fails its visit as it would after a failed call).
  void fail_work(Job& j, ErrorKind kind) {
    ++self.counters_.failed;
    j.comp->record_error(kind);
    j.calling = nullptr;
    j.pending = 0;
    kernel.post(
        Event{kernel.now(), 0, j.comp, &j, j.token, EventCode::Reply, static_cast<std::uint16_t>(kind)});
  }

  /// A message that cannot be delivered: an arrival fails its caller's call
  /// (the visit never starts), a reply reaches the caller as a failure.
  void fail_message(const Event& e, ErrorKind kind) {
    ++self.counters_.failed;
    if (e.job && e.job->token != e.token) return;
    const auto aux = static_cast<std::uint16_t>(kind);
    if (e.code == EventCode::Arrive) {
      Job* child = e.job;
      Job* p = child->parent;
      if (p && p->token == child->parent_token) {
        p->comp->record_error(kind);
        kernel.post(Event{kernel.now(), 0, p->comp, p, child->parent_token, EventCode::Reply, aux});
      }
      kernel.free(child);
    } else if (e.code == EventCode::Reply) {
      e.job->comp->record_error(kind);
      kernel.post(Event{kernel.now(), 0, e.target, e.job, e.token, EventCode::Reply, aux});
    }
  }

  void add_flight(sg4::ActivityPtr a, const Flight& f) {
    acts.push_back(std::move(a));
    flights.push_back(f);
  }

  /// What activity i has done since it was last counted: flop or bytes.
  double progress(std::size_t i) const {
    return std::max(0.0, flights[i].amount - acts[i]->get_remaining() - flights[i].counted);
  }

  /// Counts `done` flop or bytes of activity i in the window's and the
  /// tick's figures: CPU and links are counted as they are used, not when
  /// an activity is started (a tick asked more than its capacity would read
  /// over 100%).
  void count(std::size_t i, double done) {
    Flight& f = flights[i];
    f.counted += done;
    if (done <= 0) return;
    if (!f.comm) {
      self.count_flops(f.a, done);
      return;
    }
    self.count_bytes(f.a, f.b, done);
  }
  void count_progress() {
    for (std::size_t i = 0; i < flights.size(); ++i) count(i, progress(i));
  }

  void remove_flight(std::size_t i) {
    acts[i] = std::move(acts.back());
    acts.pop_back();
    flights[i] = flights.back();
    flights.pop_back();
  }

  /// Activity i finished at the SimGrid clock: its event goes into the kernel.
  void complete(std::size_t i) {
    count(i, flights[i].amount - flights[i].counted);
    const Flight f = flights[i];
    remove_flight(i);
    kernel.set_now(std::max(kernel.now(), sg4::Engine::get_clock()));
    deliver(f.ev, kernel.now() + (f.comm ? f.extra : 0.0));
  }

  /// Cancels the activities `hit` selects and fails them with `kind`.
  template <class Pred>
  void fail_flights(Pred hit, ErrorKind kind) {
    for (std::size_t i = flights.size(); i-- > 0;) {
      if (!hit(flights[i])) continue;
      count(i, progress(i));  // what it did before it failed
      const Flight f = flights[i];
      acts[i]->cancel();
      remove_flight(i);
      if (f.comm) fail_message(f.ev, kind);
      else fail_work(*f.ev.job, kind);
    }
  }

  /// After SimGrid reported a failed activity we did not cancel ourselves:
  /// find which ones failed, and fail their visits or messages.
  void sweep_failures() {
    for (std::size_t i = flights.size(); i-- > 0;) {
      bool failed = false;
      try {
        if (!acts[i]->test()) continue;
      } catch (const simgrid::Exception&) {
        failed = true;
      }
      if (!failed) {
        complete(i);
        continue;
      }
      const Flight f = flights[i];
      remove_flight(i);
      kernel.set_now(std::max(kernel.now(), sg4::Engine::get_clock()));
      if (f.comm) fail_message(f.ev, ErrorKind::Unreachable);
      else fail_work(*f.ev.job, ErrorKind::HostDown);
    }
  }

  // ------------------------------------------------------------ the actor

  /// Runs a change now when inside the actor, else when it next wakes.
  void act(std::function<void()> change) {
    if (running) change();
    else pending.push_back(std::move(change));
  }

  void apply_pending() {
    if (pending.empty()) return;
    kernel.set_now(std::max(kernel.now(), sg4::Engine::get_clock()));
    auto changes = std::move(pending);
    pending.clear();
    for (auto& c : changes) c();
  }

  void main_loop() {
    try {
      for (;;) {
        apply_pending();
        if (quit) break;
        const double now = std::max(sg4::Engine::get_clock(), reached);
        kernel.run_until(now, after_event, ctx);
        const double next = kernel.empty() ? kNever : kernel.next_time();
        const double until = std::min(next, target);
        if (until <= now) {
          // Reached the target with nothing due: wait here until the next
          // run_until (or the end) resumes the actor.
          parked = true;
          sg4::this_actor::suspend();
          parked = false;
          continue;
        }
        if (acts.empty()) {
          sg4::this_actor::sleep_until(until);
          reached = until;
          continue;
        }
        ssize_t i = -1;
        try {
          i = sg4::Activity::wait_any_for(acts, until - now);
        } catch (const simgrid::Exception&) {
          sweep_failures();
          continue;
        }
        if (i < 0) {
          reached = until;
          continue;
        }
        complete(static_cast<std::size_t>(i));
      }
    } catch (const std::exception&) {
      error = std::current_exception();
    }
    for (auto& a : acts) a->cancel();
    acts.clear();
    flights.clear();
  }
};

SimGridBackend::SimGridBackend(Kernel& k, const ScenarioSpec& spec) {
  acquire_engine();
  try {
    layout_ = Layout::build(spec);
    for (const ComponentSpec& c : spec.components) cdn_.push_back(c.cdn() != nullptr);
    impl_ = std::make_unique<Impl>(*this, k);
    impl_->build();
  } catch (...) {
    impl_.reset();
    archsim_simgrid_clock = 0;
    release_engine();
    throw;
  }
  g_current = this;
}

SimGridBackend::~SimGridBackend() {
  if (impl_ && impl_->actor) {
    // Let the actor leave its loop and cancel what is in flight, then let
    // the engine finish.
    impl_->quit = true;
    impl_->pending.clear();
    if (impl_->parked) impl_->actor->resume();
    impl_->running = true;
    impl_->engine->run();
    impl_->running = false;
  }
  impl_.reset();
  archsim_simgrid_clock = 0;
  g_current = nullptr;
  release_engine();
}

SimGridBackend* SimGridBackend::current() { return g_current; }

bool SimGridBackend::replica_host_up(int component, int replica) const {
  const Impl& m = *impl_;
  return m.hosts_down == 0 || m.host_on[static_cast<std::size_t>(layout_.host_of(component, replica))];
}

void SimGridBackend::work(Job& j, double seconds) {
  Impl& m = *impl_;
  const int h = layout_.host_of(j.comp->index(), j.replica);
  if (m.hosts_down > 0 && !m.host_on[static_cast<std::size_t>(h)]) {
    m.fail_work(j, ErrorKind::HostDown);
    return;
  }
  const Event ev{m.kernel.now(), 0, j.comp, &j, j.token, EventCode::Resume, 0};
  if (seconds <= 0) {
    m.kernel.post(ev);
    return;
  }
  const auto hi = static_cast<std::size_t>(h);
  const double flop = seconds * kReferenceSpeed * m.slowdown[hi];
  sg4::ExecPtr ex = sg4::this_actor::exec_init(flop)->set_host(m.hosts[hi]);
  ex->start();
  ++counters_.executions;
  m.add_flight(ex, Impl::Flight{ev, 0, h, -1, false, flop});
}

void SimGridBackend::transfer(const Event& e, int from, int from_replica, int to, int to_replica,
                              double bytes, double delay) {
  Impl& m = *impl_;
  const int a = layout_.host_of(from, from_replica);
  const int b = layout_.host_of(to, to_replica);
  if (m.hosts_down > 0 &&
      (!m.host_on[static_cast<std::size_t>(a)] || !m.host_on[static_cast<std::size_t>(b)])) {
    m.fail_message(e, ErrorKind::HostDown);
    return;
  }
  if ((m.links_down > 0 && m.route_down(a, b)) || m.cut_apart(a, b)) {
    m.fail_message(e, ErrorKind::Unreachable);
    return;
  }
  if (bytes < 1 || a == b) {
    // Nothing to share: the route's latency and the stated one.
    ++counters_.direct;
    m.deliver(e, m.kernel.now() + m.latency(a, b) + m.added(a, b) + delay);
    return;
  }
  if (to < 0) count_egress(from, a, b, bytes);
  const auto sent = static_cast<std::uint64_t>(bytes);
  sg4::CommPtr c = sg4::Comm::sendto_async(m.hosts[static_cast<std::size_t>(a)],
                                           m.hosts[static_cast<std::size_t>(b)], sent);
  ++counters_.comms;
  m.add_flight(c, Impl::Flight{e, delay, a, b, true, static_cast<double>(sent)});
}

void SimGridBackend::count_flops(int host, double flop) {
  const auto hi = static_cast<std::size_t>(host);
  if (flops_.size() <= hi) flops_.resize(layout_.hosts.size(), 0.0);
  if (tick_flops_.size() <= hi) tick_flops_.resize(layout_.hosts.size(), 0.0);
  flops_[hi] += flop;
  tick_flops_[hi] += flop;
}

void SimGridBackend::count_bytes(int a, int b, double bytes) {
  if (up_.empty()) up_.assign(layout_.links.size(), 0.0), down_.assign(layout_.links.size(), 0.0);
  if (tick_up_.empty())
    tick_up_.assign(layout_.links.size(), 0.0), tick_down_.assign(layout_.links.size(), 0.0);
  for (const Layout::Hop& hop : layout_.route(a, b)) {
    (hop.up ? up_ : down_)[static_cast<std::size_t>(hop.link)] += bytes;
    (hop.up ? tick_up_ : tick_down_)[static_cast<std::size_t>(hop.link)] += bytes;
  }
}

void SimGridBackend::count_egress(int from, int a, int b, double bytes) {
  const Impl& m = *impl_;
  if (egress_.empty()) {
    for (auto* v : {&egress_, &egress_cross_, &egress_cdn_}) v->assign(layout_.regions.size(), 0.0);
  }
  const auto r = static_cast<std::size_t>(m.region_of(a));
  egress_[r] += bytes;
  if (m.region_of(b) != m.region_of(a)) egress_cross_[r] += bytes;
  if (from >= 0 && static_cast<std::size_t>(from) < cdn_.size() && cdn_[static_cast<std::size_t>(from)])
    egress_cdn_[r] += bytes;
}

void SimGridBackend::reset_figures() {
  if (impl_) impl_->count_progress();  // the ticks keep what was done before the window
  for (auto* v : {&egress_, &egress_cross_, &egress_cdn_}) std::fill(v->begin(), v->end(), 0.0);
  std::fill(flops_.begin(), flops_.end(), 0.0);
  std::fill(up_.begin(), up_.end(), 0.0);
  std::fill(down_.begin(), down_.end(), 0.0);
}

void SimGridBackend::report(RunResult& r, double window) const {
  if (window <= 0) return;
  // CPU: the flop a host's cores did in the window (work still running
  // counts what it did so far) over what they can do in it.
  std::vector<double> flops = flops_, up = up_, down = down_;
  flops.resize(layout_.hosts.size(), 0.0);
  up.resize(layout_.links.size(), 0.0);
  down.resize(layout_.links.size(), 0.0);
  for (std::size_t i = 0; impl_ && i < impl_->flights.size(); ++i) {
    const Impl::Flight& f = impl_->flights[i];
    const double done = impl_->progress(i);
    if (!f.comm) flops[static_cast<std::size_t>(f.a)] += done;
    else
      for (const Layout::Hop& hop : layout_.route(f.a, f.b))
        (hop.up ? up : down)[static_cast<std::size_t>(hop.link)] += done;
  }
  for (std::size_t h = 0; h < layout_.hosts.size(); ++h) {
    const Layout::Host& lh = layout_.hosts[h];
    if (lh.name.rfind("traffic.", 0) == 0) continue;  // the users' side
    r.hosts.push_back({lh.name, flops[h] / (lh.cores * lh.speed * window)});
  }
  for (std::size_t l = 0; l < layout_.links.size(); ++l) {
    const Layout::Link& ll = layout_.links[l];
    const double up_bps = up[l] / window, down_bps = down[l] / window;
    if (ll.bandwidth >= kUnlimitedBandwidth && up_bps == 0 && down_bps == 0) continue;
    r.links.push_back({ll.name, ll.bandwidth, up_bps, down_bps, std::max(up_bps, down_bps) / ll.bandwidth});
  }
  // Answers to users per region that sent them; simulation.cpp prices them.
  for (std::size_t g = 0; g < egress_.size(); ++g) {
    if (egress_[g] <= 0) continue;
    RegionEgress e;
    e.region = layout_.regions[g];
    e.bytes_per_s = egress_[g] / window;
    e.cross_region_bytes_per_s = egress_cross_[g] / window;
    e.cdn_bytes_per_s = egress_cdn_[g] / window;
    e.gb_per_hour = e.bytes_per_s * 3600 / 1e9;
    r.egress.push_back(e);
  }
}

void SimGridBackend::sample(std::vector<double>& host_cpu, std::vector<double>& link_util, double dt) {
  // As report() counts them: what the cores and links did in the tick (work
  // and transfers still running count their progress), at most 1.
  impl_->count_progress();
  host_cpu.assign(layout_.hosts.size(), 0.0);
  link_util.assign(layout_.links.size(), 0.0);
  if (dt <= 0) return;
  for (std::size_t h = 0; h < tick_flops_.size(); ++h) {
    const Layout::Host& lh = layout_.hosts[h];
    host_cpu[h] = tick_flops_[h] / (lh.cores * lh.speed * dt);
  }
  for (std::size_t l = 0; l < tick_up_.size(); ++l)
    link_util[l] = std::max(tick_up_[l], tick_down_[l]) / (layout_.links[l].bandwidth * dt);
  std::fill(tick_flops_.begin(), tick_flops_.end(), 0.0);
  std::fill(tick_up_.begin(), tick_up_.end(), 0.0);
  std::fill(tick_down_.begin(), tick_down_.end(), 0.0);
}

void SimGridBackend::run_until(Kernel&, double t, void (*after_event)(void*), void* ctx) {
  Impl& m = *impl_;
  if (m.error) return;
  m.after_event = after_event;
  m.ctx = ctx;
  m.target = std::max(m.target, t);
  m.running = true;
  if (!m.actor) {
    m.actor = sg4::Actor::create("archsim-kernel", m.control, [&m] { m.main_loop(); });
  } else if (m.parked) {
    m.actor->resume();
  }
  if (t > sg4::Engine::get_clock()) m.engine->run_until(t);
  else m.engine->run_until(sg4::Engine::get_clock());
  m.running = false;
  if (m.error) std::rethrow_exception(m.error);
}

void SimGridBackend::set_host_state(const std::string& name, bool on) {
  const int h = layout_.find_host(name);
  if (h < 0) throw std::invalid_argument("no host named '" + name + "'");
  Impl& m = *impl_;
  m.act([&m, h, on] {
    const auto i = static_cast<std::size_t>(h);
    if (static_cast<bool>(m.host_on[i]) == on) return;
    m.host_on[i] = on;
    if (on) {
      --m.hosts_down;
      m.hosts[i]->turn_on();
      return;
    }
    ++m.hosts_down;
    // Fail what runs on it or talks to it before SimGrid does: archsim
    // knows whose work it is.
    m.fail_flights([h](const Impl::Flight& f) { return f.a == h || f.b == h; }, ErrorKind::HostDown);
    m.hosts[i]->turn_off();
  });
}

void SimGridBackend::set_link_state(const std::string& name, bool on) {
  const int l = layout_.find_link(name);
  if (l < 0) throw std::invalid_argument("no link named '" + name + "'");
  Impl& m = *impl_;
  m.act([&m, l, on] {
    const auto i = static_cast<std::size_t>(l);
    if (static_cast<bool>(m.link_on[i]) == on || !m.links[i]) {
      m.link_on[i] = on;
      return;
    }
    m.link_on[i] = on;
    if (on) {
      --m.links_down;
      m.links[i]->turn_on();
      return;
    }
    ++m.links_down;
    m.fail_flights([&m, l](const Impl::Flight& f) { return f.comm && m.crosses(f.a, f.b, l); },
                   ErrorKind::Unreachable);
    m.links[i]->turn_off();
  });
}

void SimGridBackend::set_host_speed(const std::string& name, double flops) {
  const int h = layout_.find_host(name);
  if (h < 0) throw std::invalid_argument("no host named '" + name + "'");
  if (!(flops > 0)) throw std::invalid_argument("a host's speed must be positive");
  Impl& m = *impl_;
  // SimGrid 3.32 cannot change a sealed host's speed (and takes one speed
  // profile per host, set in advance): the host keeps its SimGrid speed, and
  // work on it is scaled instead. Work in progress is restarted with what is
  // left of it, scaled by the change, so it finishes when it would have at
  // the new speed; sharing between executions is unchanged.
  m.act([&m, h, flops] {
    const auto i = static_cast<std::size_t>(h);
    const double before = m.slowdown[i];
    m.slowdown[i] = m.hosts[i]->get_speed() / flops;
    const double scale = m.slowdown[i] / before;
    for (std::size_t k = 0; k < m.flights.size(); ++k) {
      if (m.flights[k].comm || m.flights[k].a != h) continue;
      m.count(k, m.progress(k));  // the old speed's progress, then the rest anew
      const double left = m.acts[k]->get_remaining();
      m.acts[k]->cancel();
      sg4::ExecPtr ex = sg4::this_actor::exec_init(left * scale)->set_host(m.hosts[i]);
      ex->start();
      m.acts[k] = ex;
      m.flights[k].amount = left * scale;
      m.flights[k].counted = 0;
    }
  });
}

void SimGridBackend::set_link_bandwidth(const std::string& name, double bytes_per_second) {
  const int l = layout_.find_link(name);
  if (l < 0) throw std::invalid_argument("no link named '" + name + "'");
  if (!(bytes_per_second > 0)) throw std::invalid_argument("a link's bandwidth must be positive");
  Impl& m = *impl_;
  m.act([&m, l, bytes_per_second] {
    if (sg4::Link* link = m.links[static_cast<std::size_t>(l)]) link->set_bandwidth(bytes_per_second);
  });
}

void SimGridBackend::set_link_latency(const std::string& name, double seconds) {
  const int l = layout_.find_link(name);
  if (l < 0) throw std::invalid_argument("no link named '" + name + "'");
  if (!(seconds >= 0)) throw std::invalid_argument("a link's latency cannot be negative");
  Impl& m = *impl_;
  m.act([&m, l, seconds] {
    const auto i = static_cast<std::size_t>(l);
    const double add = seconds - m.layout.links[i].latency;
    if ((m.added_latency[i] != 0) != (add != 0)) m.links_slowed += add != 0 ? 1 : -1;
    m.added_latency[i] = add;
    if (sg4::Link* link = m.links[i]) link->set_latency(seconds);
  });
}

void SimGridBackend::set_region_cut(const std::string& a, const std::string& b, bool cut) {
  const auto find = [this](const std::string& n) {
    const auto it = std::find(layout_.regions.begin(), layout_.regions.end(), n);
    if (it == layout_.regions.end()) throw std::invalid_argument("no region named '" + n + "'");
    return static_cast<std::size_t>(it - layout_.regions.begin());
  };
  const std::size_t ra = find(a), rb = find(b);
  Impl& m = *impl_;
  m.act([&m, ra, rb, cut] {
    if (static_cast<bool>(m.cut[ra][rb]) == cut) return;
    m.cut[ra][rb] = m.cut[rb][ra] = cut;
    m.cuts += cut ? 1 : -1;
    if (!cut) return;
    // Messages on their way between the two fail now: the link they were
    // crossing is gone.
    m.fail_flights(
        [&m](const Impl::Flight& f) { return f.comm && f.a >= 0 && f.b >= 0 && m.cut_apart(f.a, f.b); },
        ErrorKind::Unreachable);
  });
}

bool SimGridBackend::outage(const FaultSpec& f, bool end) {
  // Regions in either order are one pair.
  const bool swap = f.kind == FaultSpec::Kind::RegionPartition && f.other < f.target;
  const std::string key =
      fmt::format("{}:{}:{}", name_of(f.kind), swap ? f.other : f.target, swap ? f.target : f.other);
  int& n = outages_[key];
  n += end ? -1 : 1;
  return end ? n == 0 : n == 1;
}

bool SimGridBackend::apply_fault(const FaultSpec& f, bool end) {
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::HostDown:
      if (outage(f, end)) set_host_state(f.target, end);
      return true;
    case K::HostSlow: {
      const double own = layout_.hosts[static_cast<std::size_t>(layout_.find_host(f.target))].speed;
      set_host_speed(f.target, end ? own : own / f.x);
      return true;
    }
    case K::LinkDown:
      if (outage(f, end)) set_link_state(f.target, end);
      return true;
    case K::LinkDegraded: {
      const Layout::Link& own = layout_.links[static_cast<std::size_t>(layout_.find_link(f.target))];
      if (f.bandwidth > 0 || f.bandwidth_share != 1)
        set_link_bandwidth(f.target, end               ? own.bandwidth
                                     : f.bandwidth > 0 ? f.bandwidth
                                                       : own.bandwidth * f.bandwidth_share);
      if (f.add > 0) set_link_latency(f.target, own.latency + (end ? 0 : f.add));
      return true;
    }
    case K::RegionPartition:
      if (outage(f, end)) set_region_cut(f.target, f.other, !end);
      return true;
    default: return false;
  }
}

}  // namespace archsim
