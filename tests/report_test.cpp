// Verdicts with reasons, cost, value paths for sweeps, sweeps and capacity
// searches, and the HTML report (sim/report/).
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>

#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "report/analysis.hpp"
#include "report/edit.hpp"
#include "report/html.hpp"
#include "report/sweep.hpp"
#include "spec/price.hpp"

using namespace archsim;
using archsim::test::Rel;
using namespace archsim::report;

namespace {

const std::string kSrc = ARCHSIM_SOURCE_DIR;

// One M/M/c station behind a balancer: 4 workers of exp(10 ms) offered
// `rate`; it saturates at 400/s.
std::string station(const std::string& rate, const std::string& extra = "") {
  return "name: station\nseed: 3\nduration: 60s\nwarmup: 5s\n"
         "traffic:\n  - name: users\n    to: web\n    rate: " +
         rate +
         "\n    timeout: 2s\n"
         "components:\n"
         "  web:\n    kind: load_balancer\n    to: app\n"
         "  app:\n    kind: service\n    workers: 4\n    service_time: exp(10ms)\n" +
         extra + "slo:\n  latency_p99: 200ms\n  error_rate: 1%\n";
}

std::string message_of(const InputError& e) {
  std::string s;
  for (const Diagnostic& d : e.diagnostics()) s += d.str() + "\n";
  return s;
}

}  // namespace

