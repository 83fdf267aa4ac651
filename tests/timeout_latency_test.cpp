// The latency counting timed-out requests at their timeout (issue 16, item
// 4): `latency_counting_timeouts_ms` in the result and `p99_timeouts_ms` in
// the timeline, beside the latency of successes only. A request that times
// out cannot make the run look faster there, and a second in which every
// request times out has a value (the timeout) where `p99_ms` has none.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "archsim/output.hpp"
#include "archsim/simulation.hpp"
#include "archsim/timeline.hpp"

using namespace archsim;
using archsim::test::Rel;
using archsim::test::run_text;

namespace {

// M/M/1, lambda = 8/s, mu = 10/s: the time in system S is exponential with
// rate theta = mu - lambda = 2/s. The server does not know that a client
// gave up, so S keeps that law; the client sees min(S, T), T = 1 s.
const char* kMM1 = R"(name: mm1-timeout
seed: 5
duration: 40000s
warmup: 100s
traffic:
  - {name: users, to: api, rate: 8/s, timeout: 1s}
components:
  api:
    kind: service
    workers: 1
    service_time: exp(100ms)
)";

// 100 requests/s on 50 workers of 10 ms; from 20 s to 30 s every visit takes
// 5 s more: every request sent then times out at its client's 1 s.
const char* kOutage = R"(name: outage-timeouts
seed: 2
duration: 45s
traffic:
  - {name: users, to: api, rate: 100/s, timeout: 1s}
components:
  api:
    kind: service
    workers: 50
    service_time: 10ms
faults:
  - {at: 20s, slow: api, add: 5s, for: 10s}
)";

struct Ticks : Observer {
  std::vector<Tick> ticks;
  void on_tick(const Tick& t) override { ticks.push_back(t); }
};

}  // namespace

TEST_CASE("latency counting timeouts: M/M/1 with a client timeout T is min(S, T), S ~ Exp(mu - lambda)") {
  const RunResult r = run_text(kMM1);
  const double theta = 2, T = 1, lost = std::exp(-theta * T);  // P(S > T) = e^(-theta T) = 0.135
  REQUIRE(r.errors.count("timeout"));
  const LatencyStats& all = r.latency_counting_timeouts;
  CHECK(all.count == r.completed + r.errors.at("timeout"));
  CHECK(static_cast<double>(r.errors.at("timeout")) / static_cast<double>(r.completed + r.failed) ==
        Rel(lost, 0.04));
  // min(S, T): median ln 2 / theta (below T), mean (1 - e^(-theta T)) / theta, p99 = T (13.5% reach T).
  CHECK(all.p50 == Rel(std::log(2.0) / theta, 0.04));
  CHECK(all.mean == Rel((1 - lost) / theta, 0.03));
  CHECK(all.p99 == Rel(T, 0.01));
  // Successes only: S given S < T, median -ln(1 - (1 - e^(-theta T)) / 2) / theta = 0.284 s,
  // mean 1/theta - T e^(-theta T) / (1 - e^(-theta T)) = 0.343 s: faster, as timeouts took the slow ones.
  CHECK(r.latency.p50 == Rel(-std::log(1 - (1 - lost) / 2) / theta, 0.04));
  CHECK(r.latency.mean == Rel(1 / theta - T * lost / (1 - lost), 0.03));
  CHECK(r.latency.p50 < all.p50 * 0.9);
  // In the JSON beside latency_ms.
  const nlohmann::ordered_json j = to_json(r);
  REQUIRE(j.contains("latency_counting_timeouts_ms"));
  CHECK(j["latency_counting_timeouts_ms"]["p99"].get<double>() == Rel(1000, 0.01));
}

TEST_CASE("latency counting timeouts: absent when no request timed out") {
  std::string text = kMM1;
  text.replace(text.find(", timeout: 1s"), 13, "");
  text.replace(text.find("40000s"), 6, "200s");
  const RunResult r = run_text(text);
  CHECK(r.failed == 0);
  CHECK(r.latency_counting_timeouts.count == 0);
  CHECK_FALSE(to_json(r).contains("latency_counting_timeouts_ms"));
}

