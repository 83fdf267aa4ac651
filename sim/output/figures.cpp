// The one table of what each output figure means. The window is always the
// measured window (warm-up to end) unless a definition says "per tick".
#include "archsim/output.hpp"

namespace archsim {

const std::vector<FigureDefinition>& figure_definitions() {
  static const std::vector<FigureDefinition> defs = {
      {"requests.started", "count",
       "requests the traffic sources started after warm-up (the measured requests)"},
      {"requests.completed", "count", "measured requests whose client got a successful reply before the end"},
      {"requests.failed", "count",
       "measured requests whose client got an error or gave up (its timeout) before the end"},
      {"requests.in_flight", "count",
       "measured requests still without an answer at the end: started - completed - failed"},
      {"requests.error_rate", "fraction",
       "failed / (completed + failed) over the measured requests; the error_rate SLO"},
      {"requests.arrival_rps", "req/s", "requests.started / (duration - warm-up)"},
      {"requests.in_flight_mean", "count",
       "time-averaged number of measured requests in the system over the window (Little's L; "
       "= arrival_rps x duration_ms.mean within sampling error)"},
      {"requests.duration_ms", "ms",
       "start to the final answer (success, error or give-up) of every finished measured request (Little's "
       "W)"},
      {"throughput_rps", "req/s",
       "requests.completed / (duration - warm-up): successful requests per second"},
      {"latency_ms", "ms",
       "start to successful reply of the completed measured requests (mean, p50 ... max); failures are not "
       "in it"},
      {"latency_counting_timeouts_ms", "ms",
       "as latency_ms, with the requests that failed with a timeout counted at the time they took (their "
       "timeout): slow requests that time out cannot make it look faster; present only when one did"},
      {"errors", "count",
       "measured failed requests by the kind of the error their client got; total = requests.failed"},
      {"sources.NAME.retries", "count",
       "attempts after the first that the source made for measured requests"},
      {"sources.NAME.abandoned", "count",
       "attempts the source stopped waiting for (its timeout fired); their work goes on downstream"},
      {"components.NAME.arrivals", "count",
       "visits that reached the component in the window (retries and duplicates are visits)"},
      {"components.NAME.completed", "count", "visits that ended successfully in the window"},
      {"components.NAME.failed", "count",
       "visits that ended with an error in the window, their own or a callee's"},
      {"components.NAME.errors", "count", "errors that originated at the component, by kind"},
      {"components.NAME.utilization", "fraction",
       "busy workers / all workers, time-averaged over the window (a timeline tick's utilization is of the "
       "workers serving through that second: a killed, restarting or provisioning replica has none)"},
      {"components.NAME.throughput_rps", "visits/s",
       "components.NAME.completed / window: in visits, not requests"},
      {"components.NAME.latency_ms", "ms",
       "arrival to reply of the visits that ended successfully in the window"},
      {"components.NAME.wait_ms", "ms",
       "time in the queue of every visit that left the queue in the window: taken by a worker (0 if one was "
       "free), "
       "shed at its deadline or dropped with its replica; count is how many"},
      {"components.NAME.queue_mean", "count",
       "visits waiting in the queue, time-averaged over the window (Little's Lq: = wait_ms.count / window x "
       "wait_ms.mean within sampling error)"},
      {"components.NAME.in_flight_mean", "count",
       "visits at the component (queued or in service, all replicas), time-averaged over the window "
       "(Little's "
       "L for the whole visit: = (completed + failed) / window x visit_mean_ms within sampling error)"},
      {"components.NAME.visit_mean_ms", "ms",
       "arrival to end of the visits that ended in the window, whatever the outcome (Little's W for the "
       "whole "
       "visit)"},
      {"components.NAME.visits_by_call", "s",
       "per calling site (from, op, line): visits that ended in the window, their summed and longest time at "
       "the component"},
      {"slo.checks.actual", "as target",
       "the SLO's figure over the window as defined above; measured false (and no margin) when a latency SLO "
       "has no "
       "successful request"},
      {"slo.checks.margin", "fraction",
       "room left as a share of the target: (target - actual) / target, (actual - target) / target for "
       "throughput_min; >= 0 exactly when the check passes"},
      {"tick.started/completed/failed", "count",
       "per tick (timeline and view): every request, measured or not, that started / ended in that tick"},
      {"tick.p50/p99", "s", "per tick: latency of the successful requests that ended in that tick"},
      {"explanation.findings", "-",
       "what the run shows, each with kind, component, at_s (when it began, null for the whole window), text "
       "and "
       "evidence (the figures it rests on)"},
  };
  return defs;
}

}  // namespace archsim