TEST_SUITE("report") {
  TEST_CASE("prices: per hour, per day, per month; bad units are explained") {
    CHECK(*parse_price("$0.40/h") == Rel(0.40));
    CHECK(*parse_price("0.4/hour") == Rel(0.40));
    CHECK(*parse_price("9.6/day") == Rel(0.40));
    CHECK(*parse_price("$292/month") == Rel(0.40));  // 730 hours a month
    std::string why;
    CHECK_FALSE(parse_price("40", &why));
    CHECK(why.find("per time") != std::string::npos);
    CHECK_FALSE(parse_price("$1/week", &why));
    CHECK(why.find("valid units") != std::string::npos);
    CHECK(format_price(0.096) == "$0.0960/h");
    CHECK(format_price(12.4) == "$12.40/h");
  }

  TEST_CASE("cost: default price per replica-hour by kind, `cost:` overrides, `budget:` is checked") {
    ScenarioSpec s =
        load_scenario_text(station("100/s", "    replicas: 3\n") + "budget: $0.40/h\n", "cost.yaml");
    Cost c = cost_of(s);
    REQUIRE(c.lines.size() == 2);
    CHECK(c.lines[0].unit == Rel(*default_price("load_balancer")));
    CHECK(c.lines[1].per_hour == Rel(3 * *default_price("service")));
    CHECK(c.per_hour == Rel(0.0225 + 3 * 0.096));
    REQUIRE(c.budget);
    CHECK(c.within_budget());

    s = load_scenario_text(station("100/s", "    replicas: 3\n    cost: $1.50/h\n") + "budget: $0.30/h\n",
                           "cost.yaml");
    c = cost_of(s);
    CHECK_FALSE(c.lines[1].defaulted);
    CHECK(c.lines[1].per_hour == Rel(4.5));
    CHECK_FALSE(c.within_budget());

    // A bad price is an input error at its position.
    try {
      load_scenario_text(station("100/s", "    cost: 12 dollars\n"), "cost.yaml");
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      CHECK(message_of(e).find("cost.yaml:18:11: error:") != std::string::npos);
    }
  }

  TEST_CASE("explanation: a saturated station, its time, its capacity and the errors' origin") {
    // 600/s against a capacity of 400/s from 20 s on.
    const ScenarioSpec s = load_scenario_text(station("300/s"), "sat.yaml");
    ScenarioSpec spiked = s;
    spiked.traffic[0].profile.push_back(ProfilePoint{20, 2, 0, {}});
    const Analysis a = run_analysed(spiked);
    CHECK_FALSE(a.result.slo_pass);
    REQUIRE_FALSE(a.why.saturated.empty());
    const Saturation& sat = a.why.saturated.front();
    CHECK(sat.name == "app");
    CHECK(sat.at >= 19);
    CHECK(sat.at <= 23);
    CHECK(sat.at_end);
    // It serves its capacity, 4 / 10 ms, while 600/s arrive.
    CHECK(sat.served_rps == Rel(400).epsilon(0.05));
    CHECK(sat.offered_rps == Rel(600).epsilon(0.05));
    REQUIRE_FALSE(a.why.errors.empty());
    CHECK(a.why.errors.front().kind == "timeout");
    CHECK(a.why.errors.front().at_client);
    CHECK(a.why.headline.find("app (4 workers) saturated at") != std::string::npos);
    CHECK(a.why.headline.find("timeouts at the client users") != std::string::npos);
    REQUIRE_FALSE(a.why.breaks.empty());
    CHECK(a.why.breaks.front().slo == "latency_p99");
    CHECK(a.why.breaks.front().at >= sat.at);

    // Below capacity: nothing saturates, the verdict names the headroom.
    const Analysis ok = run_analysed(s);
    CHECK(ok.result.slo_pass);
    CHECK(ok.why.saturated.empty());
    CHECK(ok.why.headline.rfind("All SLOs met", 0) == 0);
    CHECK(ok.why.busiest == 1);
  }

  TEST_CASE("explanation: rejections are attributed to the component whose queue was full") {
    ScenarioSpec s = load_scenario_text(station("600/s", "    queue: 10\n"), "reject.yaml");
    const Analysis a = run_analysed(s);
    REQUIRE_FALSE(a.why.errors.empty());
    CHECK(a.why.errors.front().kind == "rejected");
    CHECK(a.why.errors.front().origin == "app");
    CHECK(a.why.details.back().find("rejections at app (queue full: 10 per replica)") != std::string::npos);
  }

  TEST_CASE("json: cost_per_hour, cost and explanation before engine") {
    const Analysis a = run_analysed(load_scenario_text(station("100/s"), "j.yaml"));
    nlohmann::ordered_json j = {{"scenario", "x"}, {"engine", {{"events", 1}}}};
    add_to_json(j, a);
    CHECK(j["cost_per_hour"].get<double>() == Rel(0.0225 + 0.096));
    CHECK(j["cost"]["within_budget"].get<bool>());
    CHECK(j["explanation"]["headline"].get<std::string>().rfind("All SLOs met", 0) == 0);
    CHECK(std::prev(j.end()).key() == "engine");
  }

  TEST_CASE("paths: components, traffic by name, top-level keys, list indexes") {
    const Documents d = read_documents(kSrc + "/tests/report/checkout.yaml", {});
    CHECK(d.design_path.find("designs/small.yaml") != std::string::npos);
    Target t = locate(d, "db.workers");
    CHECK(t.doc == 1);
    CHECK(t.exists);
    CHECK(t.current == "32");
    t = locate(d, "traffic.shoppers.rate");
    CHECK(t.doc == 0);
    CHECK(t.current == "600/s");
    t = locate(d, "traffic.shoppers.profile.0.x");
    CHECK(t.current == "3");
    t = locate(d, "api.steps.1.latency");
    CHECK(t.current == "0.5ms");
    t = locate(d, "duration");
    CHECK(t.current == "8m");
    // A key the file leaves out is added.
    t = locate(d, "db.queue");
    CHECK_FALSE(t.exists);
    const ScenarioSpec s = load_edited(d, {{t, "50"}});
    CHECK(s.components[2].service()->queue == 50);
    // Edits keep every other line where it was.
    const ScenarioSpec rate = load_edited(d, {{locate(d, "traffic.shoppers.rate"), "900/s"}});
    CHECK(rate.traffic[0].rate == 900);
    CHECK(rate.slo[0].mark.line == load_scenario(d.problem_path).slo[0].mark.line);
  }

  TEST_CASE("paths: a bad path says where and what exists") {
    const Documents d = read_documents(kSrc + "/tests/report/checkout.yaml", {});
    try {
      locate(d, "dbb.workers");
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      const std::string m = message_of(e);
      CHECK(m.find("small.yaml:") != std::string::npos);
      CHECK(m.find("--set dbb.workers: no component or top-level key 'dbb': did you mean 'db'? components: "
                   "edge, api, db") != std::string::npos);
    }
    try {
      locate(d, "traffic.buyers.rate");
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      CHECK(message_of(e).find("'traffic' has no item named 'buyers': names: shoppers") != std::string::npos);
    }
    try {
      locate(d, "api.steps");
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      CHECK(message_of(e).find("is a list, not a single value") != std::string::npos);
    }
    // A value the parser refuses is reported at the original position.
    try {
      load_edited(d, {{locate(d, "db.workers"), "0"}});
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      const Diagnostic& g = e.diagnostics().front();
      CHECK(g.file.find("small.yaml") != std::string::npos);
      CHECK(g.mark.line == locate(d, "db.workers").mark.line);
      CHECK(g.message.rfind("with --set db.workers=0: ", 0) == 0);
    }
  }

  TEST_CASE("sweep: units follow the file, every point has the same seed, threads change nothing") {
    const Documents d = read_documents(kSrc + "/tests/report/checkout.yaml", {});
    Axis rate = parse_axis(d, "traffic.shoppers.rate=500:700:100");
    CHECK(rate.unit == "/s");
    CHECK(rate.values == std::vector<double>{500, 600, 700});
    CHECK(rate.text(500) == "500/s");
    CHECK(parse_axis(d, "api.replicas=2,4,8").values.size() == 3);
    CHECK_THROWS_AS(parse_axis(d, "api.replicas=8:2:1"), InputError);
    CHECK_THROWS_AS(parse_axis(d, "api.replicas"), InputError);

    Documents shortd = d;
    shortd.load.duration = 90;
    const Axis workers = parse_axis(shortd, "db.workers=16:32:16");
    const SweepResult one = run_sweep(shortd, {workers}, Criterion{}, 1);
    const SweepResult two = run_sweep(shortd, {workers}, Criterion{}, 2);
    REQUIRE(one.points.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(one.points[i].result.completed == two.points[i].result.completed);
      CHECK(one.points[i].result.latency.p99 == two.points[i].result.latency.p99);
    }
    // The point with the file's own value is the file's run.
    const RunResult base = simulate(load_scenario(d.problem_path, shortd.load));
    CHECK(one.points[1].result.completed == base.completed);
    CHECK(one.points[1].result.latency.mean == base.latency.mean);
  }

  TEST_CASE("find-min: the smallest worker count meets the capacity that queueing theory asks for" *
            doctest::test_suite("slow")) {
    // The Black Friday peak, 1,800 checkouts/s, each holding a database worker
    // for a lognormal(25 ms, p99 120 ms) query: mean 25 exp(s^2/2) ms with
    // s = ln(4.8)/2.326, 31.4 ms. The offered load is 1800 x 0.0314 = 56.5
    // workers: 56 cannot keep up, 57 can.
    const Documents d = read_documents(kSrc + "/tests/report/checkout.yaml", {});
    Axis a = parse_axis(d, "db.workers=1,1");
    a.values.clear();
    const SweepResult s = find_min(d, a, 32, 96.0, Criterion{}, 2);
    REQUIRE(s.found);
    CHECK(*s.found == 57);
    CHECK(s.search_note.find("smallest db.workers that passes every SLO: 57") != std::string::npos);
  }

  TEST_CASE("html: one file, the data escaped, uPlot inside") {
    const Analysis a = run_analysed(load_scenario_text(station("100/s"), "h.yaml"));
    ReportRun run;
    run.label = "</script><b>";
    run.analysis = &a;
    run.config = {{"h.yaml", "name: <x>"}};
    run.picture.note = "no picture";
    const std::string h = run_html(run);
    CHECK(h.find("uPlot") != std::string::npos);
    CHECK(h.find("</script><b>") == std::string::npos);
    CHECK(h.find("name: &lt;x&gt;") != std::string::npos);
    CHECK(h.find("src=\"http") == std::string::npos);
    CHECK(base64("Man") == "TWFu");
    CHECK(base64("Ma") == "TWE=");
    CHECK(base64("M") == "TQ==");
  }

}  // TEST_SUITE
