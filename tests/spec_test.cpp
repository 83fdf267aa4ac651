// The spec layer: units, distributions, names, the scenario parser and its
// messages, and the call graph. Each tests/bad/NAME.yaml is one kind of
// mistake; tests/bad/NAME.expected holds every line it must produce.
#include <doctest/doctest.h>

#include "check.hpp"
#include "results.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/call_graph.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/spec.hpp"
#include "spec/yaml_reader.hpp"

using namespace archsim;
using archsim::test::Rel;
namespace fs = std::filesystem;

namespace doctest {
template <>
struct StringMaker<Mark> {
  static String convert(const Mark& m) {
    return ("{" + std::to_string(m.line) + ", " + std::to_string(m.col) + ", file " + std::to_string(m.file) +
            "}")
        .c_str();
  }
};
}  // namespace doctest

namespace {

// The messages print paths as given, and the expected files are written
// relative to the repository root: run from there.
void at_repo_root() {
  if (!fs::exists("tests/bad")) fs::current_path(ARCHSIM_SOURCE_DIR);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string without_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// The diagnostics of loading `path`, one per line; "" if it loads.
std::string diagnostics_of(const std::string& path, const LoadOptions& opt = {}) {
  try {
    load_scenario(path, opt);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

double duration(const std::string& s) { return parse_duration(s).value_or(-1); }
double rate(const std::string& s) { return parse_rate(s).value_or(-1); }

std::string why_duration(const std::string& s) {
  std::string why;
  CHECK_FALSE(parse_duration(s, &why));
  return why;
}

std::string why_rate(const std::string& s) {
  std::string why;
  CHECK_FALSE(parse_rate(s, &why));
  return why;
}

std::string why_dist(const std::string& s) {
  std::string why;
  CHECK_FALSE(parse_distribution(s, &why));
  return why;
}

DistSpec dist(const std::string& s) {
  std::string why;
  auto d = parse_distribution(s, &why);
  INFO(s << ": " << why);
  REQUIRE(d);
  return *d;
}

}  // namespace

TEST_CASE("each bad scenario file reports exactly its expected diagnostics") {
  at_repo_root();
  // ARCHSIM_UPDATE_EXPECTED=1 rewrites the .expected files from the current
  // output; review the diff before committing it.
  const bool update = std::getenv("ARCHSIM_UPDATE_EXPECTED") != nullptr;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator("tests/bad"))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 13);

  for (const fs::path& yaml : files) {
    const std::string path = yaml.generic_string();  // "tests/bad/NAME.yaml", as in the messages
    fs::path expected_path = yaml;
    expected_path.replace_extension(".expected");
    INFO("file: " << path);

    const std::string actual = diagnostics_of(path);
    CHECK_MESSAGE(!actual.empty(), path << " loaded without an error");
    if (update) {
      std::ofstream(expected_path, std::ios::binary) << actual << '\n';
      continue;
    }
    REQUIRE_MESSAGE(fs::exists(expected_path), expected_path << " is missing");
    CHECK(actual == without_trailing_newlines(slurp(expected_path)));
  }
}

TEST_CASE("the several_errors file reports four or more different mistakes at once") {
  at_repo_root();
  const std::string out = diagnostics_of("tests/bad/several_errors.yaml");
  CHECK(std::count(out.begin(), out.end(), '\n') + 1 >= 4);
}

TEST_CASE("parse_duration") {
  CHECK(duration("250ms") == Rel(0.25));
  CHECK(duration("1.5s") == Rel(1.5));
  CHECK(duration("2m") == Rel(120));
  CHECK(duration("1h") == Rel(3600));
  CHECK(duration("500us") == Rel(5e-4));
  CHECK(duration("100ns") == Rel(1e-7));
  CHECK(duration(".5s") == Rel(0.5));
  CHECK(duration(" 3 ms ") == Rel(0.003));
  CHECK(duration("0") == 0);               // zero needs no unit
  CHECK(duration("-5ms") == Rel(-0.005));  // the caller says whether negatives are allowed

  CHECK(why_duration("250") == "a duration needs a unit (ns, us, ms, s, m, h): did you mean 250ms?");
  CHECK(why_duration("5min") ==
        "unknown duration unit 'min' in '5min': did you mean 5m? valid units: ns, us, ms, s, m, h");
  CHECK(why_duration("5x") == "unknown duration unit 'x' in '5x': valid units: ns, us, ms, s, m, h");
  CHECK(why_duration("soon") == "expected a duration like 250ms, got 'soon'");
  CHECK(why_duration("") == "expected a duration like 250ms, got nothing");
  CHECK_FALSE(parse_duration("1e3ms"));  // no exponents: "1e3" would read as a unit
}

TEST_CASE("parse_rate") {
  CHECK(rate("2000/s") == Rel(2000));
  CHECK(rate("60/m") == Rel(1));
  CHECK(rate("3600/h") == Rel(1));
  CHECK(rate("86400/day") == Rel(1));
  CHECK(rate("1.2k/s") == Rel(1200));
  CHECK(rate("10M/day") == Rel(10e6 / 86400));
  CHECK(rate("5 / s") == Rel(5));

  CHECK(why_rate("2000") == "a rate needs a unit (/s, /m, /h, /day): did you mean 2000/s?");
  CHECK(why_rate("2000rps") ==
        "unknown rate unit 'rps' in '2000rps': did you mean 2000/s? valid units: /s, /m, /h, /day");
  CHECK(why_rate("5/week") == "unknown rate unit '/week' in '5/week': valid units: /s, /m, /h, /day");
  CHECK(why_rate("10m/day") ==
        "unknown multiplier 'm' in '10m/day': valid multipliers: k (thousand), M (million), G (billion)");
  CHECK(why_rate("lots") == "expected a rate like 2000/s, got 'lots'");
}

TEST_CASE("parse_size") {
  CHECK(parse_size("512B").value() == 512);
  CHECK(parse_size("2KB").value() == 2000);
  CHECK(parse_size("1.5MB").value() == Rel(1.5e6));
  CHECK(parse_size("1MiB").value() == 1048576);
  CHECK(parse_size("2kb").value() == 2000);
  std::string why;
  CHECK_FALSE(parse_size("512", &why));
  CHECK(why == "a size needs a unit (B, KB, MB, GB, KiB, MiB, GiB): did you mean 512B?");
}

TEST_CASE("parse_distribution: every form") {
  using K = DistSpec::Kind;
  DistSpec d = dist("5ms");
  CHECK(d.kind == K::Const);
  CHECK(d.a == Rel(0.005));
  d = dist("const(5ms)");
  CHECK((d.kind == K::Const && d.a == Rel(0.005)));
  d = dist("exp(4ms)");
  CHECK((d.kind == K::Exp && d.a == Rel(0.004)));
  d = dist("exp(mean: 4ms)");
  CHECK((d.kind == K::Exp && d.a == Rel(0.004)));
  d = dist("uniform(1ms, 5ms)");
  CHECK((d.kind == K::Uniform && d.a == Rel(0.001) && d.b == Rel(0.005)));
  d = dist("normal(10ms, 2ms)");
  CHECK((d.kind == K::Normal && d.a == Rel(0.01) && d.b == Rel(0.002)));
  d = dist("lognormal(median: 3ms, p99: 20ms)");
  CHECK((d.kind == K::Lognormal && d.a == Rel(0.003) && d.b == Rel(0.02)));
  d = dist("lognormal(p99: 20ms, median: 3ms)");
  CHECK((d.a == Rel(0.003) && d.b == Rel(0.02)));
  d = dist("erlang(3, 4ms)");
  CHECK((d.kind == K::Erlang && d.a == 3 && d.b == Rel(0.004)));
  d = dist("pareto(1ms, 2.5)");
  CHECK((d.kind == K::Pareto && d.a == Rel(0.001) && d.b == 2.5));
}

TEST_CASE("parse_distribution: mistakes say how to fix them") {
  CHECK(why_dist("expo(4ms)") ==
        "unknown distribution 'expo': did you mean 'exp'? valid choices: const, exp, "
        "uniform, normal, lognormal, erlang, pareto");
  CHECK(
      why_dist("gamma(2, 4ms)") ==
      "unknown distribution 'gamma': valid choices: const, exp, uniform, normal, lognormal, erlang, pareto");
  CHECK(why_dist("exp(4)") ==
        "in 'exp(4)': a duration needs a unit (ns, us, ms, s, m, h): did you mean 4ms?");
  CHECK(why_dist("exp(4ms, 5ms)") == "exp takes 1 parameter (mean), got 2 in 'exp(4ms, 5ms)'");
  CHECK(why_dist("lognormal(3ms, 20ms)") ==
        "lognormal takes named parameters, e.g. lognormal(median: 3ms, p99: 20ms)");
  CHECK(why_dist("lognormal(median: 3ms)") ==
        "lognormal needs its 'p99', e.g. lognormal(median: 3ms, p99: 20ms)");
  CHECK(why_dist("lognormal(median: 3ms, p95: 9ms)") ==
        "unknown parameter 'p95' of lognormal in 'lognormal(median: 3ms, p95: 9ms)': valid parameters: "
        "median, p99");
  CHECK(why_dist("lognormal(median: 30ms, p99: 20ms)") ==
        "lognormal needs 0 < median <= p99, got 'lognormal(median: 30ms, p99: 20ms)'");
  CHECK(why_dist("uniform(5ms, 1ms)") == "uniform(min, max) needs 0 <= min <= max, got 'uniform(5ms, 1ms)'");
  CHECK(why_dist("exp(mean: 1ms, mean: 2ms)") ==
        "parameter 'mean' given twice in 'exp(mean: 1ms, mean: 2ms)'");
  CHECK(why_dist("erlang(0, 4ms)") ==
        "in 'erlang(0, 4ms)': erlang's k must be a whole number from 1 to 1000, got '0'");
  CHECK(why_dist("exp(0s)") == "the mean of exp must be positive, got 'exp(0s)' (use 0s for no time)");
  CHECK(why_dist("-1ms") == "a duration cannot be negative, got '-1ms'");
  CHECK(why_dist("exp") == "'exp' needs its parameters, e.g. exp(4ms)");
  CHECK(why_dist("exp(4ms") == "expected exp(4ms), got 'exp(4ms' (a ')' is missing or misplaced)");
  CHECK(why_dist("fast") == "expected a duration like 5ms or a distribution like exp(5ms), got 'fast'");
}

TEST_CASE("DistSpec::mean and scv") {
  CHECK(dist("5ms").mean() == Rel(0.005));
  CHECK(dist("5ms").scv() == 0);
  CHECK(dist("exp(4ms)").mean() == Rel(0.004));
  CHECK(dist("exp(4ms)").scv() == 1);
  // Uniform(a, b): mean (a+b)/2, variance (b-a)^2/12.
  CHECK(dist("uniform(2ms, 4ms)").mean() == Rel(0.003));
  CHECK(dist("uniform(2ms, 4ms)").scv() == Rel((0.002 * 0.002 / 12) / (0.003 * 0.003)));
  // Normal, as if untruncated: scv = (sd/mean)^2.
  CHECK(dist("normal(10ms, 2ms)").mean() == Rel(0.01));
  CHECK(dist("normal(10ms, 2ms)").scv() == Rel(0.04));
  // Lognormal from median and p99: sigma = ln(p99/median)/z99, mean = median e^(sigma^2/2), scv = e^(sigma^2)
  // - 1.
  const double sigma = std::log(20.0 / 3.0) / 2.3263478740408408;
  CHECK(dist("lognormal(median: 3ms, p99: 20ms)").mean() == Rel(0.003 * std::exp(sigma * sigma / 2)));
  CHECK(dist("lognormal(median: 3ms, p99: 20ms)").scv() == Rel(std::exp(sigma * sigma) - 1));
  // Erlang(k, mean): scv 1/k.
  CHECK(dist("erlang(4, 8ms)").mean() == Rel(0.008));
  CHECK(dist("erlang(4, 8ms)").scv() == Rel(0.25));
  // Pareto(min, shape): mean shape*min/(shape-1), scv 1/(shape(shape-2)); infinite below.
  CHECK(dist("pareto(1ms, 3)").mean() == Rel(0.0015));
  CHECK(dist("pareto(1ms, 3)").scv() == Rel(1.0 / 3));
  CHECK(std::isinf(dist("pareto(1ms, 1)").mean()));
  CHECK(std::isinf(dist("pareto(1ms, 2)").scv()));
}

TEST_CASE("DistSpec::str reads like the file and parses back") {
  for (const char* text :
       {"exp(4ms)", "uniform(1ms, 5ms)", "normal(10ms, 2ms)", "lognormal(median: 3ms, p99: 20ms)",
        "erlang(3, 4ms)", "pareto(1ms, 2.5)", "250us", "1.5s", "2m"}) {
    const DistSpec d = dist(text);
    CHECK(d.str() == text);
    const DistSpec again = dist(d.str());
    CHECK((again.kind == d.kind && again.a == Rel(d.a) && again.b == Rel(d.b)));
  }
  CHECK(dist("const(5ms)").str() == "5ms");  // a constant is written as its duration
}

TEST_CASE("format_duration and format_rate pick a readable unit") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(0.004) == "4ms");
  CHECK(format_duration(0.0035) == "3.5ms");
  CHECK(format_duration(2.5e-7) == "250ns");
  CHECK(format_duration(90) == "1.5m");
  CHECK(format_duration(100) == "100s");
  CHECK(format_duration(7200) == "2h");
  CHECK(format_rate(2000) == "2000/s");
  CHECK(format_rate(0.5) == "30/m");
}

