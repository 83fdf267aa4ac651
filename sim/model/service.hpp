// A service: replicas, each with a pool of workers and a FIFO waiting room.
// A request holds a worker while it runs the service's steps (a
// StepProgram). The parts with one job each live in their own files:
// the replicas (replica_set), the program (step_program), who may enter and
// call (admission), how many replicas it wants (autoscaler), and requests it
// executed twice (duplicates). This file runs visits through them;
// service_faults.cpp applies faults and operator actions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "archsim/spec.hpp"
#include "model/admission.hpp"
#include "model/autoscaler.hpp"
#include "model/duplicates.hpp"
#include "model/heap_gc.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/replica_set.hpp"
#include "model/step_program.hpp"
#include "spec/instances.hpp"

namespace archsim {

class Service : public Component {
 public:
  Service(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;
  void link(Builder& b) override;

  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  int replicas() const override { return static_cast<int>(reps_.size()); }
  int workers() const override { return static_cast<int>(workers_); }

  int pick_replica() override;
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  ReplicaState replica_state(int r) const override;
  bool apply(const FaultSpec& f, bool end) override;
  void begin() override;

  /// The replicas (read-only), for tests and reports.
  const ReplicaSet& replica_set() const { return reps_; }

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  using State = Replica::State;
  /// Timers of the component itself (Event::aux low 4 bits; replica in the rest).
  enum Timer : std::uint16_t {
    kRevive = 1,
    kProvisioned = 2,
    kAutoscale = 3,
    kLeak = 4,
    kDeployNext = 5,
    kDefectFixed = 6
  };

  // Running a visit (service.cpp)
  void start(Job* j);
  void run(Job* j);
  /// Runs op (a Call) for j; false if the visit stops here for now.
  void run_call(Job* j, const Op& op);
  void fan_out(Job* j, const Op& op);
  void complete(Job* j, ErrorKind err);
  /// Fails a visit that has not started (or never will): counted here, replied at once.
  void refuse(Job* j, ErrorKind err);
  /// The next waiting visit a freed worker takes (queue policy; deadline sheds).
  Job* next_waiting(Replica& r);
  /// Hands j's worker to the next in line, or frees it.
  Job* pass_worker(Replica& r);
  /// A fan-out's deadline: go on with what has come back, or fail.
  void fan_out_deadline(Job* j);
  /// A call (or a fan-out) failed: the fallback if there is one, else the visit fails.
  void call_failed(Job* j, const Op& op, ErrorKind err);

  // Faults, actions, autoscaling (service_faults.cpp)
  void on_timer(Timer t, int replica);
  void set_up(int r, bool up);
  /// Ends every visit on replica r (it went down): callers hear at once.
  void kill_visits(Replica& r);
  void restart(int r, double down_for);
  void autoscale();
  bool kill(const FaultSpec& f, bool end);
  bool scale(const FaultSpec& f);
  /// `resize`: new workers per replica (named, or following a new instance's
  /// vCPUs). Added workers take waiting visits at once; with fewer, running
  /// visits finish and their workers are not handed on (pass_worker).
  bool resize(const FaultSpec& f);
  void retune_breakers(const FaultSpec& f);
  /// `retries`: off takes the retry from every call site (kept here), on
  /// puts the design's back. A retry already waiting out its backoff still goes.
  void set_retries(bool on);
  /// `disable: breaker` takes each call's breaker away (kept here, its
  /// counts still reported), `enable:` puts it back as it was.
  void set_breakers(bool on);
  /// `disable: timeout`: calls made from now wait for ever; `enable:` gives
  /// them the design's timeout again (a call already waiting keeps its own).
  void set_timeouts(bool on);
  /// A `disable` / `enable` of one of its features.
  void toggle(const FaultSpec& f);
  /// A latent defect waiting for a request: the first one shows it (errors from now, its fix `for:` later).
  void show_defect();
  int serving() const { return reps_.serving(); }
  /// Replicas or workers changed: the tick's utilization follows (Component::set_serving_workers).
  void serving_changed() { set_serving_workers(static_cast<double>(serving()) * workers_); }
  void timer(Timer t, int replica, double at) {
    kernel_.schedule_timer(at, this, static_cast<std::uint16_t>(t), static_cast<std::uint32_t>(replica));
  }

  // What a visit reads, first and together (about three cache lines after
  // the base's): in a model of 1,000 services every visit finds its
  // service out of cache, and each line is a miss.
  const ServiceSpec& svc_;
  Admission admission_;
  ReplicaSet reps_;
  StepProgram program_;
  Impairment impair_;            ///< slow and errors faults
  std::int64_t queue_cap_ = -1;  // -1: unbounded
  std::uint32_t workers_ = 1;
  std::uint32_t next_replica_ = 0;
  const FaultSpec* latent_ = nullptr;  ///< a latent defect waiting for its first request
  bool idempotent_;                    ///< svc_.idempotent, kept here (the spec is out of cache)
  HeapGc gc_;                          ///< a leak's growing GC pauses (gc_pause); on() is its first field
  // The rest: faults, actions, figures.
  std::optional<Autoscaler> autoscaler_;
  DuplicateDetector duplicates_;
  Sizing size_;               ///< workers and instance now (a resize changes them)
  bool retries_off_ = false;  ///< a `retries` action turned them off
  std::vector<std::optional<RetrySpec>> design_retries_;   ///< each site's, in for_each_site order, while off
  std::vector<std::unique_ptr<Breaker>> design_breakers_;  ///< each site's, while `disable: breaker`
  std::vector<double> design_timeouts_;                    ///< each site's, while `disable: timeout`
  bool breakers_off_ = false, timeouts_off_ = false;
  bool deadline_off_ = false;  ///< `disable: queue_deadline`
  // Faults
  std::map<const FaultSpec*, std::vector<int>> killed_;  ///< replicas a kill fault took down
  int leak_next_ = 0;                                    ///< the replica a leak restarts next
  const FaultSpec* leak_ = nullptr;
  const FaultSpec* deploy_ = nullptr;
  int deploy_next_ = 0;
  // Counts over the measured window
  std::uint64_t fallbacks_ = 0;
  std::uint64_t duplicate_count_ = 0;
  std::uint64_t shed_ = 0;
};

}  // namespace archsim
