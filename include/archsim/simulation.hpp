// Running a scenario: the Simulation, what it reports while it runs
// (observations, for the view and the timeline) and what it returns.
#pragma once

#include <atomic>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archsim/spec.hpp"

namespace archsim {

/// Summary statistics of a latency sample, in seconds.
struct LatencyStats {
  std::uint64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};

/// A figure particular to a component's kind. The name is its JSON key and
/// ends in its unit where it has one: hit_ratio, pool_wait_ms, lag_s, lag_messages.
struct Figure {
  std::string name;
  double value = 0;
};

/// The visits one call site made to a component over the measured window
/// (every outcome): where a request's time at that component goes.
struct VisitGroup {
  std::string from;  ///< the calling component or traffic source
  std::string op;    ///< the operation or named query ("" the default)
  int line = 0;      ///< line of the call in its file
  std::uint64_t visits = 0;
  double total_s = 0;  ///< summed time at the component, arrival to end
  double max_s = 0;    ///< the longest single visit
};

/// What happened at one component over the measured window (after warm-up).
struct ComponentResult {
  std::string name;
  ComponentKind kind = ComponentKind::Service;
  int replicas = 1;
  int workers = 1;  ///< per replica (0 for a balancer)
  std::uint64_t arrivals = 0;
  std::uint64_t completed = 0;                  ///< finished successfully
  std::uint64_t failed = 0;                     ///< finished with an error (own or propagated)
  std::map<std::string, std::uint64_t> errors;  ///< errors that originated here, by kind
  double throughput_rps = 0;                    ///< successful completions per second
  double utilization = 0;                       ///< busy workers / all workers, time-averaged
  double queue_mean = 0;                        ///< waiting requests (all replicas), time-averaged
  double queue_max = 0;
  /// Visits at the component (queued or in service, all replicas),
  /// time-averaged over the window: Little's L for the whole visit, so
  /// in_flight_mean = (completed + failed) / window x visit_mean_s.
  double in_flight_mean = 0;
  double visit_mean_s = 0;  ///< arrival to end of the visits that ended in the window, any outcome (W), s
  LatencyStats latency;     ///< arrival to reply, successful visits
  /// Time in the queue of every visit that left it over the window: taken
  /// by a worker (0 when one was free), shed at a deadline or dropped with
  /// its replica. The population of queue_mean, so queue_mean = rate x wait
  /// (Little's law for the queue).
  LatencyStats wait;
  std::vector<VisitGroup> visits_by_call;   ///< per calling site, most total time first
  std::vector<Figure> figures;              ///< the kind's own (cache, database, queue, cdn), in print order
  std::vector<std::vector<Figure>> shards;  ///< per shard of a sharded database
};

/// Something that happened at a time: a fault or operator action from the
/// timeline (or the view), a breaker changing state, an autoscaler decision,
/// a health check ejecting a replica.
struct Note {
  double t = 0;
  std::string kind;    ///< fault, action, breaker, autoscale, health
  std::string target;  ///< the component (or traffic) concerned
  std::string what;    ///< e.g. kill, open, scale, eject
  std::string detail;  ///< words for people: "2 of 4 replicas", "4 -> 6 replicas"
};

/// One SLO and whether the run met it.
struct SloCheck {
  std::string name;
  double target = 0;
  double actual = 0;  ///< 0 and `measured` false: nothing to measure
  bool pass = false;
  bool higher_is_better = false;  ///< throughput_min, availability
  bool correctness = false;       ///< duplicates, stale reads, lost messages
  std::string source;             ///< a per-source objective: its traffic source
  std::string region;             ///< a per-region objective: its region
  std::string unit;               ///< "s", "fraction", "count", "rps"
  /// false: a latency objective with no successful request in the window
  /// ("no successful request"): it fails, and has no actual and no margin.
  bool measured = true;
  /// Room left as a share of the target (positive = met); its sign always
  /// agrees with `pass`. Meaningless when has_margin is false (no successful
  /// request, or a zero target).
  double margin = 0;
  bool has_margin = true;
  /// A graded problem's objective over all requests that a traffic source
  /// misses on its own: that source (`actual` is then its value).
  std::string worst_source = {};
};

/// What one traffic source's measured requests saw, and what it did.
struct SourceResult {
  std::string name;
  std::uint64_t started = 0, completed = 0, failed = 0;
  double throughput_rps = 0;
  LatencyStats latency;
  double timeout_s = 0;       ///< how long its users wait (0 = for ever)
  std::uint64_t retries = 0;  ///< attempts after the first, of measured requests
  std::uint64_t hedges = 0;   ///< second attempts sent before a reply
  /// Attempts it stopped waiting for (its timeout fired): the work they set
  /// off goes on downstream for nobody, and a retry duplicates it.
  std::uint64_t abandoned = 0;
};

struct EngineStats {
  std::uint64_t events = 0;
  double wall_s = 0;
  double events_per_s = 0;
  double peak_rss_mb = 0;
};

/// A host of the platform backend over the measured window.
struct HostResult {
  std::string name;
  double cpu_utilization = 0;  ///< work done / (cores x speed x window)
};

/// A link of the platform backend over the measured window, each way.
struct LinkResult {
  std::string name;
  double bandwidth = 0;         ///< bytes/s each way
  double up_bytes_per_s = 0;    ///< host to switch (a to b for a route between regions)
  double down_bytes_per_s = 0;  ///< and back
  double utilization = 0;       ///< the busier direction over the bandwidth
};

/// The answers one region of the platform sent to users (traffic sources'
/// `response:` bytes, or a CDN entry's objects), over the measured window:
/// simgrid backend only, where those bytes cross the platform's links.
struct RegionEgress {
  std::string region;
  double bytes_per_s = 0;               ///< from hosts in this region to users anywhere
  double cross_region_bytes_per_s = 0;  ///< of which to users in another region (over the WAN)
  double cdn_bytes_per_s = 0;           ///< of which answered by CDN nodes
  double gb_per_hour = 0;               ///< bytes_per_s as GB (1e9 bytes) an hour
  /// $/h at the egress price: a CDN's (cdn_egress_gb) for a CDN's answers,
  /// internet_egress_gb for the rest (a problem's `prices:` override both).
  double per_hour = 0;
};

/// The result of one run, in the terms of the JSON output.
struct RunResult {
  std::string scenario;
  std::string file;
  std::uint64_t seed = 1;
  std::string backend = "fast";
  double sim_time_s = 0;
  double warmup_s = 0;
  bool partial = false;         ///< stopped early (RunOptions::stop): figures cover [0, sim_time_s)
  std::uint64_t started = 0;    ///< measured requests started (after warm-up)
  std::uint64_t completed = 0;  ///< measured requests that succeeded
  std::uint64_t failed = 0;     ///< measured requests that failed
  std::uint64_t in_flight = 0;  ///< measured requests still running at the end
  double throughput_rps = 0;
  double arrival_rps = 0;  ///< measured requests started per second of the window
  double error_rate = 0;   ///< failed / (completed + failed), measured requests
  /// Time-averaged number of measured requests in the system over the
  /// window (Little's L end to end: in_flight_mean = arrival_rps x duration_mean_s).
  double in_flight_mean = 0;
  /// Start to reply or give-up of every finished measured request, success
  /// or failure (Little's W end to end), s.
  double duration_mean_s = 0, duration_max_s = 0;
  LatencyStats latency;  ///< end to end, successful measured requests
  /// End to end, successful measured requests and those that timed out, each
  /// at the time it took (a timed-out one: its timeout). count = 0 when no
  /// request timed out (then it is `latency`).
  LatencyStats latency_counting_timeouts;
  std::map<std::string, std::uint64_t> errors;  ///< measured failures by cause
  std::vector<ComponentResult> components;      ///< in file order
  std::vector<SourceResult> sources;            ///< per traffic source, in file order
  /// Per region of a graded problem (its sources' requests together), in the
  /// problem's order; only when an SLO is per region.
  std::vector<SourceResult> regions;
  std::vector<SloCheck> slo;
  bool slo_pass = true;
  std::vector<Note>
      notes;  ///< faults, actions and state changes, in time order (all of the run, up to limits::kNotes)
  std::uint64_t notes_dropped = 0;   ///< notes after the first limits::kNotes: counted, not kept
  std::vector<HostResult> hosts;     ///< simgrid backend: CPU per host (traffic hosts left out)
  std::vector<LinkResult> links;     ///< simgrid backend: links that carried bytes or have a finite bandwidth
  std::vector<RegionEgress> egress;  ///< simgrid backend: answers to users per region that sent them
  /// Bytes sent between components in different regions (a `platform:` with
  /// regions; calls' request_bytes and response_bytes) over the measured window.
  double cross_region_bytes = 0;
  EngineStats engine;
};

/// Per-component figures over one tick of simulated time.
struct ComponentTick {
  std::uint32_t arrivals = 0;
  std::uint32_t completed = 0;
  std::uint32_t failed = 0;
  std::uint32_t in_flight = 0;  ///< visits at the component at the end of the tick
  std::uint32_t queue = 0;      ///< waiting at the end of the tick, all replicas
  double utilization = 0;       ///< over the tick
  double p50 = 0, p99 = 0;      ///< latency of visits that ended in the tick, s
  std::vector<Figure> figures;  ///< the kind's own, e.g. hit_ratio, lag_messages
};

/// Per-edge figures over one tick: calls from one component to another.
struct EdgeTick {
  std::uint32_t calls = 0;
  std::uint32_t failed = 0;
  double p50 = 0, p99 = 0;  ///< call latency seen by the caller, s
};

/// One edge of the call graph; sources (traffic) appear as `from` = -1 - index.
struct EdgeInfo {
  int from = 0;
  int to = 0;
};

/// The platform a run's hosts and links form (a `platform:` section on the
/// simgrid backend), as the view draws it: regions holding zones holding
/// hosts, and the links with what they connect. Traffic sources' hosts and
/// their links (the users' side) are left out.
struct PlatformMap {
  struct Zone {
    std::string name;
    int region = 0;
  };
  struct Host {
    std::string name;
    int zone = 0;
    int cores = 1;
    int nic = -1;  ///< its own link to the zone's switch (index in links), -1 if it limits nothing
  };
  /// What a link joins: a host to its zone's switch, a region's zones, or two regions.
  enum class Joins { Host, Zones, Regions };
  struct Link {
    std::string name;
    double bandwidth = 0;  ///< bytes/s each way
    Joins joins = Joins::Regions;
    int a = 0;  ///< the host (Joins::Host), the region (Zones), the first region (Regions)
    int b = 0;  ///< the second region (Regions), else a
  };
  std::vector<std::string> regions;
  std::vector<Zone> zones;
  std::vector<Host> hosts;
  std::vector<Link> links;
  /// replica_host[c][r]: the host (index in hosts) of replica r of component c.
  std::vector<std::vector<int>> replica_host;
  /// Index in hosts / links of each host and link of the backend's layout, or -1.
  std::vector<int> from_layout_host, from_layout_link;
  /// zone_links[a][b]: the links (index in links) between zone a's switch
  /// and zone b's, either way (empty within a zone).
  std::vector<std::vector<std::vector<int>>> zone_links;
};

/// The links (index in m.links) a message between hosts a and b crosses:
/// their own links that limit something and the links between their zones.
std::vector<int> links_between(const PlatformMap& m, int a, int b);

/// The platform map of a spec with a declared `platform:` section, else nullopt.
std::optional<PlatformMap> platform_map(const ScenarioSpec& spec);

/// A snapshot at the end of a tick.
struct Tick {
  double t = 0;  ///< end of the tick, s
  double dt = 1;
  std::uint32_t started = 0, completed = 0, failed = 0;
  double p50 = 0, p99 = 0;  ///< end to end latency of requests finished in the tick
  /// Requests that failed with a timeout in the tick, and the p99 counting
  /// them at the time they took (their timeout) beside the successes: = p99
  /// when none timed out. An outage whose requests time out reads as slow
  /// here, where `p99` (successes only) has no value.
  std::uint32_t timed_out = 0;
  double p99_timeouts = 0;
  std::map<std::string, std::uint32_t> errors;
  std::vector<ComponentTick> components;  ///< index as in the spec
  std::vector<EdgeTick> edges;            ///< index as in Simulation::edges()
  /// Platform runs (PlatformMap): each host's CPU over the tick (flop its
  /// cores did in the tick / what they can do: at most 1), and each link's
  /// busier direction (bytes carried in the tick / bandwidth). Else empty.
  std::vector<double> host_cpu, link_util;
};

/// Subscribes to a running simulation. Drawing and writing only read.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_tick(const Tick&) {}
  virtual void on_note(const Note&) {}
  virtual void on_finish(const RunResult&) {}
};

