// The kernel every component runs on: the clock, the event list, jobs (one
// visit of a request to a component) and the call mechanism shared by all
// kinds. Components are small state machines over it.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/event_queue.hpp"
#include "engine/histogram.hpp"
#include "engine/rng.hpp"
#include "engine/sampler.hpp"
#include "model/breaker.hpp"

namespace archsim {

/// Why a request (or one visit) failed. One table of names, used everywhere.
enum class ErrorKind : std::uint8_t {
  None = 0,
  Timeout,   ///< a caller (or the client) stopped waiting
  Rejected,  ///< a full queue turned it away
  RateLimited,
  CircuitOpen,
  PoolExhausted,
  DependencyFailed,
  Killed,        ///< the replica went down (or was down: connection refused)
  Shed,          ///< load shedding: waited past the deadline, or over the concurrency limit
  BulkheadFull,  ///< no permit left in the bulkhead for that downstream
  Injected,      ///< an `errors` fault made the visit fail
  HostDown,      ///< the platform backend's host is off
  Unreachable,   ///< the platform backend: a link on the message's route is off (a partition)
  Unavailable,   ///< a leaderless store had fewer replicas up than the consistency level needs
  Count
};
std::string_view name_of(ErrorKind k);

struct LatencyStats;
/// Count, mean and quantiles of a histogram, as results report them.
LatencyStats stats_of(const Histogram& h);

class Component;
class EventTarget;
class Builder;
class Breaker;
class Tracer;
struct FaultSpec;
struct Note;
struct ComponentResult;
struct RunResult;
struct ComponentTick;
struct Job;
struct Edge;

/// One place in the model that calls another component: its network delay
/// and the caller's timeout.
struct CallSite {
  // What every visit through the site reads or counts, together (one cache
  // line): in a large model a site is out of cache when a visit starts.
  Edge* edge = nullptr;
  Component* target = nullptr;
  bool has_latency = false;
  bool reuse_key =
      false;  ///< use the caller's last key if it has one (the store after a miss, an invalidation)
  std::uint16_t op = 0;    ///< Component::op_code of CallSpec::op at the target
  std::int32_t part = -1;  ///< a scatter's call: the shard it goes to (-1: the key decides)
  /// Visits this site made that ended in the measured window (any outcome),
  /// their summed time at the target (arrival to end, s) and the longest:
  /// where a request's time goes, per call site (report/explain).
  std::uint64_t visits = 0;
  double visit_time = 0, visit_max = 0;
  /// A traffic source's site: the source, told of a lean request's end
  /// (EventCode::Done, Kernel::start_request).
  EventTarget* source = nullptr;
  double timeout = 0;  ///< 0 = wait for ever
  std::uint64_t timeouts = 0;
  Sampler latency;           ///< one way; the reply takes another draw
  double request_bytes = 0;  ///< sizes, for a backend that models links
  double response_bytes = 0;
  Component* outbox = nullptr;  ///< `write: DB, outbox: Q`: the queue its committed rows go to (a Queue)
  // Resilience (all optional)
  std::optional<RetrySpec> retry;
  double retry_tokens = 0;  ///< retry budget: earned per first try, spent per retry
  double hedge = 0;         ///< seconds before a second attempt; 0 = none
  std::unique_ptr<Breaker> breaker;
  std::string caller;   ///< the calling component's (or traffic's) name, for notes
  std::string op_name;  ///< CallSpec::op ("" the default), to name the site in results
  int line = 0;         ///< line of the call in its file, to name the site in results
  std::uint64_t retries = 0, hedges = 0, budget_denied = 0;  ///< measured window
};

/// A pair of components that talk (from -> to): the unit of per-edge
/// statistics and of the network's random stream.
struct Edge {
  int index = 0;
  int from = 0;  ///< component index, or -1 - source index for traffic
  int to = 0;
  Rng rng;                   ///< network delays on this edge
  bool partitioned = false;  ///< messages on it are lost (a `partition` fault)
  // statistics over the measured window
  std::uint64_t calls = 0, failed = 0;
  Histogram call_latency;  ///< as the caller saw it
  // per tick
  std::uint32_t tick_calls = 0, tick_failed = 0;
  Histogram tick_latency;
};

/// One visit of a request to a component. Pooled: memory follows the number
/// of visits in flight, not the number simulated.
///
/// Its size is the memory of a request in flight (a queued request holds
/// only its visit's job when the source's call needs no timers or policies,
/// Kernel::start_request; else the source's job too): no field is here
/// that can be found elsewhere. The calling component is site->edge->from (every site belongs
/// to the component, or traffic source, that calls through it); a trace's
/// span id lives in the tracer, keyed by the job (`traced` says it has one).
struct Job {
  Job* parent = nullptr;    ///< who waits for this visit's reply (nullptr: nobody)
  Job* next = nullptr;      ///< free list link
  Job* run_prev = nullptr;  ///< a replica's list of visits holding a worker, or its waiting line
  Job* run_next = nullptr;
  Component* comp = nullptr;
  CallSite* site = nullptr;     ///< the call that created this visit
  CallSite* calling = nullptr;  ///< the call this job waits for now
  std::uint64_t request = 0;    ///< id of the end-to-end request
  double request_start = 0;     ///< when the end-to-end request started
  double arrived = 0;           ///< when this visit reached the component
  double started = 0;           ///< when a worker took it
  double sent = 0;              ///< when the caller sent this visit
  std::uint32_t token = 0;      ///< bumped whenever the job leaves a wait or is freed
  std::uint32_t parent_token = 0;
  std::int32_t replica = -1;
  std::int32_t caller_replica = -1;  ///< the replica of the component that sent it
  std::uint32_t pc = 0;              ///< next step of the component's program
  std::int32_t aux = 0;              ///< kind-specific (a balancer's chosen replica, a user id)
  std::uint32_t pending = 0;         ///< outstanding children of the current wait
  std::uint32_t extra = 0;           ///< 1 + index of its JobExtra (Kernel::extra); 0: none
  std::uint64_t key = 0;             ///< the data item a keyed component (cache, shard) works on
  std::uint16_t op = 0;              ///< what the call asks (Component::op_code); 0 = default
  std::uint8_t flags = 0;            ///< reply flags the callee set (kMiss, kStale); read by the caller
  std::uint8_t attempt = 0;          ///< retries made of the current call
  ErrorKind error = ErrorKind::None;
  // One byte for the five flags (bit-fields): the job stays within 144 B.
  bool measured : 1 = false;  ///< the request started after warm-up
  bool fanout : 1 = false;    ///< waiting on several calls (the component counts replies)
  bool keyed : 1 = false;     ///< `key` was set by one of this visit's calls
  bool traced : 1 = false;    ///< the tracer (--traces) holds a span for it: the request is sampled
  /// The first visit of a request whose traffic source keeps no job
  /// (Kernel::start_request): its end goes to site->source as
  /// EventCode::Done, carried by this job, which the source frees.
  bool root : 1 = false;
};

static_assert(std::is_trivially_destructible_v<Job>, "Kernel::alloc reuses a Job without destroying it");
// Memory per request in flight follows it (README "Performance"); grow it
// only knowingly.
static_assert(sizeof(Job) <= 144, "Job grew: memory per request in flight grows with it");

/// The fields of a job that only some visits use, out of Job (memory per
/// request in flight): lent by the kernel on first use (Kernel::extra), zeroed,
/// and taken back when the job is freed.
struct JobExtra {
  /// Repeat counters (nesting depth 4; up to limits::kRepeat); a queue's
  /// delivery: [0] deliveries so far, [1] the outbox ledger of its message.
  std::uint32_t loop[4] = {};
  float backoff = 0;  ///< the last retry delay, s (decorrelated jitter grows from it)
};

/// Reply flags (Job::flags).
constexpr std::uint8_t kMiss = 1;   ///< a cache did not have the key
constexpr std::uint8_t kStale = 2;  ///< a replica answered with data older than the last write

/// What an event does when it fires.
enum class EventCode : std::uint16_t {
  Arrive,   ///< job reaches its component after network delay
  Resume,   ///< a work step of the job finished
  Reply,    ///< a child's reply reaches the job (aux: ErrorKind)
  Timeout,  ///< the job's current call timed out
  Source,   ///< a traffic source generates its next request (job may be null)
  Retry,    ///< a backoff is over: the job tries its call again
  Hedge,    ///< no reply yet: the job sends a second attempt
  Tick,     ///< statistics tick
  Warmup,   ///< end of warm-up: reset statistics
  Custom,   ///< component-defined
  Done,     ///< a lean request's first visit ended: job is the visit (aux: ErrorKind | flags << 8)
};

struct Event {
  double time;
  std::uint64_t seq;
  EventTarget* target;
  Job* job;
  std::uint32_t token;
  EventCode code;
  std::uint16_t aux;
};

class Kernel;

/// Where the time of CPU work and of network transfers comes from. Without
/// one (the fast backend) work is a delay on a dedicated worker and the
/// network a latency; the simgrid backend shares cores and links instead.
/// Components never see it: they ask the kernel (Kernel::work, Kernel::call).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  /// Job j at its component needs `seconds` of CPU on a reference core.
  /// When done, the backend posts Event{Resume} for j (Kernel::post).
  virtual void work(Job& j, double seconds) = 0;
  /// A message (an arrival or a reply, given as the event to post when it
  /// has arrived) of `bytes` from (component, replica) to (component,
  /// replica); `delay` is the latency the scenario states for the call.
  virtual void transfer(const Event& e, int from, int from_replica, int to, int to_replica, double bytes,
                        double delay) = 0;
  /// Runs the kernel's events and the backend's activities in time order
  /// until simulated time t. `after_event` is called after each kernel event.
  virtual void run_until(Kernel& k, double t, void (*after_event)(void*), void* ctx) = 0;
  /// The measured window starts: forget the CPU and bytes counted so far.
  virtual void reset_figures() {}
  /// CPU per host and bytes per link over the measured window of `window` s.
  virtual void report(RunResult&, double /*window*/) const {}
  /// A fault of the platform (spec/platform_faults: host_down, link_degraded,
  /// ...) starts, or is undone when `end`. False when the backend has no
  /// platform (the loader refuses such faults there).
  virtual bool apply_fault(const FaultSpec& /*f*/, bool /*end*/) { return false; }
  /// Per tick of `dt` s: CPU per host and the busier direction of each link
  /// since the last call, as shares of capacity (indexed like the backend's
  /// layout); the counts start again. Empty from a backend without hosts.
  virtual void sample(std::vector<double>& /*host_cpu*/, std::vector<double>& /*link_util*/, double /*dt*/) {}
  /// False while the host that (component, replica) runs on is down: what a
  /// health check's probe finds. Always true without a platform.
  virtual bool replica_host_up(int /*component*/, int /*replica*/) const { return true; }
};

