// A service: replicas, each with a pool of workers and a FIFO waiting room.
// A request holds a worker while it runs its steps (work, synchronous calls).
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
  /// Second phase: call sites need every component to exist.
  void link(Builder& b) override;

  void arrive(Job* j) override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  int replicas() const override { return static_cast<int>(reps_.size()); }
  int workers() const override { return workers_; }
  int pick_replica() override;

 private:
  /// One compiled step.
  struct Op {
    enum class Kind : std::uint8_t { Work, Call } kind;
    Sampler work;
    CallSite* site = nullptr;
  };
  struct Replica {
    std::uint32_t busy = 0;
    std::uint32_t qlen = 0;
    Job* head = nullptr;
    Job* tail = nullptr;
  };
  void start(Job* j);
  void run(Job* j);
  void complete(Job* j, ErrorKind err);

  std::vector<Replica> reps_;
  std::vector<Op> program_;
  std::uint32_t workers_ = 1;
  std::int64_t queue_cap_ = -1;  // -1: unbounded
  std::uint32_t next_replica_ = 0;
};

}  // namespace archsim
