// What the kernel tells a tracer (--traces) about the visits of sampled
// requests. A tracer only records: it never draws random numbers or
// schedules events, so a run gives the same results with or without one.
#pragma once

#include "model/kernel.hpp"

namespace archsim {

class Tracer {
 public:
  virtual ~Tracer() = default;
  /// `caller` sent the visit `child` (a call, a retry's new attempt, a hedge,
  /// an async hand-off). The tracer decides here whether the request is
  /// sampled, and sets child.span (and caller.span for a request's first call).
  virtual void spawned(Job& caller, Job& child, double now) = 0;
  /// A reply or a timeout reached the waiting job j (err: how the call ended).
  virtual void replied(Job& j, ErrorKind err, double now) = 0;
  /// j's call failed and will be tried again after a backoff.
  virtual void retrying(Job& j, double now) = 0;
  /// Visit j ends with err (before its reply is sent).
  virtual void finished(Job& j, ErrorKind err, double now) = 0;
  /// j's job is freed: ends its span if finished() did not (a request's
  /// root, a message lost to a partition).
  virtual void freed(Job& j, double now) = 0;
};

}  // namespace archsim