/// Anything an event can be addressed to: a component, and the objects that
/// only react to time (the fault timeline, the simulation's ticks).
class EventTarget {
 public:
  virtual ~EventTarget() = default;
  /// An event addressed to it fired (already checked not stale).
  virtual void handle(const Event& e) = 0;
};

/// Base of every component kind (and of traffic sources, whose requests
/// wait for replies like a component's calls). The base keeps the statistics
/// every kind has, with one convention: a visit counts as an arrival and is
/// in flight from the moment it reaches the component (enter) until it ends
/// (record_end), whether it was served or turned away at once. Kinds change
/// the counts only through the small methods below.
class Component : public EventTarget {
 public:
  Component(Kernel& k, std::string name, int index, std::uint64_t seed)
      : kernel_(k), index_(index), rng_(seed, name), name_(std::move(name)) {}

  /// Second phase of construction: resolve call sites (every component exists).
  virtual void link(Builder&) {}
  /// Schedules what the component does on its own at time 0 (sources).
  virtual void begin() {}
  /// A visit reaches the component: counted here, then the kind's arrive().
  void enter(Job* j);
  /// A child visit replied to job j (the call is finished: j->error says how).
  virtual void on_reply(Job* j, ErrorKind err) = 0;

  const std::string& name() const { return name_; }
  /// Position in the scenario's components (traffic sources: -1 - source).
  int index() const { return index_; }
  virtual int replicas() const { return 1; }
  /// The replica a visit goes to when the caller did not choose (no balancer).
  virtual int pick_replica() { return 0; }
  /// How a replica looks from outside: serving, down (registered, but it
  /// refuses: a crash), or not registered (provisioning, drained, removed).
  enum class ReplicaState : std::uint8_t { Serving, Down, Unregistered };
  virtual ReplicaState replica_state(int) const { return ReplicaState::Serving; }
  /// Calls to it carry a key (draw_key) that the caller remembers for a
  /// later store or invalidation; keyless kinds leave the caller's key alone.
  bool has_keys = false;
  /// Bumped whenever a replica changes state or replicas are added, so that
  /// balancers know to look again.
  std::uint64_t version = 0;
  /// A fault or operator action starts (`end` false) or ends (`end` true,
  /// for faults with `for:`). Returns false if this kind has no such knob.
  virtual bool apply(const FaultSpec&, bool /*end*/) { return false; }
  /// The code of an operation name a caller uses (CallSpec::op), or -1 if
  /// this kind has no such operation. "" is the default operation, code 0.
  virtual int op_code(const std::string& op) const { return op.empty() ? 0 : -1; }
  /// The key a call to this component works on (a keyed component draws it
  /// from its popularity distribution); the caller keeps it for a later store.
  virtual std::uint64_t draw_key() { return 0; }
  /// A key that lands on part `part` (a shard) of this component: a
  /// scatter's call to each shard.
  virtual std::uint64_t draw_key_in(int /*part*/) { return draw_key(); }
  virtual int workers() const { return 0; }