class Tracer;  // sim/model/tracer.hpp; TraceWriter (archsim/exports.hpp) is one

struct RunOptions {
  double tick = 1.0;      ///< seconds of simulated time per Tick
  bool progress = false;  ///< a progress line on stderr when the run is slow
  /// Resource backend: "fast" (the kernel's own) or "simgrid" (shared cores
  /// and links, archsim/platform.hpp). "fast" defers to the spec's `backend:`.
  std::string backend = "fast";
  /// Told of every visit of sampled requests (--traces); nullptr: none.
  Tracer* tracer = nullptr;
  /// When it becomes true (a signal handler may set it), run() stops at the
  /// current simulated time and its result is marked partial. Fast backend.
  const std::atomic<bool>* stop = nullptr;
};

/// One simulation of one scenario. Runs to the end with run(), or in steps
/// with run_until() (the live view).
class Simulation {
 public:
  Simulation(const ScenarioSpec& spec, RunOptions opt = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  void add_observer(Observer* o);
  /// Advances simulated time to t (or to the end of the scenario).
  void run_until(double t);
  /// Runs to the end and returns the result.
  const RunResult& run();
  double now() const;
  bool done() const;
  /// Only valid once done().
  const RunResult& result() const;
  const ScenarioSpec& spec() const;
  /// Applies a fault or operator action now (the view's chaos keys); it is
  /// reported as a Note like a scripted one, and undone after its `for:`.
  void apply(const FaultSpec& f);
  /// Jobs the kernel's pool holds (live or free): memory follows requests in flight.
  std::size_t job_pool_capacity() const;
  /// The call graph's edges, as indexed in Tick::edges.
  const std::vector<EdgeInfo>& edges() const;
  /// The platform its ticks' host_cpu and link_util follow (simgrid backend
  /// with a `platform:`), or nullptr.
  const PlatformMap* platform() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Convenience: load nothing, just run a spec to the end.
RunResult simulate(const ScenarioSpec& spec, RunOptions opt = {});

}  // namespace archsim
