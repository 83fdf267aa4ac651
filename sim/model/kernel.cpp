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
      reply(e.job, static_cast<ErrorKind>(e.aux & 0xff), static_cast<std::uint8_t>(e.aux >> 8));
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
  child->sent = now_;
  child->op = site.op;
  child->key = site.reuse_key ? caller->key : site.target->draw_key();
  caller->key = child->key;
  caller->calling = &site;
  caller->call_start = now_;
  caller->pending = 1;
  if (child->replica < 0) child->replica = site.target->pick_replica();
  if (site.timeout > 0) schedule(now_ + site.timeout, caller->comp, EventCode::Timeout, caller);
  send(Event{now_, 0, child->comp, child, child->token, EventCode::Arrive, 0}, site, caller->comp->index(),
       caller->replica, site.target->index(), child->replica, site.request_bytes);
}

double Kernel::send(const Event& e, const CallSite& site, int from, int from_replica, int to, int to_replica,
                    double bytes) {
  const double delay = site.has_latency ? site.latency(site.edge->rng) : 0.0;
  if (backend) {
    backend->transfer(e, from, from_replica, to, to_replica, bytes, delay);
  } else if (delay > 0) {
    queue_.push(Event{now_ + delay, seq_++, e.target, e.job, e.token, e.code, e.aux});
  } else {
    now_or_later(e);
  }
  return delay;
}

void Kernel::finish(Job* j, ErrorKind err) {
  Job* p = j->parent;
  if (p && p->token == j->parent_token) {
    const CallSite& s = *j->site;
    const auto aux = static_cast<std::uint16_t>(static_cast<unsigned>(err) | (unsigned{j->flags} << 8));
    const double delay = send(Event{now_, 0, p->comp, p, p->token, EventCode::Reply, aux}, s, j->comp->index(),
                              j->replica, p->comp->index(), p->replica, s.response_bytes);
    // The call as its caller sees it: from sending to the reply's arrival.
    record_call(*s.edge, err, now_ + delay - j->sent);
  }
  free(j);
}

void Kernel::reply(Job* j, ErrorKind err, std::uint8_t flags) {
  j->flags = flags;
  if (err == ErrorKind::Timeout && j->calling) record_call(*j->calling->edge, err, now_ - j->call_start);
  if (j->fanout) {
    // The component counts the replies and calls end_wait when it has enough.
    j->comp->on_reply(j, err);
    return;
  }
  j->pending = 0;
  ++j->token;  // the wait is over: a late reply or timer is now stale
  j->comp->on_reply(j, err);
}

void Kernel::record_call(Edge& e, ErrorKind err, double latency) {
  ++e.calls;
  if (err != ErrorKind::None) ++e.failed;
  else e.call_latency.record(latency);
  if (timeline) {
    ++e.tick_calls;
    if (err != ErrorKind::None) ++e.tick_failed;
    else e.tick_latency.record(latency);
  }
}

}  // namespace archsim