  // Statistics kept uniformly for every kind, measured window only.
  // What every visit touches comes first (one cache line), the histograms
  // after it (each starts on a line: Histogram is alignas(64)).
  struct Stats {
    std::uint64_t arrivals = 0, completed = 0, failed = 0;
    double busy_area = 0;       ///< integral of busy workers over time
    double queue_area = 0;      ///< integral of queue length over time
    double in_flight_area = 0;  ///< integral of visits present (queued or in service) over time
    double visit_time = 0;      ///< summed arrival-to-end time of the visits that ended (any outcome), s
    double queue_max = 0;
    Histogram latency;  ///< arrival to finish, successes
    Histogram wait;     ///< queueing time
    std::uint64_t errors[static_cast<int>(ErrorKind::Count)] = {};
  };
  const Stats& stats() const { return stats_; }
  /// Visits present now (queued or in service), waiting now, workers busy now.
  std::uint32_t in_flight() const { return in_flight_; }
  std::uint32_t queued() const { return queued_; }
  std::uint32_t busy() const { return busy_; }

  /// Counts a visit that ends now (success or failure); in_flight drops by one.
  void record_end(const Job* j, ErrorKind err);
  /// Counts an error that originated here.
  void record_error(ErrorKind k) { ++stats_.errors[static_cast<int>(k)]; }

