#include "model/service.hpp"
#include "archsim/figures.hpp"

#include "archsim/simulation.hpp"
#include "model/builder.hpp"

namespace archsim {

Service::Service(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed),
      spec(spec),
      svc_(*spec.service()),
      admission_(svc_),
      reps_(svc_.replicas, admission_.initial_limit(), svc_.bulkheads.size()),
      idempotent_(svc_.idempotent) {
  workers_ = static_cast<std::uint32_t>(svc_.workers);
  size_ = Sizing{svc_.workers, spec.instance};
  queue_cap_ = svc_.queue ? *svc_.queue : -1;
  if (svc_.autoscale) autoscaler_.emplace(*svc_.autoscale);
  serving_changed();
}

void Service::link(Builder& b) { program_.compile(b, index_, svc_.steps, admission_.bulkheads()); }

void Service::begin() {
  if (autoscaler_) timer(kAutoscale, 0, autoscaler_->spec().interval);
}

Component::ReplicaState Service::replica_state(int r) const {
  switch (reps_[r].state) {
    case State::Up: return ReplicaState::Serving;
    case State::Down: return ReplicaState::Down;
    default: return ReplicaState::Unregistered;
  }
}

int Service::pick_replica() {
  // Called directly (no balancer in front): round robin over the serving
  // replicas, as a client-side balancer with service discovery would.
  const auto n = static_cast<std::uint32_t>(reps_.size());
  // One replica: the answer is 0 whatever its state (the loop below returns
  // it either way), without reading the replica, a cache miss in a large model.
  if (n == 1) return 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t r = next_replica_;
    if (++next_replica_ >= n) next_replica_ = 0;
    if (reps_[static_cast<std::size_t>(r)].state == State::Up) return static_cast<int>(r);
  }
  return static_cast<int>(next_replica_ % n);  // none serving: the call will fail
}

// ---------------------------------------------------------------------------
// Admission

void Service::refuse(Job* j, ErrorKind err) {
  record_error(err);
  record_end(j, err);
  kernel_.finish(j, err);
}

void Service::arrive(Job* j) {
  const double now = kernel_.now();
  j->pc = 0;
  Replica& r = reps_[j->replica];
  if (r.state != State::Up && r.state != State::Draining) return refuse(j, ErrorKind::Killed);
  if (!admission_.rate_allows(now)) return refuse(j, ErrorKind::RateLimited);
  if (latent_) show_defect();
  if (impair_.fails(rng_)) return refuse(j, ErrorKind::Injected);
  if (admission_.over_limit(r)) {
    if (j->measured) ++shed_;
    return refuse(j, ErrorKind::Shed);
  }
  if (r.busy < workers_) return start(j);
  if (queue_cap_ >= 0 && r.queue.size() >= static_cast<std::uint64_t>(queue_cap_))
    return refuse(j, ErrorKind::Rejected);
  add_queued(+1);
  r.queue.push_back(j);
}

// ---------------------------------------------------------------------------
// Running the program

void Service::start(Job* j) {
  Replica& r = reps_[j->replica];
  ++r.busy;
  add_busy(+1);
  j->started = kernel_.now();
  record_wait(j->started - j->arrived);
  r.hold(j);
  run(j);
}

void Service::run(Job* j) {
  for (;;) {
    if (j->pc >= program_.size()) return complete(j, ErrorKind::None);
    const Op& op = program_[j->pc];
    switch (op.kind) {
      case Op::Kind::Work: {
        const double seconds = impair_.stretch(op.work(rng_));
        if (!gc_.on()) return kernel_.work(j, seconds);
        const double now = kernel_.now();
        return kernel_.work(j,
                            gc_.finish(j->replica, now, seconds) - now);  // stopped by the pauses on its way
      }
      case Op::Kind::Call: return run_call(j, op);
      case Op::Kind::Parallel: return fan_out(j, op);
      case Op::Kind::Async:
        kernel_.call_async(j, *op.site);
        ++j->pc;
        break;
      case Op::Kind::RepeatBegin: {
        // A fan-out by followers draws its author (one uniform); a plain
        // repeat draws nothing, so its runs keep their random streams.
        const std::uint32_t n = op.counts.empty() ? op.count : op.draw_count(rng_.uniform());
        if (n > 0) kernel_.extra(j).loop[op.slot] = n;  // a visit without repeats holds no JobExtra
        j->pc = n > 0 ? j->pc + 1 : op.next;
        break;
      }
      case Op::Kind::RepeatEnd: j->pc = --kernel_.extra(j).loop[op.slot] > 0 ? op.next : j->pc + 1; break;
      case Op::Kind::Branch: {
        const double u = rng_.uniform();
        std::uint32_t to = op.next;
        for (const auto& [cum, pc] : op.arms)
          if (u < cum) {
            to = pc;
            break;
          }
        j->pc = to;
        break;
      }
      case Op::Kind::Jump: j->pc = op.next; break;
    }
  }
}

