#include "model/queue.hpp"
#include "archsim/figures.hpp"

#include <algorithm>

#include "archsim/simulation.hpp"
#include "model/builder.hpp"

namespace archsim {

Queue::Queue(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec) {
  const QueueSpec& q = *spec.queue();
  shared_ = q.partitions <= 0;
  partitions_.resize(static_cast<std::size_t>(std::max(1, q.partitions)));
  capacity_ = q.capacity ? *q.capacity : -1;
  when_full_ = q.when_full;
  max_attempts_ = std::max(1, q.max_attempts);
  redelivery_delay_ = q.redelivery_delay;
}

void Queue::link(Builder& b) {
  const QueueSpec& q = *spec.queue();
  if (!q.consumer.empty()) {
    CallSpec c;
    c.target = q.consumer;
    c.mark = q.consumer_mark;
    c.latency = q.latency;
    c.timeout = q.ack_timeout;
    consumer_site_ = &b.call_site(index_, c);
    const Component* t = consumer_site_->target;
    consumer_replicas_ = std::max(1, t->replicas());
    // By default one consumer per worker of the consumer service.
    const int n = q.consumers > 0 ? q.consumers : consumer_replicas_ * std::max(1, t->workers());
    consumers_.assign(static_cast<std::size_t>(n), false);
    for (int i = n; i-- > 0;) idle_.push_back(static_cast<std::uint32_t>(i));  // consumer 0 first
  }
  if (!q.dead_letter.empty()) {
    CallSpec c;
    c.target = q.dead_letter;
    c.mark = q.dead_letter_mark;
    c.op = "publish";
    dead_letter_site_ = &b.call_site(index_, c);
  }
}

int Queue::op_code(const std::string& op) const { return op.empty() || op == "publish" ? kPublish : -1; }

void Queue::arrive(Job* j) {
  const double now = kernel_.now();
  if (down_) {
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
    return;
  }
  const auto p = static_cast<std::uint32_t>(shared_ ? 0 : j->key % partitions_.size());
  if (capacity_ >= 0 && static_cast<std::int64_t>(queued()) >= capacity_) {
    switch (when_full_) {
      case WhenFull::Block:
        // The producer waits for room; its ack comes when the message gets in.
        ++counts_.blocked;
        j->pc = p;
        j->next = nullptr;
        if (blocked_tail_) blocked_tail_->next = j;
        else blocked_head_ = j;
        blocked_tail_ = j;
        return;
      case WhenFull::Reject:
        record_error(ErrorKind::Rejected);
        record_end(j, ErrorKind::Rejected);
        kernel_.finish(j, ErrorKind::Rejected);
        return;
      case WhenFull::DropOldest: drop_oldest(); break;
    }
  }
  enqueue(Message{now, j->request_start, j->request, j->measured, 0}, p);
  record_end(j, ErrorKind::None);
  kernel_.finish(j, ErrorKind::None);
}

void Queue::enqueue(const Message& m, std::uint32_t partition) {
  const double now = kernel_.now();
  account(now);
  lag_account(now);
  partitions_[partition].push_back(m);
  add_queued(+1);
  ++counts_.published;
  if (queued() == 1) oldest_ = m.published;
  if (consumers_.empty() || down_) return;
  if (shared_) {
    if (idle_.empty()) return;
    const std::uint32_t c = idle_.back();
    idle_.pop_back();
    next_for(c);
  } else {
    const std::uint32_t c = owner(partition);
    if (!consumers_[c]) next_for(c);
  }
}

void Queue::next_for(std::uint32_t c) {
  if (down_) {
    if (shared_) idle_.push_back(c);
    return;
  }
  // The oldest head among the consumer's partitions (the only one when shared).
  const auto n = static_cast<std::uint32_t>(partitions_.size());
  const std::uint32_t step = shared_ ? n : static_cast<std::uint32_t>(consumers_.size());
  std::int64_t best = -1;
  for (std::uint32_t p = shared_ ? 0 : c; p < n; p += step) {
    if (partitions_[p].empty()) continue;
    if (best < 0 ||
        partitions_[p].front().published < partitions_[static_cast<std::size_t>(best)].front().published)
      best = p;
  }
  if (best < 0) {
    if (shared_) idle_.push_back(c);
    return;
  }
  const double now = kernel_.now();
  account(now);
  lag_account(now);
  std::deque<Message>& part = partitions_[static_cast<std::size_t>(best)];
  const Message m = part.front();
  part.pop_front();
  add_queued(-1);
  update_oldest();
  record_wait(now - m.published);
  deliver(c, static_cast<std::uint32_t>(best), m);
  admit_blocked();
}

void Queue::deliver(std::uint32_t c, std::uint32_t partition, const Message& m) {
  consumers_[c] = true;
  add_busy(+1);
  Job* d = kernel_.alloc();
  d->comp = this;
  d->request = m.request;
  d->request_start = m.request_start;
  d->measured = m.measured;
  d->arrived = m.published;  // the delay runs from the publish
  d->started = kernel_.now();
  d->replica = 0;
  d->aux = static_cast<std::int32_t>(c);
  d->pc = partition;
  JobExtra& x = kernel_.extra(d);
  x.loop[0] = 1;         // deliveries so far
  x.loop[1] = m.ledger;  // an outbox row: whose ledger learns when it leaves
  send(d);
}

void Queue::send(Job* d) {
  kernel_.call(
      d, *consumer_site_,
      static_cast<int>(static_cast<std::uint32_t>(d->aux) % static_cast<std::uint32_t>(consumer_replicas_)));
}

void Queue::handle(const Event& e) {
  if (e.code != EventCode::Custom) return;
  if (e.job) send(e.job);  // a redelivery's delay is over
  else set_down(false);    // a restart is over
}

void Queue::set_down(bool down) {
  const bool was = down_;
  down_ = down;
  if (!was || down) return;
  // Back: every free consumer takes up its work again.
  std::vector<std::uint32_t> free;
  if (shared_) free.swap(idle_);
  else
    for (std::uint32_t c = 0; c < consumers_.size(); ++c)
      if (!consumers_[c]) free.push_back(c);
  for (std::uint32_t c : free) next_for(c);
}

bool Queue::apply(const FaultSpec& f, bool end) {
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Kill: set_down(!end); return true;
    case K::Restart:
      if (end) return true;
      set_down(true);
      kernel_.schedule(kernel_.now() + f.restart_time, this, EventCode::Custom);
      return true;
    default: return false;
  }
}