  // Used by the simulation.
  /// End of warm-up: the statistics start again (the kind's own too).
  void reset_window();
  /// The figures of the measured window (`window` s long) up to `end`.
  void fill_result(ComponentResult& r, double end, double window);
  /// The figures of the tick (`dt` s long) that ends now; the next starts from zero.
  void take_tick(ComponentTick& t, double dt);

 protected:
  /// A visit arrives (already counted); j->replica is the one a balancer chose, or -1.
  virtual void arrive(Job* j) = 0;
  /// Figures particular to the kind over the measured window (a cache's
  /// hit_ratio, a database's pool_wait_ms): ComponentResult::figures, ::shards.
  virtual void report(ComponentResult&, double /*window, s*/) const {}
  /// Figures particular to the kind for the tick that ends now
  /// (ComponentTick::figures); the next tick starts from zero.
  virtual void report_tick(ComponentTick&) {}
  /// End of warm-up: the kind's own statistics start again.
  virtual void reset_stats() {}

  /// Visits waiting change by `delta` now (the queue's integral is kept).
  void add_queued(int delta);
  /// Busy workers change by `delta` now (the busy integral is kept).
  void add_busy(int delta);
  /// A visit waited `seconds` for a worker.
  void record_wait(double seconds) { stats_.wait.record(seconds); }
  /// Integrates busy and queue length up to now (add_* call it).
  void account(double now);
  /// The workers that can work changed (a replica went down, came up or
  /// was added; a resize): `workers` serve from now. A tick's utilization
  /// is of the time-weighted workers serving, so that a service left with
  /// one replica of three is seen saturated; until this is first called,
  /// of replicas() x workers().
  void set_serving_workers(double workers);
  /// Brings the tick's integral of workers serving up to `now`.
  void account_serving(double now);
  /// Brings the integral of visits present up to `now`.
  void account_in_flight(double now);
  /// Integrals since the start, never reset: worker-seconds, visit-seconds.
  double busy_total();
  double queue_total();