void Service::run_call(Job* j, const Op& op) {
  if (op.bulkhead >= 0 && !admission_.acquire(reps_[j->replica], op.bulkhead)) {
    record_error(ErrorKind::BulkheadFull);
    return call_failed(j, op, ErrorKind::BulkheadFull);
  }
  kernel_.call(j, *op.site);
}

void Service::fan_out(Job* j, const Op& op) {
  j->fanout = true;
  j->pending = static_cast<std::uint32_t>(op.sites.size());
  j->aux = 0;  // successes so far
  if (op.timeout > 0) kernel_.schedule(kernel_.now() + op.timeout, this, EventCode::Custom, j);
  for (CallSite* s : op.sites) kernel_.spawn(j, *s, -1, false, /*defer=*/true);
}

void Service::handle(const Event& e) {
  Job* j = e.job;
  if (e.code == EventCode::Resume) {
    ++j->token;  // the work step is over
    ++j->pc;
    run(j);
  } else if (e.code == EventCode::Custom) {
    if (j) fan_out_deadline(j);
    else
      on_timer(static_cast<Timer>(e.aux),
               static_cast<int>(e.token));  // replica: Kernel::schedule_timer's payload
  }
}

void Service::fan_out_deadline(Job* j) {
  const Op& op = program_[j->pc];
  const bool enough = static_cast<std::uint32_t>(j->aux) >= op.count;
  kernel_.end_wait(j);
  if (enough) {
    j->pc = op.next;
    run(j);
  } else {
    record_error(ErrorKind::Timeout);
    call_failed(j, op, ErrorKind::Timeout);
  }
}

void Service::on_reply(Job* j, ErrorKind err) {
  const Op& op = program_[j->pc];
  if (op.kind == Op::Kind::Parallel) {
    if (err == ErrorKind::None) ++j->aux;
    --j->pending;
    const auto ok = static_cast<std::uint32_t>(j->aux);
    if (ok >= op.count) {
      kernel_.end_wait(j);
      j->pc = op.next;
      run(j);
    } else if (ok + j->pending < op.count) {
      kernel_.end_wait(j);
      call_failed(j, op, err);
    }
    return;
  }
  if (op.bulkhead >= 0) admission_.release(reps_[j->replica], op.bulkhead);
  if (err != ErrorKind::None) return call_failed(j, op, err);
  j->pc = (j->flags & kMiss) ? op.next_miss : op.next;
  run(j);
}

void Service::call_failed(Job* j, const Op& op, ErrorKind err) {
  if (op.next_err == Op::kFail) return complete(j, err);  // a failed call fails this visit
  if (j->measured) ++fallbacks_;
  j->pc = op.next_err;
  run(j);
}

// ---------------------------------------------------------------------------
// The end of a visit

Job* Service::next_waiting(Replica& r) {
  const double now = kernel_.now();
  while (!r.queue.empty()) {
    const bool lifo = svc_.queue_policy == QueuePolicy::Lifo ||
                      (svc_.queue_policy == QueuePolicy::AdaptiveLifo && r.queue.size() > workers_);
    Job* j;
    if (lifo) {
      j = r.queue.back();
      r.queue.pop_back();
    } else {
      j = r.queue.front();
      r.queue.pop_front();
    }
    add_queued(-1);
    if (svc_.queue_deadline && !deadline_off_ && now - j->arrived > *svc_.queue_deadline) {
      // It waited too long: its caller has likely given up. Do not spend a worker on it.
      if (j->measured) ++shed_;
      record_wait(now - j->arrived);  // it left the queue: wait counts every leaver, as queue_mean does
      record_error(ErrorKind::Shed);
      record_end(j, ErrorKind::Shed);
      kernel_.finish(j, ErrorKind::Shed);
      continue;
    }
    return j;
  }
  return nullptr;
}

