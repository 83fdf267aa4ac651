// The simgrid backend: CPU work runs as SimGrid executions on hosts with
// cores and a speed (concurrent requests share the cores), and messages with
// a size travel as SimGrid communications over links (concurrent flows share
// the bandwidth). Queues, pools and routing stay in archsim's components;
// SimGrid only says how long work and transfers take, and which hosts and
// links are up.
//
// The kernel runs inside one SimGrid actor (on a control host that nothing
// else uses): it runs the events that are due, then waits for the first of
// its activities to finish or for the next event's time, whichever is first.
//
// SimGrid keeps one engine per process, so one SimGridBackend exists at a
// time: a second one in another thread waits for the first to be destroyed,
// and one in the same thread is an error (std::logic_error).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "archsim/spec.hpp"
#include "backend/layout.hpp"
#include "model/kernel.hpp"

namespace archsim {

class SimGridBackend : public Backend {
 public:
  /// Builds the platform of `spec` (Layout::build). The spec must outlive it.
  SimGridBackend(Kernel& k, const ScenarioSpec& spec);
  ~SimGridBackend() override;
  SimGridBackend(const SimGridBackend&) = delete;
  SimGridBackend& operator=(const SimGridBackend&) = delete;

  const char* name() const override { return "simgrid"; }
  void work(Job& j, double seconds) override;
  void transfer(const Event& e, int from, int from_replica, int to, int to_replica, double bytes,
                double delay) override;
  void run_until(Kernel& k, double t, void (*after_event)(void*), void* ctx) override;
  void reset_figures() override;
  void report(RunResult& r, double window) const override;
  void sample(std::vector<double>& host_cpu, std::vector<double>& link_util, double dt) override;

  // Failures and changes, for the fault timeline. Called from a kernel event
  // they act at once; called between run_until calls they act at the time
  // reached. Names are Layout host and link names (a declared host, or
  // "api.0" for replica 0 of an unplaced component "api").

  /// A host turned off fails the work on it (host_down), and every message to
  /// or from it; turned on, it serves again.
  void set_host_state(const std::string& host, bool on);
  /// A link turned off fails the messages that cross it (unreachable): the
  /// two sides are partitioned until it is on again.
  void set_link_state(const std::string& link, bool on);
  /// Speed of each core in flop/s (the reference core is kReferenceSpeed);
  /// work in progress speeds up or slows down from now on.
  void set_host_speed(const std::string& host, double flops);
  /// Bandwidth in bytes/s each way; transfers in progress share the new one.
  void set_link_bandwidth(const std::string& link, double bytes_per_second);
  /// Latency in seconds, one way: transfers that start from now on take it.
  void set_link_latency(const std::string& link, double seconds);
  /// Cuts regions a and b apart (or joins them again): messages between
  /// them fail (unreachable), those in flight at once.
  void set_region_cut(const std::string& a, const std::string& b, bool cut);
  /// The platform faults of the timeline (spec/platform_faults), mapped
  /// onto the methods above; `end` restores the layout's own values. A
  /// host, link or pair of regions down twice at once is back when the
  /// last of its outages is over; a slowdown or degradation replaces the
  /// one before, and its end restores the layout's values.
  bool apply_fault(const FaultSpec& f, bool end) override;
  bool replica_host_up(int component, int replica) const override;

  const Layout& layout() const { return layout_; }
  /// The backend of the running simulation in this process, or nullptr.
  static SimGridBackend* current();

  struct Counters {
    std::uint64_t executions = 0;  ///< work steps run as SimGrid executions
    std::uint64_t comms = 0;       ///< messages sent as SimGrid communications
    std::uint64_t direct = 0;      ///< messages delivered without one (no size, or same host)
    std::uint64_t failed = 0;      ///< work and messages failed by a host or link
  };
  const Counters& counters() const { return counters_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Layout layout_;
  Counters counters_;
  /// Outages (host_down, link_down, region_partition) in force per target.
  std::map<std::string, int> outages_;
  /// Counts an outage of f's target starting or ending: true when the
  /// target's state changes (the first starts, the last ends).
  bool outage(const FaultSpec& f, bool end);
  std::vector<double> flops_;      ///< per Layout host: flop done in the measured window
  std::vector<double> up_, down_;  ///< per Layout link: bytes carried each way in the measured window
  /// Per Layout region, in the measured window: answers sent from its hosts
  /// to traffic sources (bytes), those to sources in another region, and
  /// those a CDN sent.
  std::vector<double> egress_, egress_cross_, egress_cdn_;
  std::vector<char> cdn_;  ///< per component: a CDN (its answers are priced as CDN egress)
  /// Counts an answer of `bytes` from host a (component `from`) to the
  /// users at host b.
  void count_egress(int from, int a, int b, double bytes);
  /// The same since the last sample() (a tick of the view and the timeline).
  std::vector<double> tick_flops_, tick_up_, tick_down_;
  /// Counts flop done on a host, bytes carried from host a to host b (on
  /// every link of the route), as the activities progress.
  void count_flops(int host, double flop);
  void count_bytes(int a, int b, double bytes);
  friend struct Impl;
};

}  // namespace archsim
