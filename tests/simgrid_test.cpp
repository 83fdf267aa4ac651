// The simgrid backend against queueing theory, against the fast backend, and
// against the network model's exact answers; host and link failures.
//
// Every example of examples/validation/ runs on the simgrid backend for its
// full length (the sampling error of the mean is the one validation_test.cpp
// accepts: about a third of the 3% tolerance) and must match the same exact
// result. On the default platform (one core per worker) it must also give
// the fast backend's figures on the same random numbers.
#include <doctest/doctest.h>

#include "check.hpp"

#ifdef ARCHSIM_WITH_SIMGRID

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "analysis/estimate.hpp"
#include "analysis/platform_estimate.hpp"
#include "analysis/queueing.hpp"
#include "archsim/load.hpp"
#include "archsim/simulation.hpp"
#include "backend/simgrid.hpp"
#include "model/kernel.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

// Relative. One run of an example's full length (1-3 h) has a 95% half-width
// of its mean response of about 2-2.5% (validation_test measures it with
// replications on the fast backend, which gives the same numbers): 5% is
// twice that, and 5% longer service times move every case by 10% or more.
constexpr double kTolerance = 0.05;

RunResult run_file(const std::string& name, const std::string& backend) {
  const ScenarioSpec spec = load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/" + name);
  RunOptions opt;
  opt.backend = backend;
  return simulate(spec, opt);
}

RunResult run_text(const std::string& yaml, const std::string& backend = "simgrid") {
  const ScenarioSpec spec = load_scenario_text(yaml, "test.yaml");
  RunOptions opt;
  opt.backend = backend;
  return simulate(spec, opt);
}

/// Runs `name` on both backends: the simgrid result, after checking that it
/// is the fast backend's on the same random numbers.
RunResult differential(const std::string& name) {
  const RunResult sg = run_file(name, "simgrid");
  const RunResult fast = run_file(name, "fast");
  CHECK(sg.backend == "simgrid");
  CHECK(fast.backend == "fast");
  CHECK(sg.completed == fast.completed);
  CHECK(sg.latency.mean == Rel(fast.latency.mean).epsilon(1e-9));
  CHECK(sg.latency.p99 == Rel(fast.latency.p99).epsilon(1e-9));
  return sg;
}

using archsim::queueing::erlang_c;  // one copy: sim/analysis/queueing

}  // namespace