Job* Service::pass_worker(Replica& r) {
  const double now = kernel_.now();
  // More busy than workers: a resize took workers away; this one stops here.
  Job* next = r.busy <= workers_ ? next_waiting(r) : nullptr;
  if (next) {
    next->started = now;
    record_wait(now - next->arrived);
    r.hold(next);
    return next;
  }
  --r.busy;
  add_busy(-1);
  if (r.state == State::Draining && r.busy == 0) {
    r.state = State::Removed;
    ++version;
    serving_changed();
  }
  return nullptr;
}

void Service::complete(Job* j, ErrorKind err) {
  const double now = kernel_.now();
  account(now);
  Replica& r = reps_[j->replica];
  record_end(j, err);
  r.release(j);
  admission_.adapt(r, err == ErrorKind::None, now - j->arrived);
  if (err == ErrorKind::None && !idempotent_ && duplicates_.seen(j->request, j->site, now) && j->measured)
    ++duplicate_count_;
  // Hand the worker to the next in line before replying, so that a caller
  // who reacts to the reply at once queues behind it.
  Job* next = pass_worker(r);
  kernel_.finish(j, err);
  if (next) run(next);
}

// ---------------------------------------------------------------------------
// Figures

void Service::report_tick(ComponentTick& t) {
  if (autoscaler_ || !killed_.empty() || serving() != static_cast<int>(reps_.size()))
    t.figures.push_back({fig::kReplicas, static_cast<double>(serving())});
  if (size_.workers != svc_.workers) t.figures.push_back({fig::kWorkersNow, static_cast<double>(workers_)});
  for (const Op& op : program_.ops())
    if (op.site && op.site->breaker)
      t.figures.push_back(
          {fig::kBreakerPrefix + op.site->target->name(), static_cast<double>(op.site->breaker->state())});
  if (gc_.on()) {
    const double fill = gc_.max_fill(kernel_.now(), static_cast<int>(reps_.size()));
    t.figures.push_back({fig::kHeapFill, fill});
    t.figures.push_back({fig::kGcShare, gc_.overhead(fill)});
  }
}

void Service::report(ComponentResult& r, double) const {
  std::uint64_t retries = 0, hedges = 0, denied = 0, refused = 0, opens = 0;
  bool any_retry = false, any_hedge = false, any_breaker = false;
  program_.for_each_site([&](const CallSite& s) {
    retries += s.retries;
    hedges += s.hedges;
    denied += s.budget_denied;
    any_retry |= s.retry.has_value() || retries_off_;
    any_hedge |= s.hedge > 0;
    if (!s.breaker) return;
    any_breaker = true;
    refused += s.breaker->refused;
    opens += s.breaker->opened();
  });
  for (const auto& b : design_breakers_) {  // turned off: still counted
    if (!b) continue;
    any_breaker = true;
    refused += b->refused;
    opens += b->opened();
  }
  if (any_retry) {
    r.figures.push_back({fig::kRetries, static_cast<double>(retries)});
    r.figures.push_back({fig::kRetriesDeniedByBudget, static_cast<double>(denied)});
  }
  if (any_hedge) r.figures.push_back({fig::kHedges, static_cast<double>(hedges)});
  if (any_breaker) {
    r.figures.push_back({fig::kBreakerOpened, static_cast<double>(opens)});
    r.figures.push_back({fig::kBreakerRefused, static_cast<double>(refused)});
  }
  if (fallbacks_ > 0) r.figures.push_back({fig::kFallbacks, static_cast<double>(fallbacks_)});
  if (!svc_.idempotent) r.figures.push_back({fig::kDuplicates, static_cast<double>(duplicate_count_)});
  if (shed_ > 0) r.figures.push_back({fig::kShed, static_cast<double>(shed_)});
  if (autoscaler_ || serving() != static_cast<int>(reps_.size()))
    r.figures.push_back({fig::kReplicasAtEnd, static_cast<double>(serving())});
}

void Service::reset_stats() {
  fallbacks_ = 0;
  duplicate_count_ = 0;
  shed_ = 0;
}

}  // namespace archsim