  // The fields are in the order a visit touches them, so that a visit to a
  // component in a model of thousands (out of cache) misses on few lines:
  // these with the vtable, has_keys and version (one line), the window's
  // counters (the next), its histograms (a line each for what a record
  // touches), the tick's counters with the random stream.
  Kernel& kernel_;
  int index_;

 private:
  std::uint32_t in_flight_ = 0, queued_ = 0, busy_ = 0;
  double in_flight_since_ = 0;  ///< when in_flight_'s integral was last brought up to date, s
  double last_change_ = 0;      ///< time of the last busy/queued change
  Stats stats_;
  struct TickStats {
    std::uint32_t arrivals = 0, completed = 0, failed = 0;
    double busy_area = 0;
    double serving_area = 0;  ///< integral of serving_ over the tick (when serving_ >= 0)
  } tick_;
  double busy_total_ = 0, queue_total_ = 0;
  double serving_ = -1;       ///< workers serving now (set_serving_workers); -1: never set
  double serving_since_ = 0;  ///< when tick_.serving_area was last brought up to date, s

 protected:
  Rng rng_;
  std::string name_;

 private:
  Histogram tick_latency_;  ///< kept only with a timeline
};

/// The clock, the event list and the job pool.
class Kernel {
 public:
  double now() const { return now_; }
  bool timeline = false;  ///< keep per-tick histograms