TEST_CASE("latency counting timeouts: a second in which every request times out has p99 = the timeout") {
  const ScenarioSpec spec = load_scenario_text(kOutage, "outage.yaml");
  Simulation sim(spec);
  Ticks rec;
  std::ostringstream file;
  TimelineWriter writer(file, sim);
  sim.add_observer(&rec);
  sim.add_observer(&writer);
  sim.run();
  int outage = 0;
  for (const Tick& t : rec.ticks) {
    if (t.t > 22.5 && t.t < 29.5) {  // every request sent from 20 s times out 1 s later
      ++outage;
      CHECK(t.completed == 0);
      CHECK(t.timed_out > 50);
      CHECK(t.p99_timeouts == Rel(1.0, 0.01));
    }
    if (t.t < 19.5) {  // healthy: nothing timed out, the two p99s are one
      CHECK(t.timed_out == 0);
      CHECK(t.p99_timeouts == t.p99);
    }
  }
  CHECK(outage == 7);
  // The file: p99_ms null (nothing succeeded), p99_timeouts_ms the timeout; read back the same.
  std::istringstream lines(file.str());
  std::string line;
  int seen = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["type"] != "tick" || j["t"].get<double>() != 25) continue;
    ++seen;
    CHECK(j["p99_ms"].is_null());
    CHECK(j["p99_timeouts_ms"].get<double>() == Rel(1000, 0.01));
  }
  CHECK(seen == 1);
  const auto path =
      std::filesystem::temp_directory_path() / ("archsim-timeouts-" + std::to_string(::getpid()) + ".jsonl");
  { std::ofstream(path) << file.str(); }
  const Timeline tl = read_timeline(path.string());
  std::filesystem::remove(path);
  REQUIRE(tl.ticks.size() == rec.ticks.size());
  const Tick& back = tl.ticks[24];  // the tick ending at 25 s
  CHECK(back.t == 25);
  CHECK(std::isnan(back.p99));
  CHECK(back.timed_out == rec.ticks[24].timed_out);
  CHECK(back.p99_timeouts == Rel(1.0, 0.01));
  CHECK(tl.ticks[5].p99_timeouts == tl.ticks[5].p99);  // a healthy second: the same value
}

#ifdef ARCHSIM_WITH_VIEW
#include "../viz/controller.hpp"
#include "../viz/playback.hpp"
#include "viz_keys.hpp"

TEST_CASE("latency counting timeouts: P switches the view's p99 chart to it, and back") {
  const ScenarioSpec spec = load_scenario_text(kOutage, "outage.yaml");
  Simulation sim(spec);
  Ticks rec;
  sim.add_observer(&rec);
  sim.run();
  for (Tick& t : rec.ticks) mark_missing_latency(t);  // as the live view's feed does
  viz::Playback pb(make_header(sim), rec.ticks);
  viz::Controller::Setup setup;
  setup.pb = &pb;
  viz::Controller ctl(setup);
  CHECK_FALSE(ctl.state().p99_timeouts);
  test::press(ctl, sf::Keyboard::P);
  CHECK(ctl.state().p99_timeouts);
  CHECK(ctl.state().status.find("counted at their timeout") != std::string::npos);
  // What each chart reads in the outage's second: a gap on one, the timeout on the other.
  const Tick& k = pb.ticks()[24];
  CHECK(std::isnan(pb.value(viz::Metric::P99, k)));
  CHECK(pb.value(viz::Metric::P99Timeouts, k) == Rel(1.0, 0.01));
  test::press(ctl, sf::Keyboard::P);
  CHECK_FALSE(ctl.state().p99_timeouts);
}
#endif  // ARCHSIM_WITH_VIEW
