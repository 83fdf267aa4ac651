// A CDN edge (one per region): a keyed cache in front of an origin. A
// request takes an edge worker for `edge_latency`; a hit is answered from
// the edge, a miss fetches the object from the origin (a call), stores it
// and answers. With `coalesce`, concurrent misses of one object wait for the
// first fetch (request collapsing); if that fetch fails the next waiter
// fetches. Egress figures follow `object_size`.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "archsim/spec.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/station.hpp"

namespace archsim {

class Cdn : public Component {
 public:
  Cdn(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;

  void link(Builder& b) override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  std::uint64_t draw_key() override { return popularity_(rng_); }
  int workers() const override { return static_cast<int>(station_.workers); }
  void report(ComponentResult& r, double window) const override;
  void report_tick(ComponentTick& t) override;
  void reset_stats() override;
  /// Faults: flush (a purge); kill and restart (the edge is down, then back
  /// empty); slow; errors.
  bool apply(const FaultSpec& f, bool end) override;

  /// Drops every cached object (a purge).
  void purge() { store_.clear(); }
  std::uint64_t entries() const { return store_.size(); }

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  enum Outcome : std::int32_t { kHit = 0, kFetch = 1, kWaitFetch = 2 };
  struct Waiters {
    Job* head = nullptr;
    Job* tail = nullptr;
  };
  struct Counts {
    std::uint64_t hits = 0, misses = 0, coalesced = 0, origin_errors = 0;
    std::uint64_t evictions_before = 0, expirations_before = 0;
    Histogram fetch;  ///< origin fetch time, as the edge saw it
  };

  void start(Job* j);
  void reply(Job* j, ErrorKind err);
  void fetch(Job* j);

  KeyStore store_;
  Popularity popularity_;
  bool coalesce_ = false;
  Sampler edge_latency_;
  bool has_edge_latency_ = false;
  CallSite* origin_ = nullptr;
  double object_size_ = 0;
  Station station_;
  /// Objects being fetched, with the requests waiting for them (coalescing).
  std::unordered_map<std::uint64_t, Waiters> fetching_;
  Counts counts_;
  bool down_ = false;
  Impairment impair_;  ///< slow and errors faults
  void set_down(bool down);
  struct TickCounts {
    std::uint64_t hits = 0, requests = 0;
  } tick_counts_;
};

}  // namespace archsim