TEST_CASE("enum names: one table for parsing, messages and name_of") {
  CHECK(name_of(ComponentKind::LoadBalancer) == "load_balancer");
  CHECK(name_of(LbPolicy::PowerOfTwo) == "power_of_two");
  CHECK(name_of(DistSpec::Kind::Lognormal) == "lognormal");
  CHECK(name_of(SloSpec::Kind::LatencyP999) == "latency_p999");
  CHECK(from_name<LbPolicy>("least_connections") == LbPolicy::LeastConnections);
  CHECK_FALSE(from_name<LbPolicy>("round-robin"));
  for (std::string_view n : all_names<LbPolicy>()) CHECK(name_of(*from_name<LbPolicy>(n)) == n);
  for (std::string_view n : all_names<DistSpec::Kind>()) CHECK(name_of(*from_name<DistSpec::Kind>(n)) == n);
  CHECK(all_names<ComponentKind>() ==
        std::vector<std::string_view>{"service", "load_balancer", "cache", "database", "queue", "cdn"});
}

TEST_CASE("did_you_mean") {
  const std::vector<std::string> keys = {"kind", "replicas", "workers", "queue", "steps", "service_time"};
  CHECK(did_you_mean("worker", keys) == "workers");
  CHECK(did_you_mean("wokrers", keys) == "workers");    // a swap of neighbours is one edit
  CHECK(did_you_mean("Replicas", keys) == "replicas");  // case does not count
  CHECK(did_you_mean("colour", keys) == "");
  CHECK(did_you_mean("round-robin", {"round_robin", "random"}) == "round_robin");
  CHECK(did_you_mean("x", {"y"}) == "y");  // short words may differ by one letter
  CHECK(did_you_mean("abc", {}) == "");
}

