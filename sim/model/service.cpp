#include "model/service.hpp"

#include "archsim/diagnostics.hpp"
#include "archsim/simulation.hpp"
#include "model/builder.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace archsim {

namespace {
constexpr int kMaxRepeatDepth = 4;  // Job::loop has four counters
}  // namespace

Service::Service(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec) {
  const ServiceSpec& s = *spec.service();
  reps_.resize(static_cast<std::size_t>(s.replicas));
  workers_ = static_cast<std::uint32_t>(s.workers);
  queue_cap_ = s.queue ? *s.queue : -1;
  if (s.rate_limit) limiter_ = std::make_unique<RateLimiter>(*s.rate_limit);
  bulkheads_ = s.bulkheads;
  for (Replica& r : reps_) {
    r.permits_used.assign(bulkheads_.size(), 0);
    if (s.concurrency_limit) r.limit = s.concurrency_limit->initial;
  }
}

// ---------------------------------------------------------------------------
// Compiling the steps

void Service::link(Builder& b) { compile(b, spec.service()->steps, 0); }

void Service::compile(Builder& b, const std::vector<StepSpec>& steps, int depth) {
  for (const StepSpec& st : steps) {
    switch (st.kind) {
      case StepSpec::Kind::Work: {
        Op op = make(Op::Kind::Work);
        op.work = Sampler(st.work);
        emit(std::move(op));
        break;
      }
      case StepSpec::Kind::Call:
        compile_call(b, st, depth);
        break;
      case StepSpec::Kind::Async: {
        Op op = make(Op::Kind::Async);
        op.site = &b.call_site(index_, st.call);
        emit(std::move(op));
        break;
      }
      case StepSpec::Kind::Parallel: {
        Op op = make(Op::Kind::Parallel);
        for (const StepSpec& c : st.steps) op.sites.push_back(&b.call_site(index_, c.call));
        op.count = st.wait > 0 ? static_cast<std::uint32_t>(st.wait) : static_cast<std::uint32_t>(op.sites.size());
        op.timeout = st.timeout.value_or(0.0);
        const std::uint32_t i = emit(std::move(op));
        program_[i].next = here();
        break;
      }
      case StepSpec::Kind::Repeat: {
        if (depth >= kMaxRepeatDepth)
          throw InputError({Diagnostic{b.spec().file_of(st.mark), st.mark,
                                       "'repeat' nested more than 4 deep: flatten it (repeat: 6 of repeat: 8 is "
                                       "repeat: 48)"}});
        Op begin = make(Op::Kind::RepeatBegin);
        begin.slot = static_cast<std::uint8_t>(depth);
        begin.count = static_cast<std::uint32_t>(st.count);
        const std::uint32_t b0 = emit(std::move(begin));
        compile(b, st.steps, depth + 1);
        Op end = make(Op::Kind::RepeatEnd);
        end.slot = static_cast<std::uint8_t>(depth);
        end.next = b0 + 1;
        emit(std::move(end));
        program_[b0].next = here();
        break;
      }
      case StepSpec::Kind::Branch: {
        const std::uint32_t br = emit(make(Op::Kind::Branch));
        std::vector<std::uint32_t> jumps;
        double cum = 0;
        std::vector<std::pair<double, std::uint32_t>> arms;
        for (const StepSpec::Arm& a : st.arms) {
          cum += a.p;
          arms.emplace_back(cum, here());
          compile(b, a.steps, depth);
          jumps.push_back(emit(make(Op::Kind::Jump)));
        }
        for (std::uint32_t j : jumps) program_[j].next = here();
        program_[br].arms = std::move(arms);
        program_[br].next = here();  // the probability left over: no arm
        break;
      }
    }
  }
}

