// Hostile input, huge sizes and a hostile environment (issue 14): nothing
// crashes, nothing hangs, nothing is silently changed. Parse-time refusals
// are tests/bad/limits_*.yaml; the rest is here. Each case names the way it
// failed before.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "analysis/estimate.hpp"
#include "archsim/diagnostics.hpp"
#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/output_file.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "archsim/text.hpp"
#include "archsim/ticks.hpp"
#include "archsim/timeline.hpp"
#include "check.hpp"
#include "report/analysis.hpp"
#include "report/edit.hpp"
#include "report/sweep.hpp"
#include "results.hpp"
#include "spec/limits.hpp"

using namespace archsim;
using namespace archsim::test;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the build's temp directory, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("archsim-harden-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string errors_of_file(const std::string& path) {
  try {
    load_scenario(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Runs the archsim binary through the shell; its exit code, stdout in `out`.
int run_cli(const std::string& args, std::string* out = nullptr) {
  const std::string cmd =
      std::string("'") + ARCHSIM_BINARY + "' " + args + (out ? "" : " >/dev/null") + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int status = ::pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const std::string kTiny = R"(
traffic: [{name: u, to: api, rate: 50/s}]
components:
  api: {kind: service, service_time: 1ms}
)";

}  // namespace

TEST_SUITE("hardening") {
  TEST_CASE("every limit is a row of the README's Limits table") {
    const std::string readme = slurp(fs::path(ARCHSIM_SOURCE_DIR) / "README.md");
    const auto table = readme.find("## Limits");
    REQUIRE(table != std::string::npos);
    const std::string section = readme.substr(table, readme.find("\n## ", table + 1) - table);
    for (const limits::Limit& l : limits::kAll) {
      INFO(l.name);
      CHECK(section.find("| " + std::string(l.name) + " |") != std::string::npos);
    }
  }

  TEST_CASE("repeat above 65,535 runs as often as written (was: 70,000 wrapped to 4,464 in 16 bits)") {
    const RunResult r = simulate(load_scenario_text(R"(
duration: 5s
traffic: [{name: u, to: api, rate: 2/s}]
components:
  api:
    kind: service
    steps:
      - repeat: 70000
        steps: [{call: db}]
  db: {kind: service, workers: 100, service_time: 1us}
)",
                                                    "t.yaml"));
    // Each finished request made 70,000 calls; one still running made fewer.
    const ComponentResult &api = component(r, "api"), &db = component(r, "db");
    REQUIRE(api.completed >= 1);
    CHECK(db.arrivals >= api.completed * 70000);
    CHECK(db.arrivals <= api.arrivals * 70000);
  }

  TEST_CASE(
      "replicas above 4,095 come back after a restart (was: the replica packed into 12 bits of a timer)") {
    // Every replica restarts at 1s for 1s; round robin then reaches all 4,200
    // again. With the replica number wrapped, 4,096 and up stayed down and
    // every request sent to them failed.
    const RunResult r = simulate(load_scenario_text(R"(
duration: 4s
warmup: 3s
traffic: [{name: u, to: api, rate: 20000/s}]
components:
  api: {kind: service, replicas: 4200, service_time: 1ms}
faults:
  - {at: 1s, restart: api, restart_time: 1s}
)",
                                                    "t.yaml"));
    CHECK(r.completed > 15000);
    CHECK(r.failed == 0);
  }

  TEST_CASE("terminal escapes, bidi controls and stray bytes are shown as escapes") {
    CHECK(printable("a\x1b[31mb") == "a\\x1b[31mb");
    CHECK(printable("x\xe2\x80\xaey") == "x\\u202ey");  // U+202E RIGHT-TO-LEFT OVERRIDE
    CHECK(printable("\xff") == "\\xff");
    CHECK(printable("caf\xc3\xa9\n\t") == "caf\xc3\xa9\n\t");
    CHECK(printable("\xc2\x9b") == "\\u009b");  // C1 CSI
    CHECK(valid_utf8("a\xff"
                     "b") ==
          "a\xef\xbf\xbd"
          "b");
    CHECK(valid_utf8("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate is not UTF-8
    // Echoed unknown keys go through the same escaping.
    const std::string e = test::load_errors(kTiny + "\"k\\e]0;x\": 1\n");
    CHECK(e.find("'k\\x1b]0;x'") != std::string::npos);
    CHECK(e.find('\x1b') == std::string::npos);
  }

  TEST_CASE("a 2.5 KB alias bomb is refused at once (was: memory exhausted)") {
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    std::string prev = "a";
    for (char c = 'b'; c <= 'l'; ++c) {
      bomb += std::string(1, c) + ": &" + c + " [";
      for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
      bomb += "]\n";
      prev = std::string(1, c);
    }
    CHECK(bomb.size() < 2500);
    const std::string e = test::load_errors(bomb);
    CHECK(e.find("t.yaml:1:1: error: the file expands to more than 1000000 YAML nodes") == 0);
  }

  TEST_CASE("inputs that never end or are too large are refused (was: check /dev/zero read forever)") {
    CHECK(errors_of_file("/dev/zero").find("not a regular file") != std::string::npos);
    TempDir d;
    const std::string design = d.file("p.yaml", "design: /dev/zero\n" + kTiny.substr(1));
    CHECK(errors_of_file(design).find("cannot read the design file '/dev/zero': it is not a regular file") !=
          std::string::npos);
    const fs::path fifo = d.path / "fifo.yaml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(errors_of_file(fifo.string()).find("not a regular file") != std::string::npos);
    // 16 MB and one byte (sparse: nothing is written).
    const fs::path big = d.path / "big.yaml";
    { std::ofstream(big) << "x"; }
    fs::resize_file(big, static_cast<std::uintmax_t>(limits::kFileBytes.max) + 1);
    CHECK(errors_of_file(big.string()).find("more than the limit of 16777216") != std::string::npos);
    // A timeline is an input too.
    CHECK_FALSE(is_timeline_file("/dev/zero"));
    CHECK_THROWS_AS(read_timeline("/dev/zero"), InputError);
  }

  TEST_CASE("design: /etc/passwd does not echo the file") {
    if (!fs::exists("/etc/passwd")) return;
    TempDir d;
    const std::string p = d.file("p.yaml", "design: /etc/passwd\ntraffic: [{name: u, to: api, rate: 1/s}]\n");
    const std::string e = errors_of_file(p);
    CHECK(e.find("got a text") != std::string::npos);
    CHECK(e.find("root:") == std::string::npos);
  }

  TEST_CASE("did-you-mean on a 60 KB word gives no suggestion and a capped message (was: 15 s, 3 GB)") {
    const std::string word(60000, 'q');
    CHECK(did_you_mean(word, {"workers", std::string(59999, 'q')}).empty());
    CHECK(did_you_mean("wokrers", {"workers", "replicas"}) == "workers");
    const std::string e = test::load_errors(kTiny.substr(0, kTiny.size() - 1) +
                                            "\n  b: {kind: service, steps: [{call: \"" + word + "\"}]}\n");
    REQUIRE_FALSE(e.empty());
    CHECK(e.size() < 2000);
  }

  TEST_CASE("a timeline with a short pos or an edge to nowhere is a bad line, not a crash") {
    TempDir d;
    const std::string head =
        R"({"type":"header","scenario":"s","duration_s":2,"tick_s":1,"sources":["u"],"components":[{"name":"api","kind":"service","pos":)";
    for (const std::string pos : {"[]", "[5]", "\"x\""}) {
      INFO(pos);
      const std::string p = d.file("t.jsonl", head + pos + R"(}],"edges":[]})" + "\n");
      CHECK_THROWS_AS(read_timeline(p), InputError);
    }
    const std::string p = d.file("e.jsonl", head + R"([1,2]}],"edges":[{"from":-1,"to":7}]})" + "\n");
    CHECK_THROWS_AS(read_timeline(p), InputError);
  }

  TEST_CASE("a --set value cannot splice a comment or a new line into the file") {
    TempDir d;
    const std::string p = d.file("s.yaml", kTiny.substr(1));
    const report::Documents docs = report::read_documents(p, {});
    CHECK_THROWS_AS(report::parse_axis(docs, "api.replicas=5,10 #c"), InputError);
    CHECK_THROWS_AS(report::parse_axis(docs, "api.replicas=5,inf"), InputError);
    CHECK(report::parse_axis(docs, "api.replicas=5,10").values.size() == 2);
  }

  TEST_CASE("outputs: links followed, devices streamed, read-only refused, all checked first") {
    TempDir d;
    const std::string in = d.file("in.yaml", kTiny);
    // A link stays a link; the file it points to gets the text.
    const std::string target = d.file("target.json", "old");
    fs::create_symlink(target, d.path / "link.json");
    write_output_file((d.path / "link.json").string(), "new");
    CHECK(fs::is_symlink(d.path / "link.json"));
    CHECK(slurp(target) == "new");
    // A read-only file is refused and left as it was.
    const std::string ro = d.file("ro.json", "keep");
    fs::permissions(ro, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    CHECK_THROWS(write_output_file(ro, "x"));
    CHECK(slurp(ro) == "keep");
    // A FIFO receives the bytes and stays a FIFO.
    const fs::path fifo = d.path / "out.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::string got;
    std::thread reader([&] { got = slurp(fifo); });
    write_output_file(fifo.string(), "streamed");
    reader.join();
    CHECK(got == "streamed");
    CHECK(fs::is_fifo(fifo));
    // A character device is written to, never replaced.
    write_output_file("/dev/null", "x");
    CHECK(fs::is_character_file("/dev/null"));
    // Checked together before simulating: each problem named.
    try {
      check_outputs({{"--json", (d.path / "no/such/dir.json").string()},
                     {"--timeline", in},
                     {"--report", (d.path / "a.html").string()},
                     {"--csv", (d.path / "a.html").string()},
                     {"--json", "-"}},
                    {in});
      FAIL("no error");
    } catch (const InputError& e) {
      const std::string s = e.what();
      CHECK(s.find("does not exist") != std::string::npos);
      CHECK(s.find("it is the input file") != std::string::npos);
      CHECK(s.find("--report writes it too") != std::string::npos);
      CHECK(e.diagnostics().size() == 3);
    }
    CHECK_NOTHROW(check_outputs({{"--json", "/dev/null"}, {"--timeline", "/dev/null"}}, {in}));
  }

  TEST_CASE(
      "the CLI: a bad output is refused before simulating, --report keeps stdout clean, names with bad "
      "bytes") {
    TempDir d;
    const std::string in =
        d.file("in.yaml", "name: \"n\xff<!--<script></x>\"\nslo: {latency_p99: 1s}\n" + kTiny.substr(1));
    const std::string json = (d.path / "a.json").string(), html = (d.path / "a.html").string();
    CHECK(run_cli("run '" + in + "' --json '" + (d.path / "missing/a.json").string() + "' --quiet") == 2);
    CHECK(run_cli("run '" + in + "' --json '" + in + "' --quiet") == 2);
    CHECK(run_cli("run '" + in + "' --seed -1 --quiet") == 2);
    CHECK(run_cli("run '" + in + "' --seed 18446744073709551616 --quiet") == 2);
    std::string out;
    CHECK(run_cli("run '" + in + "' --duration 2s --json - --report '" + html + "' --quiet", &out) == 0);
    CHECK(out.rfind("{", 0) == 0);
    CHECK(out.find("archsim render") == std::string::npos);
    const std::string page = slurp(html);
    const auto data = page.find("id=\"archsim-data\">");
    REQUIRE(data != std::string::npos);
    const std::string script = page.substr(data, page.find("</script>", data) - data);
    CHECK(script.find("<!--") == std::string::npos);
    CHECK(script.find("<script") == std::string::npos);
    CHECK(script.find("</") == std::string::npos);
    CHECK(script.find("\\u003c!--\\u003cscript\\u003e") != std::string::npos);
    // Compare and sweep write the same replaced name (was: both failed after simulating).
    CHECK(run_cli("compare '" + in + "' '" + in + "' --duration 2s --json '" + json + "' --quiet") == 0);
    CHECK(slurp(json).find("\"n\xef\xbf\xbd\\u003c") == std::string::npos);  // JSON files are plain JSON
    CHECK(slurp(json).find("\"n\xef\xbf\xbd<!--") != std::string::npos);
    CHECK(run_cli("sweep '" + in + "' --set api.workers=1,2 --duration 2s --json '" + json + "' --quiet") ==
          0);
    CHECK(slurp(json).find("\"n\xef\xbf\xbd<!--") != std::string::npos);
  }

  TEST_CASE("the up-front estimate refuses a run of 1e10 events or more unless --force") {
    ScenarioSpec s = load_scenario_text(R"(
duration: 10000h
traffic: [{name: u, to: api, rate: 100000/s}]
components:
  api: {kind: service, workers: 1000, service_time: 1ms}
)",
                                        "t.yaml");
    const auto est = estimate(s);
    REQUIRE(est);
    // 3 events per visit and 2 per request at 1e5/s for 3.6e7 s: 1.8e13.
    CHECK(run_cost(s, *est, false).events == archsim::test::Rel(1.8e13, 0.01));
    TempDir d;
    const std::string p = d.file("big.yaml", "duration: 100000h\n" + kTiny.substr(1));  // 9e10 events
    std::string out;
    CHECK(run_cli("run '" + p + "' --quiet") == 2);
    // An unbounded queue under overload: the backlog's memory is named.
    s.duration = 60;
    s.traffic[0].rate = 2e6;
    const RunCost c = run_cost(s, *estimate(s), false);
    CHECK(c.bytes == doctest::Approx((2e6 - 1e6) * 60 * kBytesPerWaiting).epsilon(0.01));
    CHECK(c.biggest.find("api's unbounded queue") == 0);
  }

  // Every tick as emitted, and the figures a merged store must keep exactly.
  struct Emitted : Observer {
    std::uint64_t ticks = 0, completed = 0, arrivals = 0;
    double seconds = 0, replica_seconds = 0;  // the autoscaled service's replicas x dt: what the cost bills
    std::uint32_t queue_peak = 0;
    void on_tick(const Tick& t) override {
      ++ticks;
      completed += t.completed;
      seconds += t.dt;
      arrivals += t.components[0].arrivals;
      queue_peak = std::max(queue_peak, t.components[0].queue);
      for (const Figure& f : t.components[0].figures)
        if (f.name == "replicas") replica_seconds += f.value * t.dt;
    }
  };

  TEST_CASE(
      "memory is flat in simulated time: kept ticks merge beyond the budget (was: ~250 B per simulated "
      "second)") {
    // An autoscaled service and a spike that queues: run 4,000 s and 40,000 s
    // with the smallest store (kMinTicks ticks).
    const std::string text = R"(
traffic: [{name: u, to: api, rate: 20/s, profile: [{at: 500s, x: 8, ramp: 10s}, {at: 1500s, x: 1, ramp: 10s}]}]
components:
  api:
    kind: service
    workers: 2
    service_time: exp(20ms)
    autoscale: {min: 1, max: 6, target_utilization: 60%, interval: 10s, cooldown: 20s, provision: 15s}
)";
    std::size_t bytes[2] = {0, 0};
    int k = 0;
    for (const double duration : {4000.0, 40000.0}) {
      INFO("duration " << duration);
      ScenarioSpec spec =
          load_scenario_text("duration: " + std::to_string(duration) + "s\n" + text, "t.yaml");
      Simulation sim(spec);
      report::Recorder rec(/*budget_bytes=*/1);
      Emitted all;
      sim.add_observer(&rec);
      sim.add_observer(&all);
      sim.run();
      const std::size_t cap = rec.store.capacity();
      CHECK(cap == TickStore::kMinTicks);
      CHECK(rec.store.added() == all.ticks);
      CHECK(all.ticks == static_cast<std::uint64_t>(duration));
      const std::vector<Tick>& kept = rec.store.ticks();
      CHECK(kept.size() <= cap);
      // 4,000 ticks: halved once at 2,048 (span 2); 40,000: span 32, the first
      // power of two for which 2,048 kept ticks cover them.
      CHECK(rec.store.span() == (duration < 5000 ? 2u : 32u));
      // Counts add up, time covers the run, the peak queue survives and the
      // replica-seconds (the autoscaled fleet's cost) are the same.
      std::uint64_t completed = 0, arrivals = 0;
      double seconds = 0, replica_seconds = 0;
      std::uint32_t queue_peak = 0;
      for (const Tick& t : kept) {
        completed += t.completed;
        arrivals += t.components[0].arrivals;
        seconds += t.dt;
        queue_peak = std::max(queue_peak, t.components[0].queue);
        for (const Figure& f : t.components[0].figures)
          if (f.name == "replicas") replica_seconds += f.value * t.dt;
      }
      CHECK(completed == all.completed);
      CHECK(arrivals == all.arrivals);
      CHECK(seconds == archsim::test::Rel(all.seconds, 1e-9));
      CHECK(kept.back().t == duration);
      CHECK(queue_peak == all.queue_peak);
      CHECK(all.queue_peak > 0);
      CHECK(replica_seconds == archsim::test::Rel(all.replica_seconds, 1e-9));
      CHECK(all.replica_seconds >
            duration + 1000);  // it did scale out (the spike: ~2,000 replica-seconds more)
      bytes[k++] = rec.store.bytes();
    }
    // Ten times the simulated time, the same memory: each kept tick costs the
    // same whatever it covers.
    CHECK(bytes[1] <= bytes[0] * 11 / 10);
    CHECK(bytes[1] > 0);
  }

  TEST_CASE("a run whose ticks fit the budget keeps them exactly as emitted") {
    ScenarioSpec spec = load_scenario_text("duration: 3h\n" + kTiny.substr(1), "t.yaml");
    spec.traffic[0].rate = 1;  // 3 hours of one component: 10,800 ticks
    Simulation sim(spec);
    report::Recorder rec;
    Emitted all;
    sim.add_observer(&rec);
    sim.add_observer(&all);
    sim.run();
    CHECK(rec.store.span() == 1);
    CHECK(rec.store.ticks().size() == 10800);
    CHECK(rec.store.bytes() <= TickStore::kDefaultBudget);
    for (const Tick& t : rec.store.ticks()) CHECK(t.dt == 1.0);
  }

  TEST_CASE("merged ticks: counts add, levels keep their peak, p99 its worst, p50 weighs completions") {
    Tick a, b;
    a.t = 1, a.dt = 1, a.completed = 3, a.started = 4, a.p50 = 0.010, a.p99 = 0.050, a.errors["timeout"] = 1;
    b.t = 2, b.dt = 1, b.completed = 1, b.started = 1, b.p50 = 0.030, b.p99 = 0.020, b.errors["timeout"] = 2;
    a.components.resize(1), b.components.resize(1);
    a.components[0].queue = 7, b.components[0].queue = 2;
    a.components[0].utilization = 1.0, b.components[0].utilization = 0.0;
    a.components[0].completed = 3, b.components[0].completed = 0,
    b.components[0].p50 = 9;  // b's p50 means nothing
    a.components[0].p50 = 0.1;
    a.components[0].figures = {{"hit_ratio", 0.5}, {"entries", 10}, {"misses", 4}};
    a.components[0].arrivals = 3, b.components[0].arrivals = 1;
    b.components[0].figures = {{"hit_ratio", 1.0}, {"entries", 12}, {"misses", 1}};
    const std::uint32_t big = 4'000'000'000u;
    a.failed = big, b.failed = big;  // saturates, never wraps
    TickStore::merge(a, b);
    CHECK(a.t == 2);
    CHECK(a.dt == 2);
    CHECK(a.completed == 4);
    CHECK(a.started == 5);
    CHECK(a.failed == std::numeric_limits<std::uint32_t>::max());
    CHECK(a.errors["timeout"] == 3);
    CHECK(a.p50 == archsim::test::Rel(0.015));  // (3 x 10 ms + 1 x 30 ms) / 4
    CHECK(a.p99 == archsim::test::Rel(0.050));
    CHECK(a.components[0].queue == 7);
    CHECK(a.components[0].utilization == archsim::test::Rel(0.5));
    CHECK(a.components[0].p50 == archsim::test::Rel(0.1));
    CHECK(a.components[0].figures[0].value ==
          archsim::test::Rel(0.625));               // hit ratio weighed by 3 and 1 visits
    CHECK(a.components[0].figures[1].value == 12);  // entries: the later
    CHECK(a.components[0].figures[2].value == 5);   // misses: a count
  }

  TEST_CASE("a result keeps the first 10,000 notes and counts the rest (was: every leak restart kept)") {
    // A leak every millisecond: 1,000 restarts (notes) per simulated second.
    const RunResult r = simulate(load_scenario_text(R"(
duration: 15s
traffic: [{name: u, to: api, rate: 10/s}]
components:
  api: {kind: service, replicas: 4, service_time: 1ms}
faults:
  - {at: 1s, leak: api, every: 1ms}
)",
                                                    "t.yaml"));
    CHECK(r.notes.size() == limits::kNotes);
    CHECK(r.notes_dropped > 3000);
    CHECK(r.notes.size() + r.notes_dropped >= 13900);  // ~14 s x 1,000, plus the fault's own note
    CHECK(to_json(r)["events_dropped"] == r.notes_dropped);
  }

  TEST_CASE(
      "every command that simulates checks the cost first, and --force is accepted by each (was: only run)") {
    TempDir d;
    // 9e10 events a run: each command refuses at once, naming what it would run.
    const std::string big =
        d.file("big.yaml", "duration: 100000h\nslo: {latency_p99: 1s}\n" + kTiny.substr(1));
    const std::string cmds[] = {
        "run '" + big + "' -n 3 --quiet", "sweep '" + big + "' --set api.workers=1,2 --quiet",
        "sweep '" + big + "' --find-min api.workers=1:8 --quiet",
        "compare '" + big + "' '" + big + "' --quiet", "check '" + big + "' --compare-run --json /dev/null"};
    for (const std::string& c : cmds) {
      INFO(c);
      const std::string cmd = std::string("'") + ARCHSIM_BINARY + "' " + c + " 2>&1 >/dev/null";
      FILE* p = ::popen(cmd.c_str(), "r");
      REQUIRE(p);
      std::string err;
      char buf[4096];
      std::size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) err.append(buf, n);
      const int status = ::pclose(p);
      CHECK(WEXITSTATUS(status) == 2);
      CHECK(err.find("would take about") != std::string::npos);
      CHECK(err.find("--force") != std::string::npos);
    }
    // The same commands, short: they run (the check lets a small batch through)
    // and --force is a flag of each.
    for (const std::string& c : cmds) {
      INFO(c);
      CHECK(run_cli(c + " --duration 2s --force") == 0);
    }
    CHECK(run_cli("run '" + big + "' --duration 2s -n 2 --quiet") == 0);
  }

  TEST_CASE("outputs of every command are checked before it simulates (was: found after the run)") {
    TempDir d;
    const std::string big =
        d.file("big.yaml", "duration: 100000h\nslo: {latency_p99: 1s}\n" + kTiny.substr(1));
    const std::string missing = (d.path / "missing" / "out.json").string();
    // The output is refused first (exit 2) even though the run is also far
    // over the budget and --force is given: nothing starts.
    CHECK(run_cli("run '" + big + "' -n 3 --force --json '" + missing + "' --quiet") == 2);
    CHECK(run_cli("run '" + big + "' -n 3 --force --report '" + big + "' --quiet") == 2);  // the input itself
    CHECK(run_cli("check '" + big + "' --compare-run --force --json '" + missing + "'") == 2);
    CHECK(run_cli("sweep '" + big + "' --set api.workers=1,2 --force --csv '" + missing + "' --quiet") == 2);
    CHECK(run_cli("compare '" + big + "' '" + big + "' --force --json '" + missing + "' --quiet") == 2);
#ifdef ARCHSIM_WITH_VIEW
    // render: before the display is even looked for.
    CHECK(run_cli("render '" + big + "' --force --out '" + (d.path / "missing" / "x.png").string() + "'") ==
          2);
    CHECK(run_cli("render '" + big + "' --out '" + (d.path / "x.png").string() + "'") == 2);  // the cost
#endif
    CHECK_FALSE(fs::exists(d.path / "missing"));
    // check --json through a link (to a file not there yet) writes the file it
    // points to; the link stays (was: replaced, as by run --json).
    const std::string small = d.file("small.yaml", kTiny.substr(1));
    const fs::path target = d.path / "target.json", link = d.path / "link.json";
    fs::create_symlink(target, link);
    CHECK(run_cli("check '" + small + "' --json '" + link.string() + "'") == 0);
    CHECK(fs::is_symlink(link));
    CHECK(slurp(target).find("\"components\"") != std::string::npos);
  }

  TEST_CASE("a scratch file for an encoder is removed with it") {
    std::string path;
    {
      const ScratchFile f(".png");
      path = f.path();
      CHECK(path.size() > 4);
      CHECK(path.substr(path.size() - 4) == ".png");
      std::ofstream(path) << "bytes";
      CHECK(f.read() == "bytes");
    }
    CHECK_FALSE(fs::exists(path));
  }

  TEST_CASE("SIGTERM during a run removes the temporaries") {
    TempDir d;
    const std::string p = d.file("long.yaml", "duration: 2000h\n" + kTiny.substr(1));
    const fs::path tl = d.path / "t.jsonl";
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(ARCHSIM_BINARY, "archsim", "run", p.c_str(), "--timeline", tl.c_str(), "--quiet", "--force",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Wait for the temporary to appear (it is created before simulating).
    bool seen = false;
    for (int i = 0; i < 3000 && !seen; ++i) {
      for (const auto& e : fs::directory_iterator(d.path))
        if (e.path().filename().string().find("t.jsonl.tmp") == 0) seen = true;
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(seen);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
    for (const auto& e : fs::directory_iterator(d.path))
      CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
    CHECK_FALSE(fs::exists(tl));
  }

  TEST_CASE("--partial: SIGINT stops the run and writes the result so far, marked partial") {
    TempDir d;
    const std::string p = d.file("long.yaml", "duration: 2000h\n" + kTiny.substr(1));
    const fs::path json = d.path / "r.json", tl = d.path / "t.jsonl";
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(ARCHSIM_BINARY, "archsim", "run", p.c_str(), "--json", json.c_str(), "--timeline", tl.c_str(),
              "--quiet", "--force", "--partial", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Once the timeline's temporary holds a tick, the run is under way.
    bool ticking = false;
    for (int i = 0; i < 3000 && !ticking; ++i) {
      for (const auto& e : fs::directory_iterator(d.path))
        if (e.path().filename().string().find("t.jsonl.tmp") == 0 &&
            slurp(e.path()).find("\"tick\"") != std::string::npos)
          ticking = true;
      if (!ticking) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(ticking);
    ::kill(pid, SIGINT);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGINT);
    const std::string out = slurp(json);
    CHECK(out.find("\"partial\": true") != std::string::npos);
    CHECK(fs::exists(tl));
    CHECK(slurp(tl).find("\"partial\":true") != std::string::npos);  // its result line
  }

  TEST_CASE("every input the fuzzer found a problem with loads or is refused, nothing else") {
    // tests/fuzz/regressions/: inputs kept from fuzz runs (scripts/fuzz.sh) and
    // the hand-made hostile ones of issue 14.
    const fs::path dir = fs::path(ARCHSIM_SOURCE_DIR) / "tests/fuzz/regressions";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (!e.is_regular_file() || e.path().filename() == "README.md") continue;
      INFO(e.path());
      ++n;
      try {
        ScenarioSpec s = load_scenario(e.path().string());
        s.duration = std::min(s.duration, 2.0);
        s.warmup = std::min(s.warmup, s.duration / 2);
        const auto est = estimate(s);
        if (est && run_cost(s, *est, true).events < 2e6) (void)simulate(s);
      } catch (const InputError& err) {
        CHECK(!err.diagnostics().empty());
      }
    }
    CHECK(n >= 1);
  }

}  // TEST_SUITE

TEST_SUITE("hardening") {
  TEST_CASE("run's exports are checked with its other outputs (was: --csv of the scenario replaced it)") {
    TempDir d;
    const std::string in = d.file("in.yaml", kTiny.substr(1) + "duration: 5s\n");
    const std::string missing = (d.path / "missing" / "m.txt").string();
    CHECK(run_cli("run '" + in + "' --csv '" + in + "' --quiet") == 2);  // was 0, the input overwritten
    CHECK(slurp(in) == kTiny.substr(1) + "duration: 5s\n");
    CHECK(run_cli("run '" + in + "' --metrics '" + missing + "' --quiet") == 2);  // was 1, after the run
    CHECK(run_cli("run '" + in + "' --traces '" + d.path.string() + "' --quiet") == 2);  // a folder
    const std::string same = (d.path / "same.txt").string();
    CHECK(run_cli("run '" + in + "' --metrics '" + same + "' --csv '" + same + "' --quiet") == 2);
    CHECK_FALSE(fs::exists(same));
    CHECK(run_cli("run '" + in + "' --metrics '" + same + "' --csv /dev/null --quiet") == 0);
    CHECK(slurp(same).find("# EOF") != std::string::npos);
  }

  TEST_CASE("--replications 0 is refused like 1 (was: a single run, the flag silently dropped)") {
    TempDir d;
    const std::string in = d.file("in.yaml", kTiny.substr(1) + "duration: 5s\n");
    const std::string json = (d.path / "r.json").string();
    CHECK(run_cli("run '" + in + "' -n 0 --json '" + json + "' --quiet") == 2);
    CHECK_FALSE(fs::exists(json));
    CHECK(run_cli("compare '" + in + "' '" + in + "' -n 0 --quiet") == 2);
    CHECK(run_cli("sweep '" + in + "' --set api.workers=1,2 -n 0 --quiet") == 2);
    CHECK(run_cli("run '" + in + "' -n 2 --json '" + json + "' --quiet") == 0);
  }
}

TEST_SUITE("hardening") {
  TEST_CASE("a graded run on another --backend is practice, not a verdict") {
    if (!simgrid_available()) {
      test::skip("built without SimGrid");
      return;
    }
    const std::string problem = std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/slow-endpoint/problem.yaml";
    std::string out;
    const int rc = run_cli("run '" + problem + "' --backend simgrid --json - --quiet", &out);
    REQUIRE(rc == 0);
    CHECK(out.find("\"practice\": \"backend simgrid, not the problem's fast\"") != std::string::npos);
    // The problem's own backend, named, changes nothing.
    CHECK(run_cli("run '" + problem + "' --backend fast --json - --quiet", &out) == 0);
    CHECK(out.find("\"practice\"") == std::string::npos);
  }
}

TEST_SUITE("hardening") {
  TEST_CASE("a sweep of a graded problem varies the design only (was: 'pass' at slo.latency_p99=100s)") {
    const std::string problem = std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/black-friday/problem.yaml";
    std::string out;
    CHECK(run_cli("sweep '" + problem + "' --set slo.latency_p99=100s,200s --json -", &out) == 2);
    CHECK(out.empty());  // nothing simulated, nothing written
    CHECK(run_cli("sweep '" + problem + "' --set api.replicas=4,6 --set traffic.shoppers.rate=10,20") == 2);
    CHECK(run_cli("sweep '" + problem + "' --find-min traffic.shoppers.rate=1:100") == 2);
  }
  TEST_CASE("grade hint check and sweep take a library problem and its design by name as run does") {
    std::string out;
    CHECK(run_cli("grade black-friday --design mitigated", &out) == 0);
    CHECK(out.find("PASS") != std::string::npos);
    CHECK(run_cli("hint black-friday --design naive", &out) == 0);
    CHECK(run_cli("check black-friday --design naive", &out) == 0);
    CHECK(out.find("valid") != std::string::npos);
    CHECK(run_cli("sweep black-friday --design mitigated --set api.replicas=4,6 --duration 40s --quiet") ==
          0);
    CHECK(run_cli("grade no-such-problem") == 2);
  }
  TEST_CASE("a sweep of a graded problem under another --duration is practice, as its grade is") {
    const std::string problem = std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/black-friday/problem.yaml";
    std::string out;
    REQUIRE(run_cli("sweep '" + problem + "' --set api.replicas=4,6 --duration 40s --json - --quiet", &out) ==
            0);
    CHECK(out.find("\"practice\": \"duration 40s, not the file's 8m\"") != std::string::npos);
    REQUIRE(run_cli("sweep '" + problem + "' --set api.replicas=4,6 --duration 40s", &out) == 0);
    CHECK(out.find("PRACTICE (duration 40s, not the file's 8m)") != std::string::npos);
    // The problem's own run: no such mark.
    const std::string mm1 = std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/mm1.yaml";
    REQUIRE(run_cli("sweep '" + mm1 + "' --set server.workers=1,2 --duration 2m --json - --quiet", &out) ==
            0);
    CHECK(out.find("\"practice\"") == std::string::npos);
  }
}

TEST_SUITE("hardening") {
  TEST_CASE("view and render: a bad --speed is the flag's error, before the display (was: 'no screen')") {
#ifdef ARCHSIM_WITH_VIEW
    const std::string mm1 = std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/mm1.yaml";
    for (const char* v : {"0", "-1", "nan", "inf"}) {
      INFO("--speed " << v);
      CHECK(run_cli("view '" + mm1 + "' --speed " + v) == 2);
    }
    CHECK(run_cli("render '" + mm1 + "' --out /dev/null --speed inf") == 2);
#else
    test::skip("built without the view");
#endif
  }
}