TEST_CASE("Diagnostic and InputError text") {
  CHECK(Diagnostic{"a.yaml", Mark{3, 7}, "bad"}.str() == "a.yaml:3:7: error: bad");
  CHECK(Diagnostic{"a.yaml", Mark{}, "no such file"}.str() == "a.yaml: error: no such file");
  const InputError e({Diagnostic{"a.yaml", Mark{1, 1}, "one"}, Diagnostic{"a.yaml", Mark{2, 1}, "two"}});
  CHECK(std::string(e.what()) == "a.yaml:1:1: error: one\na.yaml:2:1: error: two");
  CHECK(e.diagnostics().size() == 2);
}

TEST_CASE("a complete scenario: every value and its position") {
  const std::string text = R"(name: full
description: All the keys.
seed: 42
duration: 30m
warmup: 2m
network: {latency: 0.5ms}
traffic:
  - name: shoppers
    to: edge
    rate: 2000/s
    profile:
      - {at: 0m, x: 1}
      - {at: 10m, x: 3, ramp: 1m}
    timeout: 2s
  - name: browsers
    to: edge
    users: 50
    think: exp(20s)
components:
  edge:
    kind: load_balancer
    policy: least_connections
    to: api
    latency: 100us
  api:
    kind: service
    replicas: 6
    workers: 32
    queue: 200
    steps:
      - work: lognormal(median: 3ms, p99: 20ms)
      - {call: db, latency: uniform(1ms, 2ms), timeout: 1s, request: 2KB, response: 1.5MB}
  db:
    kind: service
    workers: 8
    service_time: exp(4ms)
slo:
  latency_p99: 500ms
  error_rate: 0.5%
  throughput_min: 1.9k/s
)";
  const ScenarioSpec s = load_scenario_text(text, "full.yaml");
  CHECK(s.file == "full.yaml");
  CHECK(s.design_file.empty());
  CHECK(s.name == "full");
  CHECK(s.description == "All the keys.");
  CHECK(s.seed == 42);
  CHECK(s.duration == 1800);
  CHECK(s.warmup == 120);
  REQUIRE(s.network_latency);
  CHECK(s.network_latency->a == Rel(0.0005));
  CHECK(s.network_latency->mark == Mark{6, 20});

  REQUIRE(s.traffic.size() == 2);
  const TrafficSpec& shoppers = s.traffic[0];
  CHECK(shoppers.name == "shoppers");
  CHECK(shoppers.mark == Mark{8, 11});  // the name's value
  CHECK(shoppers.to == "edge");
  CHECK(shoppers.to_mark == Mark{9, 9});
  CHECK(shoppers.rate == 2000);
  CHECK_FALSE(shoppers.closed());
  REQUIRE(shoppers.profile.size() == 2);
  CHECK(shoppers.profile[1].at == 600);
  CHECK(shoppers.profile[1].x == 3);
  CHECK(shoppers.profile[1].ramp == 60);
  CHECK(shoppers.profile[1].mark == Mark{13, 9});
  CHECK(shoppers.timeout == 2.0);
  const TrafficSpec& browsers = s.traffic[1];
  CHECK(browsers.closed());
  CHECK(browsers.users == 50);
  CHECK(browsers.think.kind == DistSpec::Kind::Exp);
  CHECK(browsers.think.a == 20);
  CHECK(browsers.think.mark == Mark{18, 12});
  CHECK_FALSE(browsers.timeout);

  REQUIRE(s.components.size() == 3);
  CHECK(s.find("edge") == 0);
  CHECK(s.find("db") == 2);
  CHECK(s.find("nope") == -1);
  const ComponentSpec& edge = s.components[0];
  CHECK(edge.mark == Mark{20, 3});
  CHECK(edge.kind() == ComponentKind::LoadBalancer);
  CHECK(edge.replica_count() == 1);
  REQUIRE(edge.load_balancer());
  CHECK(edge.load_balancer()->policy == LbPolicy::LeastConnections);
  CHECK(edge.load_balancer()->to == "api");
  CHECK(edge.load_balancer()->to_mark == Mark{23, 9});
  CHECK(edge.load_balancer()->latency->a == Rel(1e-4));

  const ServiceSpec* api = s.components[1].service();
  REQUIRE(api);
  CHECK(s.components[1].replica_count() == 6);
  CHECK(api->workers == 32);
  CHECK(api->queue == 200);
  REQUIRE(api->steps.size() == 2);
  CHECK(api->steps[0].kind == StepSpec::Kind::Work);
  CHECK(api->steps[0].work.kind == DistSpec::Kind::Lognormal);
  CHECK(api->steps[0].work.mark == Mark{31, 15});
  const StepSpec& call = api->steps[1];
  CHECK(call.kind == StepSpec::Kind::Call);
  CHECK(call.mark == Mark{32, 9});
  CHECK(call.call.target == "db");
  CHECK(call.call.mark == Mark{32, 16});
  CHECK(call.call.latency->kind == DistSpec::Kind::Uniform);
  CHECK(call.call.latency->mark == Mark{32, 29});  // columns survive the protected ", " inside uniform(...)
  CHECK(call.call.timeout == 1.0);
  CHECK(call.call.request_bytes == 2000);
  CHECK(call.call.response_bytes == 1.5e6);

  const ServiceSpec* db = s.components[2].service();
  REQUIRE(db);
  CHECK(db->replicas == 1);
  CHECK_FALSE(db->queue);
  REQUIRE(db->steps.size() == 1);  // service_time is one work step
  CHECK(db->steps[0].work.kind == DistSpec::Kind::Exp);

  REQUIRE(s.slo.size() == 3);
  CHECK(s.slo[0].kind == SloSpec::Kind::LatencyP99);
  CHECK(s.slo[0].key == "latency_p99");
  CHECK(s.slo[0].target == Rel(0.5));
  CHECK(s.slo[0].mark == Mark{38, 3});
  CHECK(s.slo[1].target == Rel(0.005));
  CHECK(s.slo[2].target == Rel(1900));
}

