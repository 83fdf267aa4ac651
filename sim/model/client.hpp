// A traffic source: the users of the system. Open loop (Poisson arrivals at
// a rate that may follow a profile) or closed loop (users who send a
// request, wait for the reply or their timeout, think, and repeat).
#pragma once

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

namespace archsim {

/// End-to-end figures over all sources.
struct EndToEnd {
  std::uint64_t started = 0, completed = 0, failed = 0;  ///< measured requests
  std::uint64_t errors[static_cast<int>(ErrorKind::Count)] = {};
  Histogram latency;
  /// Requests that failed with a timeout (the client's, or a caller's
  /// inside), at the time they took: merged with `latency` this is the
  /// latency counting timed-out requests at their timeout, which does not
  /// improve when slow requests time out instead of finishing.
  Histogram timed_out;
  /// Successes and timed-out requests in one histogram (ok + timed_out).
  static Histogram counting_timeouts(const Histogram& ok, const Histogram& timed_out) {
    Histogram all = ok;
    all.merge(timed_out);
    return all;
  }
  /// Measured requests in the system now, and its integral over time (from
  /// the end of warm-up: no measured request exists before): Little's L.
  std::uint64_t in_system = 0;
  double in_system_area = 0, last_change = 0;
  /// Start to reply (or to the client giving up), every finished measured
  /// request, success or failure: Little's W. Seconds.
  double duration_sum = 0, duration_max = 0;
  std::uint64_t next_request = 0;
  /// Integrates in_system up to now; call before changing it.
  void account(double now) {
    in_system_area += (now - last_change) * static_cast<double>(in_system);
    last_change = now;
  }
  // per tick, all requests
  std::uint32_t tick_started = 0, tick_completed = 0, tick_failed = 0;
  std::uint32_t tick_errors[static_cast<int>(ErrorKind::Count)] = {};
  Histogram tick_latency;
  Histogram tick_timed_out;  ///< as timed_out, for the tick (kept only with a timeline)
};

class Client : public Component {
 public:
  Client(Kernel& k, const TrafficSpec& spec, int source, std::uint64_t seed, EndToEnd& e2e,
         const ScenarioSpec& scenario);
  void link(Builder& b) override;
  void begin() override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  /// Spike: the open-loop rate is multiplied by x until the end of the fault.
  bool apply(const FaultSpec& f, bool end) override;
  const std::string& traffic_name() const { return spec_.name; }
  /// The call each request makes (its retries, hedges and timeouts).
  const CallSite* site() const { return site_; }
  const TrafficSpec& traffic() const { return spec_; }
  /// This source's measured requests (per-source SLOs): started, completed, failed.
  std::uint64_t started = 0, completed = 0, failed = 0;
  Histogram latency;  ///< of its successful measured requests

 protected:
  /// A traffic source receives no visits; it is a Component because its
  /// requests wait for replies like a component's calls (Job::comp).
  void arrive(Job*) override {}

 private:
  /// Rate multiplier of the profile at time t.
  double multiplier(double t) const;
  void schedule_next_arrival();
  void send();
  /// A request started at `request_start` ended with `err`: the end-to-end
  /// figures, and a closed-loop user's next think time.
  void end(double request_start, bool measured, ErrorKind err);

  const TrafficSpec& spec_;
  const ScenarioSpec& scenario_;
  int source_;
  EndToEnd& e2e_;
  CallSpec call_;  ///< the request each user sends: to the entry, with the client's timeout and retries
  CallSite* site_ = nullptr;
  Sampler think_;
  double max_rate_ = 0;  ///< bound for thinning a varying rate
  double spike_ = 1;     ///< multiplier from `spike` faults
};

}  // namespace archsim
