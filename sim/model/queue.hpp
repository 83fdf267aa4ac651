// A message queue (Kafka, RabbitMQ): one topic. A producer's call publishes
// a message and returns once it is enqueued (the producer waits for the
// broker's ack only). Consumers take messages and deliver each one by
// calling the consumer service; the delivery holds the consumer until the
// service replies.
//  - Without `partitions`, consumers compete for one FIFO line (RabbitMQ).
//  - With `partitions: N`, a message goes to partition key mod N and each
//    partition belongs to one consumer (p mod consumers), which takes the
//    oldest head among its partitions (Kafka).
//  - A full queue (`capacity`) blocks the producer, rejects, or drops the
//    oldest message (`when_full`).
//  - A delivery that fails (the consumer's error or `ack_timeout`) is
//    delivered again by the same consumer (at least once), after
//    `redelivery_delay`; after `max_attempts` it is dead-lettered: published
//    to the `dead_letter` queue, or dropped.
// Metrics: consumer lag in messages (waiting) and in seconds (age of the
// oldest waiting message), delay from publish to processed.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"
#include "model/mirror.hpp"

namespace archsim {

class Queue : public Component {
 public:
  enum : std::uint16_t { kPublish = 0 };

  Queue(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;

  void link(Builder& b) override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  int op_code(const std::string& op) const override;
  std::uint64_t draw_key() override { return rng_.next(); }  // the partition key
  int workers() const override { return static_cast<int>(consumers_.size()); }
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  /// Faults: kill and restart (the broker is down: publishes fail, nothing is
  /// delivered; the messages it holds survive).
  bool apply(const FaultSpec& f, bool end) override;

  /// An outbox row committed with the write `j` (model/mirror.hpp): a
  /// message that cannot fail to get in (the rows wait in the database
  /// while the relay is down or the queue is full). `ledger` (or null)
  /// learns when it leaves the queue.
  void put_outbox(const Job& j, MirrorLedger* ledger);

  /// Messages waiting now (all partitions).
  std::uint64_t waiting() const { return queued(); }

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  struct Message {
    double published = 0;
    double request_start = 0;
    std::uint64_t request = 0;
    bool measured = false;
    std::uint32_t ledger = 0;  ///< an outbox row: 1 + its index in ledgers_; 0 = a plain message
  };
  struct Counts {
    std::uint64_t published = 0, processed = 0, redeliveries = 0, dead_letters = 0, dropped = 0, blocked = 0;
    Histogram delay;      ///< publish to processed
    double lag_area = 0;  ///< integral of the oldest waiting message's age
    double lag_max = 0;
  };

  void enqueue(const Message& m, std::uint32_t partition);
  /// A consumer is free: it takes its next message, if any.
  void next_for(std::uint32_t consumer);
  void deliver(std::uint32_t consumer, std::uint32_t partition, const Message& m);
  void send(Job* d);
  void consumer_free(Job* d);
  /// Producers blocked on a full queue get in while there is room.
  void admit_blocked();
  void drop_oldest();
  /// Integrates the age of the oldest waiting message up to now.
  void lag_account(double now);
  void update_oldest();
  std::uint32_t owner(std::uint32_t partition) const {
    return partition % static_cast<std::uint32_t>(consumers_.size());
  }

  std::vector<std::deque<Message>> partitions_;
  bool shared_ = true;               ///< no partitions: every consumer takes from one line
  std::vector<bool> consumers_;      ///< busy
  std::vector<std::uint32_t> idle_;  ///< shared mode: free consumers
  CallSite* consumer_site_ = nullptr;
  CallSite* dead_letter_site_ = nullptr;
  int consumer_replicas_ = 1;
  std::int64_t capacity_ = -1;
  WhenFull when_full_ = WhenFull::Block;
  int max_attempts_ = 5;
  double redelivery_delay_ = 0;
  Job* blocked_head_ = nullptr;
  Job* blocked_tail_ = nullptr;
  bool down_ = false;
  void set_down(bool down);
  double oldest_ = 0;  ///< publish time of the oldest waiting message
  double lag_since_ = 0;
  Counts counts_;
  std::vector<MirrorLedger*> ledgers_;  ///< of the stores whose outbox rows come here
  void outbox_done(std::uint64_t request, std::uint32_t ledger);
  struct TickCounts {
    std::uint64_t processed = 0;
    Histogram delay;
  } tick_counts_;
};

}  // namespace archsim