TEST_CASE("defaults: seed 1, duration 60s, no warm-up, name from the file") {
  const ScenarioSpec s = load_scenario_text(
      "traffic: [{name: u, to: a, rate: 1/s}]\ncomponents: {a: {kind: service, service_time: 1ms}}\n",
      "scenarios/tiny.yaml");
  CHECK(s.name == "tiny");
  CHECK(s.seed == 1);
  CHECK(s.duration == 60);
  CHECK(s.warmup == 0);
  CHECK(s.slo.empty());
  CHECK(s.components[0].service()->workers == 1);
}

TEST_CASE("overrides from the command line apply after parsing") {
  const std::string text =
      "seed: 3\nduration: 10m\nwarmup: 1m\ntraffic: [{name: u, to: a, rate: 1/s}]\n"
      "components: {a: {kind: service, service_time: 1ms}}\n";
  LoadOptions opt;
  opt.seed = 99;
  opt.duration = 120;
  const ScenarioSpec s = load_scenario_text(text, "o.yaml", opt);
  CHECK(s.seed == 99);
  CHECK(s.duration == 120);

  opt.duration = 30;  // now shorter than the warm-up
  try {
    load_scenario_text(text, "o.yaml", opt);
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) ==
          "o.yaml:3:9: error: 'warmup' (1m) must be shorter than the duration (30s, from --duration)");
  }
}

