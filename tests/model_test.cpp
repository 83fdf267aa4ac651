// The model's building blocks on their own: a service's replica set (one
// constructor of a replica's state) and the component base's bookkeeping.
#include <doctest/doctest.h>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"
#include "model/replica_set.hpp"
#include "model/service.hpp"

using namespace archsim;

namespace {

/// Every field of a replica's state equals a fresh one's: a replica made or
/// re-used anywhere must not drift from ReplicaSet::fresh.
void check_fresh(const Replica& r, const Replica& fresh) {
  CHECK(r.state == fresh.state);
  CHECK(r.busy == fresh.busy);
  CHECK(r.queue.size() == fresh.queue.size());
  CHECK(r.running == fresh.running);
  CHECK(r.limit == fresh.limit);
  CHECK(r.permits_used == fresh.permits_used);
  CHECK(r.restart_pending == fresh.restart_pending);
}

ComponentSpec limited_service(int replicas) {
  ServiceSpec s;
  s.replicas = replicas;
  s.workers = 2;
  s.concurrency_limit = ConcurrencyLimitSpec{};
  s.concurrency_limit->initial = 7;
  s.bulkheads.push_back(BulkheadSpec{"db", 3, {}});
  ComponentSpec c;
  c.name = "api";
  c.body = std::move(s);
  return c;
}

FaultSpec scale_to(int n) {
  FaultSpec f;
  f.kind = FaultSpec::Kind::Scale;
  f.target = "api";
  f.replicas = n;
  return f;
}

}  // namespace

TEST_SUITE("model") {
  TEST_CASE("a fresh replica carries the concurrency limit and one permit count per bulkhead") {
    const ReplicaSet set(2, 7.0, 3);
    const Replica r = set.fresh(Replica::State::Provisioning);
    CHECK(r.state == Replica::State::Provisioning);
    CHECK(r.limit == 7.0);
    CHECK(r.permits_used == std::vector<std::uint32_t>{0, 0, 0});
    for (std::size_t i = 0; i < set.size(); ++i) check_fresh(set[i], set.fresh(Replica::State::Up));
  }

  TEST_CASE("replicas added by grow, re-used or new, are fresh ones") {
    ReplicaSet set(3, 7.0, 1);
    set[2].limit = 1.5;  // as AIMD leaves it
    set[2].permits_used[0] = 2;
    set.shrink(2, false);  // idle: removed at once
    CHECK(set.serving() == 1);
    const std::vector<int> added = set.grow(3, Replica::State::Provisioning);
    CHECK(added == std::vector<int>{1, 2, 3});  // removed slots first, then a new one
    for (int i : added) check_fresh(set[i], set.fresh(Replica::State::Provisioning));
  }

  TEST_CASE(
      "scaling a service in and out again gives replicas equal to fresh ones (the concurrency limit too)") {
    // The `scale` action once re-used a removed replica without its
    // concurrency limit: such a replica admitted any number of visits.
    Kernel kernel;
    const ComponentSpec spec = limited_service(3);
    Service api(kernel, spec, 0, 1);
    const FaultSpec in = scale_to(1), out = scale_to(4);
    REQUIRE(api.apply(in, false));
    CHECK(api.replica_set().serving() == 1);
    REQUIRE(api.apply(out, false));
    const ReplicaSet& set = api.replica_set();
    REQUIRE(set.size() == 4);
    CHECK(set.serving() == 4);
    for (std::size_t i = 0; i < set.size(); ++i) {
      CAPTURE(i);
      check_fresh(set[i], set.fresh(Replica::State::Up));
      CHECK(set[i].limit == 7.0);
    }
  }

  TEST_CASE("a job's rarely used fields are lent on first use and taken back when it is freed") {
    // Repeat counters, a queue delivery's counters and a retry's last delay
    // live out of Job (JobExtra): a job that never uses them holds none, and
    // a job re-used from the pool starts without the last one's.
    Kernel kernel;
    Job* a = kernel.alloc();
    CHECK(kernel.extra_if(a) == nullptr);
    kernel.extra(a).loop[2] = 5;
    kernel.extra(a).backoff = 0.25f;
    REQUIRE(kernel.extra_if(a) != nullptr);
    CHECK(kernel.extra_if(a)->loop[2] == 5);
    Job* b = kernel.alloc();
    kernel.extra(b).loop[0] = 9;  // a second job's block is its own
    CHECK(kernel.extra(a).loop[0] == 0);
    CHECK(kernel.extra(a).loop[2] == 5);
    kernel.free(a);
    Job* c = kernel.alloc();
    CHECK(c == a);                         // the pool hands the freed job out again...
    CHECK(kernel.extra_if(c) == nullptr);  // ...without its block
    const JobExtra& x = kernel.extra(c);   // the block a held, zeroed
    CHECK(x.loop[2] == 0);
    CHECK(x.backoff == 0.0f);
    CHECK(kernel.extra(b).loop[0] == 9);
  }
}
