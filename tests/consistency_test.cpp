// Figures that must agree with each other on every run: every example and
// every library design (the files are listed from disk, so new ones are
// covered). Counts add up, Little's law holds end to end, for each queue
// and for each component's whole visit within sampling and edge error, and an SLO margin's sign is its
// verdict.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sstream>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "report/analysis.hpp"
#include "report/grade.hpp"

using namespace archsim;
using namespace archsim::report;
namespace fs = std::filesystem;

namespace {

const fs::path kRoot = fs::path(ARCHSIM_SOURCE_DIR);

struct Case {
  std::string file, design;
};

/// examples/**/*.yaml and scenarios/*/problem.yaml with each of its designs.
std::vector<Case> every_run() {
  std::vector<Case> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / "examples"))
    if (e.path().extension() == ".yaml") out.push_back({e.path().string(), ""});
  for (const auto& p : fs::directory_iterator(kRoot / "scenarios")) {
    if (!fs::exists(p.path() / "problem.yaml") || !fs::exists(p.path() / "designs")) continue;
    for (const auto& d : fs::directory_iterator(p.path() / "designs"))
      if (d.path().extension() == ".yaml")
        out.push_back({(p.path() / "problem.yaml").string(), d.path().string()});
  }
  std::sort(out.begin(), out.end(),
            [](const Case& a, const Case& b) { return a.file + a.design < b.file + b.design; });
  return out;
}

Analysis run(const Case& c) {
  LoadOptions o;
  if (!c.design.empty()) o.design = c.design;
  return run_analysed(load_scenario(c.file, o));
}

/// The queue length at the end of the tick that ends nearest to t.
double queue_at(const Analysis& a, std::size_t i, double t) {
  double best = 0, gap = 1e300;
  for (const Tick& k : a.ticks)
    if (k.components.size() > i && std::abs(k.t - t) < gap)
      gap = std::abs(k.t - t), best = k.components[i].queue;
  return best;
}

/// Visits present at the end of the tick that ends nearest to t.
double in_flight_at(const Analysis& a, std::size_t i, double t) {
  double best = 0, gap = 1e300;
  for (const Tick& k : a.ticks)
    if (k.components.size() > i && std::abs(k.t - t) < gap)
      gap = std::abs(k.t - t), best = k.components[i].in_flight;
  return best;
}

void check_counts(const RunResult& r) {
  CHECK(r.started == r.completed + r.failed + r.in_flight);
  std::uint64_t by_kind = 0;
  for (const auto& [k, v] : r.errors) by_kind += v;
  CHECK(by_kind == r.failed);
  const std::uint64_t finished = r.completed + r.failed;
  CHECK(std::abs(r.error_rate -
                 (finished ? static_cast<double>(r.failed) / static_cast<double>(finished) : 0.0)) <= 1e-12);
  for (const ComponentResult& c : r.components) {
    INFO("component " << c.name);
    std::uint64_t visits = 0;
    for (const VisitGroup& g : c.visits_by_call) visits += g.visits;
    // Every visit that ended in the window came from a call site (the source's entry call included).
    CHECK(visits == c.completed + c.failed);
  }
}

void check_slos(const RunResult& r) {
  for (const SloCheck& c : r.slo) {
    INFO("slo " << c.name << " actual " << c.actual << " target " << c.target);
    if (!c.measured) CHECK_FALSE(c.pass);
    if (c.has_margin) CHECK((c.margin >= 0) == c.pass);
  }
}

/// L = lambda W end to end. The requests still in flight at the end are in
/// L's integral but not in W; they bound the difference.
void check_little_end_to_end(const RunResult& r) {
  const double window = r.sim_time_s - r.warmup_s;
  const double L = r.in_flight_mean, lw = r.arrival_rps * r.duration_mean_s;
  const double edge =
      static_cast<double>(r.in_flight) * std::max(r.duration_max_s, r.duration_mean_s) / window;
  INFO("L " << L << " lambda*W " << lw << " edge " << edge);
  CHECK(std::abs(L - lw) <= 0.03 * std::max(L, lw) + edge + 1e-9);
}

/// Lq = lambda Wq per component: queue_mean against wait_ms. Visits queued
/// at the start or the end of the window bound the difference.
void check_little_queues(const Analysis& a) {
  const RunResult& r = a.result;
  const double window = r.sim_time_s - r.warmup_s;
  for (std::size_t i = 0; i < r.components.size(); ++i) {
    const ComponentResult& c = r.components[i];
    if (c.workers <= 0) continue;
    const double lq = c.queue_mean, lw = static_cast<double>(c.wait.count) / window * c.wait.mean;
    const double edge = (queue_at(a, i, r.warmup_s) + queue_at(a, i, r.sim_time_s)) * c.wait.max / window;
    INFO(c.name << ": queue_mean " << lq << ", rate x wait " << lw << ", edge " << edge);
    CHECK(std::abs(lq - lw) <= 0.03 * std::max(lq, lw) + edge + 1e-6);
  }
}

