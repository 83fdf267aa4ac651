// archsim-bench: simulated requests per wall second and events per second of
// the fast backend. Not a test: the figures depend on the machine.
//
//   ./build/release/archsim-bench [--requests N] [--runs K]
//       [--backend simgrid [--simgrid-requests N]]
//
// Prints one line per run and the median per scenario. With --backend
// simgrid it also runs each scenario on the simgrid backend (fewer requests:
// it is slower) and prints the ratio of the medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"

using namespace archsim;

namespace {

struct Case {
  const char* name;
  const char* yaml;
  double rate;  // requests per simulated second
};

// M/M/8 at 80% load: 8 workers, exp(10ms) each, 640/s.
const char* kMM8 = R"(
name: bench-mm8
seed: 7
duration: 1s
traffic:
  - {name: clients, to: station, rate: 640/s}
components:
  station:
    kind: service
    workers: 8
    service_time: exp(10ms)
)";

// Six hops: a load balancer and five services in a synchronous chain.
const char* kChain = R"(
name: bench-chain6
seed: 7
duration: 1s
traffic:
  - {name: clients, to: lb, rate: 1000/s}
components:
  lb:
    kind: load_balancer
    policy: least_connections
    to: s1
  s1:
    kind: service
    replicas: 4
    workers: 8
    steps: [{work: exp(1ms)}, {call: s2}]
  s2:
    kind: service
    replicas: 4
    workers: 8
    steps: [{work: exp(1ms)}, {call: s3}]
  s3:
    kind: service
    replicas: 2
    workers: 16
    steps: [{work: exp(1ms)}, {call: s4}]
  s4:
    kind: service
    replicas: 2
    workers: 16
    steps: [{work: exp(1ms)}, {call: s5}]
  s5:
    kind: service
    replicas: 1
    workers: 32
    service_time: exp(2ms)
)";

struct Sample {
  double req_per_s;
  double events_per_s;
  double wall_s;
  double rss_mb;
  std::uint64_t requests;
};

Sample run_once(const Case& c, double requests, const std::string& backend) {
  ScenarioSpec spec = load_scenario_text(c.yaml, c.name);
  spec.duration = requests / c.rate;
  RunOptions opt;
  opt.backend = backend;
  const RunResult r = simulate(spec, opt);
  const double n = static_cast<double>(r.started);
  return Sample{n / r.engine.wall_s, r.engine.events_per_s, r.engine.wall_s, r.engine.peak_rss_mb, r.started};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  double requests = 10e6;
  double simgrid_requests = 1e6;
  int runs = 5;
  std::string backend = "fast";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) requests = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--simgrid-requests")) simgrid_requests = std::atof(argv[i + 1]);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--backend")) backend = argv[i + 1];
  }
  if (backend != "fast" && backend != "simgrid") {
    fmt::print(stderr, "archsim-bench: unknown backend '{}' (valid: fast, simgrid)\n", backend);
    return 2;
  }
  if (backend == "simgrid" && !simgrid_available()) {
    fmt::print(stderr, "archsim-bench: this build has no simgrid backend\n");
    return 2;
  }
  const bool both = backend == "simgrid";
  const Case cases[] = {{"mm8-80pct", kMM8, 640.0}, {"chain6", kChain, 1000.0}};
  fmt::print("archsim-bench: fast backend, {:.0f} requests per run, {} runs, median reported\n", requests, runs);
  if (both) fmt::print("               simgrid backend, {:.0f} requests per run\n", simgrid_requests);
  for (const Case& c : cases) {
    double fast_median = 0;
    for (const std::string b : {"fast", "simgrid"}) {
      if (b == "simgrid" && !both) break;
      const double n = b == "fast" ? requests : simgrid_requests;
      std::vector<double> rps, eps, rss;
      for (int k = 0; k < runs; ++k) {
        const Sample s = run_once(c, n, b);
        rps.push_back(s.req_per_s);
        eps.push_back(s.events_per_s);
        rss.push_back(s.rss_mb);
        fmt::print("  {:<10} {:<7} run {}: {:>7.3f} M req/s  {:>6.2f} M events/s  {:.2f} s wall  peak RSS {:.1f} MB\n",
                   c.name, b, k + 1, s.req_per_s / 1e6, s.events_per_s / 1e6, s.wall_s, s.rss_mb);
      }
      const double m = median(rps);
      fmt::print("{:<12} {:<7} median {:.3f} M requests/s, {:.2f} M events/s, peak RSS {:.1f} MB\n", c.name, b,
                 m / 1e6, median(eps) / 1e6, *std::max_element(rss.begin(), rss.end()));
      if (b == "fast") fast_median = m;
      else fmt::print("{:<12} fast/simgrid: {:.1f}x\n", c.name, fast_median / m);
    }
  }
  return 0;
}