TEST_SUITE("simgrid") {
  TEST_CASE("simgrid: M/M/1 mean response time is 1/(mu - lambda)") {
    const RunResult r = differential("mm1.yaml");
    CHECK(r.latency.mean == Rel(1.0 / (100.0 - 80.0)).epsilon(kTolerance));
    CHECK(r.components[0].utilization == Rel(0.8).epsilon(0.01));
  }

  TEST_CASE("simgrid: M/D/1 mean response time follows Pollaczek-Khinchine") {
    const RunResult r = differential("md1.yaml");
    const double s = 0.010, rho = 0.8;
    CHECK(r.latency.mean == Rel(s + rho * s / (2.0 * (1.0 - rho))).epsilon(kTolerance));
  }

  TEST_CASE("simgrid: M/M/c mean response time follows Erlang C") {
    const RunResult r = differential("mmc.yaml");
    const double exact = erlang_c(4, 80.0 / 25.0) / (4 * 25.0 - 80.0) + 1.0 / 25.0;
    CHECK(r.latency.mean == Rel(exact).epsilon(kTolerance));
  }

  TEST_CASE("simgrid: random balancer over 4 replicas, each an M/M/1") {
    const RunResult r = differential("lb_random.yaml");
    CHECK(r.latency.mean == Rel(1.0 / (100.0 - 80.0)).epsilon(kTolerance));
  }

  TEST_CASE("simgrid: round-robin balancer over 4 replicas, each an E4/M/1") {
    const RunResult r = differential("lb_round_robin.yaml");
    CHECK(r.latency.mean == Rel(queueing::ekm1_response(4, 80.0, 100.0), kTolerance));
  }

  TEST_CASE("simgrid: nested synchronous call, the caller an M/G/1 with S = own work + callee") {
    const RunResult r = differential("nested_call.yaml");
    const double lambda = 100.0, es = 0.008, es2 = 96e-6;
    CHECK(r.latency.mean == Rel(es + lambda * es2 / (2.0 * (1.0 - lambda * es))).epsilon(kTolerance));
  }

  TEST_CASE("simgrid: closed loop of users matches mean value analysis") {
    const RunResult r = differential("closed_loop.yaml");
    const queueing::MvaResult exact = queueing::mva(10, 0.100, {0.010});
    CHECK(r.latency.mean == Rel(exact.response, kTolerance));
    CHECK(r.throughput_rps == Rel(exact.throughput, kTolerance));
  }

  // One core shared by every worker is an M/G/1 processor-sharing station:
  // mean response E[S] / (1 - rho) whatever the distribution of S, so constant
  // 10 ms at 80% load gives 50 ms. The same work in FIFO order (one worker per
  // core) is M/D/1: 30 ms. 2 h: the sampling error of the mean is about 0.7%.
  const char* kSharedCore = R"(
name: mg1-ps
seed: 1
duration: 2h
warmup: 1m
platform:
  regions:
    lab:
      hosts:
        box: {cores: 1}
traffic:
  - {name: clients, to: server, rate: 80/s}
components:
  server:
    kind: service
    workers: 200
    service_time: const(10ms)
    hosts: [box]
)";

  TEST_CASE("simgrid: one core shared by all workers is M/G/1-PS, E[S]/(1-rho) = 50 ms") {
    const RunResult ps = run_text(kSharedCore);
    CHECK(ps.latency.mean == Rel(0.010 / (1 - 0.8)).epsilon(kTolerance));
    // Relative tolerances tell the two disciplines apart: PS is not FIFO's 30 ms.
    CHECK_FALSE(ps.latency.mean == Rel(0.010 + 0.8 * 0.010 / (2 * (1 - 0.8)), kTolerance));
    CHECK(ps.failed == 0);
    // The fast backend has no cores to share: its 200 workers never queue, and
    // a visit takes its 10 ms.
    const RunResult fast = run_text(kSharedCore, "fast");
    CHECK(fast.latency.mean == Rel(0.010).epsilon(1e-6));
  }

  TEST_CASE("simgrid: the same constant work in FIFO order on one core is M/D/1, 30 ms") {
    std::string fifo = kSharedCore;
    fifo.replace(fifo.find("workers: 200"), 12, "workers: 1");
    const RunResult r = run_text(fifo);
    CHECK(r.latency.mean == Rel(0.010 + 0.8 * 0.010 / (2 * (1 - 0.8))).epsilon(kTolerance));
    // ... and FIFO is not processor sharing's 50 ms.
    CHECK_FALSE(r.latency.mean == Rel(0.010 / (1 - 0.8), kTolerance));
  }

  TEST_CASE("simgrid: a host's speed scales its work") {
    // Twice the reference speed halves a constant 10 ms: M/D/1 with S = 5 ms at 40% load.
    std::string fast_box = kSharedCore;
    fast_box.replace(fast_box.find("box: {cores: 1}"), 15, "box: {cores: 1, speed: 2x}");
    fast_box.replace(fast_box.find("workers: 200"), 12, "workers: 1");
    fast_box.replace(fast_box.find("duration: 2h"), 12, "duration: 20m");
    const RunResult r = run_text(fast_box);
    const double s = 0.005, rho = 0.4;
    CHECK(r.latency.mean == Rel(s + rho * s / (2 * (1 - rho))).epsilon(kTolerance));
  }

}  // TEST_SUITE

// ---------------------------------------------------------------- the network, driven directly

namespace {

// Two regions joined by an 80 Mbit/s (10 MB/s) route with 20 ms latency.
// Hosts' own links limit nothing; a1 and a2 are left, b is right.
const char* kTwoRegions = R"(
name: wan
duration: 100s
platform:
  regions:
    left:
      hosts: {a1: {}, a2: {cores: 1}}
    right:
      hosts: {b: {}}
  routes:
    - {between: [left, right], bandwidth: 80Mbps, latency: 20ms}
traffic:
  - {name: t, to: sa1, rate: 1/s}
components:
  sa1: {kind: service, service_time: 1ms, hosts: [a1]}
  sa2: {kind: service, service_time: 1ms, hosts: [a2]}
  sb: {kind: service, service_time: 1ms, hosts: [b]}
)";

/// A component that starts transfers and work when told to (a Custom event
/// with aux 1, run inside the backend's actor) and notes when each arrives.
class Probe : public Component {
 public:
  Probe(Kernel& k, Backend& b) : Component(k, "probe", 0, 1), backend_(b) {}
  struct Send {
    int from, to;
    double bytes, delay;
  };
  std::vector<Send> sends;
  std::vector<double> work;  ///< seconds of reference-core work, on component 1's host
  std::vector<double> arrivals;
  std::vector<double> done;

  void arrive(Job*) override {}
  void on_reply(Job*, ErrorKind) override {}
  void handle(const Event& e) override {
    if (e.code == EventCode::Custom && e.aux == 1) {
      for (const Send& s : sends)
        backend_.transfer(Event{kernel_.now(), 0, this, nullptr, 0, EventCode::Custom, 0}, s.from, 0, s.to, 0,
                          s.bytes, s.delay);
      for (double w : work) {
        Job* j = kernel_.alloc();
        j->comp = this;
        j->replica = 0;
        backend_.work(*j, w);
      }
    } else if (e.code == EventCode::Custom) {
      arrivals.push_back(kernel_.now());
    } else if (e.code == EventCode::Resume) {
      done.push_back(kernel_.now());
      kernel_.free(e.job);
    }
  }

