// Simulation: the layer that puts a run together. It builds the model
// (model/), chooses and constructs the resource backend (backend/; the model
// itself never does), drives the kernel to a time, emits ticks to observers
// and turns the statistics into a RunResult.
#include "archsim/simulation.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "backend/backends.hpp"
#include "model/builder.hpp"
#include "model/client.hpp"
#include "model/faults.hpp"
#include "model/kernel.hpp"

namespace archsim {

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double figure(const ComponentResult& c, std::string_view name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  return 0;
}

/// The measured value of a correctness objective, over every component.
double correctness_actual(SloSpec::Kind k, const RunResult& r) {
  using K = SloSpec::Kind;
  double sum = 0, reads = 0, worst = 0;
  for (const ComponentResult& c : r.components) {
    switch (k) {
      case K::Duplicates: sum += figure(c, "duplicates"); break;
      case K::LostMessages: sum += figure(c, "dead_letters") + figure(c, "dropped"); break;
      case K::LostWrites: sum += figure(c, "lost_writes"); break;
      case K::StaleReadRatio:
        sum += figure(c, "stale_reads");
        if (c.kind == ComponentKind::Database) reads += figure(c, "reads");
        break;
      case K::StalenessP99: worst = std::max(worst, figure(c, "staleness_p99_ms") / 1e3); break;
      default: break;
    }
  }
  if (k == K::StaleReadRatio) return reads > 0 ? sum / reads : 0.0;
  if (k == K::StalenessP99) return worst;
  return sum;
}

/// Evaluates each SLO of the spec against a result: over all requests, or
/// over one traffic source's (`per_source`); correctness over the system.
void check_slos(const ScenarioSpec& spec, RunResult& r) {
  r.slo_pass = true;
  for (const SloSpec& s : spec.slo) {
    SloCheck c;
    c.name = s.key;
    c.target = s.target;
    c.source = s.source;
    c.correctness = s.correctness();
    LatencyStats lat = r.latency;
    std::uint64_t completed = r.completed, failed = r.failed;
    double throughput = r.throughput_rps;
    if (!s.source.empty())
      for (const SourceResult& src : r.sources)
        if (src.name == s.source) {
          lat = src.latency;
          completed = src.completed;
          failed = src.failed;
          throughput = src.throughput_rps;
        }
    const std::uint64_t finished = completed + failed;
    using K = SloSpec::Kind;
    c.unit = "s";
    switch (s.kind) {
      case K::LatencyP50: c.actual = lat.p50; break;
      case K::LatencyP90: c.actual = lat.p90; break;
      case K::LatencyP99: c.actual = lat.p99; break;
      case K::LatencyP999: c.actual = lat.p999; break;
      case K::LatencyMean: c.actual = lat.mean; break;
      case K::ErrorRate:
        c.unit = "fraction";
        c.actual = finished ? static_cast<double>(failed) / static_cast<double>(finished) : 0.0;
        break;
      case K::Availability:
        c.unit = "fraction";
        c.actual = finished ? static_cast<double>(completed) / static_cast<double>(finished) : 0.0;
        c.higher_is_better = true;
        break;
      case K::ThroughputMin:
        c.unit = "rps";
        c.actual = throughput;
        c.higher_is_better = true;
        break;
      case K::Duplicates:
      case K::LostWrites:
      case K::LostMessages:
        c.unit = "count";
        c.actual = correctness_actual(s.kind, r);
        break;
      case K::StaleReadRatio:
        c.unit = "fraction";
        c.actual = correctness_actual(s.kind, r);
        break;
      case K::StalenessP99: c.actual = correctness_actual(s.kind, r); break;
    }
    // A latency objective with no successful request cannot be met.
    const bool latency = s.kind <= K::LatencyMean;
    c.pass = c.higher_is_better ? c.actual >= c.target
                                : (c.actual <= c.target && !(latency && completed == 0));
    r.slo_pass = r.slo_pass && c.pass;
    r.slo.push_back(c);
  }
}

}  // namespace

struct Simulation::Impl {
  /// Handles the simulation's own events: ticks and the end of warm-up.
  class Control : public EventTarget {
   public:
    explicit Control(Impl& sim) : sim_(sim) {}
    void handle(const Event& e) override {
      if (e.code == EventCode::Warmup) sim_.reset_stats();
      if (e.code == EventCode::Tick) sim_.emit_tick();
    }

   private:
    Impl& sim_;
  };