/// L = lambda W per component for the whole visit (queue, work and the
/// calls it waits on): in_flight_mean against the visits that ended times
/// their mean time. Visits present at the start of the window (their time
/// before it is in W) or at its end (in L, not in W) bound the difference.
void check_little_visits(const Analysis& a) {
  const RunResult& r = a.result;
  const double window = r.sim_time_s - r.warmup_s;
  for (std::size_t i = 0; i < r.components.size(); ++i) {
    const ComponentResult& c = r.components[i];
    const auto ended = static_cast<double>(c.completed + c.failed);
    const double L = c.in_flight_mean, lw = ended / window * c.visit_mean_s;
    double longest = c.visit_mean_s;
    for (const VisitGroup& g : c.visits_by_call) longest = std::max(longest, g.max_s);
    const double edge =
        (in_flight_at(a, i, r.warmup_s) + in_flight_at(a, i, r.sim_time_s)) * longest / window;
    INFO(c.name << ": in_flight_mean " << L << ", rate x visit " << lw << ", edge " << edge);
    CHECK(std::abs(L - lw) <= 0.03 * std::max(L, lw) + edge + 1e-6);
  }
}

}  // namespace

TEST_SUITE("consistency") {
  TEST_CASE(
      "every example and library design: counts add up, Little's law holds, margins agree with verdicts") {
    const std::vector<Case> runs = every_run();
    REQUIRE(runs.size() >= 20);
    for (const Case& c : runs) {
      CAPTURE(c.file);
      CAPTURE(c.design);
      const Analysis a = run(c);
      check_counts(a.result);
      check_slos(a.result);
      check_little_end_to_end(a.result);
      check_little_queues(a);
      check_little_visits(a);
    }
  }

  TEST_CASE("the README's output reference defines every figure of the table") {
    std::ifstream in(kRoot / "README.md");
    const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const FigureDefinition& f : figure_definitions()) {
      CAPTURE(f.key);
      CHECK(readme.find(std::string("| `") + f.key + "` | " + f.unit + " | " + f.definition + " |") !=
            std::string::npos);
    }
  }

}  // TEST_SUITE

TEST_SUITE("figures") {
  // Every request fails (the client gives up at 100 ms; a visit takes 1 s):
  // a latency SLO has nothing to measure. It fails with no actual value and no
  // margin in the result, the summary, the JSON and the grade, never "+100%".
  TEST_CASE("a latency SLO with no successful request: failed, no actual, no margin, wherever it is shown") {
    const ScenarioSpec s = load_scenario_text(R"(name: all-fail
duration: 30s
traffic:
  - name: users
    to: api
    rate: 20/s
    timeout: 100ms
components:
  api:
    kind: service
    workers: 4
    steps:
      - work: 1s
slo:
  latency_p99: 500ms
  error_rate: 1%
)",
                                              "all-fail.yaml");
    const Analysis a = run_analysed(s);
    const RunResult& r = a.result;
    REQUIRE(r.completed == 0);
    REQUIRE(r.failed > 0);
    REQUIRE(r.slo.size() == 2);
    const SloCheck& p99 = r.slo[0];
    CHECK(p99.name == "latency_p99");
    CHECK_FALSE(p99.measured);
    CHECK_FALSE(p99.pass);
    CHECK_FALSE(p99.has_margin);
    const SloCheck& errors = r.slo[1];
    CHECK(errors.measured);
    CHECK_FALSE(errors.pass);
    CHECK(errors.margin < 0);
    CHECK(r.error_rate == 1.0);

    std::ostringstream summary;
    print_summary(summary, r);
    CHECK(summary.str().find("(no successful request)") != std::string::npos);
    CHECK(summary.str().find("+100.0%") == std::string::npos);

    const auto j = to_json_deterministic(r);
    CHECK(j["slo"]["checks"][0]["measured"] == false);
    CHECK(j["slo"]["checks"][0]["margin"].is_null());

    const Grade g = grade(a);
    REQUIRE(g.items.size() >= 1);
    CHECK_FALSE(g.items[0].measured);
    CHECK_FALSE(g.items[0].pass);
    CHECK(g.items[0].margin < 0);
    CHECK(g.items[0].actual_text == "none");
    CHECK(grade_json(g)["items"][0]["margin"].is_null());
  }

}  // TEST_SUITE