TEST_CASE("a problem file and the design it names") {
  at_repo_root();
  const ScenarioSpec s = load_scenario("tests/good/shop.yaml");
  CHECK(s.name == "shop");
  CHECK(s.design_name == "naive");
  CHECK(s.design_file == "tests/good/designs/shop-naive.yaml");  // relative to the problem file
  CHECK(s.seed == 7);
  REQUIRE(s.network_latency);  // from the design
  CHECK(s.network_latency->mark.file == 1);
  REQUIRE(s.components.size() == 3);
  CHECK(s.components[1].mark == Mark{10, 3, 1});
  CHECK(s.file_of(s.components[1].mark) == "tests/good/designs/shop-naive.yaml");
  CHECK(s.traffic[0].to_mark == Mark{10, 9, 0});
  CHECK(s.file_of(s.traffic[0].to_mark) == "tests/good/shop.yaml");
  CHECK(s.slo.size() == 3);

  LoadOptions opt;
  opt.design = "tests/good/designs/shop-cached.yaml";  // --design wins over `design:`
  const ScenarioSpec cached = load_scenario("tests/good/shop.yaml", opt);
  CHECK(cached.design_name == "cached");
  CHECK(cached.find("cache") == 2);
  CHECK_FALSE(cached.network_latency);

  opt.design = "tests/good/designs/none.yaml";
  CHECK(diagnostics_of("tests/good/shop.yaml", opt) ==
        "tests/good/designs/none.yaml: error: cannot read the design file given with --design: no such file");
}