void Queue::on_reply(Job* d, ErrorKind err) {
  const double now = kernel_.now();
  if (dead_letter_site_ && d->calling == dead_letter_site_) {
    consumer_free(d);  // handed to the dead-letter queue (or refused by it: lost)
    return;
  }
  if (err == ErrorKind::None) {
    ++counts_.processed;
    ++tick_counts_.processed;
    if (d->arrived >= kernel_.measure_from) counts_.delay.record(now - d->arrived);
    if (kernel_.timeline) tick_counts_.delay.record(now - d->arrived);
    consumer_free(d);
    return;
  }
  if (kernel_.extra(d).loop[0] >= static_cast<std::uint32_t>(max_attempts_)) {
    ++counts_.dead_letters;
    if (dead_letter_site_) {
      kernel_.call(d, *dead_letter_site_);
      return;
    }
    consumer_free(d);
    return;
  }
  // At least once: the same consumer tries the message again.
  ++kernel_.extra(d).loop[0];
  ++counts_.redeliveries;
  if (redelivery_delay_ > 0) kernel_.schedule(now + redelivery_delay_, this, EventCode::Custom, d);
  else send(d);
}

void Queue::consumer_free(Job* d) {
  const auto c = static_cast<std::uint32_t>(d->aux);
  outbox_done(d->request, kernel_.extra(d).loop[1]);
  kernel_.free(d);
  account(kernel_.now());
  add_busy(-1);
  consumers_[c] = false;
  next_for(c);
}

