// A CDN edge (one per region): a keyed cache in front of an origin. A
// request takes an edge worker for `edge_latency`; a hit is answered from
// the edge, a miss fetches the object from the origin (a call), stores it
// and answers. With `coalesce`, concurrent misses of one object wait for the
// first fetch (request collapsing); if that fetch fails the next waiter
// fetches. Egress figures follow `object_size`. With `include`, every
// request first calls the include (the reader's own part of the page, an
// edge-side include), then gets the shared object as above.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "archsim/spec.hpp"
#include "engine/key_store.hpp"
#include "engine/popularity.hpp"
#include "model/freshness.hpp"
#include "model/impairment.hpp"
#include "model/kernel.hpp"
#include "model/station.hpp"

namespace archsim {

class Cdn : public Component {
 public:
  Cdn(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;

  void link(Builder& b) override;
  /// Schedules the first of the source's updates, if it has any.
  void begin() override;
  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  std::uint64_t draw_key() override { return fresh_.draw(popularity_, rng_, kernel_.now()); }
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
  /// Hit, fetch or wait for the object (Job::aux), counted.
  void lookup(Job* j);
  /// After the edge's work (and the include): answer, fetch or wait.
  void serve(Job* j);
  void reply(Job* j, ErrorKind err);
  void fetch(Job* j);

  KeyStore store_;
  Popularity popularity_;
  Freshness fresh_;  ///< the breaking story's key, the source's updates
  bool coalesce_ = false;
  Sampler edge_latency_;
  bool has_edge_latency_ = false;
  CallSite* origin_ = nullptr;
  CallSite* include_ = nullptr;                   ///< the edge-side include, if any
  static constexpr std::uint32_t kIncluding = 1;  ///< Job::pc while the include is called
  double object_size_ = 0;
  Station station_;
  /// Objects being fetched, with the requests waiting for them (coalescing).
  std::unordered_map<std::uint64_t, Waiters> fetching_;
  Counts counts_;
  bool down_ = false;
  Impairment impair_;  ///< slow and errors faults
  void set_down(bool down);
  static constexpr std::uint16_t kRestartOver = 0, kUpdate = Freshness::kUpdate,
                                 kPurge = Freshness::kPurge;  // Custom aux
  struct TickCounts {
    std::uint64_t hits = 0, requests = 0;
  } tick_counts_;
};

}  // namespace archsim
