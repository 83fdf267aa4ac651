#include "model/service.hpp"

#include "archsim/diagnostics.hpp"
#include "archsim/simulation.hpp"
#include "model/builder.hpp"

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
  const std::uint32_t i = emit(std::move(op));
  if (!st.on_miss.empty()) {
    // Cache-aside: on a miss run the steps, then store the value (same key).
    if (program_[i].site->target->op_code("store") < 0)
      throw InputError({Diagnostic{b.spec().file_of(st.mark), st.mark,
                                   "'on_miss' needs a call to a cache: '" + st.call.target + "' has nothing to miss"}});
    program_[i].next_miss = here();
    compile(b, st.on_miss, depth);
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

int Service::pick_replica() {
  // Called directly (no balancer in front): spread round robin.
  const auto r = static_cast<int>(next_replica_);
  if (++next_replica_ == reps_.size()) next_replica_ = 0;
  return r;
}

void Service::arrive(Job* j) {
  const double now = kernel_.now();
  j->arrived = now;
  j->pc = 0;
  ++stats.arrivals;
  ++tick.arrivals;
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  if (r.busy < workers_) {
    account(now);
    ++in_flight;
    start(j);
    return;
  }
  if (queue_cap_ >= 0 && r.qlen >= static_cast<std::uint64_t>(queue_cap_)) {
    record_error(ErrorKind::Rejected);
    ++in_flight;  // record_end counts it out again
    record_end(j, ErrorKind::Rejected);
    kernel_.finish(j, ErrorKind::Rejected);
    return;
  }
  account(now);
  ++in_flight;
  ++queued;
  if (queued > stats.queue_max) stats.queue_max = queued;
  ++r.qlen;
  j->next = nullptr;
  if (r.tail) r.tail->next = j;
  else r.head = j;
  r.tail = j;
}

void Service::start(Job* j) {
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  ++r.busy;
  ++busy;
  j->started = kernel_.now();
  stats.wait.record(j->started - j->arrived);
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
        kernel_.work(j, op.work(rng_));
        return;
      case Op::Kind::Call:
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
        j->loop[op.slot] = static_cast<std::uint16_t>(op.count);
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
  } else if (e.code == EventCode::Custom) {
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

void Service::complete(Job* j, ErrorKind err) {
  const double now = kernel_.now();
  account(now);
  Replica& r = reps_[static_cast<std::size_t>(j->replica)];
  record_end(j, err);
  // Hand the worker to the next in line before replying, so that a caller
  // who reacts to the reply at once queues behind it (FIFO).
  Job* next = r.head;
  if (next) {
    r.head = next->next;
    if (!r.head) r.tail = nullptr;
    --r.qlen;
    --queued;
    next->started = now;
    stats.wait.record(now - next->arrived);
  } else {
    --r.busy;
    --busy;
  }
  kernel_.finish(j, err);
  if (next) run(next);
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
}

void Service::reset_stats() { fallbacks_ = 0; }

}  // namespace archsim
