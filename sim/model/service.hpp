// A service: replicas, each with a pool of workers and a FIFO waiting room.
// A request holds a worker while it runs the service's steps, compiled once
// into a small program: work, calls (with cache-aside and fallbacks),
// fire-and-forget calls, fan-outs, loops and branches.
#pragma once

#include <cstdint>
#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

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
  void reset_stats() override;

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
  };
  struct Replica {
    std::uint32_t busy = 0;
    std::uint32_t qlen = 0;
    Job* head = nullptr;
    Job* tail = nullptr;
  };
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
  /// A call (or a fan-out) failed: the fallback if there is one, else the visit fails.
  void call_failed(Job* j, const Op& op, ErrorKind err);

  std::vector<Replica> reps_;
  std::vector<Op> program_;
  std::uint32_t workers_ = 1;
  std::int64_t queue_cap_ = -1;  // -1: unbounded
  std::uint32_t next_replica_ = 0;
  std::uint64_t fallbacks_ = 0;  ///< measured window
};

}  // namespace archsim