  void schedule(double time, EventTarget* c, EventCode code, Job* j = nullptr, std::uint16_t aux = 0) {
    queue_.push(Event{time, seq_++, c, j, j ? j->token : 0u, code, aux});
  }
  /// A component's own timer (EventCode::Custom, no job): `payload` rides in
  /// the token, which is checked only for job events, so that a replica
  /// number needs no packing into the 16-bit aux.
  void schedule_timer(double time, EventTarget* c, std::uint16_t aux, std::uint32_t payload) {
    queue_.push(Event{time, seq_++, c, nullptr, payload, EventCode::Custom, aux});
  }
  /// Queues e to run at the current time (after what is already due now).
  void post(const Event& e) { queue_.push(Event{now_, seq_++, e.target, e.job, e.token, e.code, e.aux}); }
  /// Lets the backend's clock move the kernel's (SimGrid runs the clock).
  void set_now(double t) { now_ = t; }
  /// Job j works for `seconds` of reference-core time, then its component
  /// receives a Resume event.
  void work(Job* j, double seconds) {
    if (backend) backend->work(*j, seconds);
    else schedule(now_ + seconds, j->comp, EventCode::Resume, j);
  }
  Backend* backend = nullptr;  ///< nullptr: the fast backend
  Tracer* tracer =
      nullptr;  ///< --traces: told of sampled visits (model/tracer.hpp); never draws random numbers
  /// Something that happened (a fault, an action, a breaker or replica change).
  void note(std::string kind, std::string target, std::string what, std::string detail = "");
  /// Where notes go (the simulation); set before the run.
  void (*note_sink)(void* ctx, const Note&) = nullptr;
  void* note_ctx = nullptr;
  bool empty() const { return queue_.empty(); }
  double next_time() const { return queue_.top().time; }
  /// Pops and runs one event; stale job events (token changed) are dropped.
  void step() {
    const Event e = queue_.pop();
    now_ = e.time;
    ++events_;
    if (e.job && e.job->token != e.token) return;
    dispatch(e);
  }
  std::uint64_t events() const { return events_; }
  /// Runs every event due by time t, in order; `after_event(ctx)` after
  /// each. The one stepping loop: the fast driver and the SimGrid actor
  /// both call it.
  /// Set (by an after_event hook) to stop run_until after the current event: a run stopped early.
  bool halt = false;
  void run_until(double t, void (*after_event)(void*) = nullptr, void* ctx = nullptr) {
    while (!halt && !empty() && next_time() <= t) {
      step();
      if (after_event) after_event(ctx);
    }
  }

  Job* alloc() {
    Job* j = free_;
    if (j) {
      free_ = j->next;
    } else {
      chunks_.emplace_back(new Job[kChunk]);
      Job* c = chunks_.back().get();
      for (int i = 1; i < kChunk; ++i) {
        c[i].next = free_;
        free_ = &c[i];
      }
      j = &c[0];
    }
    const std::uint32_t token = j->token;
    // Built in place: `*j = Job{}` built a 192-byte Job on the stack and
    // copied it (Job is trivially destructible: nothing to destroy first).
    ::new (static_cast<void*>(j)) Job;
    j->token = token;
    return j;
  }
  /// Job j's rarely used fields (JobExtra), lent zeroed on first use and
  /// kept until j is freed. The reference lasts until the next call.
  JobExtra& extra(Job* j) {
    if (!j->extra) j->extra = lend_extra();
    return extras_[j->extra - 1];
  }
  /// The same without lending: nullptr when j has none (all zero).
  const JobExtra* extra_if(const Job* j) const { return j->extra ? &extras_[j->extra - 1] : nullptr; }
  void free(Job* j) {
    if (j->traced) trace_freed(j);
    if (j->extra) {
      extras_free_.push_back(j->extra - 1);
      j->extra = 0;
    }
    ++j->token;  // any event still pointing at it is now stale
    j->next = free_;
    free_ = j;
  }
  /// Jobs the pool holds, live or free: its memory, which must follow the
  /// requests in flight, not the requests simulated.
  std::size_t pool_capacity() const { return chunks_.size() * static_cast<std::size_t>(kChunk); }

