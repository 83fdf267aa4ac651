#include "model/client.hpp"

#include <algorithm>

#include "model/builder.hpp"

namespace archsim {

Client::Client(Kernel& k, const TrafficSpec& spec, int source, std::uint64_t seed, EndToEnd& e2e,
               const ScenarioSpec& scenario)
    : Component(k, "traffic:" + spec.name, -1 - source, seed),
      spec_(spec),
      scenario_(scenario),
      source_(source),
      e2e_(e2e) {
  if (spec.closed()) think_ = Sampler(spec.think);
  double peak = 1.0;
  for (const ProfilePoint& p : spec.profile) peak = std::max(peak, p.x);
  max_rate_ = spec.rate * peak;
}

void Client::link(Builder& b) {
  call_.target = spec_.to;
  call_.mark = call_.op_mark = spec_.to_mark;
  call_.timeout = spec_.timeout;
  call_.retry = spec_.retry;
  call_.latency = spec_.latency;  // a problem's regions: its users to the entry's region
  call_.response_bytes = answer_bytes(scenario_, spec_);
  site_ = &b.call_site(-1 - source_, call_);
  site_->source = this;
}

void Client::begin() {
  if (spec_.closed()) {
    // Users start spread over one think time, not all at once.
    for (std::uint64_t u = 0; u < spec_.users; ++u) kernel_.schedule(think_(rng_), this, EventCode::Source);
  } else {
    schedule_next_arrival();
  }
}

double Client::multiplier(double t) const {
  double level = 1.0;  // before the first point
  for (const ProfilePoint& p : spec_.profile) {
    if (t < p.at) break;
    if (p.ramp > 0 && t < p.at + p.ramp) return level + (p.x - level) * (t - p.at) / p.ramp;
    level = p.x;
  }
  return level;
}

void Client::schedule_next_arrival() {
  // Poisson arrivals; a varying rate by thinning (Lewis and Shedler): draw at
  // the peak rate and keep each candidate with probability rate(t)/peak.
  double t = kernel_.now();
  for (;;) {
    t += rng_.exponential(1.0 / max_rate_);
    if (t > scenario_.duration) return;
    if ((spec_.profile.empty() && spike_ == 1) ||
        rng_.uniform() * max_rate_ < spec_.rate * spike_ * multiplier(t))
      break;
  }
  kernel_.schedule(t, this, EventCode::Source);
}

bool Client::apply(const FaultSpec& f, bool end) {
  if (f.kind != FaultSpec::Kind::Spike || spec_.closed()) return false;
  const double peak = max_rate_ / spike_;
  spike_ = end ? 1.0 : f.x;
  max_rate_ = peak * std::max(spike_, 1.0);
  return true;
}

void Client::handle(const Event& e) {
  if (e.code == EventCode::Done) {
    // A lean request's first visit ended (Kernel::start_request): it is the job.
    end(e.job->request_start, e.job->measured, static_cast<ErrorKind>(e.aux & 0xff));
    kernel_.free(e.job);
    return;
  }
  if (e.code != EventCode::Source) return;
  send();
  if (!spec_.closed()) schedule_next_arrival();
}

void Client::send() {
  const double now = kernel_.now();
  const std::uint64_t request = e2e_.next_request++;
  const bool measured = now >= kernel_.measure_from;
  if (measured) {
    ++e2e_.started;
    ++started;
    e2e_.account(now);
    ++e2e_.in_system;
  }
  ++e2e_.tick_started;
  if (kernel_.lean(*site_)) {
    // Nothing to wait with (no timeout, retry, hedge or breaker): the
    // request's first visit is its only job in flight.
    kernel_.start_request(*site_, request, measured);
    return;
  }
  Job* j = kernel_.alloc();
  j->comp = this;
  j->request = request;
  j->request_start = now;
  j->arrived = now;
  j->measured = measured;
  kernel_.call(j, *site_);
}

void Client::on_reply(Job* j, ErrorKind err) {
  end(j->request_start, j->measured, err);
  kernel_.free(j);
}

void Client::end(double request_start, bool measured, ErrorKind err) {
  const double now = kernel_.now();
  const double lat = now - request_start;
  if (measured) {
    e2e_.account(now);
    --e2e_.in_system;
    e2e_.duration_sum += lat;
    e2e_.duration_max = std::max(e2e_.duration_max, lat);
    if (err == ErrorKind::None) {
      ++e2e_.completed;
      e2e_.latency.record(lat);
      ++completed;
      latency.record(lat);
    } else {
      ++e2e_.failed;
      ++failed;
      ++e2e_.errors[static_cast<int>(err)];
      if (err == ErrorKind::Timeout) e2e_.timed_out.record(lat);
    }
  }
  if (err == ErrorKind::None) {
    ++e2e_.tick_completed;
    if (kernel_.timeline) e2e_.tick_latency.record(lat);
  } else {
    ++e2e_.tick_failed;
    ++e2e_.tick_errors[static_cast<int>(err)];
    if (err == ErrorKind::Timeout && kernel_.timeline) e2e_.tick_timed_out.record(lat);
  }
  if (spec_.closed()) kernel_.schedule(now + think_(rng_), this, EventCode::Source);
}

}  // namespace archsim