void Service::compile_call(Builder& b, const StepSpec& st, int depth) {
  Op op = make(Op::Kind::Call);
  op.site = &b.call_site(index_, st.call);
  for (std::size_t k = 0; k < bulkheads_.size(); ++k)
    if (bulkheads_[k].target == st.call.target) op.bulkhead = static_cast<int>(k);
  const std::uint32_t i = emit(std::move(op));
  if (!st.on_miss.empty()) {
    // Cache-aside: on a miss run the steps, then store the value (same key).
    if (program_[i].site->target->op_code("store") < 0)
      throw InputError({Diagnostic{b.spec().file_of(st.mark), st.mark,
                                   "'on_miss' needs a call to a cache: '" + st.call.target + "' has nothing to miss"}});
    program_[i].next_miss = here();
    compile(b, st.on_miss, depth);
    // The fetch is of the item that missed: its calls keep the cache's key
    // (so the store below finds it, and a database shards and tracks
    // staleness by it) instead of drawing their own.
    for (std::uint32_t k = program_[i].next_miss; k < here(); ++k) {
      if (program_[k].site) program_[k].site->reuse_key = true;
      for (CallSite* cs : program_[k].sites) cs->reuse_key = true;
    }
    CallSpec store;
    store.target = st.call.target;
    store.mark = st.call.mark;
    store.op_mark = st.call.op_mark;
    store.latency = st.call.latency;
    store.op = "store";
    Op put = make(Op::Kind::Call);
    put.site = &b.call_site(index_, store);
    put.site->reuse_key = true;
    const std::uint32_t s = emit(std::move(put));
    program_[s].next = program_[s].next_miss = program_[s].next_err = s + 1;  // a failed store is not an error
  }
  if (!st.fallback.empty()) {
    const std::uint32_t skip = emit(make(Op::Kind::Jump));
    program_[i].next_err = here();
    compile(b, st.fallback, depth);
    program_[skip].next = here();
  }
  // A hit (or any success without on_miss) skips the miss and fallback steps.
  program_[i].next = here();
  if (st.on_miss.empty()) program_[i].next_miss = here();
}

// ---------------------------------------------------------------------------
// Running

namespace {
constexpr double kKeepExecuted = 600;  // s: how long a non-idempotent service remembers a request
}  // namespace

void Service::begin() {
  if (const auto& a = spec.service()->autoscale) timer(kAutoscale, 0, a->interval);
}

int Service::serving() const {
  int n = 0;
  for (const Replica& r : reps_) n += r.state == State::Up;
  return n;
}

Component::ReplicaState Service::replica_state(int i) const {
  switch (reps_[static_cast<std::size_t>(i)].state) {
    case State::Up: return ReplicaState::Serving;
    case State::Down: return ReplicaState::Down;
    default: return ReplicaState::Unregistered;
  }
}

int Service::pick_replica() {
  // Called directly (no balancer in front): round robin over the serving
  // replicas, as a client-side balancer with service discovery would.
  const auto n = static_cast<std::uint32_t>(reps_.size());
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t r = next_replica_;
    if (++next_replica_ >= n) next_replica_ = 0;
    if (reps_[r].state == State::Up) return static_cast<int>(r);
  }
  return static_cast<int>(next_replica_ % n);  // none serving: the call will fail
}

void Service::refuse(Job* j, ErrorKind err) {
  record_error(err);
  ++in_flight;  // record_end counts it out again
  record_end(j, err);
  kernel_.finish(j, err);
}

void Service::arrive(Job* j) {
  const double now = kernel_.now();
  j->arrived = now;
  j->pc = 0;
  ++stats.arrivals;
  ++tick.arrivals;
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  if (r.state != State::Up && r.state != State::Draining) return refuse(j, ErrorKind::Killed);
  if (limiter_ && !limiter_->allow(now)) return refuse(j, ErrorKind::RateLimited);
  if (impair_.fails(rng_)) return refuse(j, ErrorKind::Injected);
  const auto present = static_cast<double>(r.busy + r.queue.size());
  if (r.limit > 0 && present >= std::floor(r.limit)) {
    if (j->measured) ++shed_;
    return refuse(j, ErrorKind::Shed);
  }
  if (r.busy < workers_) {
    account(now);
    ++in_flight;
    start(j);
    return;
  }
  if (queue_cap_ >= 0 && r.queue.size() >= static_cast<std::uint64_t>(queue_cap_)) return refuse(j, ErrorKind::Rejected);
  account(now);
  ++in_flight;
  ++queued;
  if (queued > stats.queue_max) stats.queue_max = queued;
  r.queue.push_back(j);
}