  ScenarioSpec spec;
  RunOptions opt;
  Kernel kernel;
  std::vector<std::unique_ptr<Component>> comps;
  std::vector<std::unique_ptr<Client>> clients;
  EndToEnd e2e;
  std::unique_ptr<Control> control;
  std::unique_ptr<FaultTimeline> faults;
  std::vector<std::unique_ptr<FaultSpec>> live_faults;  ///< applied from outside (the view)
  std::vector<Observer*> observers;
  std::vector<EdgeInfo> edge_info;
  RunResult result;
  bool started = false;
  bool finished = false;
  std::chrono::steady_clock::time_point wall_start;
  double wall_before = 0;  ///< wall seconds spent in earlier run_until calls
  bool progress_shown = false;
  std::uint64_t steps_ = 0;
  /// The resource backend (nullptr: fast). Last, so it goes first: it stops
  /// its engine while the components still exist.
  std::unique_ptr<Backend> backend;

  static void after_event(void* self) {
    auto* me = static_cast<Impl*>(self);
    if ((++me->steps_ & 0x3ffff) == 0 && me->opt.progress) me->show_progress();
    if ((me->steps_ & 0xfff) == 0 && me->opt.stop && me->opt.stop->load(std::memory_order_relaxed))
      me->kernel.halt = true;  // the fast backend's loop stops after this event
  }

  Impl(const ScenarioSpec& s, RunOptions o) : spec(s), opt(o) {
    kernel.measure_from = spec.warmup;
    backend = make_backend(opt.backend != "fast" ? opt.backend : spec.backend, kernel, spec);
    kernel.backend = backend.get();
    kernel.tracer = opt.tracer;
    Builder b(kernel, spec);
    b.build(comps, clients, e2e);
    control = std::make_unique<Control>(*this);
    std::vector<Component*> cs;
    for (auto& c : comps) cs.push_back(c.get());
    std::vector<Client*> cl;
    for (auto& c : clients) cl.push_back(c.get());
    faults = std::make_unique<FaultTimeline>(kernel, spec, cs, cl);
    kernel.note_sink = &Impl::on_note;
    kernel.note_ctx = this;
    for (const auto& e : kernel.edges) edge_info.push_back(EdgeInfo{e->from, e->to});
  }

  static void on_note(void* self, const Note& n) {
    auto* me = static_cast<Impl*>(self);
    me->result.notes.push_back(n);
    for (Observer* o : me->observers) o->on_note(n);
  }

  void begin() {
    started = true;
    kernel.timeline = !observers.empty();
    for (auto& c : clients) c->begin();
    for (auto& c : comps) c->begin();
    faults->begin();
    if (spec.warmup > 0) kernel.schedule(spec.warmup, control.get(), EventCode::Warmup);
    if (kernel.timeline) kernel.schedule(std::min(opt.tick, spec.duration), control.get(), EventCode::Tick);
  }

  void reset_stats() {
    if (backend) backend->reset_figures();
    for (auto& c : comps) c->reset_window();
    for (auto& e : kernel.edges) {
      e->calls = e->failed = 0;
      e->call_latency.clear();
    }
  }

  void emit_tick() {
    const double now = kernel.now();
    Tick t;
    t.t = now;
    t.dt = opt.tick;
    const double t0 = now - opt.tick;
    t.dt = now - (t0 < 0 ? 0 : t0);
    t.started = e2e.tick_started;
    t.completed = e2e.tick_completed;
    t.failed = e2e.tick_failed;
    t.p50 = e2e.tick_latency.quantile(0.5);
    t.p99 = e2e.tick_latency.quantile(0.99);
    for (int k = 1; k < static_cast<int>(ErrorKind::Count); ++k)
      if (e2e.tick_errors[k]) t.errors[std::string(name_of(static_cast<ErrorKind>(k)))] = e2e.tick_errors[k];
    e2e.tick_started = e2e.tick_completed = e2e.tick_failed = 0;
    for (auto& x : e2e.tick_errors) x = 0;
    e2e.tick_latency.clear();
    for (auto& c : comps) {
      ComponentTick ct;
      c->take_tick(ct, t.dt);
      t.components.push_back(ct);
    }
    for (auto& e : kernel.edges) {
      EdgeTick et;
      et.calls = e->tick_calls;
      et.failed = e->tick_failed;
      et.p50 = e->tick_latency.quantile(0.5);
      et.p99 = e->tick_latency.quantile(0.99);
      t.edges.push_back(et);
      e->tick_calls = e->tick_failed = 0;
      e->tick_latency.clear();
    }
    for (Observer* o : observers) o->on_tick(t);
    if (now < spec.duration) kernel.schedule(std::min(now + opt.tick, spec.duration), control.get(), EventCode::Tick);
  }

  double wall_elapsed() const {
    return wall_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  }