 private:
  Backend& backend_;
};

struct Rig {
  ScenarioSpec spec = load_scenario_text(kTwoRegions, "wan.yaml");
  Kernel kernel;
  SimGridBackend backend{kernel, spec};
  Probe probe{kernel, backend};
  Rig() {
    kernel.backend = &backend;
    kernel.schedule(0, &probe, EventCode::Custom, nullptr, 1);
  }
  void run(double t) { backend.run_until(kernel, t, nullptr, nullptr); }
};

}  // namespace

TEST_SUITE("simgrid") {
  TEST_CASE("simgrid: a transfer alone takes latency + bytes / bandwidth") {
    Rig rig;
    rig.probe.sends = {{0, 2, 10e6, 0}};  // sa1 (left) -> sb (right), 10 MB
    rig.run(100);
    REQUIRE(rig.probe.arrivals.size() == 1);
    CHECK(rig.probe.arrivals[0] == Rel(0.020 + 10e6 / 10e6).epsilon(1e-9));
    CHECK(rig.backend.counters().comms == 1);
  }

  TEST_CASE(
      "simgrid: a call's stated latency adds to the route's, and a message without bytes costs no comm") {
    Rig rig;
    rig.probe.sends = {{0, 2, 1e6, 0.005}, {0, 2, 0, 0.005}, {0, 1, 0, 0}};
    rig.run(100);
    REQUIRE(rig.probe.arrivals.size() == 3);
    CHECK(rig.probe.arrivals[0] == Rel(0.0));                  // sa1 -> sa2: same region, no delay
    CHECK(rig.probe.arrivals[1] == Rel(0.025).epsilon(1e-9));  // route 20 ms + stated 5 ms
    CHECK(rig.probe.arrivals[2] == Rel(0.025 + 0.1).epsilon(1e-9));
    CHECK(rig.backend.counters().comms == 1);
    CHECK(rig.backend.counters().direct == 2);
  }

  TEST_CASE("simgrid: two equal flows over one link each get half its bandwidth") {
    Rig rig;
    rig.probe.sends = {{0, 2, 10e6, 0}, {1, 2, 10e6, 0}};  // a1 -> b and a2 -> b share the route
    rig.run(100);
    REQUIRE(rig.probe.arrivals.size() == 2);
    for (double t : rig.probe.arrivals) CHECK(t == Rel(0.020 + 10e6 / 5e6).epsilon(1e-9));
  }

  TEST_CASE("simgrid: the two directions of a link do not share") {
    Rig rig;
    rig.probe.sends = {{0, 2, 10e6, 0}, {2, 0, 10e6, 0}};  // a1 -> b and b -> a1
    rig.run(100);
    REQUIRE(rig.probe.arrivals.size() == 2);
    for (double t : rig.probe.arrivals) CHECK(t == Rel(1.020).epsilon(1e-9));
  }

  TEST_CASE("simgrid: work on a core takes its time, concurrent work on one core shares it") {
    Rig rig;
    rig.probe.work = {1.0, 1.0};  // on sa1's host a1: 1 core at the reference speed
    rig.run(100);
    REQUIRE(rig.probe.done.size() == 2);
    for (double t : rig.probe.done) CHECK(t == Rel(2.0).epsilon(1e-9));
  }

  TEST_CASE("simgrid: a host's speed and a link's bandwidth change while work and transfers run") {
    Rig rig;
    rig.probe.work = {1.0};
    rig.probe.sends = {{0, 2, 10e6, 0}};
    rig.run(0.5);
    rig.backend.set_host_speed("a1", kReferenceSpeed / 2);  // the second half takes twice as long
    rig.run(0.52);
    rig.backend.set_link_bandwidth("left/right", 5e6);  // 5 MB left at half the bandwidth
    rig.run(100);
    REQUIRE(rig.probe.done.size() == 1);
    CHECK(rig.probe.done[0] == Rel(0.5 + 0.5 / 0.5).epsilon(1e-6));
    REQUIRE(rig.probe.arrivals.size() == 1);
    CHECK(rig.probe.arrivals[0] == Rel(0.52 + 5e6 / 5e6).epsilon(1e-6));
  }

  TEST_CASE("simgrid: a link turned off fails the transfers that cross it") {
    Rig rig;
    rig.probe.sends = {{0, 2, 10e6, 0}, {0, 1, 10e6, 0}};  // across the route, and inside the left region
    rig.run(0.5);
    rig.backend.set_link_state("left/right", false);
    rig.run(100);
    REQUIRE(rig.probe.arrivals.size() == 1);  // only the one inside the region
    CHECK(rig.backend.counters().failed == 1);
  }

  // A service on one host; the host is off from 10 s to 20 s: the requests
  // sent to it then fail with host_down, before and after they succeed.
  const char* kOneHost = R"(
name: host-down
seed: 3
duration: 30s
platform:
  regions:
    dc:
      hosts: {h1: {cores: 4}}
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 4
    service_time: exp(5ms)
    hosts: [h1]
)";

  TEST_CASE("simgrid: a host turned off fails its requests with host_down until it is back") {
    const ScenarioSpec spec = load_scenario_text(kOneHost, "host.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    Simulation sim(spec, opt);
    sim.run_until(10);
    REQUIRE(SimGridBackend::current() != nullptr);
    SimGridBackend::current()->set_host_state("h1", false);
    sim.run_until(20);
    SimGridBackend::current()->set_host_state("h1", true);
    const RunResult& r = sim.run();
    REQUIRE(r.errors.count("host_down") == 1);
    // About 10 s of 100/s (Poisson: sd about 32).
    CHECK(r.errors.at("host_down") == Rel(1000).epsilon(0.15));
    CHECK(r.failed == r.errors.at("host_down"));
    CHECK(r.completed == Rel(2000).epsilon(0.15));
  }

  // api in one region calls db in the other over the WAN link "east/west".
  const char* kPartition = R"(
name: partition
seed: 3
duration: 30s
platform:
  regions:
    east: {hosts: {e1: {cores: 8}}}
    west: {hosts: {w1: {cores: 8}}}
  routes:
    - {between: [east, west], bandwidth: 1Gbps, latency: 30ms}
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 32
    hosts: [e1]
    steps:
      - work: exp(2ms)
      - call: db
        request: 1KB
        response: 10KB
  db:
    kind: service
    workers: 8
    service_time: exp(4ms)
    hosts: [w1]
)";

  TEST_CASE("simgrid: a link turned off partitions the regions: calls across fail as unreachable") {
    const ScenarioSpec spec = load_scenario_text(kPartition, "partition.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    Simulation sim(spec, opt);
    sim.run_until(10);
    SimGridBackend::current()->set_link_state("east/west", false);
    sim.run_until(20);
    SimGridBackend::current()->set_link_state("east/west", true);
    const RunResult& r = sim.run();
    REQUIRE(r.errors.count("unreachable") == 1);
    CHECK(r.errors.at("unreachable") == Rel(1000).epsilon(0.15));
    // Outside the partition a request crosses the WAN twice: 60 ms plus its work.
    CHECK(r.latency.p50 > 0.060);
    CHECK(r.latency.p50 < 0.075);
  }

  TEST_CASE("simgrid: runs in steps, and runs one after another in a process, give the same figures") {
    const ScenarioSpec spec = load_scenario_text(kPartition, "partition.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    const RunResult once = simulate(spec, opt);
    const RunResult again = simulate(spec, opt);
    CHECK(again.latency.mean == once.latency.mean);
    Simulation stepped(spec, opt);
    for (double t = 0.25; t < 30; t += 0.7) {
      stepped.run_until(t);
      if (t > 10 && t < 11) stepped.run_until(t);  // again: nothing to do
    }
    const RunResult& r = stepped.run();
    CHECK(r.completed == once.completed);
    CHECK(r.latency.mean == once.latency.mean);
    CHECK(r.latency.p99 == once.latency.p99);
  }

  TEST_CASE("simgrid: simulations on two threads take turns (one SimGrid engine per process)") {
    const ScenarioSpec spec = load_scenario_text(kPartition, "partition.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    RunResult a, b;
    std::thread ta([&] { a = simulate(spec, opt); });
    std::thread tb([&] { b = simulate(spec, opt); });
    ta.join();
    tb.join();
    CHECK(a.completed > 0);
    CHECK(a.completed == b.completed);
    CHECK(a.latency.mean == b.latency.mean);
  }

  TEST_CASE("simgrid: a second simulation in the same thread while one exists is refused") {
    const ScenarioSpec spec = load_scenario_text(kOneHost, "host.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    Simulation first(spec, opt);
    CHECK_THROWS_AS(Simulation(spec, opt), std::logic_error);
  }

  namespace {

  /// Keeps, per tick, the p50 and p99 of chosen components.
  struct Watch : Observer {
    std::vector<int> comps;
    std::vector<double> t;
    std::vector<std::vector<double>> p50, p99;
    void on_tick(const Tick& tick) override {
      t.push_back(tick.t);
      p50.emplace_back();
      p99.emplace_back();
      for (int c : comps) {
        p50.back().push_back(tick.components[static_cast<std::size_t>(c)].p50);
        p99.back().push_back(tick.components[static_cast<std::size_t>(c)].p99);
      }
    }
    /// Mean over the ticks in [from, to] of series v of component k.
    double mean(const std::vector<std::vector<double>>& v, std::size_t k, double from, double to) const {
      double sum = 0;
      int n = 0;
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] >= from && t[i] <= to && v[i][k] > 0) sum += v[i][k], ++n;
      return n ? sum / n : 0;
    }
  };

  }  // namespace

  TEST_CASE(
      "simgrid: multi-region news: regions differ in latency, replication lags when the WAN saturates") {
    ScenarioSpec spec = load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/multi-region-news.yaml");
    CHECK(spec.backend == "simgrid");
    spec.duration = 170;  // the European spike starts at 2m: 50 s of it are enough
    Watch w;
    for (const char* name : {"cache-us", "cache-eu", "cache-ap", "replicator"})
      w.comps.push_back(spec.find(name));
    Simulation sim(spec);
    sim.add_observer(&w);
    const RunResult& r = sim.run();
    CHECK(r.backend == "simgrid");
    CHECK(r.failed == 0);
    // Before the spike: a miss in us-east stays in the region (p99 a few ms of
    // work); in eu-west it crosses the atlantic (2 x 40 ms + 100 KB at 25 MB/s),
    // in ap-south the longer route (2 x 110 ms).
    const double us = w.mean(w.p99, 0, 40, 110), eu = w.mean(w.p99, 1, 40, 110),
                 ap = w.mean(w.p99, 2, 40, 110);
    CHECK(us < 0.030);
    CHECK(eu > 0.085);
    CHECK(eu < 0.150);
    CHECK(ap > 0.225);
    CHECK(ap < 0.300);
    // Replication lag: 500 KB over the link at 44% (about 0.1 s) before the
    // spike; once the misses alone fill the link, it grows by seconds.
    const double before = w.mean(w.p50, 3, 40, 110);
    const double during = w.mean(w.p50, 3, 160, 170);
    CHECK(before > 0.06);
    CHECK(before < 0.2);
    CHECK(during > 10 * before);
  }

  // ---------------------------------------------------------------- platform faults of the timeline

  // Two hosts behind a round-robin balancer: h1 gets exactly every other
  // request, 100/s of the 200/s Poisson stream.
  const char* kHostDownFault = R"(
name: host-down-fault
seed: 5
duration: 40s
platform:
  regions:
    dc:
      hosts: {h1: {cores: 4}, h2: {cores: 4}}
traffic:
  - {name: users, to: lb, rate: 200/s}
components:
  lb: {kind: load_balancer, to: api, policy: round_robin}
  api:
    kind: service
    replicas: 2
    workers: 4
    service_time: exp(5ms)
    hosts: [h1, h2]
faults:
  - {at: 10s, host_down: h1, for: 20s}
)";

  TEST_CASE("simgrid: 'host_down' for D seconds fails lambda x D of the requests routed to the host") {
    const RunResult r = run_text(kHostDownFault);
    REQUIRE(r.errors.count("host_down") == 1);
    // lambda x D = 100/s x 20 s = 2000; the count of a 200/s Poisson stream
    // over 20 s has sd sqrt(4000) = 63, halved by the alternation: 32. 5% is
    // three of them.
    CHECK(r.errors.at("host_down") == Rel(2000, 0.05));
    CHECK(r.failed == r.errors.at("host_down"));  // nothing else fails
    // Back after `for:`: everything else completes (40 s x 200/s - 2000).
    CHECK(r.completed == Rel(6000, 0.05));
    bool down = false, up = false;
    for (const Note& n : r.notes) {
      if (n.what == "host_down" && n.t == 10) down = n.target == "h1" && n.detail == "host down";
      if (n.what == "host_down" && n.t == 30) up = n.detail == "over";
    }
    CHECK(down);
    CHECK(up);
  }

  TEST_CASE("simgrid: two 'host_down' windows that overlap keep the host down until the last is over") {
    std::string yaml = kHostDownFault;
    yaml.replace(yaml.find("  - {at: 10s, host_down: h1, for: 20s}"), 38,
                 "  - {at: 10s, host_down: h1, for: 10s}\n  - {at: 15s, host_down: h1, for: 10s}");
    const RunResult r = run_text(yaml);
    REQUIRE(r.errors.count("host_down") == 1);
    // Down from 10 s to 25 s: 100/s x 15 s (the first end at 20 s does not
    // bring it back while the second is in force).
    CHECK(r.errors.at("host_down") == Rel(1500, 0.05));
  }

  // api in east calls db in west across the route "east/west" (30 ms each
  // way): the request has a size (a SimGrid communication), the reply none
  // (delivered after the route's latency): both paths must see the change.
  const char* kDegradedLink = R"(
name: degraded-link
seed: 7
duration: 60s
platform:
  regions:
    east: {hosts: {e1: {cores: 256}}}
    west: {hosts: {w1: {cores: 64}}}
  routes:
    - {between: [east, west], bandwidth: 1Gbps, latency: 30ms}
traffic:
  - {name: users, to: api, rate: 100/s}
components:
  api:
    kind: service
    workers: 256
    hosts: [e1]
    steps:
      - work: exp(2ms)
      - call: db
        request: 2KB
  db:
    kind: service
    workers: 64
    service_time: exp(4ms)
    hosts: [w1]
)";

  TEST_CASE("simgrid: 'link_degraded' latency +X raises the mean latency by X per crossing") {
    const std::string base = kDegradedLink;
    const RunResult before = run_text(base);
    const RunResult after = run_text(base + "faults:\n  - {at: 0s, link_degraded: east/west, add: 20ms}\n");
    REQUIRE(before.completed > 5000);
    CHECK(before.failed == 0);
    CHECK(after.failed == 0);
    // The call crosses the link twice (request, reply): 2 x 20 ms. Every
    // event moves by the same delay, so queues and link sharing are those
    // of the first run; only the last 40 ms of requests differ.
    CHECK(after.latency.mean - before.latency.mean == Rel(0.040, 1e-3));
  }

  // One user at a time (a closed loop of one): a 1 MB reply over a 10 MB/s
  // route takes 100 ms, nothing shares the link.
  const char* kBandwidthBound = R"(
