#include "model/service.hpp"

#include "model/builder.hpp"

namespace archsim {

Service::Service(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec) {
  const ServiceSpec& s = *spec.service();
  reps_.resize(static_cast<std::size_t>(s.replicas));
  workers_ = static_cast<std::uint32_t>(s.workers);
  queue_cap_ = s.queue ? *s.queue : -1;
}

void Service::link(Builder& b) {
  for (const StepSpec& st : spec.service()->steps) {
    Op op{};
    if (st.kind == StepSpec::Kind::Work) {
      op.kind = Op::Kind::Work;
      op.work = Sampler(st.work);
    } else {
      op.kind = Op::Kind::Call;
      op.site = &b.call_site(index_, st.call);
    }
    program_.push_back(op);
  }
}

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
  }
}

void Service::handle(const Event& e) {
  if (e.code == EventCode::Resume) {
    ++e.job->token;  // the work step is over
    ++e.job->pc;
    run(e.job);
  }
}

void Service::on_reply(Job* j, ErrorKind err) {
  if (err != ErrorKind::None) {
    if (err == ErrorKind::Timeout) record_error(err);
    complete(j, err);  // a failed call fails this visit
    return;
  }
  ++j->pc;
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

}  // namespace archsim