  void show_progress() {
    const double w = wall_elapsed();
    if (w < 1.0) return;
    // ETA: the wall time per simulated second so far, times what is left.
    const double left = kernel.now() > 0 ? w * (spec.duration - kernel.now()) / kernel.now() : 0.0;
    std::fprintf(stderr, "\rarchsim: %.1f s of %.1f s simulated (%.0f%%), %.1fM events/s, elapsed %.0f s, ETA %.0f s   ",
                 kernel.now(), spec.duration, 100.0 * kernel.now() / spec.duration,
                 static_cast<double>(kernel.events()) / w / 1e6, w, std::ceil(left));
    progress_shown = true;
  }

  void run_until(double t) {
    if (finished) return;
    if (!started) begin();
    wall_start = std::chrono::steady_clock::now();
    const double until = std::min(t, spec.duration);
    if (kernel.backend) kernel.backend->run_until(kernel, until, &Impl::after_event, this);
    else kernel.run_until(until, &Impl::after_event, this);
    if (kernel.halt) {  // --partial: a signal asked to stop here
      wall_before = wall_elapsed();
      finish(kernel.now());  // the result so far
      return;
    }
    wall_before = wall_elapsed();
    if (t >= spec.duration) finish(spec.duration);
  }

  /// `end`: the end of the run, or where it stopped (a partial result).
  void finish(double end) {
    finished = true;
    if (progress_shown) std::fprintf(stderr, "\r%120s\r", "");
    // Time integrals run to the end of the run even if the last event came earlier.
    RunResult& r = result;
    r.partial = end < spec.duration;
    r.scenario = spec.name;
    r.file = spec.file;
    r.seed = spec.seed;
    r.backend = backend ? backend->name() : "fast";
    r.sim_time_s = end;
    r.warmup_s = spec.warmup;
    const double window = std::max(0.0, end - spec.warmup);
    r.started = e2e.started;
    r.completed = e2e.completed;
    r.failed = e2e.failed;
    r.in_flight = e2e.started - e2e.completed - e2e.failed;
    r.throughput_rps = window > 0 ? static_cast<double>(e2e.completed) / window : 0.0;
    r.latency = stats_of(e2e.latency);
    for (int k = 1; k < static_cast<int>(ErrorKind::Count); ++k)
      if (e2e.errors[k]) r.errors[std::string(name_of(static_cast<ErrorKind>(k)))] = e2e.errors[k];
    for (std::size_t i = 0; i < comps.size(); ++i) {
      ComponentResult cr;
      cr.kind = spec.components[i].kind();
      comps[i]->fill_result(cr, end, window);
      r.components.push_back(cr);
    }
    if (backend) backend->report(r, window);
    for (const auto& cl : clients) {
      SourceResult sr;
      sr.name = cl->traffic_name();
      sr.started = cl->started;
      sr.completed = cl->completed;
      sr.failed = cl->failed;
      sr.throughput_rps = window > 0 ? static_cast<double>(cl->completed) / window : 0.0;
      sr.latency = stats_of(cl->latency);
      r.sources.push_back(sr);
    }
    check_slos(spec, r);
    r.engine.events = kernel.events();
    r.engine.wall_s = wall_before;
    r.engine.events_per_s = wall_before > 0 ? static_cast<double>(kernel.events()) / wall_before : 0.0;
    r.engine.peak_rss_mb = peak_rss_mb();
    for (Observer* o : observers) o->on_finish(r);
  }
};

Simulation::Simulation(const ScenarioSpec& spec, RunOptions opt) : impl_(std::make_unique<Impl>(spec, opt)) {}
Simulation::~Simulation() = default;

void Simulation::add_observer(Observer* o) { impl_->observers.push_back(o); }
void Simulation::run_until(double t) { impl_->run_until(t); }
const RunResult& Simulation::run() {
  impl_->run_until(impl_->spec.duration);
  return impl_->result;
}
double Simulation::now() const { return impl_->kernel.now(); }
std::size_t Simulation::job_pool_capacity() const { return impl_->kernel.pool_capacity(); }
bool Simulation::done() const { return impl_->finished; }
const RunResult& Simulation::result() const { return impl_->result; }
const ScenarioSpec& Simulation::spec() const { return impl_->spec; }
const std::vector<EdgeInfo>& Simulation::edges() const { return impl_->edge_info; }

void Simulation::apply(const FaultSpec& f) {
  if (!impl_->started) impl_->begin();
  impl_->live_faults.push_back(std::make_unique<FaultSpec>(f));
  FaultSpec& mine = *impl_->live_faults.back();
  mine.at = impl_->kernel.now();
  impl_->faults->apply_now(mine);
}

RunResult simulate(const ScenarioSpec& spec, RunOptions opt) {
  Simulation s(spec, opt);
  return s.run();
}

}  // namespace archsim
