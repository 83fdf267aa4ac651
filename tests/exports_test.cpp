// The run's exports (--metrics, --csv, --traces) and the command line's units:
// compound durations, short counts, YAML merge keys. The consumers' own checks
// (promtool, the OTLP protobuf definitions, dpkg) are tests/*_test.sh.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "archsim/exports.hpp"
#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "check.hpp"

using namespace archsim;
using archsim::test::Rel;

namespace {

// No warm-up: every request counts in the ticks and in the result alike.
const char* kChain = R"(
name: chain
seed: 5
duration: 1m
traffic:
  - {name: clients, to: api, rate: 200/s}
components:
  api:
    kind: service
    workers: 8
    steps:
      - work: exp(2ms)
      - call: db
  db:
    kind: service
    workers: 4
    service_time: exp(3ms)
)";

LoadOptions lasting(double seconds) {
  LoadOptions o;
  o.duration = seconds;
  return o;
}

std::string deterministic(const RunResult& r) { return to_json_deterministic(r).dump(); }

}  // namespace

TEST_SUITE("exports") {
  TEST_CASE("tracing changes no result: same JSON with and without --traces") {
    const ScenarioSpec spec = load_scenario(
        std::string(ARCHSIM_SOURCE_DIR) + "/examples/resilience/retry_storm.yaml", lasting(120.0));
    const RunResult plain = simulate(spec);
    std::ostringstream traces;
    TraceWriter tw(traces, spec.seed, 0.05, 0);
    RunOptions opt;
    opt.tracer = tw.tracer();
    Simulation sim(spec, opt);
    sim.add_observer(&tw);
    const RunResult& traced = sim.run();
    CHECK(deterministic(traced) == deterministic(plain));
    CHECK(tw.traces() > 100);
    // The storm retries: retries are recorded as events, failures as error status.
    CHECK(traces.str().find("\"name\":\"retry\"") != std::string::npos);
    CHECK(traces.str().find("\"code\":2") != std::string::npos);
  }

  TEST_CASE("the sampled fraction is the one asked, within 4 standard deviations (binomial)") {
    const ScenarioSpec spec = load_scenario_text(kChain, "chain.yaml");
    std::ostringstream out;
    const double p = 0.05;
    TraceWriter tw(out, spec.seed, p, 0);
    RunOptions opt;
    opt.tracer = tw.tracer();
    Simulation sim(spec, opt);
    sim.add_observer(&tw);
    const RunResult& r = sim.run();
    const double n = static_cast<double>(r.started);
    CHECK(n > 10000);
    CHECK(std::abs(static_cast<double>(tw.traces()) - n * p) < 4 * std::sqrt(n * p * (1 - p)));
  }

  TEST_CASE("one span per visit: root (client) -> api -> db, parents by id, ids from the seed") {
    ScenarioSpec spec = load_scenario_text(kChain, "chain.yaml", lasting(2.0));
    auto run = [&](std::ostringstream& out) {
      TraceWriter tw(out, spec.seed, 1.0, 1767225600);
      RunOptions opt;
      opt.tracer = tw.tracer();
      Simulation sim(spec, opt);
      sim.add_observer(&tw);
      return sim.run().started;
    };
    std::ostringstream a, b;
    const auto started = run(a);
    run(b);
    CHECK(a.str() == b.str());  // deterministic
    const auto doc = nlohmann::json::parse(a.str());
    std::map<std::string, std::string> service_of;  // span id -> service
    std::map<std::string, std::string> parent_of;
    std::map<std::string, int> per_service;
    for (const auto& rs : doc["resourceSpans"]) {
      const std::string svc = rs["resource"]["attributes"][0]["value"]["stringValue"];
      for (const auto& s : rs["scopeSpans"][0]["spans"]) {
        service_of[s["spanId"]] = svc;
        parent_of[s["spanId"]] = s.value("parentSpanId", "");
        ++per_service[svc];
      }
    }
    CHECK(per_service["clients"] == static_cast<int>(started));
    CHECK(per_service["api"] == static_cast<int>(started));
    // Requests sent in the last milliseconds may not have reached db yet.
    CHECK(per_service["db"] <= static_cast<int>(started));
    CHECK(per_service["db"] >= static_cast<int>(started) - 5);
    for (const auto& [id, svc] : service_of) {
      const std::string parent = parent_of[id].empty() ? "" : service_of[parent_of[id]];
      if (svc == "clients") CHECK(parent.empty());
      if (svc == "api") CHECK(parent == "clients");
      if (svc == "db") CHECK(parent == "api");
    }
    CHECK(a.str().find("\"startTimeUnixNano\":\"17672256") !=
          std::string::npos);  // start time + simulated time
  }

  TEST_CASE("CSV and OpenMetrics: edges by name, counts that add up to the result") {
    const ScenarioSpec spec = load_scenario_text(kChain, "chain.yaml", lasting(10.0));
    std::ostringstream csv, om;
    Simulation sim(spec);
    CsvWriter cw(csv, sim);
    MetricsWriter mw(om, sim, 1767225600);
    sim.add_observer(&cw);
    sim.add_observer(&mw);
    const RunResult& r = sim.run();
    std::istringstream lines(csv.str());
    std::string line;
    std::getline(lines, line);
    CHECK(line == "time_s,component,metric,value");
    double started = 0, edge_calls = 0;
    int rows = 0;
    while (std::getline(lines, line)) {
      ++rows;
      std::istringstream f(line);
      std::string t, comp, metric, value;
      std::getline(f, t, ',');
      std::getline(f, comp, ',');
      std::getline(f, metric, ',');
      std::getline(f, value, ',');
      if (comp == "end_to_end" && metric == "started") started += std::stod(value);
      if (comp == "api->db" && metric == "calls") edge_calls += std::stod(value);
    }
    CHECK(rows > 100);
    CHECK(started == static_cast<double>(r.started));
    const ComponentResult& db = r.components[1];
    CHECK(edge_calls >= static_cast<double>(db.arrivals) - 10);  // calls still in flight at the end
    CHECK(edge_calls <= static_cast<double>(db.arrivals));
    const std::string text = om.str();
    CHECK(text.substr(text.size() - 6) == "# EOF\n");
    const std::string last_started = "archsim_requests_started_total{scenario=\"chain\"} " +
                                     std::to_string(r.started) + " 1767225610.000\n";
    CHECK(text.find(last_started) != std::string::npos);
    CHECK(text.find("archsim_edge_calls_total{scenario=\"chain\",from=\"api\",to=\"db\"}") !=
          std::string::npos);
    CHECK(text.find("# TYPE archsim_edge_latency_seconds summary") != std::string::npos);
  }

  TEST_CASE("CSV and OpenMetrics carry the window's figures: error rate, in-flight mean, sources, SLOs") {
    // Clients that give up at 50 ms and retry, on a service near saturation: retries, abandoned attempts,
    // failures; a p99 SLO it misses.
    const ScenarioSpec spec = load_scenario_text(R"(
name: window
seed: 5
duration: 40s
warmup: 5s
traffic:
  - {name: clients, to: api, rate: 300/s, timeout: 50ms, retry: {max: 2, backoff: constant, base: 0ms}}
components:
  api: {kind: service, workers: 4, service_time: exp(12ms)}
slo:
  latency_p99: 20ms
  error_rate: 1%
)",
                                                 "window.yaml");
    std::ostringstream csv, om;
    Simulation sim(spec);
    CsvWriter cw(csv, sim);
    MetricsWriter mw(om, sim, 1767225600);
    sim.add_observer(&cw);
    sim.add_observer(&mw);
    const RunResult& r = sim.run();
    REQUIRE(r.sources.size() == 1);
    REQUIRE(r.sources[0].retries > 0);
    REQUIRE(r.failed > 0);
    REQUIRE(r.slo.size() == 2);
    // The CSV's window rows, by "component,metric".
    std::map<std::string, std::string> window;
    std::istringstream lines(csv.str());
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream f(line);
      std::string t, comp, metric, value;
      std::getline(f, t, ',');
      std::getline(f, comp, ',');
      std::getline(f, metric, ',');
      std::getline(f, value, ',');
      if (metric.rfind("window.", 0) == 0) {
        CHECK(std::stod(t) == r.sim_time_s);
        window[comp + "," + metric] = value;
      }
    }
    auto num = [&](const std::string& key) {
      CAPTURE(key);
      REQUIRE(window.count(key) == 1);
      return std::stod(window[key]);
    };
    CHECK(num("end_to_end,window.error_rate") == Rel(r.error_rate));
    CHECK(num("end_to_end,window.in_flight_mean") == Rel(r.in_flight_mean));
    CHECK(num("end_to_end,window.failed") == static_cast<double>(r.failed));
    CHECK(num("source:clients,window.retries") == static_cast<double>(r.sources[0].retries));
    CHECK(num("source:clients,window.hedges") == static_cast<double>(r.sources[0].hedges));
    CHECK(num("source:clients,window.abandoned") == static_cast<double>(r.sources[0].abandoned));
    CHECK(num("api,window.in_flight_mean") == Rel(r.components[0].in_flight_mean));
    for (const Figure& fg : r.components[0].figures) CHECK(num("api,window." + fg.name) == Rel(fg.value));
    for (const SloCheck& c : r.slo) {
      CAPTURE(c.name);
      const std::string k = "slo:" + c.name + ",window.";
      CHECK(num(k + "target") == Rel(c.target));
      CHECK(num(k + "pass") == (c.pass ? 1.0 : 0.0));
      CHECK(num(k + "measured") == (c.measured ? 1.0 : 0.0));
      if (c.has_margin) CHECK(num(k + "margin") == Rel(c.margin));
      if (c.measured) CHECK(num(k + "actual") == Rel(c.actual));
    }
    // OpenMetrics: the same figures as gauges, one sample each at the end of the run.
    const std::string text = om.str();
    const std::string end = " 1767225640.000\n";
    CHECK(text.find("# TYPE archsim_window_error_ratio gauge") != std::string::npos);
    CHECK(text.find(fmt::format("archsim_window_error_ratio{{scenario=\"window\"}} {}{}", r.error_rate,
                                end)) != std::string::npos);
    CHECK(text.find(fmt::format("archsim_window_source_attempts{{scenario=\"window\",source=\"clients\","
                                "attempt=\"retries\"}} {}{}",
                                r.sources[0].retries, end)) != std::string::npos);
    CHECK(text.find(fmt::format("archsim_slo_pass{{scenario=\"window\",slo=\"latency_p99\"}} {}{}",
                                r.slo[0].pass ? 1 : 0, end)) != std::string::npos);
    CHECK(
        text.find("archsim_window_component_figure{scenario=\"window\",component=\"api\",figure=\"in_flight_"
                  "mean\"}") != std::string::npos);
    CHECK(text.substr(text.size() - 6) == "# EOF\n");
  }

  TEST_CASE("the window's kind figures in the CSV: lost writes and stale reads of a quorum store") {
    const ScenarioSpec spec =
        load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/data/quorum_store.yaml", lasting(30.0));
    std::ostringstream csv;
    Simulation sim(spec);
    CsvWriter cw(csv, sim);
    sim.add_observer(&cw);
    const RunResult& r = sim.run();
    const std::string text = csv.str();
    int checked = 0;
    for (const ComponentResult& c : r.components)
      for (const Figure& fg : c.figures) {
        CAPTURE(fg.name);
        CHECK(text.find(fmt::format("{},{},window.{},{}\n", r.sim_time_s, c.name, fg.name, fg.value)) !=
              std::string::npos);
        checked += fg.name == "lost_writes" || fg.name.find("stale") != std::string::npos;
      }
    CHECK(checked >= 1);
  }

  TEST_CASE("compound durations, short and scientific counts, merge keys") {
    CHECK(parse_duration("2m30s") == 150.0);
    CHECK(parse_duration("1h5m") == 3900.0);
    CHECK(parse_duration("1m30.5s") == 90.5);
    CHECK(parse_duration("1h2m3s4ms") == Rel(3723.004, 1e-12));
    std::string why;
    CHECK_FALSE(parse_duration("30s2m", &why));
    CHECK(why == "in '30s2m' the units must go from larger to smaller (like 1h5m or 2m30s)");
    CHECK_FALSE(parse_duration("2m30", &why));
    CHECK_FALSE(parse_duration("2m-30s", &why));
    const ScenarioSpec spec = load_scenario_text(R"(
name: counts
duration: 1m30s
traffic:
  - {name: users, to: api, users: 1k, think: exp(1s)}
components:
  api: &svc
    kind: service
    replicas: 2
    workers: 1e1
    service_time: exp(2ms)
  api2:
    <<: *svc
    replicas: 3
)",
                                                 "counts.yaml");
    CHECK(spec.duration == 90.0);
    CHECK(spec.traffic[0].users == 1000);
    REQUIRE(spec.components.size() == 2);
    CHECK(spec.components[0].service()->workers == 10);
    CHECK(spec.components[1].service()->workers == 10);  // merged from api
    CHECK(spec.components[1].service()->replicas == 3);  // its own key wins
    CHECK_THROWS_AS(load_scenario_text("name: x\nduration: 1m\ntraffic: []\ncomponents:\n  a: {kind: "
                                       "service, workers: 2.5, service_time: 1ms}\n",
                                       "x.yaml"),
                    InputError);
  }
}