name: bandwidth-bound
seed: 2
duration: 100s
platform:
  regions:
    east: {hosts: {e1: {cores: 4}}}
    west: {hosts: {w1: {cores: 4}}}
  routes:
    - {between: [east, west], bandwidth: 80Mbps, latency: 0ms}
traffic:
  - {name: users, to: api, users: 1, think: 100ms}
components:
  api:
    kind: service
    hosts: [e1]
    steps:
      - call: db
        response: 1MB
  db:
    kind: service
    service_time: 1ms
    hosts: [w1]
)";

  TEST_CASE("simgrid: 'link_degraded' to half the bandwidth doubles a bandwidth-bound transfer") {
    const RunResult before = run_text(kBandwidthBound);
    const RunResult half = run_text(std::string(kBandwidthBound) +
                                    "faults:\n  - {at: 0s, link_degraded: east/west, bandwidth: 50%}\n");
    const RunResult rate = run_text(std::string(kBandwidthBound) +
                                    "faults:\n  - {at: 0s, link_degraded: east/west, bandwidth: 40Mbps}\n");
    // 1 ms of work plus 1e6 B / 1e7 B/s; at half the bandwidth 1e6 / 5e6.
    CHECK(before.latency.mean == Rel(0.001 + 0.1, 1e-6));
    CHECK(half.latency.mean == Rel(0.001 + 0.2, 1e-6));
    CHECK(rate.latency.mean == Rel(0.001 + 0.2, 1e-6));
  }

  TEST_CASE("simgrid: 'host_slow' x2 doubles the work done on the host") {
    std::string yaml = kBandwidthBound;
    yaml.replace(yaml.find("response: 1MB"), 13, "response: 0B");
    yaml.replace(yaml.find("service_time: 1ms"), 17, "service_time: 10ms");
    const RunResult before = run_text(yaml);
    const RunResult slow = run_text(yaml + "faults:\n  - {at: 0s, host_slow: w1, x: 2}\n");
    CHECK(before.latency.mean == Rel(0.010, 1e-6));
    CHECK(slow.latency.mean == Rel(0.020, 1e-6));
  }

  /// Failed and completed requests per second of simulated time.
  struct PerSecond : Observer {
    std::vector<double> t, failed, completed;
    void on_tick(const Tick& tick) override {
      t.push_back(tick.t);
      failed.push_back(tick.failed);
      completed.push_back(tick.completed);
    }
    /// Sum of series v over the ticks ending in (from, to].
    double sum(const std::vector<double>& v, double from, double to) const {
      double total = 0;
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] > from && t[i] <= to) total += v[i];
      return total;
    }
  };

  TEST_CASE("simgrid: 'region_partition' fails cross-region calls as unreachable, then they recover") {
    const std::string yaml =
        std::string(kPartition) + "faults:\n  - {at: 10s, region_partition: [east, west], for: 10s}\n";
    const ScenarioSpec spec = load_scenario_text(yaml, "partition.yaml");
    RunOptions opt;
    opt.backend = "simgrid";
    Simulation sim(spec, opt);
    PerSecond w;
    sim.add_observer(&w);
    const RunResult& r = sim.run();
    REQUIRE(r.errors.count("unreachable") == 1);
    // lambda x D = 100/s x 10 s (Poisson: sd 32), plus the few in flight at the cut.
    CHECK(r.errors.at("unreachable") == Rel(1000, 0.1));
    CHECK(r.failed == r.errors.at("unreachable"));
    // Nothing fails before or after it; during it, nothing completes.
    CHECK(w.sum(w.failed, 0, 10) == 0);
    CHECK(w.sum(w.completed, 10.1, 20) == 0);
    CHECK(w.sum(w.failed, 10, 20) == r.failed);
    CHECK(w.sum(w.failed, 20, 30) == 0);
    CHECK(w.sum(w.completed, 20, 30) == Rel(1000, 0.1));  // recovered: 100/s again
  }

  // ------------------------------------------------------------ answers to users over the links

  // Users in eu, the service that answers them on a host in us, one route
  // of 100 Mbit/s (12.5 MB/s) and 20 ms between them; every answer is a
  // 2 MB segment (`response:`), so it crosses the route as a SimGrid
  // communication. The request itself has no size: it takes the latency.
  const char* kEgress = R"(