void Queue::admit_blocked() {
  while (blocked_head_ && (capacity_ < 0 || static_cast<std::int64_t>(queued()) < capacity_)) {
    Job* j = blocked_head_;
    blocked_head_ = j->next;
    if (!blocked_head_) blocked_tail_ = nullptr;
    enqueue(Message{kernel_.now(), j->request_start, j->request, j->measured, 0}, j->pc);
    record_end(j, ErrorKind::None);
    kernel_.finish(j, ErrorKind::None);
  }
}

void Queue::drop_oldest() {
  std::int64_t best = -1;
  for (std::size_t p = 0; p < partitions_.size(); ++p) {
    if (partitions_[p].empty()) continue;
    if (best < 0 ||
        partitions_[p].front().published < partitions_[static_cast<std::size_t>(best)].front().published)
      best = static_cast<std::int64_t>(p);
  }
  if (best < 0) return;
  const double now = kernel_.now();
  account(now);
  lag_account(now);
  std::deque<Message>& part = partitions_[static_cast<std::size_t>(best)];
  record_wait(now -
              part.front().published);  // it left the queue: wait counts every leaver, as queue_mean does
  outbox_done(part.front().request, part.front().ledger);
  part.pop_front();
  add_queued(-1);
  ++counts_.dropped;
  update_oldest();
}

void Queue::lag_account(double now) {
  if (queued() > 0 && now > lag_since_) {
    // The oldest message's age grows linearly between changes.
    counts_.lag_area += (now - lag_since_) * ((lag_since_ + now) / 2 - oldest_);
    counts_.lag_max = std::max(counts_.lag_max, now - oldest_);
  }
  lag_since_ = now;
}

void Queue::update_oldest() {
  bool any = false;
  for (const auto& p : partitions_) {
    if (p.empty()) continue;
    if (!any || p.front().published < oldest_) oldest_ = p.front().published;
    any = true;
  }
}

void Queue::reset_stats() {
  lag_account(kernel_.now());
  counts_ = Counts{};
}

void Queue::report(ComponentResult& r, double window) const {
  const auto f = [&](const char* name, double v) { r.figures.push_back({name, v}); };
  const double now = kernel_.now();
  double area = counts_.lag_area, lag_max = counts_.lag_max;
  if (queued() > 0 && now > lag_since_) {
    area += (now - lag_since_) * ((lag_since_ + now) / 2 - oldest_);
    lag_max = std::max(lag_max, now - oldest_);
  }
  f(fig::kPublished, static_cast<double>(counts_.published));
  f(fig::kProcessed, static_cast<double>(counts_.processed));
  f(fig::kLagMessages, r.queue_mean);
  f(fig::kLagMaxMessages, r.queue_max);
  f(fig::kLagS, window > 0 ? area / window : 0.0);
  f(fig::kLagMaxS, lag_max);
  f(fig::kDelayMs, counts_.delay.mean() * 1e3);
  f(fig::kDelayP99Ms, counts_.delay.quantile(0.99) * 1e3);
  f(fig::kRedeliveries, static_cast<double>(counts_.redeliveries));
  f(fig::kDeadLetters, static_cast<double>(counts_.dead_letters));
  if (when_full_ == WhenFull::DropOldest) f(fig::kDropped, static_cast<double>(counts_.dropped));
  if (when_full_ == WhenFull::Block && capacity_ >= 0) f(fig::kBlocked, static_cast<double>(counts_.blocked));
}

void Queue::report_tick(ComponentTick& t) {
  const double now = kernel_.now();
  t.figures.push_back({fig::kLagMessages, static_cast<double>(queued())});
  t.figures.push_back({fig::kLagS, queued() > 0 ? now - oldest_ : 0.0});
  t.figures.push_back({fig::kProcessed, static_cast<double>(tick_counts_.processed)});
  t.figures.push_back({fig::kDelayMs, tick_counts_.delay.mean() * 1e3});
  tick_counts_.processed = 0;
  tick_counts_.delay.clear();
}

}  // namespace archsim
