// The bookkeeping every component kind shares: arrivals, ends, waits, and
// the time integrals of busy workers and waiting visits.
#include <algorithm>
#include <cassert>

#include "archsim/simulation.hpp"
#include "model/kernel.hpp"

namespace archsim {

LatencyStats stats_of(const Histogram& h) {
  LatencyStats s;
  s.count = h.count();
  s.mean = h.mean();
  s.p50 = h.quantile(0.50);
  s.p90 = h.quantile(0.90);
  s.p99 = h.quantile(0.99);
  s.p999 = h.quantile(0.999);
  s.max = h.max();
  return s;
}

void Component::enter(Job* j) {
  j->arrived = kernel_.now();
  ++stats_.arrivals;
  ++tick_.arrivals;
  account_in_flight(kernel_.now());
  ++in_flight_;
  arrive(j);
}

void Component::record_end(const Job* j, ErrorKind err) {
  assert(in_flight_ > 0 && "a visit ended that never entered");
  account_in_flight(kernel_.now());
  --in_flight_;
  stats_.visit_time += kernel_.now() - j->arrived;
  if (j->site) {  // where the time goes, per call site (report/explain)
    const double t = kernel_.now() - j->arrived;
    ++j->site->visits;
    j->site->visit_time += t;
    j->site->visit_max = std::max(j->site->visit_max, t);
  }
  if (err == ErrorKind::None) {
    const double lat = kernel_.now() - j->arrived;
    ++stats_.completed;
    ++tick_.completed;
    stats_.latency.record(lat);
    if (kernel_.timeline) tick_latency_.record(lat);
  } else {
    ++stats_.failed;
    ++tick_.failed;
  }
}

void Component::account(double now) {
  const double dt = now - last_change_;
  if (dt > 0) {
    stats_.busy_area += dt * busy_;
    stats_.queue_area += dt * queued_;
    tick_.busy_area += dt * busy_;
    busy_total_ += dt * busy_;
    queue_total_ += dt * queued_;
    last_change_ = now;
  }
}

void Component::set_serving_workers(double workers) {
  account_serving(kernel_.now());
  serving_ = workers;
}

void Component::account_serving(double now) {
  // Brought up to date only when it changes and at a tick: no cost per visit.
  if (serving_ >= 0) tick_.serving_area += (now - serving_since_) * serving_;
  serving_since_ = now;
}

void Component::account_in_flight(double now) {
  // Kept apart from account(): the busy and queue integrals stay summed in the same steps as before.
  stats_.in_flight_area += (now - in_flight_since_) * in_flight_;
  in_flight_since_ = now;
}

double Component::busy_total() {
  account(kernel_.now());
  return busy_total_;
}

double Component::queue_total() {
  account(kernel_.now());
  return queue_total_;
}

void Component::add_queued(int delta) {
  account(kernel_.now());
  assert(delta >= 0 || queued_ >= static_cast<std::uint32_t>(-delta));
  queued_ = static_cast<std::uint32_t>(static_cast<int>(queued_) + delta);
  if (queued_ > stats_.queue_max) stats_.queue_max = queued_;
}

void Component::add_busy(int delta) {
  account(kernel_.now());
  assert(delta >= 0 || busy_ >= static_cast<std::uint32_t>(-delta));
  busy_ = static_cast<std::uint32_t>(static_cast<int>(busy_) + delta);
}

void Component::reset_window() {
  account(kernel_.now());
  stats_ = Stats{};
  in_flight_since_ = kernel_.now();
  stats_.queue_max = queued_;
  reset_stats();
}

void Component::fill_result(ComponentResult& cr, double end, double window) {
  account(end);
  cr.name = name_;
  cr.replicas = replicas();
  cr.workers = workers();
  cr.arrivals = stats_.arrivals;
  cr.completed = stats_.completed;
  cr.failed = stats_.failed;
  for (int k = 1; k < static_cast<int>(ErrorKind::Count); ++k)
    if (stats_.errors[k]) cr.errors[std::string(name_of(static_cast<ErrorKind>(k)))] = stats_.errors[k];
  cr.throughput_rps = window > 0 ? static_cast<double>(stats_.completed) / window : 0.0;
  const double cap = static_cast<double>(replicas()) * workers() * window;
  cr.utilization = cap > 0 ? stats_.busy_area / cap : 0.0;
  cr.queue_mean = window > 0 ? stats_.queue_area / window : 0.0;
  cr.queue_max = stats_.queue_max;
  account_in_flight(end);
  cr.in_flight_mean = window > 0 ? stats_.in_flight_area / window : 0.0;
  const auto ended = static_cast<double>(stats_.completed + stats_.failed);
  cr.visit_mean_s = ended > 0 ? stats_.visit_time / ended : 0.0;
  cr.latency = stats_of(stats_.latency);
  cr.wait = stats_of(stats_.wait);
  report(cr, window);
}

void Component::take_tick(ComponentTick& ct, double dt) {
  account(kernel_.now());
  ct.arrivals = tick_.arrivals;
  ct.completed = tick_.completed;
  ct.failed = tick_.failed;
  ct.in_flight = in_flight_;
  ct.queue = queued_;
  // Of the workers serving through the tick (set_serving_workers). A
  // draining replica finishing its visits works beyond them: at capacity.
  account_serving(kernel_.now());
  const double cap = serving_ >= 0 ? tick_.serving_area : static_cast<double>(replicas()) * workers() * dt;
  ct.utilization = cap > 0 ? std::min(1.0, tick_.busy_area / cap) : tick_.busy_area > 0 ? 1.0 : 0.0;
  ct.p50 = tick_latency_.quantile(0.5);
  ct.p99 = tick_latency_.quantile(0.99);
  report_tick(ct);
  tick_.arrivals = tick_.completed = tick_.failed = 0;
  tick_.busy_area = 0;
  tick_.serving_area = 0;
  tick_latency_.clear();
}

}  // namespace archsim
