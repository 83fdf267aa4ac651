// archsim-bench: archsim against a bare hand-written event loop
// (bench/bare_loop.cpp) on the same models and request counts, and how
// archsim's cost grows with model size and requests in flight. Not a test:
// the figures depend on the machine and its load.
//
//   ./build/release/archsim-bench [--requests N] [--runs K] [--chain-visits N]
//       [--inflight N] [--users N] [--feed-minutes M]
//       [--backend simgrid [--simgrid-requests N]]
//
// Every measurement runs in a child process of its own (fork), so that each
// peak RSS and CPU time is that run's alone; the table gives medians of K
// runs. Rates are per second of the child's CPU time (user + system), not of
// wall time: on a shared machine a run that waits for a core does not count
// the wait, so archsim and the bare loop compare even when they ran under
// different loads.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "bare_loop.hpp"

using namespace archsim;

namespace {

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

// Two stations in series at 80% load each: 8 workers exp(10ms), then the
// request moves on (async: the first worker is freed) to 4 workers exp(5ms).
const char* kTandem = R"(
name: bench-tandem
seed: 7
duration: 1s
traffic:
  - {name: clients, to: a, rate: 640/s}
components:
  a:
    kind: service
    workers: 8
    steps: [{work: exp(10ms)}, {async: b}]
  b:
    kind: service
    workers: 4
    service_time: exp(5ms)
)";

// One worker whose service takes ~1000 s: every request that arrives stays
// in flight (queued) to the end, so peak RSS grows with the request count.
const char* kPileUp = R"(
name: bench-inflight
seed: 7
duration: 1s
traffic:
  - {name: clients, to: sink, rate: 1000/s}
components:
  sink:
    kind: service
    workers: 1
    service_time: exp(1000s)
)";

/// A chain of n services, each handing the request on (async) to the next:
/// 25% load everywhere, so cost per event is all that changes with n.
std::string chain_yaml(int n) {
  std::string y = fmt::format(
      "name: bench-chain{}\nseed: 7\nduration: 1s\ntraffic:\n"
      "  - {{name: clients, to: s1, rate: 1000/s}}\ncomponents:\n",
      n);
  for (int i = 1; i <= n; ++i) {
    y += fmt::format("  s{}:\n    kind: service\n    workers: 4\n", i);
    y += i < n ? fmt::format("    steps: [{{work: exp(1ms)}}, {{async: s{}}}]\n", i + 1)
               : std::string("    service_time: exp(1ms)\n");
  }
  return y;
}

/// The social feed (scenarios/social-feed, the good design: fan-out on
/// write) at `users` concurrent users: the problem describes a cell of
/// 50,000, so every rate, key count, replica count, shard count and
/// partition count is scaled by users / 50,000 (1M users: 20 cells), and
/// the run lasts `minutes` simulated minutes (warm-up included).
/// Empty when the scenario files are not found or no longer match.
std::pair<std::string, std::string> social_feed(double users, double minutes) {
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::string dir = std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/social-feed/";
  std::string problem = slurp(dir + "problem.yaml"), design = slurp(dir + "designs/good.yaml");
  const double f = users / 50000.0;
  bool ok = !problem.empty() && !design.empty();
  auto scale = [&](std::string& text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    if (at == std::string::npos) ok = false;
    else text.replace(at, from.size(), to);
  };
  auto n = [&](double x) { return fmt::format("{:.0f}", std::max(1.0, std::round(x * f))); };
  scale(problem, "duration: 4m", fmt::format("duration: {}s", minutes * 60));
  scale(problem, "users: 50000 ", "users: " + n(50000) + " ");
  scale(problem, "rate: 14/s ", "rate: " + n(14) + "/s ");
  scale(problem, "min_shards: 8\n", "min_shards: " + n(8) + "\n");
  scale(problem, "keys: 50k ", "keys: " + n(50000) + " ");
  scale(design, "feed:\n    kind: service\n    replicas: 3\n",
        "feed:\n    kind: service\n    replicas: " + n(3) + "\n");
  scale(design, "post:\n    kind: service\n    replicas: 2\n",
        "post:\n    kind: service\n    replicas: " + n(2) + "\n");
  scale(design, "fanout:\n    kind: service\n    replicas: 2\n",
        "fanout:\n    kind: service\n    replicas: " + n(2) + "\n");
  scale(design, "partitions: 12\n", "partitions: " + n(12) + "\n");
  scale(design, "capacity: 50k ", "capacity: " + n(50000) + " ");
  scale(design, "shards: 8\n", "shards: " + n(8) + "\n");
  if (!ok) return {};
  return {problem, design};
}