void Service::start(Job* j) {
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  ++r.busy;
  ++busy;
  j->started = kernel_.now();
  stats.wait.record(j->started - j->arrived);
  j->run_prev = nullptr;
  j->run_next = r.running;
  if (r.running) r.running->run_prev = j;
  r.running = j;
  run(j);
}

void Service::run(Job* j) {
  for (;;) {
    if (j->pc >= program_.size()) {
      complete(j, ErrorKind::None);
      return;
    }
    const Op& op = program_[j->pc];
    switch (op.kind) {
      case Op::Kind::Work:
        kernel_.work(j, impair_.stretch(op.work(rng_)));
        return;
      case Op::Kind::Call:
        if (op.bulkhead >= 0) {
          auto& used = reps_[static_cast<std::size_t>(j->replica)].permits_used[static_cast<std::size_t>(op.bulkhead)];
          if (used >= static_cast<std::uint32_t>(bulkheads_[static_cast<std::size_t>(op.bulkhead)].permits)) {
            record_error(ErrorKind::BulkheadFull);
            call_failed(j, op, ErrorKind::BulkheadFull);
            return;
          }
          ++used;
        }
        kernel_.call(j, *op.site);
        return;
      case Op::Kind::Async:
        kernel_.call_async(j, *op.site);
        ++j->pc;
        break;
      case Op::Kind::Parallel: {
        j->fanout = true;
        j->pending = static_cast<std::uint32_t>(op.sites.size());
        j->aux = 0;  // successes so far
        if (op.timeout > 0) kernel_.schedule(kernel_.now() + op.timeout, this, EventCode::Custom, j);
        for (CallSite* s : op.sites) kernel_.spawn(j, *s, -1, false, /*defer=*/true);
        return;
      }
      case Op::Kind::RepeatBegin:
        j->loop[op.slot] = static_cast<std::uint32_t>(op.count);
        j->pc = op.count > 0 ? j->pc + 1 : op.next;
        break;
      case Op::Kind::RepeatEnd:
        j->pc = --j->loop[op.slot] > 0 ? op.next : j->pc + 1;
        break;
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
      case Op::Kind::Jump:
        j->pc = op.next;
        break;
    }
  }
}

void Service::handle(const Event& e) {
  Job* j = e.job;
  if (e.code == EventCode::Resume) {
    ++j->token;  // the work step is over
    ++j->pc;
    run(j);
    return;
  }
  if (e.code != EventCode::Custom) return;
  if (!j) {
    const int r = static_cast<int>(e.token);  // the replica (Kernel::schedule_timer)
    switch (static_cast<Timer>(e.aux)) {
      case kRevive:
        if (--reps_[static_cast<std::size_t>(r)].restart_pending <= 0) set_up(r, true);
        break;
      case kProvisioned:
        if (reps_[static_cast<std::size_t>(r)].state == State::Provisioning) {
          reps_[static_cast<std::size_t>(r)].state = State::Up;
          ++version;
          kernel_.note("autoscale", name_, "ready", fmt::format("replica {} serves ({} serving)", r, serving()));
        }
        break;
      case kAutoscale:
        autoscale();
        timer(kAutoscale, 0, kernel_.now() + spec.service()->autoscale->interval);
        break;
      case kLeak:
        if (leak_) {
          restart(leak_next_, leak_->restart_time);
          kernel_.note("fault", name_, "leak", fmt::format("replica {} ran out of memory and restarts", leak_next_));
          leak_next_ = (leak_next_ + 1) % static_cast<int>(reps_.size());
          timer(kLeak, 0, kernel_.now() + leak_->every);
        }
        break;
      case kDeployNext:
        if (deploy_ && deploy_next_ < static_cast<int>(reps_.size())) {
          for (int b = 0; b < deploy_->batch && deploy_next_ < static_cast<int>(reps_.size()); ++b)
            restart(deploy_next_++, deploy_->restart_time);
          timer(kDeployNext, 0, kernel_.now() + deploy_->restart_time);
        }
        break;
    }
    return;
  }
  // A fan-out's deadline: go on with what has come back, or fail.
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
  if (op.bulkhead >= 0) --reps_[static_cast<std::size_t>(j->replica)].permits_used[static_cast<std::size_t>(op.bulkhead)];
  if (err != ErrorKind::None) {
    call_failed(j, op, err);
    return;
  }
  j->pc = (j->flags & kMiss) ? op.next_miss : op.next;
  run(j);
}

