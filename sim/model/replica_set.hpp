// The replicas of a service and their life cycle (up, down, provisioning,
// draining, removed). A replica's state is made in one place, `fresh()`,
// so that a replica added by an autoscaler, by a `scale` action or at the
// start of the run are the same thing.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "model/kernel.hpp"

namespace archsim {

/// One replica: its workers in use, its waiting line and its admission state.
struct Replica {
  enum class State : std::uint8_t { Up, Down, Provisioning, Draining, Removed };
  State state = State::Up;
  std::uint32_t busy = 0;                   ///< workers in use
  std::deque<Job*> queue;                   ///< visits waiting for a worker
  Job* running = nullptr;                   ///< visits holding a worker (Job::run_next)
  double limit = 0;                         ///< adaptive concurrency limit; 0 = none
  std::vector<std::uint32_t> permits_used;  ///< per bulkhead
  int restart_pending = 0;                  ///< restarts scheduled while down

  /// Busy or with visits waiting: scaling it in drains it instead of removing it.
  bool occupied() const { return busy > 0 || !queue.empty(); }
  /// Puts j on the list of visits holding a worker.
  void hold(Job* j) {
    j->run_prev = nullptr;
    j->run_next = running;
    if (running) running->run_prev = j;
    running = j;
  }
  /// Takes j off that list.
  void release(Job* j) {
    if (j->run_prev) j->run_prev->run_next = j->run_next;
    else running = j->run_next;
    if (j->run_next) j->run_next->run_prev = j->run_prev;
  }
};

class ReplicaSet {
 public:
  /// `initial_limit`: the adaptive concurrency limit a new replica starts
  /// with (0: none); `bulkheads`: how many bulkheads each replica keeps
  /// permits for.
  ReplicaSet(int count, double initial_limit, std::size_t bulkheads);

  /// The one constructor of a replica's state.
  Replica fresh(Replica::State s) const;

  std::size_t size() const { return reps_.size(); }
  Replica& operator[](std::size_t i) { return reps_[i]; }
  const Replica& operator[](std::size_t i) const { return reps_[i]; }
  Replica& operator[](int i) { return reps_[static_cast<std::size_t>(i)]; }
  const Replica& operator[](int i) const { return reps_[static_cast<std::size_t>(i)]; }

  /// Replicas serving now (Up).
  int serving() const { return count(Replica::State::Up); }
  int count(Replica::State s) const;
  /// Adds `n` fresh replicas in state `s`: removed slots first, then new
  /// ones at the end. Returns their indices.
  std::vector<int> grow(int n, Replica::State s);
  /// Takes `n` replicas out, the last first: an occupied serving one drains,
  /// an idle one (or one still provisioning, when `provisioning_too`) is
  /// removed at once.
  void shrink(int n, bool provisioning_too);

 private:
  double initial_limit_;
  std::size_t bulkheads_;
  std::vector<Replica> reps_;
};

}  // namespace archsim
