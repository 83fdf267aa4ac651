// The replicas of a service and their life cycle (up, down, provisioning,
// draining, removed). A replica's state is made in one place, `fresh()`,
// so that a replica added by an autoscaler, by a `scale` action or at the
// start of the run are the same thing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/kernel.hpp"

namespace archsim {

/// A replica's visits waiting for a worker, first come first: a list linked
/// through the jobs' run_prev/run_next, which a waiting visit does not use
/// (it holds no worker yet). A std::deque<Job*> cost 8 B more per request
/// in flight. Copying it copies the ends, not the visits: a replica is
/// copied only while empty (ReplicaSet::fresh) or moved with its vector.
class WaitLine {
 public:
  bool empty() const { return n_ == 0; }
  std::size_t size() const { return n_; }
  Job* front() const { return head_; }
  Job* back() const { return tail_; }
  void push_back(Job* j) {
    j->run_prev = tail_;
    j->run_next = nullptr;
    if (tail_) tail_->run_next = j;
    else head_ = j;
    tail_ = j;
    ++n_;
  }
  void pop_front() {
    head_ = head_->run_next;
    if (head_) head_->run_prev = nullptr;
    else tail_ = nullptr;
    --n_;
  }
  void pop_back() {
    tail_ = tail_->run_prev;
    if (tail_) tail_->run_next = nullptr;
    else head_ = nullptr;
    --n_;
  }

 private:
  Job* head_ = nullptr;
  Job* tail_ = nullptr;
  std::size_t n_ = 0;
};

/// One replica: its workers in use, its waiting line and its admission state.
struct Replica {
  enum class State : std::uint8_t { Up, Down, Provisioning, Draining, Removed };
  State state = State::Up;
  std::uint32_t busy = 0;                   ///< workers in use
  WaitLine queue;                           ///< visits waiting for a worker (Job::run_prev/run_next)
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
  std::vector<Replica> reps_;  ///< first: read by every visit
  double initial_limit_;
  std::size_t bulkheads_;
};

}  // namespace archsim