void Service::call_failed(Job* j, const Op& op, ErrorKind err) {
  if (op.next_err == kFail) {
    complete(j, err);  // a failed call fails this visit
    return;
  }
  if (j->measured) ++fallbacks_;
  j->pc = op.next_err;
  run(j);
}

Job* Service::next_waiting(Replica& r) {
  const double now = kernel_.now();
  const auto& svc = *spec.service();
  while (!r.queue.empty()) {
    const bool lifo = svc.queue_policy == QueuePolicy::Lifo ||
                      (svc.queue_policy == QueuePolicy::AdaptiveLifo && r.queue.size() > workers_);
    Job* j;
    if (lifo) {
      j = r.queue.back();
      r.queue.pop_back();
    } else {
      j = r.queue.front();
      r.queue.pop_front();
    }
    --queued;
    if (svc.queue_deadline && now - j->arrived > *svc.queue_deadline) {
      // It waited too long: its caller has likely given up. Do not spend a worker on it.
      if (j->measured) ++shed_;
      record_error(ErrorKind::Shed);
      record_end(j, ErrorKind::Shed);
      kernel_.finish(j, ErrorKind::Shed);
      continue;
    }
    return j;
  }
  return nullptr;
}

void Service::complete(Job* j, ErrorKind err) {
  const double now = kernel_.now();
  account(now);
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  record_end(j, err);
  if (j->run_prev) j->run_prev->run_next = j->run_next;
  else r.running = j->run_next;
  if (j->run_next) j->run_next->run_prev = j->run_prev;
  if (const auto& cl = spec.service()->concurrency_limit) {
    // AIMD: grow by one per window of successes under the target, shrink by 10% otherwise.
    const bool good = err == ErrorKind::None && now - j->arrived <= cl->target_latency;
    r.limit = good ? std::min<double>(cl->max, r.limit + 1.0 / r.limit) : std::max<double>(cl->min, r.limit * 0.9);
  }
  if (err == ErrorKind::None && !spec.service()->idempotent) {
    // The same request through the same call site executing twice: a retry after a lost reply.
    const std::uint64_t key = j->request * 0x9E3779B97F4A7C15ull ^ reinterpret_cast<std::uintptr_t>(j->site);
    if (!executed_.insert(key).second) {
      if (j->measured) ++duplicates_;
    } else {
      executed_order_.emplace_back(now, key);
    }
    while (!executed_order_.empty() && executed_order_.front().first < now - kKeepExecuted) {
      executed_.erase(executed_order_.front().second);
      executed_order_.pop_front();
    }
  }
  // Hand the worker to the next in line before replying, so that a caller
  // who reacts to the reply at once queues behind it.
  Job* next = next_waiting(r);
  if (next) {
    next->started = now;
    stats.wait.record(now - next->arrived);
    next->run_prev = nullptr;
    next->run_next = r.running;
    if (r.running) r.running->run_prev = next;
    r.running = next;
  } else {
    --r.busy;
    --busy;
    if (r.state == State::Draining && r.busy == 0) {
      r.state = State::Removed;
      ++version;
    }
  }
  kernel_.finish(j, err);
  if (next) run(next);
}

// ---------------------------------------------------------------------------
// Faults, actions, autoscaling

void Service::set_up(int i, bool up) {
  Replica& r = reps_[static_cast<std::size_t>(i)];
  if (up) {
    if (r.state == State::Down) {
      r.state = State::Up;
      ++version;
    }
    return;
  }
  if (r.state == State::Down || r.state == State::Removed) return;
  const double now = kernel_.now();
  account(now);
  r.state = State::Down;
  ++version;
  // Everything on the replica dies with it: callers hear at once (connection reset).
  while (Job* j = r.running) {
    r.running = j->run_next;
    ++j->token;  // its pending work or calls are void
    --r.busy;
    --busy;
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
  }
  while (!r.queue.empty()) {
    Job* j = r.queue.front();
    r.queue.pop_front();
    --queued;
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
  }
  for (auto& u : r.permits_used) u = 0;
}

