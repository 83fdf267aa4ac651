// A service: replicas, each with a pool of workers and a FIFO waiting room.
// A request holds a worker while it runs the service's steps, compiled once
// into a small program: work, calls (with cache-aside and fallbacks),
// fire-and-forget calls, fan-outs, loops and branches.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "archsim/spec.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/rate_limiter.hpp"

namespace archsim {

class Service : public Component {
 public:
  Service(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;
  void link(Builder& b) override;

  void arrive(Job* j) override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  int replicas() const override { return static_cast<int>(reps_.size()); }
  int workers() const override { return workers_; }
  int pick_replica() override;
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  ReplicaState replica_state(int r) const override;
  bool apply(const FaultSpec& f, bool end) override;
  void begin() override;

 private:
  static constexpr std::uint32_t kFail = 0xffffffffu;  ///< "fail the visit" as a jump target

  /// One instruction of the compiled steps.
  struct Op {
    enum class Kind : std::uint8_t {
      Work,         ///< hold the worker for a sampled time
      Call,         ///< call and wait; then `next` (hit/ok), `next_miss` or `next_err`
      Async,        ///< call without waiting
      Parallel,     ///< fan out to `sites`, wait for `count` successes
      RepeatBegin,  ///< loop[slot] = count; if 0 go to `next`
      RepeatEnd,    ///< if --loop[slot] > 0 go to `next` (the body's start)
      Branch,       ///< pick an arm by probability, else go to `next`
      Jump,         ///< go to `next`
    } kind = Kind::Jump;
    std::uint8_t slot = 0;
    std::uint32_t count = 0;
    std::uint32_t next = 0, next_miss = 0, next_err = kFail;
    Sampler work;
    CallSite* site = nullptr;
    std::vector<CallSite*> sites;
    double timeout = 0;
    std::vector<std::pair<double, std::uint32_t>> arms;  ///< cumulative probability, first op
    int bulkhead = -1;  ///< Call: index into bulkheads_, or -1
  };
  enum class State : std::uint8_t { Up, Down, Provisioning, Draining, Removed };
  struct Replica {
    State state = State::Up;
    std::uint32_t busy = 0;
    std::deque<Job*> queue;
    Job* running = nullptr;          ///< visits holding a worker (Job::run_next)
    double limit = 0;                ///< adaptive concurrency limit
    std::vector<std::uint32_t> permits_used;  ///< per bulkhead
    int restart_pending = 0;         ///< restarts scheduled while down
  };
  /// Timers of the component itself (Event::aux low 4 bits; replica in the rest).
  enum Timer : std::uint16_t { kRevive = 1, kProvisioned = 2, kAutoscale = 3, kLeak = 4, kDeployNext = 5 };
  static Op make(Op::Kind k) {
    Op op;
    op.kind = k;
    return op;
  }
  std::uint32_t emit(Op op) {
    program_.push_back(std::move(op));
    return static_cast<std::uint32_t>(program_.size() - 1);
  }
  std::uint32_t here() const { return static_cast<std::uint32_t>(program_.size()); }
  void compile(Builder& b, const std::vector<StepSpec>& steps, int depth);
  void compile_call(Builder& b, const StepSpec& st, int depth);

  void start(Job* j);
  void run(Job* j);
  void complete(Job* j, ErrorKind err);
  /// Fails a visit that has not started (or never will): counted here, replied at once.
  void refuse(Job* j, ErrorKind err);
  /// The next waiting visit a freed worker takes (queue policy; deadline sheds).
  Job* next_waiting(Replica& r);
  void set_up(int r, bool up);
  void restart(int r, double down_for);
  void autoscale();
  int serving() const;
  void timer(Timer t, int replica, double at) {
    kernel_.schedule_timer(at, this, static_cast<std::uint16_t>(t), static_cast<std::uint32_t>(replica));
  }
  /// A call (or a fan-out) failed: the fallback if there is one, else the visit fails.
  void call_failed(Job* j, const Op& op, ErrorKind err);

  std::vector<Replica> reps_;
  std::vector<Op> program_;
  std::uint32_t workers_ = 1;
  std::int64_t queue_cap_ = -1;  // -1: unbounded
  std::uint32_t next_replica_ = 0;
  std::uint64_t fallbacks_ = 0;  ///< measured window
  // Faults
  Impairment impair_;  ///< slow and errors faults
  std::map<const FaultSpec*, std::vector<int>> killed_;  ///< replicas a kill fault took down
  int leak_next_ = 0;       ///< the replica a leak restarts next
  const FaultSpec* leak_ = nullptr;
  const FaultSpec* deploy_ = nullptr;
  int deploy_next_ = 0;
  // Resilience
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<BulkheadSpec> bulkheads_;
  double last_busy_total_ = 0, last_queue_total_ = 0, last_scale_ = -1e300;
  // Idempotency: (request, call site) keys that executed, pruned after kKeep seconds.
  std::unordered_set<std::uint64_t> executed_;
  std::deque<std::pair<double, std::uint64_t>> executed_order_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t shed_ = 0;
};

}  // namespace archsim