name: egress
seed: 3
duration: 100s
platform:
  regions:
    us: {hosts: {origin: {cores: 64}}}
    eu: {hosts: {player: {}}}
  routes:
    - {between: [us, eu], bandwidth: 100Mbps, latency: 20ms}
traffic:
  - {name: viewers, to: api, users: 1, think: const(1s), from: eu, response: 2MB}
components:
  api: {kind: service, service_time: const(1ms), workers: 64, hosts: [origin]}
)";
  constexpr double kL = 0.020, kS = 0.001, kB = 2e6, kC = 100e6 / 8;

  std::string egress_with(const std::string& from, const std::string& to) {
    std::string yaml = kEgress;
    yaml.replace(yaml.find(from), from.size(), to);
    return yaml;
  }

  TEST_CASE("simgrid: a 2 MB answer crosses a 100 Mbit/s route in L + B/C; the fast backend has no links") {
    const RunResult r = run_text(kEgress);
    REQUIRE(r.completed > 50);
    // Request L, work S, answer L + B/C (CM02, no TCP window: the network
    // tests above show a transfer alone takes exactly that).
    CHECK(r.latency.mean == Rel(kL + kS + kL + kB / kC, 1e-6));
    CHECK(r.latency.max == Rel(kL + kS + kL + kB / kC, 1e-6));
    const RunResult fast = run_text(kEgress, "fast");
    CHECK(fast.latency.mean == Rel(kS, 1e-6));  // as before: the answer's size crosses nothing
    CHECK(fast.egress.empty());
  }

  TEST_CASE("simgrid: N answers at once share the route: each gets C/N and ends at L + N B/C") {
    for (int n : {2, 4, 8}) {
      CAPTURE(n);
      // The users think exactly 1 s, so they send in step: the N answers
      // start together and share the route's bandwidth equally.
      const RunResult r = run_text(egress_with("users: 1,", fmt::format("users: {},", n)));
      REQUIRE(r.completed > 50);
      CHECK(r.latency.mean == Rel(kL + kS + kL + n * kB / kC, 1e-6));
    }
  }

  TEST_CASE("simgrid: Poisson answers load the route to rho = lambda B / C and wait as M/G/1-PS") {
    // Open loop at 3.125/s: rho = 3.125 x 2 MB / 12.5 MB/s = 0.5. A link
    // shared equally by the transfers on it is a processor-sharing server,
    // whose mean time is E[S]/(1 - rho) for any size distribution; the two
    // latencies and the work only add.
    std::string yaml = egress_with("users: 1, think: const(1s)", "rate: 3.125/s");
    yaml.replace(yaml.find("duration: 100s"), 14, "duration: 4000s");
    const RunResult r = run_text(yaml);
    const double lambda = 3.125, rho = lambda * kB / kC;
    REQUIRE(r.completed > 10000);
    const LinkResult* wan = nullptr;
    for (const LinkResult& l : r.links)
      if (l.name == "us/eu") wan = &l;
    REQUIRE(wan != nullptr);
    CHECK(wan->utilization == Rel(rho, 0.03));  // Poisson count over 4000 s: sd 0.3%
    // `archsim check` predicts it before the run: the answers' bytes at the source's rate.
    const ScenarioSpec spec = load_scenario_text(yaml, "test.yaml");
    const PlatformEstimate pe = estimate_platform(spec, *estimate(spec), /*window_mean=*/true);
    bool estimated = false;
    for (const LinkEstimate& l : pe.link_list)
      if (l.name == "us/eu") {
        CHECK(l.utilization == Rel(rho, 1e-9));
        estimated = true;
      }
    CHECK(estimated);
    CHECK(wan->utilization ==
          Rel(r.arrival_rps * kB / kC, 0.01));  // the measured rate: only in-flight differ
    CHECK(r.latency.mean - 2 * kL - kS == Rel(kB / kC / (1 - rho), 0.05));
    // Every answer left us for users in eu, priced as internet egress ($0.05/GB).
    REQUIRE(r.egress.size() == 1);
    const RegionEgress& e = r.egress[0];
    CHECK(e.region == "us");
    // Egress is billed as sent, the link counts what it carried: they differ
    // by the answers in flight at the window's ends (a few 2 MB over 4000 s).
    CHECK(e.bytes_per_s == Rel(wan->up_bytes_per_s, 1e-3));
    CHECK(e.cross_region_bytes_per_s == Rel(e.bytes_per_s));
    CHECK(e.cdn_bytes_per_s == 0);
    CHECK(e.gb_per_hour == Rel(e.bytes_per_s * 3600 / 1e9));
    CHECK(e.per_hour == Rel(e.gb_per_hour * 0.05));
  }

  TEST_CASE("simgrid: answers from a host in the users' own region stay off the route") {
    // The service moves to eu, beside its users: same answers, no WAN.
    std::string yaml =
        egress_with("eu: {hosts: {player: {}}}", "eu: {hosts: {player: {}, edge: {cores: 64}}}");
    yaml.replace(yaml.find("hosts: [origin]"), 15, "hosts: [edge]");
    const RunResult r = run_text(yaml);
    REQUIRE(r.completed > 50);
    // The hosts' own links (8 Pbit/s, no latency) add nanoseconds.
    CHECK(r.latency.mean == Rel(kS, 1e-4));
    REQUIRE(r.egress.size() == 1);
    CHECK(r.egress[0].region == "eu");
    CHECK(r.egress[0].cross_region_bytes_per_s == 0);
    CHECK(r.egress[0].bytes_per_s > 0);
    for (const LinkResult& l : r.links)
      if (l.name == "us/eu") CHECK(l.utilization == 0);
  }

  // One request whose 10 s of work (or 80 MB answer at 10 MB/s) outlasts the
  // window. Counted when they started, a host read 0% when its work began in
  // the warm-up and 125% (10 s of one core over 2 cores x 4 s) when in the
  // window, and a link 200%; counted as the cores and the link do them, one
  // core of two is busy throughout (50%) and the link is full (100%), every
  // tick too.
  TEST_CASE("simgrid: a host's and a link's utilisation count what was done in the window, never over 100%") {
    struct Ticks : Observer {
      std::vector<Tick> all;
      void on_tick(const Tick& t) override { all.push_back(t); }
    };
    const auto run = [](const std::string& timing, const std::string& worker, Ticks& ticks) {
      const ScenarioSpec spec = load_scenario_text(timing + R"(
platform:
  lan: {bandwidth: 80Mbps}
  regions:
    dc:
      hosts: {h1: {cores: 2}, h2: {}}
traffic:
  - {name: users, to: api, users: 1, think: 1ms}
components:
  api:
    kind: service
    hosts: [h2]
    steps: [{call: worker, response: 80MB}]
  worker: {kind: service, hosts: [h1], service_time: )" +
                                                       worker + "}\n",
                                                   "long.yaml");
      RunOptions opt;
      opt.backend = "simgrid";
      Simulation sim(spec, opt);
      sim.add_observer(&ticks);
      return sim.run();
    };
    const auto host = [](const RunResult& r, const std::string& name) {
      for (const HostResult& h : r.hosts)
        if (h.name == name) return h.cpu_utilization;
      FAIL("no host " << name);
      return -1.0;
    };
    Ticks in_warmup, in_window, sending;
    CHECK(host(run("duration: 5s\nwarmup: 2s", "10s", in_warmup), "h1") == Rel(0.5).epsilon(1e-6));
    // The user's first request leaves after its 1 ms think.
    CHECK(host(run("duration: 4s", "10s", in_window), "h1") == Rel(0.5 * 3.999 / 4).epsilon(1e-6));
    const RunResult r = run("duration: 4s", "1ms", sending);
    double busiest = 0;
    for (const LinkResult& l : r.links) busiest = std::max(busiest, l.utilization);
    CHECK(busiest == Rel(1.0).epsilon(1e-3));
    for (const Ticks* t : {&in_warmup, &in_window, &sending}) {
      REQUIRE(t->all.size() >= 4);
      for (const Tick& k : t->all) {
        CAPTURE(k.t);
        for (double c : k.host_cpu) CHECK(c <= 1 + 1e-9);
        for (double u : k.link_util) CHECK(u <= 1 + 1e-9);
      }
    }
  }

}  // TEST_SUITE

#endif  // ARCHSIM_WITH_SIMGRID
