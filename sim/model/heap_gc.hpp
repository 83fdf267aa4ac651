// The garbage collector of a leaking service (a `leak` fault with
// `gc_pause`): each replica's live heap grows linearly from its start to
// 100% at its out-of-memory kill. A collection stops the replica's work
// (stop the world) for gc_pause x the heap's fill, and collections come every
// gc_interval x (1 - fill), at least 1% of gc_interval apart: the
// fuller the heap, the longer and the more frequent the pauses (the JVM's
// "GC overhead" spiral), so latency grows before the kill.
#pragma once

#include <vector>

namespace archsim {

class HeapGc {
 public:
  /// The leak starts at `now` on `replicas` replicas; replica r runs out of
  /// memory at now + (r + 1) x every (the leak kills them in turn).
  void start(double now, int replicas, double every, double restart_time, double pause, double interval);
  void stop() { on_ = false; }
  bool on() const { return on_; }
  /// Replica r was killed at `now`: it starts again after restart_time with an
  /// empty heap and runs out of memory when its turn comes again, `replicas` x every later.
  void killed(int r, double now, int replicas);
  /// When work of `seconds` that starts now on replica r ends, counting the pauses.
  double finish(int r, double now, double seconds);
  /// The live heap of replica r at time t, 0..1.
  double fill(int r, double t);
  /// The highest heap fill over the replicas now, 0..1.
  double max_fill(double now, int replicas);
  /// Share of time in pauses at heap fill h: pause / (pause + interval).
  double overhead(double h) const;

 private:
  struct Heap {
    double born = 0;   ///< empty heap
    double oom = 1;    ///< full heap: the kill
    double cycle = 0;  ///< start of the current (or next) pause
  };
  Heap& heap(int r);
  double pause_at(const Heap& h, double t) const;
  double gap_at(const Heap& h, double t) const;
  bool on_ = false;
  double every_ = 0, restart_ = 0, pause_ = 0, interval_ = 1, start_ = 0;
  int replicas_ = 1;
  std::vector<Heap> heaps_;
};

}  // namespace archsim