void Service::restart(int i, double down_for) {
  set_up(i, false);
  ++reps_[static_cast<std::size_t>(i)].restart_pending;
  timer(kRevive, i, kernel_.now() + down_for);
}

void Service::autoscale() {
  const AutoscaleSpec& a = *spec.service()->autoscale;
  const double now = kernel_.now();
  account(now);
  int up = 0, coming = 0;
  for (const Replica& r : reps_) {
    up += r.state == State::Up;
    coming += r.state == State::Provisioning;
  }
  const double busy_delta = busy_total - last_busy_total_, queue_delta = queue_total - last_queue_total_;
  last_busy_total_ = busy_total;
  last_queue_total_ = queue_total;
  if (up == 0) return;
  // Desired replicas from the metric over the last interval (the Kubernetes HPA rule).
  double ratio;
  if (a.target_utilization) {
    const double util = busy_delta / (a.interval * up * workers_);
    ratio = util / *a.target_utilization;
  } else {
    const double per_replica = queue_delta / (a.interval * up);
    ratio = per_replica / *a.target_queue;
  }
  if (std::fabs(ratio - 1.0) <= 0.1) return;  // within tolerance: no change
  const int current = up + coming;
  const int desired = std::clamp(static_cast<int>(std::ceil(up * ratio)), a.min, a.max);
  if (desired == current || now - last_scale_ < a.cooldown) return;
  last_scale_ = now;
  if (desired > current) {
    int add = desired - current;
    for (std::size_t i = 0; i < reps_.size() && add > 0; ++i)
      if (reps_[i].state == State::Removed) {
        reps_[i] = Replica{};
        reps_[i].state = State::Provisioning;
        reps_[i].permits_used.assign(bulkheads_.size(), 0);
        if (const auto& cl = spec.service()->concurrency_limit) reps_[i].limit = cl->initial;
        timer(kProvisioned, static_cast<int>(i), now + a.provision);
        --add;
      }
    while (add-- > 0) {
      reps_.emplace_back();
      Replica& r = reps_.back();
      r.state = State::Provisioning;
      r.permits_used.assign(bulkheads_.size(), 0);
      if (const auto& cl = spec.service()->concurrency_limit) r.limit = cl->initial;
      timer(kProvisioned, static_cast<int>(reps_.size() - 1), now + a.provision);
    }
  } else {
    int drop = current - desired;
    for (std::size_t i = reps_.size(); i-- > 0 && drop > 0;) {
      Replica& r = reps_[i];
      if (r.state != State::Up && r.state != State::Provisioning) continue;
      r.state = (r.state == State::Up && (r.busy > 0 || !r.queue.empty())) ? State::Draining : State::Removed;
      --drop;
    }
  }
  ++version;
  kernel_.note("autoscale", name_, "scale", fmt::format("{} -> {} replicas", current, desired));
}

