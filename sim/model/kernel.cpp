#include "model/kernel.hpp"

#include <array>

namespace archsim {

namespace {
constexpr std::array<std::string_view, static_cast<int>(ErrorKind::Count)> kErrorNames = {
    "none", "timeout", "rejected", "rate_limited", "circuit_open",
    "pool_exhausted", "dependency_failed", "killed"};
}  // namespace

std::string_view name_of(ErrorKind k) { return kErrorNames[static_cast<int>(k)]; }

void Component::record_end(const Job* j, ErrorKind err) {
  --in_flight;
  if (err == ErrorKind::None) {
    const double lat = kernel_.now() - j->arrived;
    ++stats.completed;
    ++tick.completed;
    stats.latency.record(lat);
    if (kernel_.timeline) tick.latency.record(lat);
  } else {
    ++stats.failed;
    ++tick.failed;
  }
}

void Kernel::dispatch(const Event& e) {
  switch (e.code) {
    case EventCode::Arrive:
      e.job->comp->arrive(e.job);
      break;
    case EventCode::Reply:
      reply(e.job, static_cast<ErrorKind>(e.aux));
      break;
    case EventCode::Timeout:
      reply(e.job, ErrorKind::Timeout);
      break;
    default:
      e.target->handle(e);
  }
}

void Kernel::now_or_later(const Event& e) {
  if (depth_ >= kMaxDepth) {
    queue_.push(Event{now_, seq_++, e.target, e.job, e.token, e.code, e.aux});
    return;
  }
  ++depth_;
  dispatch(e);
  --depth_;
}

void Kernel::call(Job* caller, CallSite& site, int replica) {
  Job* child = alloc();
  child->parent = caller;
  child->parent_token = caller->token;
  child->comp = site.target;
  child->site = &site;
  child->request = caller->request;
  child->request_start = caller->request_start;
  child->measured = caller->measured;
  child->replica = replica;
  caller->calling = &site;
  caller->call_start = now_;
  caller->pending = 1;
  if (child->replica < 0) child->replica = site.target->pick_replica();
  if (site.timeout > 0) schedule(now_ + site.timeout, caller->comp, EventCode::Timeout, caller);
  send(Event{now_, 0, child->comp, child, child->token, EventCode::Arrive, 0}, site, caller->comp->index(),
       caller->replica, site.target->index(), child->replica, site.request_bytes);
}

void Kernel::send(const Event& e, const CallSite& site, int from, int from_replica, int to, int to_replica,
                  double bytes) {
  const double delay = site.has_latency ? site.latency(site.edge->rng) : 0.0;
  if (backend) {
    backend->transfer(e, from, from_replica, to, to_replica, bytes, delay);
  } else if (delay > 0) {
    queue_.push(Event{now_ + delay, seq_++, e.target, e.job, e.token, e.code, e.aux});
  } else {
    now_or_later(e);
  }
}

void Kernel::finish(Job* j, ErrorKind err) {
  Job* p = j->parent;
  if (p && p->token == j->parent_token) {
    const CallSite& s = *j->site;
    send(Event{now_, 0, p->comp, p, p->token, EventCode::Reply, static_cast<std::uint16_t>(err)}, s,
         j->comp->index(), j->replica, p->comp->index(), p->replica, s.response_bytes);
  }
  free(j);
}

void Kernel::reply(Job* j, ErrorKind err) {
  if (err != ErrorKind::Timeout && j->pending > 1) {
    --j->pending;  // a fan-out still waits for others
    j->comp->on_reply(j, err);
    return;
  }
  j->pending = 0;
  ++j->token;  // the wait is over: a late reply or timer is now stale
  if (Edge* e = j->calling ? j->calling->edge : nullptr) {
    const double lat = now_ - j->call_start;
    ++e->calls;
    if (err != ErrorKind::None) ++e->failed;
    else e->call_latency.record(lat);
    if (timeline) {
      ++e->tick_calls;
      if (err != ErrorKind::None) ++e->tick_failed;
      else e->tick_latency.record(lat);
    }
  }
  j->comp->on_reply(j, err);
}

}  // namespace archsim