  /// Sends one more visit of the site's target for `caller` (no timers, no
  /// policies): the building block of calls, fan-outs and hedges.
  /// `defer`: deliver through the event list even when there is no delay, so
  /// that no reply can come back before the caller has sent all of a fan-out.
  /// The returned child may already have finished when there is no delay.
  Job* spawn(Job* caller, CallSite& site, int replica = -1, bool detached = false, bool defer = false);
  /// Whether a traffic source may send its requests through start_request:
  /// its call has no timeout, retry, hedge or breaker (nothing the source
  /// must wait with a job of its own), and no tracer or backend is set.
  bool lean(const CallSite& site) const {
    return !site.retry && !site.breaker && site.timeout <= 0 && site.hedge <= 0 && !tracer && !backend;
  }
  /// Starts request `request` at the source of `site` (lean(site) holds):
  /// its first visit is its only job, with the request's start and
  /// `measured`; the source hears of its end through EventCode::Done.
  /// The same events and random draws as call() from a source's own job.
  void start_request(CallSite& site, std::uint64_t request, bool measured);
  /// A call nobody waits for.
  void call_async(Job* caller, CallSite& site);
  /// Starts a call from job `caller` at a call site: a new visit of the
  /// site's target (at `replica`, or the target's choice when -1). The caller
  /// waits; it hears back through its component's on_reply (success, the
  /// callee's error, or a timeout).
  void call(Job* caller, CallSite& site, int replica = -1);
  /// Ends visit j: tells the caller (after the reply's network delay) and
  /// frees the job. The component must have released its resources first.
  void finish(Job* j, ErrorKind err);
  /// Sends event e (an Arrive or a Reply) over a call site: after the
  /// site's latency, or through the backend's network.
  /// Returns the latency drawn (0 when the backend decides the time).
  double send(const Event& e, const CallSite& site, int from, int from_replica, int to, int to_replica,
              double bytes);
  /// Counts one call on an edge, as its caller saw it.
  void record_call(Edge& e, ErrorKind err, double latency);
  /// A reply (or a timeout) reaches job j; `flags` are the callee's Job::flags.
  void reply(Job* j, ErrorKind err, std::uint8_t flags = 0);
  /// Ends the wait of a job that waits on several calls: late replies are ignored.
  void end_wait(Job* j) {
    ++j->token;
    j->pending = 0;
    j->fanout = false;
  }
  /// Statistics are measured from this time on (end of warm-up).
  double measure_from = 0;
  /// The region of each component's replicas (replica_region[c][r % n]) when
  /// the platform has several regions; empty: cross-region bytes not counted.
  std::vector<std::vector<int>> replica_region;
  /// Bytes sent between components in different regions since measure_from.
  double cross_region_bytes = 0;

  std::vector<std::unique_ptr<Edge>> edges;
  std::vector<std::unique_ptr<CallSite>> sites;

 private:
  static constexpr int kChunk = 1024;
  static constexpr int kMaxDepth = 64;  // direct hand-offs before an event is used
  void dispatch(const Event& e);
  void trace_freed(Job* j);
  /// A new visit of the site's target, sent now (no caller fields set yet).
  Job* new_visit(CallSite& site, int replica);
  /// Sends visit `child` to its component over `site` from (from, from_replica).
  void send_arrival(Job* child, CallSite& site, int from, int from_replica, bool defer);
  /// A lean request's first visit ends: the source hears (EventCode::Done).
  void end_request(Job* j, ErrorKind err);
  /// One attempt of the caller's current call (first, retry): timers included.
  void attempt(Job* caller, CallSite& site, int replica);
  /// The caller's timeout fired.
  void expire(Job* j);
  /// Fails the caller's call at once (the breaker is open).
  void refuse(Job* caller, CallSite& site);
  double backoff(Job* j, const RetrySpec& r, Rng& rng);
  /// Notes a breaker's change of state, if it changed.
  void breaker_moved(const CallSite& site, Breaker::State before);
  /// Runs e now, unless the stack of direct hand-offs is deep: then queues it at now.
  void now_or_later(const Event& e);
  int depth_ = 0;
  EventQueue<Event> queue_;
  double now_ = 0;
  std::uint64_t seq_ = 0;
  std::uint64_t events_ = 0;
  Job* free_ = nullptr;
  std::vector<std::unique_ptr<Job[]>> chunks_;
  /// 1 + the index of a zeroed JobExtra for a job (one taken back, or a new one).
  std::uint32_t lend_extra();
  std::vector<JobExtra> extras_;
  std::vector<std::uint32_t> extras_free_;  ///< indices in extras_ no job holds
};

}  // namespace archsim
