// A leak's garbage collector (model/heap_gc): stop-the-world pauses of
// gc_pause x fill every gc_interval x (1 - fill). Work that runs through
// them takes work / (1 - share) of wall time, share = p / (p + g) (the
// pauses' share of time), and a run's latency grows before the kill.
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>

#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "model/heap_gc.hpp"

using namespace archsim;
using archsim::test::Rel;

TEST_CASE("gc: work through stop-the-world pauses takes work / (1 - p / (p + g)) of wall time") {
  HeapGc gc;
  // One replica whose heap fills over 1e6 s: near-constant fill over 1,000 s.
  gc.start(0, 1, 1e6, 0, 1.0, 20.0);
  for (double fill : {0.1, 0.5, 0.9}) {
    CAPTURE(fill);
    const double t0 = fill * 1e6;
    const double p = 1.0 * fill, g = 20.0 * (1 - fill);
    CHECK(gc.overhead(fill) == Rel(p / (p + g)));
    const double work = 2000;  // s of work, many pause cycles
    const double wall = gc.finish(0, t0, work) - t0;
    CHECK(wall == Rel(work / (1 - p / (p + g)), 0.01));
  }
  // A step that meets a pause waits for its end: out of memory at 100 s, the
  // first pause at 10 s lasts 1 s x 10% = 0.1 s; 0.05 s of work before it, 0.05 s after.
  HeapGc one;
  one.start(0, 1, 100, 0, 1.0, 10.0);
  CHECK(one.finish(0, 9.95, 0.1) == Rel(10.15));
  CHECK(one.finish(0, 9.0, 0.5) == Rel(9.5));  // ends before the pause
}

TEST_CASE("gc: a killed replica restarts with an empty heap; its next kill is a round later") {
  HeapGc gc;
  gc.start(100, 3, 60, 10, 1.0, 20.0);
  CHECK(gc.fill(0, 130) == Rel(0.5));  // first out of memory at 100 + 60
  CHECK(gc.fill(2, 190) == Rel(0.5));  // the third at 100 + 180
  gc.killed(0, 160, 3);
  CHECK(gc.fill(0, 165) == 0);                     // restarting until 170
  CHECK(gc.fill(0, 170 + 85) == Rel(0.5));         // empty at 170, full at 160 + 180
  CHECK(gc.max_fill(200, 3) == Rel(100.0 / 120));  // the second, out of memory at 220
}

namespace {
const char* kLeak = R"(
seed: 2
duration: 330s
warmup: 30s
traffic:
  - {name: users, to: api, rate: 200/s}
components:
  api: {kind: service, replicas: 1, workers: 64, steps: [{work: exp(10ms)}]}
faults:
  - {at: 0s, leak: api, every: 5m, restart_time: 10s%s}
)";
RunResult run_leak(const std::string& gc, double duration) {
  std::string text = kLeak;
  text.replace(text.find("%s"), 2, gc);
  LoadOptions o;
  o.duration = duration;
  return simulate(load_scenario_text(text, "leak.yaml", o));
}
}  // namespace

TEST_CASE("gc: latency grows with the heap before the out-of-memory kill") {
  // One replica, out of memory at 5 min. The mean latency over the first
  // minute and over the minute before the kill: the pauses (up to 1 s)
  // stop every request in flight, so the later minute is far slower.
  const RunResult early = run_leak(", gc_pause: 1s, gc_interval: 20s", 90);
  const RunResult late = run_leak(", gc_pause: 1s, gc_interval: 20s", 299);
  const RunResult none = run_leak("", 299);
  CHECK(late.failed == 0);  // not killed yet
  CHECK(late.latency.p99 > 5 * early.latency.p99);
  CHECK(none.latency.p99 < 0.1);  // without gc_pause the leak only kills
  CHECK(late.latency.p99 > 0.5);
}

TEST_CASE("gc: gc_interval needs gc_pause, and both belong to a leak") {
  const std::string text = R"(traffic:
  - {name: u, to: api, rate: 10/s}
components:
  api: {kind: service, steps: [{work: 1ms}]}
faults:
  - {at: 1s, leak: api, every: 1m, gc_interval: 10s}
  - {at: 1s, kill: api, gc_pause: 1s}
)";
  try {
    load_scenario_text(text, "gc.yaml");
    FAIL("accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    CHECK(m.find("gc.yaml:6:36: error: 'gc_interval' is how often the collector runs: it needs 'gc_pause'") !=
          std::string::npos);
    CHECK(m.find("gc.yaml:7:25: error: unknown key 'gc_pause' in the 'kill' fault at 1s: 'gc_pause' belongs "
                 "to the 'leak' fault") != std::string::npos);
  }
}