TEST_CASE("a missing scenario file") {
  at_repo_root();
  CHECK(diagnostics_of("tests/nowhere.yaml") ==
        "tests/nowhere.yaml: error: cannot read the scenario file: no such file");
}

TEST_CASE("distribution calls are one YAML value, in block and flow context, with positions kept") {
  CHECK(yaml::protect_calls("w: lognormal(median: 3ms, p99: 20ms)\n").size() ==
        std::string("w: lognormal(median: 3ms, p99: 20ms)\n").size());
  CHECK(yaml::restore(yaml::protect_calls("a: {w: uniform(1ms, 2ms), x: 1}")) ==
        "a: {w: uniform(1ms, 2ms), x: 1}");
  // Only known names at the start of a value: text that merely contains one is left alone.
  CHECK(yaml::protect_calls("d: subnormal(a: b)") == "d: subnormal(a: b)");
  // An unclosed call is left for the distribution parser to report.
  CHECK(yaml::protect_calls("w: exp(4ms\nx: 1") == "w: exp(4ms\nx: 1");
  // A mistake after a call on the same line is reported at its true column.
  CHECK(test::load_errors("traffic: [{name: u, to: a, rate: 1/s}]\n"
                          "components: {a: {kind: service, steps: [{work: uniform(1ms, 2ms), wrk: 1}]}}\n") ==
        "t.yaml:2:67: error: unknown key 'wrk' in a work step: did you mean 'work'?");
}

