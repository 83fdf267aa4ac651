#include "model/kernel.hpp"

#include "archsim/simulation.hpp"
#include "model/tracer.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

namespace archsim {

namespace {
constexpr std::array<std::string_view, static_cast<int>(ErrorKind::Count)> kErrorNames = {
    "none",           "timeout",           "rejected",    "rate_limited", "circuit_open",
    "pool_exhausted", "dependency_failed", "killed",      "shed",         "bulkhead_full",
    "injected_error", "host_down",         "unreachable", "unavailable"};
}  // namespace

std::string_view name_of(ErrorKind k) { return kErrorNames[static_cast<int>(k)]; }

void Kernel::note(std::string kind, std::string target, std::string what, std::string detail) {
  if (!note_sink) return;
  note_sink(note_ctx, Note{now_, std::move(kind), std::move(target), std::move(what), std::move(detail)});
}

void Kernel::dispatch(const Event& e) {
  switch (e.code) {
    case EventCode::Arrive: e.job->comp->enter(e.job); break;
    case EventCode::Reply:
      reply(e.job, static_cast<ErrorKind>(e.aux & 0xff), static_cast<std::uint8_t>(e.aux >> 8));
      break;
    case EventCode::Timeout: expire(e.job); break;
    case EventCode::Retry: {
      CallSite& site = *e.job->calling;
      if (site.breaker) {
        const Breaker::State before = site.breaker->state();
        const bool ok = site.breaker->allow(now_);
        breaker_moved(site, before);
        if (!ok) {
          refuse(e.job, site);
          break;
        }
      }
      attempt(e.job, site, -1);
      break;
    }
    case EventCode::Hedge:
      if (e.job->pending == 1) {
        ++e.job->pending;
        if (e.job->measured) ++e.job->calling->hedges;
        spawn(e.job, *e.job->calling);
      }
      break;
    default: e.target->handle(e);
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

Job* Kernel::new_visit(CallSite& site, int replica) {
  Job* child = alloc();
  child->comp = site.target;
  child->site = &site;
  child->replica = replica >= 0 ? replica : site.target->pick_replica();
  child->sent = now_;
  child->op = site.op;
  return child;
}

void Kernel::send_arrival(Job* child, CallSite& site, int from, int from_replica, bool defer) {
  const Event arrive{now_, 0, child->comp, child, child->token, EventCode::Arrive, 0};
  if (defer && !backend && !site.has_latency && !site.edge->partitioned) post(arrive);
  else send(arrive, site, from, from_replica, site.target->index(), child->replica, site.request_bytes);
}

Job* Kernel::spawn(Job* caller, CallSite& site, int replica, bool detached, bool defer) {
  assert(site.edge->from == caller->comp->index() && "a site belongs to the component that calls through it");
  Job* child = new_visit(site, replica);
  child->parent = detached ? nullptr : caller;
  child->caller_replica = caller->replica;
  child->parent_token = caller->token;
  child->request = caller->request;
  child->request_start = caller->request_start;
  child->measured = caller->measured;
  const bool reuse = site.reuse_key && caller->keyed && site.part < 0;
  child->key = site.part >= 0 ? site.target->draw_key_in(site.part)
               : reuse        ? caller->key
                              : site.target->draw_key();
  if (site.part < 0 && (reuse || site.target->has_keys)) {  // a scatter's keys are not the caller's to store
    caller->key = child->key;
    caller->keyed = true;
  }
  if (tracer) tracer->spawned(*caller, *child, now_);
  send_arrival(child, site, caller->comp->index(), caller->replica, defer);
  return child;
}

void Kernel::start_request(CallSite& site, std::uint64_t request, bool measured) {
  assert(lean(site) && site.source);
  // What call() and spawn() do for a source's fresh job (replica -1, no key
  // of its own), in the same order of random draws, without that job.
  Job* child = new_visit(site, -1);
  child->root = true;
  child->request = request;
  child->request_start = now_;
  child->measured = measured;
  child->key = site.part >= 0 ? site.target->draw_key_in(site.part) : site.target->draw_key();
  send_arrival(child, site, site.edge->from, -1, false);
}

void Kernel::call_async(Job* caller, CallSite& site) { spawn(caller, site, -1, /*detached=*/true); }

void Kernel::call(Job* caller, CallSite& site, int replica) {
  caller->attempt = 0;
  if (caller->extra) extra(caller).backoff = 0;
  caller->calling = &site;
  if (site.retry && site.retry->budget)
    site.retry_tokens = std::min(site.retry_tokens + *site.retry->budget, 10.0);
  if (site.breaker) {
    const Breaker::State before = site.breaker->state();
    const bool ok = site.breaker->allow(now_);
    breaker_moved(site, before);
    if (!ok) {
      refuse(caller, site);
      return;
    }
  }
  attempt(caller, site, replica);
}

void Kernel::attempt(Job* caller, CallSite& site, int replica) {
  caller->calling = &site;
  caller->pending = 1;
  const std::uint32_t token = caller->token;
  spawn(caller, site, replica);
  // The child may have replied already (zero-time path): then the wait is over.
  if (caller->token != token) return;
  if (site.timeout > 0) schedule(now_ + site.timeout, caller->comp, EventCode::Timeout, caller);
  if (site.hedge > 0) schedule(now_ + site.hedge, caller->comp, EventCode::Hedge, caller);
}

void Kernel::breaker_moved(const CallSite& site, Breaker::State before) {
  const Breaker::State now = site.breaker->state();
  if (now == before) return;
  note("breaker", site.caller, Breaker::name(now), "calls to " + site.target->name());
}

void Kernel::refuse(Job* caller, CallSite& site) {
  caller->calling = &site;
  caller->pending = 1;
  caller->comp->record_error(ErrorKind::CircuitOpen);
  now_or_later(Event{now_, 0, caller->comp, caller, caller->token, EventCode::Reply,
                     static_cast<std::uint16_t>(ErrorKind::CircuitOpen)});
}

void Kernel::expire(Job* j) {
  j->comp->record_error(ErrorKind::Timeout);  // a timeout is an error of the one who waited
  if (j->measured && j->calling) ++j->calling->timeouts;
  j->pending = 1;  // the timeout ends the whole wait, hedges included
  reply(j, ErrorKind::Timeout, 0);
}

std::uint32_t Kernel::lend_extra() {
  if (extras_free_.empty()) {
    extras_.emplace_back();
    return static_cast<std::uint32_t>(extras_.size());
  }
  const std::uint32_t i = extras_free_.back();
  extras_free_.pop_back();
  extras_[i] = JobExtra{};
  return i + 1;
}

double Kernel::backoff(Job* j, const RetrySpec& r, Rng& rng) {
  const int n = j->attempt;  // 1 for the first retry
  double d = r.base;
  switch (r.backoff) {
    case RetrySpec::Backoff::Constant: break;
    case RetrySpec::Backoff::Linear: d = r.base * n; break;
    case RetrySpec::Backoff::Exponential: d = r.base * std::ldexp(1.0, n - 1); break;
  }
  d = std::min(d, r.cap);
  switch (r.jitter) {
    case RetrySpec::Jitter::None: break;
    case RetrySpec::Jitter::Full: d = rng.uniform() * d; break;
    case RetrySpec::Jitter::Equal: d = d / 2 + rng.uniform() * d / 2; break;
    case RetrySpec::Jitter::Decorrelated: {
      // AWS "decorrelated jitter": between base and three times the last sleep.
      // Only this jitter reads the last delay: the others keep none.
      JobExtra& x = extra(j);
      const double prev = x.backoff > 0 ? x.backoff : r.base;
      d = std::min(r.cap, r.base + rng.uniform() * (3 * prev - r.base));
      x.backoff = static_cast<float>(d);
      break;
    }
  }
  return d;
}

double Kernel::send(const Event& e, const CallSite& site, int from, int from_replica, int to, int to_replica,
                    double bytes) {
  const double delay = site.has_latency ? site.latency(site.edge->rng) : 0.0;
  if (!replica_region.empty() && bytes > 0 && from >= 0 && to >= 0 && now_ >= measure_from) {
    const auto& a = replica_region[static_cast<std::size_t>(from)];
    const auto& b = replica_region[static_cast<std::size_t>(to)];
    if (!a.empty() && !b.empty() &&
        a[static_cast<std::size_t>(std::max(from_replica, 0)) % a.size()] !=
            b[static_cast<std::size_t>(std::max(to_replica, 0)) % b.size()])
      cross_region_bytes += bytes;  // billed per GB (report/cost.cpp), whether or not it arrives
  }
  if (site.edge->partitioned) {
    // Lost on the way: the sender hears nothing (its timeout, if any, fires).
    if (e.code == EventCode::Arrive || e.code == EventCode::Done) free(e.job);
    return delay;
  }
  if (backend) {
    backend->transfer(e, from, from_replica, to, to_replica, bytes, delay);
  } else if (delay > 0) {
    queue_.push(Event{now_ + delay, seq_++, e.target, e.job, e.token, e.code, e.aux});
  } else {
    now_or_later(e);
  }
  return delay;
}

void Kernel::trace_freed(Job* j) {
  if (tracer) tracer->freed(*j, now_);
}

void Kernel::end_request(Job* j, ErrorKind err) {
  const CallSite& s = *j->site;
  Edge& edge = *s.edge;
  const double sent = j->sent;  // the source may free j at once (no reply delay)
  ++j->token;                   // the visit is over: events still addressed to it are stale
  const auto aux = static_cast<std::uint16_t>(static_cast<unsigned>(err) | (unsigned{j->flags} << 8));
  const double delay = send(Event{now_, 0, s.source, j, j->token, EventCode::Done, aux}, s, j->comp->index(),
                            j->replica, edge.from, -1, s.response_bytes);
  record_call(edge, err, now_ + delay - sent);
}

void Kernel::finish(Job* j, ErrorKind err) {
  if (j->traced && tracer) tracer->finished(*j, err, now_);
  if (j->root) {
    end_request(j, err);
    return;
  }
  Job* p = j->parent;
  if (p && p->token == j->parent_token) {
    const CallSite& s = *j->site;
    const auto aux = static_cast<std::uint16_t>(static_cast<unsigned>(err) | (unsigned{j->flags} << 8));
    const double delay = send(Event{now_, 0, p->comp, p, p->token, EventCode::Reply, aux}, s,
                              j->comp->index(), j->replica, p->comp->index(), p->replica, s.response_bytes);
    // The call as its caller sees it: from sending to the reply's arrival.
    record_call(*s.edge, err, now_ + delay - j->sent);
  }
  free(j);
}

void Kernel::reply(Job* j, ErrorKind err, std::uint8_t flags) {
  j->flags = flags;
  if (j->traced && tracer) tracer->replied(*j, err, now_);
  if (j->fanout) {
    // The component counts the replies and calls end_wait when it has enough.
    j->comp->on_reply(j, err);
    return;
  }
  CallSite* site = j->calling;
  if (site) {
    // A failed call counts without a latency (record_call keeps successes'
    // only), so the job keeps no start time of its call.
    if (err == ErrorKind::Timeout) record_call(*site->edge, err, 0);
    if (site->breaker && err != ErrorKind::CircuitOpen) {
      const Breaker::State before = site->breaker->state();
      site->breaker->record(now_, err == ErrorKind::None);
      breaker_moved(*site, before);
    }
    if (err != ErrorKind::None && j->pending > 1) {
      --j->pending;  // a hedge is still out: wait for it
      return;
    }
    if (err != ErrorKind::None && site->retry && j->attempt < site->retry->max) {
      const RetrySpec& r = *site->retry;
      if (!r.budget || site->retry_tokens >= 1.0) {
        if (r.budget) site->retry_tokens -= 1.0;
        ++j->token;  // the failed attempt is over; a late reply is stale
        j->pending = 0;
        ++j->attempt;
        if (j->measured) ++site->retries;
        if (j->traced && tracer) tracer->retrying(*j, now_);
        schedule(now_ + backoff(j, r, site->edge->rng), j->comp, EventCode::Retry, j);
        return;
      }
      if (j->measured) ++site->budget_denied;
    }
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