struct Sample {
  double count = 0;   ///< requests started (archsim: after warm-up) or completed (bare loop)
  double events = 0;  ///< events run
  double wall_s = 0;
  double cpu_s = 0;   ///< user + system CPU of the child that ran it
  double rss_mb = 0;  ///< peak RSS of the child that ran it
  double req_per_s() const { return count / cpu_s; }
  double events_per_s() const { return events / cpu_s; }
};

/// Runs f in a child process; its peak RSS comes from wait4.
template <class F>
Sample in_child(F f) {
  int fd[2];
  if (pipe(fd) != 0) std::abort();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    const Sample s = f();
    if (write(fd[1], &s, sizeof s) != static_cast<ssize_t>(sizeof s)) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  Sample s;
  const bool ok = read(fd[0], &s, sizeof s) == static_cast<ssize_t>(sizeof s);
  close(fd[0]);
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fmt::print(stderr, "archsim-bench: a measurement run failed\n");
    std::exit(1);
  }
  s.rss_mb = static_cast<double>(u.ru_maxrss) / 1024.0;  // KiB on Linux
  s.cpu_s = static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
            1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  return s;
}

Sample run_archsim(const std::string& yaml, const char* name, double duration, const std::string& backend,
                   const std::string& design = "") {
  return in_child([&] {
    LoadOptions lo;
    if (!design.empty()) lo.design_text = design;
    ScenarioSpec spec = load_scenario_text(yaml, name, lo);
    if (duration > 0) spec.duration = duration;
    RunOptions opt;
    opt.backend = backend;
    const RunResult r = simulate(spec, opt);
    return Sample{static_cast<double>(r.started), static_cast<double>(r.engine.events), r.engine.wall_s, 0,
                  0};
  });
}

template <class F>
Sample run_bare(F f) {
  return in_child([&] {
    const auto t0 = std::chrono::steady_clock::now();
    const bench::BareResult b = f();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (b.mean_sojourn_s <= 0) std::abort();  // keeps the loop's work observable
    return Sample{static_cast<double>(b.completed), static_cast<double>(b.events), wall, 0, 0};
  });
}