TEST_CASE("malformed YAML is one diagnostic in plain words") {
  CHECK(test::load_errors("traffic: [a, b\ncomponents: {}\n") ==
        "t.yaml:2:11: error: malformed YAML: a '[' is not closed by a matching ']'");
  CHECK(test::load_errors("a: 1\n---\nb: 2\n").find("one YAML document") != std::string::npos);
  // yaml-cpp 0.7's LoadAll loops forever on a top-level ',' (found by the fuzz target): refused, positioned.
  CHECK(test::load_errors(",*i]x\n") ==
        "t.yaml:1:1: error: malformed YAML: the document ends before this text (a ',' separates items only "
        "inside "
        "[...] or {...})");
  CHECK(test::load_errors("\"a\",b\n").find("t.yaml:1:4: error: malformed YAML: the document ends") == 0);
}

TEST_CASE("call graph: cycles, reachability, order and visits") {
  const std::string text = R"(traffic:
  - {name: web, to: edge, rate: 100/s}
  - {name: jobs, to: worker, rate: 10/s}
  - {name: people, to: api, users: 5, think: 1s}
components:
  edge: {kind: load_balancer, to: api}
  api:
    kind: service
    steps:
      - work: 1ms
      - call: db
      - call: db
      - call: cache
  cache: {kind: service, steps: [{work: 1ms}, {call: db}]}
  db: {kind: service, service_time: 1ms}
  worker: {kind: service, steps: [{call: db}]}
  spare: {kind: service, service_time: 1ms}
)";
  const ScenarioSpec s = load_scenario_text(text, "g.yaml");
  const CallGraph g(s);
  CHECK(g.find_cycles().empty());
  CHECK(g.reachable_from_traffic() == std::vector<bool>{true, true, true, true, true, false});

  const auto order = g.topological_order();
  REQUIRE(order);
  const auto pos = [&](const char* n) {
    return std::find(order->begin(), order->end(), s.find(n)) - order->begin();
  };
  CHECK(pos("edge") < pos("api"));
  CHECK(pos("api") < pos("cache"));
  CHECK(pos("cache") < pos("db"));

  // web: edge 1, api 1, cache 1, db 2 (direct) + 1 (through cache) = 3.
  const auto web = g.visits_per_request(0);
  REQUIRE(web);
  CHECK(*web == std::vector<double>{1, 1, 1, 3, 0, 0});
  const auto jobs = g.visits_per_request(1);
  CHECK(*jobs == std::vector<double>{0, 0, 0, 1, 1, 0});
  // Open loops only: 100/s of web, 10/s of jobs; the closed loop has no fixed rate.
  const auto rates = g.offered_rates();
  REQUIRE(rates);
  CHECK(*rates == std::vector<double>{100, 100, 100, 310, 10, 0});
}

TEST_CASE("call graph: each cycle once, at the call that closes it") {
  ScenarioSpec s;
  s.traffic.push_back(TrafficSpec{});
  s.traffic[0].name = "t";
  s.traffic[0].to = "a";
  const auto service = [&](const char* name, std::vector<std::pair<const char*, int>> calls) {
    ComponentSpec c;
    c.name = name;
    ServiceSpec svc;
    for (auto [target, line] : calls) {
      StepSpec st;
      st.kind = StepSpec::Kind::Call;
      st.call.target = target;
      st.call.mark = Mark{line, 1};
      svc.steps.push_back(st);
    }
    c.body = svc;
    s.components.push_back(c);
  };
  service("a", {{"b", 1}});
  service("b", {{"a", 2}, {"a", 3}, {"c", 4}});  // two calls back to a: one cycle
  service("c", {{"c", 5}});
  const auto cycles = CallGraph(s).find_cycles();
  REQUIRE(cycles.size() == 2);
  CHECK(cycles[0].str() == "a -> b -> a");
  CHECK(cycles[0].mark == Mark{2, 1});
  CHECK(cycles[1].str() == "c -> c");
  CHECK_FALSE(CallGraph(s).topological_order());
  CHECK_FALSE(CallGraph(s).visits_per_request(0));
}