bool Service::apply(const FaultSpec& f, bool end) {
  if (impair_.apply(f, end)) return true;
  using K = FaultSpec::Kind;
  const int n = static_cast<int>(reps_.size());
  switch (f.kind) {
    case K::Kill: {
      if (end) {
        for (int r : killed_[&f]) set_up(r, true);
        killed_.erase(&f);
        return true;
      }
      int want = f.replicas.value_or(n);
      std::vector<int>& list = killed_[&f];
      for (int r = 0; r < n && want > 0; ++r)
        if (reps_[static_cast<std::size_t>(r)].state == State::Up || reps_[static_cast<std::size_t>(r)].state == State::Draining) {
          set_up(r, false);
          list.push_back(r);
          --want;
        }
      return true;
    }
    case K::Restart: {
      if (end) return true;
      int want = f.replicas.value_or(n);
      for (int r = 0; r < n && want > 0; ++r)
        if (reps_[static_cast<std::size_t>(r)].state == State::Up) {
          restart(r, f.restart_time);
          --want;
        }
      return true;
    }
    case K::Leak:
      leak_ = end ? nullptr : &f;
      if (!end) timer(kLeak, 0, kernel_.now() + f.every);
      return true;
    case K::Deploy:
      if (end) return true;
      deploy_ = &f;
      deploy_next_ = 0;
      timer(kDeployNext, 0, kernel_.now());
      return true;
    case K::Scale: {
      const int want = f.replicas.value_or(n);
      int up = serving();
      for (std::size_t i = 0; i < reps_.size() && up < want; ++i)
        if (reps_[i].state == State::Removed) {
          reps_[i] = Replica{};
          reps_[i].permits_used.assign(bulkheads_.size(), 0);
          ++up;
        }
      while (up < want) {
        reps_.emplace_back();
        reps_.back().permits_used.assign(bulkheads_.size(), 0);
        if (const auto& cl = spec.service()->concurrency_limit) reps_.back().limit = cl->initial;
        ++up;
      }
      for (std::size_t i = reps_.size(); i-- > 0 && up > want;)
        if (reps_[i].state == State::Up) {
          reps_[i].state = reps_[i].busy > 0 || !reps_[i].queue.empty() ? State::Draining : State::Removed;
          --up;
        }
      ++version;
      return true;
    }
    case K::RateLimit:
      if (end) limiter_ = spec.service()->rate_limit ? std::make_unique<RateLimiter>(*spec.service()->rate_limit) : nullptr;  // back to the configured one
      else if (f.rate_limit) limiter_ = std::make_unique<RateLimiter>(*f.rate_limit);
      return true;
    case K::Breaker:
      if (end || !f.breaker) return true;
      for (Op& op : program_) {
        if (op.site) op.site->breaker = std::make_unique<Breaker>(*f.breaker);
        for (CallSite* s : op.sites) s->breaker = std::make_unique<Breaker>(*f.breaker);
      }
      return true;
    default:
      return false;
  }
}

void Service::report_tick(ComponentTick& t) {
  if (spec.service()->autoscale || !killed_.empty() || serving() != static_cast<int>(reps_.size()))
    t.figures.push_back({"replicas", static_cast<double>(serving())});
  for (const Op& op : program_)
    if (op.site && op.site->breaker)
      t.figures.push_back({"breaker_" + op.site->target->name(), static_cast<double>(op.site->breaker->state())});
}

void Service::report(ComponentResult& r, double) const {
  std::uint64_t retries = 0, hedges = 0, denied = 0, refused = 0, opens = 0;
  bool any_retry = false, any_hedge = false, any_breaker = false;
  auto count = [&](const CallSite* s) {
    retries += s->retries;
    hedges += s->hedges;
    denied += s->budget_denied;
    any_retry |= s->retry.has_value();
    any_hedge |= s->hedge > 0;
    if (s->breaker) {
      any_breaker = true;
      refused += s->breaker->refused;
      for (const auto& [t, st] : s->breaker->transitions())
        if (st == Breaker::State::Open) ++opens;
    }
  };
  for (const Op& op : program_) {
    if (op.site) count(op.site);
    for (const CallSite* s : op.sites) count(s);
  }
  if (any_retry) {
    r.figures.push_back({"retries", static_cast<double>(retries)});
    r.figures.push_back({"retries_denied_by_budget", static_cast<double>(denied)});
  }
  if (any_hedge) r.figures.push_back({"hedges", static_cast<double>(hedges)});
  if (any_breaker) {
    r.figures.push_back({"breaker_opened", static_cast<double>(opens)});
    r.figures.push_back({"breaker_refused", static_cast<double>(refused)});
  }
  if (fallbacks_ > 0) r.figures.push_back({"fallbacks", static_cast<double>(fallbacks_)});
  if (!spec.service()->idempotent) r.figures.push_back({"duplicates", static_cast<double>(duplicates_)});
  if (shed_ > 0) r.figures.push_back({"shed", static_cast<double>(shed_)});
  if (spec.service()->autoscale || serving() != static_cast<int>(reps_.size()))
    r.figures.push_back({"replicas_at_end", static_cast<double>(serving())});
}

void Service::reset_stats() {
  fallbacks_ = 0;
  duplicates_ = 0;
  shed_ = 0;
}

}  // namespace archsim