/// Peak RSS of `archsim --version` run from the bench's directory, MB (0: not run).
double fresh_archsim_rss_mb(const char* self) {
  std::string dir = self;
  dir = dir.find('/') == std::string::npos ? "." : dir.substr(0, dir.rfind('/'));
  const std::string bin = dir + "/archsim";
  const pid_t pid = fork();
  if (pid == 0) {
    if (!std::freopen("/dev/null", "w", stdout)) _exit(1);
    execl(bin.c_str(), bin.c_str(), "--version", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  rusage u{};
  wait4(pid, &status, 0, &u);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? static_cast<double>(u.ru_maxrss) / 1024.0 : 0.0;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/// The medians of a measurement's runs, each figure on its own.
struct Medians {
  double rps = 0, eps = 0, wall_s = 0, cpu_s = 0, rss_mb = 0, count = 0;
  double req_per_s() const { return rps; }
  double events_per_s() const { return eps; }
};

/// Medians over `runs` of one measurement, each run printed as it ends.
Medians medians(const std::string& label, int runs, const std::function<Sample()>& f) {
  std::vector<double> rps, eps, wall, cpu, rss, count;
  for (int k = 0; k < runs; ++k) {
    const Sample s = f();
    rps.push_back(s.req_per_s());
    eps.push_back(s.events_per_s());
    wall.push_back(s.wall_s);
    cpu.push_back(s.cpu_s);
    rss.push_back(s.rss_mb);
    count.push_back(s.count);
    fmt::print(
        "  {:<28} run {}: {:>7.3f} M req/s {:>7.2f} M events/s (of CPU) {:>7.2f} s CPU {:>7.2f} s wall  "
        "peak RSS {:.1f} MB\n",
        label, k + 1, s.req_per_s() / 1e6, s.events_per_s() / 1e6, s.cpu_s, s.wall_s, s.rss_mb);
    std::fflush(stdout);
  }
  return Medians{median(rps), median(eps), median(wall), median(cpu), median(rss), median(count)};
}

std::string mega(double x) {
  if (x >= 1e6) return fmt::format("{:.2f}M", x / 1e6);
  return x >= 1e3 ? fmt::format("{:.0f}k", x / 1e3) : fmt::format("{:.0f}", x);
}

}  // namespace

int main(int argc, char** argv) {
  double requests = 5e6, simgrid_requests = 2e5, chain_visits = 5e6, inflight = 1e6, users = 1e6,
         feed_minutes = 10;
  int runs = 3;
  std::string backend = "fast";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) requests = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--simgrid-requests")) simgrid_requests = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--chain-visits")) chain_visits = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--inflight")) inflight = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--users")) users = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--feed-minutes")) feed_minutes = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--backend")) backend = argv[i + 1];
    else {
      fmt::print(stderr, "archsim-bench: unknown option '{}'\n", argv[i]);
      return 2;
    }
  }
  if ((argc - 1) % 2 || runs < 1 || requests < 1 || chain_visits < 1000 || inflight < 1000 || users < 0 ||
      !(feed_minutes > 1)) {
    fmt::print(stderr,
               "usage: archsim-bench [--requests N] [--runs K>=1] [--chain-visits N>=1000] "
               "[--inflight N>=1000] [--users N (0: no social feed)] [--feed-minutes M>1] "
               "[--backend fast|simgrid] [--simgrid-requests N]\n");
    return 2;
  }
  if (backend != "fast" && backend != "simgrid") {
    fmt::print(stderr, "archsim-bench: unknown backend '{}' (valid: fast, simgrid)\n", backend);
    return 2;
  }
  if (backend == "simgrid" && !simgrid_available()) {
    fmt::print(stderr, "archsim-bench: this build has no simgrid backend\n");
    return 2;
  }
  std::string cmd;
  for (int i = 0; i < argc; ++i) cmd += (i ? " " : "") + std::string(argv[i]);
  fmt::print("$ {}\n{} runs per row, medians; {} cores, load average at start: ", cmd, runs,
             sysconf(_SC_NPROCESSORS_ONLN));
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) == 3) fmt::print("{:.2f} {:.2f} {:.2f}\n", load[0], load[1], load[2]);
  else fmt::print("unknown\n");

  const auto n = static_cast<std::uint64_t>(requests);
  std::vector<std::string> table;
  auto row = [&](const std::string& model, const std::string& a, const std::string& peer,
                 const std::string& ratio) {
    table.push_back(fmt::format("| {} | {} | {} | {} |", model, a, peer, ratio));
  };
  auto versus = [&](const std::string& model, const Medians& a, const Medians& b, double target) {
    row(model, fmt::format("{} req/s, {:.0f} MB", mega(a.req_per_s()), a.rss_mb),
        fmt::format("bare loop {} req/s, {:.0f} MB", mega(b.req_per_s()), b.rss_mb),
        fmt::format("{:.2f} (target >= {})", a.req_per_s() / b.req_per_s(), target));
  };

  const Medians mm8 =
      medians("mm8 archsim", runs, [&] { return run_archsim(kMM8, "mm8", requests / 640.0, "fast"); });
  const Medians mm8b = medians(
      "mm8 bare", runs, [&] { return run_bare([&] { return bench::bare_mmc(n, 640, 8, 0.010, 7); }); });
  versus(fmt::format("M/M/8 at rho 0.8, {} requests", mega(requests)), mm8, mm8b, 0.6);

  const Medians tan = medians("tandem archsim", runs,
                              [&] { return run_archsim(kTandem, "tandem", requests / 640.0, "fast"); });
  const Medians tanb = medians("tandem bare", runs, [&] {
    return run_bare([&] { return bench::bare_tandem(n, 640, 8, 0.010, 4, 0.005, 7); });
  });
  versus(fmt::format("two-station tandem, {} requests", mega(requests)), tan, tanb, 0.7);

  if (backend == "simgrid") {
    const Medians sg = medians("tandem simgrid", runs, [&] {
      return run_archsim(kTandem, "tandem", simgrid_requests / 640.0, "simgrid");
    });
    row(fmt::format("same, --backend simgrid, {} requests", mega(simgrid_requests)),
        fmt::format("{} req/s, {:.0f} MB", mega(sg.req_per_s()), sg.rss_mb), "fast backend above",
        fmt::format("{:.3f}", sg.req_per_s() / tan.req_per_s()));
  }

  const Medians c6 = medians("chain6 archsim", runs,
                             [&] { return run_archsim(kChain, "chain6", requests / 1000.0, "fast"); });
  row(fmt::format("load balancer + 5-service sync chain, {} requests", mega(requests)),
      fmt::format("{} req/s, {} events/s, {:.0f} MB", mega(c6.req_per_s()), mega(c6.events_per_s()),
                  c6.rss_mb),
      "", "");

  // The same number of service visits in both: fewer requests down the long chain.
  const std::string y10 = chain_yaml(10), y1000 = chain_yaml(1000);
  const Medians ch10 = medians("chain10 archsim", runs, [&] {
    return run_archsim(y10, "chain10", chain_visits / 10 / 1000.0, "fast");
  });
  const Medians ch1000 = medians("chain1000 archsim", runs, [&] {
    return run_archsim(y1000, "chain1000", chain_visits / 1000 / 1000.0, "fast");
  });
  row(fmt::format("chain of 10 -> 1,000 services, {} visits", mega(chain_visits)),
      fmt::format("{} -> {} events/s", mega(ch10.events_per_s()), mega(ch1000.events_per_s())), "",
      fmt::format("{:.2f} (target >= 0.5)", ch1000.events_per_s() / ch10.events_per_s()));

  // Peak RSS with `inflight` requests queued, less that with a baseline of
  // a thousand (a tenth of them when `inflight` is small): the difference is
  // never zero requests (--inflight 1000 divided by zero).
  const double base = std::min(1000.0, std::floor(inflight / 10.0));
  const Medians small = medians("inflight " + mega(base), runs,
                                [&] { return run_archsim(kPileUp, "inflight", base / 1000.0, "fast"); });
  const Medians big = medians("inflight " + mega(inflight), runs,
                              [&] { return run_archsim(kPileUp, "inflight", inflight / 1000.0, "fast"); });
  row(fmt::format("{} requests in flight", mega(inflight)), fmt::format("{:.0f} MB peak RSS", big.rss_mb), "",
      fmt::format("{:.0f} B per request (target <= 150)",
                  (big.rss_mb - small.rss_mb) * 1048576.0 / (inflight - base)));
  if (users > 0) {
    const auto [problem, design] = social_feed(users, feed_minutes);
    if (problem.empty()) {
      row("social feed", "scenarios/social-feed not found or changed: not run", "", "");
    } else {
      const Medians sf = medians("social feed " + mega(users) + " users", runs,
                                 [&] { return run_archsim(problem, "social-feed", 0, "fast", design); });
      row(fmt::format("social feed (scenarios/social-feed, good design), {} concurrent users, {:.0f} "
                      "simulated minutes, {} requests after warm-up",
                      mega(users), feed_minutes, mega(sf.count)),
          fmt::format("{:.1f} s CPU ({:.1f} s wall), {:.0f} MB peak RSS", sf.cpu_s, sf.wall_s, sf.rss_mb), "",
          "target <= 60 s, <= 2 GB");
    }
  }
  // A fresh process: a forked child shares the pages the bench already loaded.
  const double start_mb = fresh_archsim_rss_mb(argv[0]);
  row("RSS at start (`archsim --version`, a fresh process)",
      start_mb > 0 ? fmt::format("{:.1f} MB", start_mb)
                   : std::string("archsim not found beside archsim-bench"),
      "", "target <= 10 MB");

  fmt::print("\n| model | archsim | peer | ratio |\n|---|---|---|---|\n");
  for (const std::string& t : table) fmt::print("{}\n", t);
  return 0;
}
