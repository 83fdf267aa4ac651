#include "report/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <map>
#include <ostream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "archsim/diagnostics.hpp"
#include "archsim/output.hpp"
#include "ranks/ranks.hpp"
#include "report/wire.hpp"

namespace archsim::report {

namespace {

double r6(double x) {
  if (!std::isfinite(x) || x == 0) return x == 0 ? 0.0 : x;
  return std::stod(fmt::format("{:.6g}", x));
}

[[noreturn]] void bad_set(const std::string& set, const std::string& msg) {
  throw InputError({Diagnostic{"--set", {}, fmt::format("{}: {}", set, msg)}});
}

Point point_of(const Analysis& a, std::vector<double> x, std::vector<std::string> text, const Criterion& c) {
  Point p;
  p.x = std::move(x);
  p.text = std::move(text);
  p.result = a.result;
  p.cost = a.cost;
  if (!a.why.saturated.empty()) p.bottleneck = a.why.saturated.front().name;
  if (a.why.busiest >= 0) {
    p.busiest = a.result.components[static_cast<std::size_t>(a.why.busiest)].name;
    p.busiest_util = a.result.components[static_cast<std::size_t>(a.why.busiest)].utilization;
  }
  p.headline = a.why.headline;
  p.pass = c(a.result, a.cost);
  return p;
}

double error_rate(const RunResult& r) {
  const double done = static_cast<double>(r.completed + r.failed);
  return done > 0 ? static_cast<double>(r.failed) / done : 0.0;
}

/// The loaded spec of one point (its edits applied).
ScenarioSpec spec_at(const Documents& docs, const std::vector<Axis>& axes, const std::vector<double>& x) {
  std::vector<std::pair<Target, std::string>> edits;
  for (std::size_t k = 0; k < axes.size(); ++k) edits.emplace_back(axes[k].target, axes[k].text(x[k]));
  return load_edited(docs, edits);
}

SweepResult base_result(const Documents& docs, const std::vector<Axis>& axes, const Criterion& c) {
  SweepResult s;
  s.problem_path = docs.problem_path;
  s.design_path = docs.design_path;
  s.axes = axes;
  s.criterion = c;
  s.configs.push_back(docs.problem_text);
  if (!docs.design_path.empty()) s.configs.push_back(docs.design_text);
  return s;
}

}  // namespace

/// Runs f(i) for i in [0, n) on up to `jobs` threads. Each simulation is
/// single-threaded and shares nothing with the others.
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& f) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, n));
  if (jobs <= 1) {
    for (std::size_t i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> errors(jobs);
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < jobs; ++w)
    pool.emplace_back([&, w] {
      try {
        for (std::size_t i = next++; i < n; i = next++) f(i);
      } catch (...) {
        errors[w] = std::current_exception();
        next = n;
      }
    });
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

bool Criterion::operator()(const RunResult& r, const Cost& c) const {
  if (what == "slo") return r.slo_pass;
  if (what == "all") return r.slo_pass && c.within_budget();
  for (const SloCheck& s : r.slo)
    if (s.name == what) return s.pass;
  return false;
}

IntervalVerdict::Outcome Criterion::operator()(const Replications& r) const {
  auto out = IntervalVerdict::Outcome::Pass;
  for (const IntervalVerdict& v : r.verdicts) {
    const bool counts = what == "all" || (what == "slo" ? v.name != "budget" : v.name == what);
    if (!counts || v.outcome == IntervalVerdict::Outcome::Pass) continue;
    if (v.outcome == IntervalVerdict::Outcome::Fail) return v.outcome;
    out = v.outcome;
  }
  return out;
}

void Criterion::check(const ScenarioSpec& spec) const {
  if (what == "slo" || what == "all") {
    if (spec.slo.empty())
      throw InputError({Diagnostic{spec.file, {}, "--until: the scenario has no slo: nothing to pass"}});
    return;
  }
  std::vector<std::string> names = {"slo", "all"};
  for (const SloSpec& s : spec.slo) {
    if (s.key == what) return;
    names.push_back(s.key);
  }
  const std::string guess = did_you_mean(what, names);
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw InputError({Diagnostic{"--until",
                               {},
                               fmt::format("unknown criterion '{}': {}valid: {}", what,
                                           guess.empty() ? "" : "did you mean '" + guess + "'? ", list)}});
}

Axis parse_axis(const Documents& docs, const std::string& set) {
  const auto eq = set.find('=');
  if (eq == std::string::npos || eq == 0)
    bad_set(set, "expected PATH=FROM:TO:STEP (e.g. api.replicas=2:20:2) or PATH=A,B,C");
  Axis a;
  a.target = locate(docs, set.substr(0, eq));
  const std::string range = set.substr(eq + 1);
  std::vector<std::string> parts;
  const char sep = range.find(':') != std::string::npos ? ':' : ',';
  {
    std::string cur;
    for (char ch : range) {
      if (ch == sep) {
        parts.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    parts.push_back(cur);
  }
  if (sep == ':' && parts.size() != 3) bad_set(set, "expected FROM:TO:STEP, e.g. 2:20:2");
  std::vector<double> nums;
  std::string unit;
  bool have_unit = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto n = split_number(parts[i]);
    if (!n || !std::isfinite(n->first)) bad_set(set, fmt::format("'{}' is not a number", parts[i]));
    // The value is written into the file's text: a unit is letters, '/' or
    // '%' only, never a comment, a quote or a new line spliced in.
    if (n->second.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/%") !=
        std::string::npos)
      bad_set(set, fmt::format("'{}' is not a number with a unit (a unit has letters, '/' and '%' only)",
                               parts[i]));
    if (!n->second.empty()) {
      if (have_unit && n->second != unit)
        bad_set(set, fmt::format("the values use different units ('{}' and '{}'): use one", unit, n->second));
      unit = n->second;
      have_unit = true;
    }
    nums.push_back(n->first);
  }
  if (!have_unit && a.target.exists) {
    // Bare numbers take the unit the file uses here, without its multiplier.
    if (const auto cur = split_number(a.target.current)) {
      unit = cur->second;
      if (unit.size() >= 2 && (unit[0] == 'k' || unit[0] == 'K' || unit[0] == 'M' || unit[0] == 'G') &&
          unit[1] == '/')
        unit = unit.substr(1);
    } else {
      bad_set(set, fmt::format("the file writes '{}' here, which is not a number: sweep a plain value",
                               a.target.current));
    }
  }
  a.unit = unit;
  if (sep == ':') {
    const double from = nums[0], to = nums[1], step = nums[2];
    if (!(step > 0)) bad_set(set, "the step must be positive");
    if (to < from) bad_set(set, "FROM must not be above TO");
    const auto n = static_cast<std::size_t>(std::floor((to - from) / step + 1e-9)) + 1;
    if (n > 10000) bad_set(set, fmt::format("{} values: use a larger step", n));
    for (std::size_t i = 0; i < n; ++i) a.values.push_back(from + static_cast<double>(i) * step);
  } else {
    a.values = nums;
  }
  return a;
}

namespace {

std::vector<std::string> texts_of(const std::vector<Axis>& axes, const std::vector<double>& x) {
  std::vector<std::string> text;
  for (std::size_t k = 0; k < axes.size() && k < x.size(); ++k) text.push_back(axes[k].text(x[k]));
  return text;
}

/// Runs every point (and each point's replications) on `jobs` threads.
std::vector<Point> run_points(const std::vector<ScenarioSpec>& specs,
                              const std::vector<std::vector<double>>& xs, const std::vector<Axis>& axes,
                              const Criterion& c, const Repeat& rep, unsigned jobs) {
  const std::size_t per = std::max<std::size_t>(rep.n, 1);
  std::vector<Point> pts(specs.size());
  std::vector<std::vector<Replica>> reps(specs.size(), std::vector<Replica>(rep.n));
  // Item k is replication k % per of point k / per; the items are shared out
  // over MPI ranks (sim/ranks), each rank's on `jobs` threads.
  const std::vector<nlohmann::json> done =
      ranks::map(specs.size() * per, [&](const std::vector<std::size_t>& mine) {
        std::vector<nlohmann::json> out(mine.size());
        parallel_for(mine.size(), jobs, [&](std::size_t m) {
          const std::size_t k = mine[m], i = k / per, r = k % per;
          ScenarioSpec s = specs[i];
          if (rep.n) s.seed = replication_seed(specs[i].seed, r);
          const Analysis a = run_analysed(s);
          if (rep.n) out[m]["replica"] = replica_to_wire(Replica{s.seed, a.result, a.cost});
          if (r == 0) out[m]["point"] = point_to_wire(point_of(a, xs[i], texts_of(axes, xs[i]), c));
        });
        return out;
      });
  for (std::size_t k = 0; k < done.size(); ++k) {
    const std::size_t i = k / per, r = k % per;
    if (rep.n) reps[i][r] = replica_from_wire(done[k].at("replica"));
    if (r == 0) pts[i] = point_from_wire(done[k].at("point"));
  }
  if (rep.n)
    for (std::size_t i = 0; i < specs.size(); ++i) {
      pts[i].reps = summarise(specs[i], std::move(reps[i]), rep.confidence);
      pts[i].verdict = c(*pts[i].reps);
      pts[i].pass = pts[i].verdict == IntervalVerdict::Outcome::Pass;
    }
  return pts;
}

}  // namespace

std::vector<Analysis> run_parallel(const std::vector<ScenarioSpec>& specs, unsigned jobs) {
  std::vector<Analysis> out(specs.size());
  parallel_for(specs.size(), jobs, [&](std::size_t i) { out[i] = run_analysed(specs[i]); });
  return out;
}

std::vector<std::vector<double>> grid_of(const std::vector<Axis>& axes) {
  std::vector<std::vector<double>> grid = {{}};
  for (const Axis& a : axes) {
    std::vector<std::vector<double>> next;
    for (const auto& g : grid)
      for (double v : a.values) {
        next.push_back(g);
        next.back().push_back(v);
      }
    grid = std::move(next);
  }
  return grid;
}

std::vector<ScenarioSpec> grid_specs(const Documents& docs, const std::vector<Axis>& axes) {
  std::vector<ScenarioSpec> specs;
  for (const auto& x : grid_of(axes)) specs.push_back(spec_at(docs, axes, x));
  return specs;
}

std::size_t find_min_probes(double lo, std::optional<double> hi, unsigned jobs) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  // As find_min searches: both ends (or doubling from lo up to 2^20), then
  // rounds of `jobs` values, each cutting the gap to a (jobs + 1)th.
  constexpr long long kLimit = 1 << 20;
  const long long low = static_cast<long long>(std::ceil(lo));
  std::size_t n = 0;
  long long gap = 0;
  if (hi) {
    n = 2;
    gap = static_cast<long long>(std::floor(*hi)) - low;
  } else {
    long long x = std::max<long long>(low, 1);
    for (; x <= kLimit; x *= 2) ++n;
    gap = std::max<long long>(kLimit / 2, 1);
  }
  while (gap > 1) {
    n += jobs;
    gap = (gap + static_cast<long long>(jobs)) / (static_cast<long long>(jobs) + 1);
  }
  return n;
}

SweepResult run_sweep(const Documents& docs, const std::vector<Axis>& axes, const Criterion& c, unsigned jobs,
                      const Repeat& repeat) {
  SweepResult s = base_result(docs, axes, c);
  s.replications = repeat.n;
  s.confidence = repeat.confidence;
  const std::vector<std::vector<double>> grid = grid_of(axes);
  // Load every point first: a bad value stops the sweep before it runs.
  const std::vector<ScenarioSpec> specs = grid_specs(docs, axes);
  if (!specs.empty()) {
    s.scenario = specs.front().name;
    s.seed = specs.front().seed;
    // A grid needs no pass criterion: without SLOs it is a table of figures.
    if (specs.front().slo.empty() && c.what == "slo") s.judged = false;
    else c.check(specs.front());
  }
  s.points = run_points(specs, grid, axes, c, repeat, jobs);
  return s;
}

namespace {

// What a capacity search found: the smallest passing value, what the
// largest failing one failed, and a pass below it (not monotone here).
void write_search_note(SweepResult& s, const std::map<long long, Point>& seen, const Axis& axis,
                       const Criterion& c, long long pass, long long fail, long long low,
                       std::optional<double> hi) {
  if (pass >= 0) {
    s.found = static_cast<double>(pass);
    s.search_note = fmt::format("smallest {} that passes {}: {}", axis.target.path,
                                c.what == "slo"   ? "every SLO"
                                : c.what == "all" ? "every SLO and the budget"
                                                  : c.what,
                                axis.text(static_cast<double>(pass)));
    if (fail >= low) {
      const Point& f = seen.at(fail);
      std::string why;
      if (f.reps) {
        // On intervals: the objectives that did not surely pass, and how.
        for (const IntervalVerdict& v : f.reps->verdicts)
          if (v.outcome != IntervalVerdict::Outcome::Pass)
            why += (why.empty() ? "" : ", ") + v.name + " " + outcome_text(v.outcome);
      } else {
        for (const SloCheck& k : f.result.slo)
          if (!k.pass) why += (why.empty() ? "" : ", ") + k.name;
        if (!f.cost.within_budget()) why += (why.empty() ? "" : ", ") + std::string("budget");
      }
      s.search_note +=
          fmt::format(" ({} fails: {})", axis.text(static_cast<double>(fail)), why.empty() ? "?" : why);
    }
    if (s.replications)
      s.search_note += fmt::format(
          " [{} replications per value; passing means every interval ({:g}%) is on the "
          "passing side; inconclusive counts as not passing]",
          s.replications, s.confidence * 100);
    // A pass below a failure means the parameter is not monotone here.
    for (auto& [x, p] : seen)
      if (p.pass && x < pass)
        s.search_note += "; note: " + axis.text(static_cast<double>(x)) + " also passes";
  } else {
    s.search_note = hi ? fmt::format("no value of {} up to {} passes", axis.target.path, axis.text(*hi))
                       : fmt::format("no value of {} up to {} passes", axis.target.path,
                                     axis.text(static_cast<double>(fail)));
  }
}

}  // namespace

SweepResult find_min(const Documents& docs, Axis axis, double lo, std::optional<double> hi,
                     const Criterion& c, unsigned jobs, const Repeat& repeat) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  jobs = ranks::from_rank0(jobs);  // the rounds, and so the points seen, follow rank 0's machine
  SweepResult s = base_result(docs, {axis}, c);
  s.replications = repeat.n;
  s.confidence = repeat.confidence;
  std::map<long long, Point> seen;
  const ScenarioSpec first = spec_at(docs, s.axes, {lo});
  s.scenario = first.name;
  s.seed = first.seed;
  c.check(first);

  auto evaluate = [&](std::vector<long long> xs) {
    std::vector<long long> todo;
    for (long long x : xs)
      if (!seen.count(x) && std::find(todo.begin(), todo.end(), x) == todo.end()) todo.push_back(x);
    std::vector<ScenarioSpec> specs;
    for (long long x : todo) specs.push_back(spec_at(docs, s.axes, {static_cast<double>(x)}));
    std::vector<std::vector<double>> grid;
    for (long long x : todo) grid.push_back({static_cast<double>(x)});
    const std::vector<Point> pts = run_points(specs, grid, s.axes, c, repeat, jobs);
    for (std::size_t i = 0; i < todo.size(); ++i) seen[todo[i]] = pts[i];
  };
  auto passes = [&](long long x) { return seen.at(x).pass; };

  long long low = static_cast<long long>(std::ceil(lo));
  long long fail = low - 1;  // the largest value known to fail (low - 1: none tested)
  long long pass = -1;       // the smallest value known to pass
  constexpr long long kLimit = 1 << 20;
  if (hi) {
    const long long high = static_cast<long long>(std::floor(*hi));
    evaluate({low, high});
    if (passes(low)) pass = low;
    else if (!passes(high)) fail = high;
    else fail = low, pass = high;
  } else {
    // Double until one passes, a few values per round.
    long long x = std::max<long long>(low, 1);
    while (pass < 0 && x <= kLimit) {
      std::vector<long long> round;
      for (unsigned k = 0; k < jobs && x <= kLimit; ++k, x *= 2) round.push_back(x);
      evaluate(round);
      for (long long v : round) {
        if (passes(v)) {
          pass = v;
          break;
        }
        fail = v;
      }
    }
  }
  // Narrow (fail, pass) with `jobs` evenly spaced points per round.
  while (pass >= 0 && pass - fail > 1) {
    std::vector<long long> round;
    const long long gap = pass - fail;
    for (unsigned k = 1; k <= jobs; ++k) {
      const long long v = fail + gap * k / (jobs + 1);
      if (v > fail && v < pass) round.push_back(v);
    }
    if (round.empty()) round.push_back(fail + 1);
    evaluate(round);
    std::sort(round.begin(), round.end());
    for (long long v : round) {
      if (passes(v)) {
        pass = std::min(pass, v);
        break;
      }
      fail = std::max(fail, v);
    }
  }
  for (auto& [x, p] : seen) {
    s.points.push_back(p);
    s.axes[0].values.push_back(static_cast<double>(x));
  }
  write_search_note(s, seen, axis, c, pass, fail, low, hi);
  return s;
}

namespace {

/// The figure's interval of a replicated point, e.g. "41.2 ± 2.1 ms".
std::string interval_text(const Point& p, const std::string& name) {
  for (const NamedInterval& f : p.reps->figures)
    if (f.name == name) return format_interval(f);
  return "-";
}

/// "pass", "fail", or "inconclusive (n~40)": the replications that would settle it.
std::string verdict_text(const Point& p) {
  if (p.verdict != IntervalVerdict::Outcome::Inconclusive) return outcome_text(p.verdict);
  std::size_t need = 0;
  for (const IntervalVerdict& v : p.reps->verdicts)
    if (v.outcome == IntervalVerdict::Outcome::Inconclusive && v.needed) need = std::max(need, *v.needed);
  return need ? fmt::format("inconclusive (n~{})", need) : "inconclusive";
}

void print_replicated_sweep(std::ostream& out, const SweepResult& s) {
  fmt::print(
      out,
      "{} ({} replications per point, seeds derived from {}, {:g}% confidence intervals, {} point{})\n\n",
      s.scenario, s.replications, s.seed, s.confidence * 100, s.points.size(),
      s.points.size() == 1 ? "" : "s");
  for (const Axis& a : s.axes) fmt::print(out, "{:>14}  ", a.target.path);
  fmt::print(out, "{:<24} {:>22} {:>22} {:>18}\n", "verdict", "p50", "p99", "error rate");
  for (const Point& p : s.points) {
    for (const auto& t : p.text) fmt::print(out, "{:>14}  ", t);
    const bool found = s.found && !p.x.empty() && p.x[0] == *s.found;
    fmt::print(out, "{:<24} {:>22} {:>22} {:>18}{}\n", verdict_text(p), interval_text(p, "latency_p50"),
               interval_text(p, "latency_p99"), interval_text(p, "error_rate"),
               found ? "   <- smallest passing" : "");
  }
  if (!s.search_note.empty()) fmt::print(out, "\n{}\n", s.search_note);
}

}  // namespace

void print_sweep(std::ostream& out, const SweepResult& s) {
  if (s.replications) return print_replicated_sweep(out, s);
  fmt::print(out, "{} (seed {} for every point", s.scenario, s.seed);
  fmt::print(out, ", {} point{})\n\n", s.points.size(), s.points.size() == 1 ? "" : "s");
  std::vector<std::string> heads;
  std::vector<std::size_t> widths;
  for (const Axis& a : s.axes) {
    heads.push_back(a.target.path);
    std::size_t w = a.target.path.size();
    for (const Point& p : s.points)
      for (const auto& t : p.text) w = std::max(w, t.size());
    widths.push_back(w);
  }
  for (std::size_t k = 0; k < heads.size(); ++k) fmt::print(out, "{:>{}}  ", heads[k], widths[k]);
  fmt::print(out, "{:<7} {:>10} {:>9} {:>9} {:>8} {:>10}  {}\n", "verdict", "req/s", "p50", "p99", "errors",
             "cost", "bottleneck (or busiest)");
  for (const Point& p : s.points) {
    for (std::size_t k = 0; k < p.text.size(); ++k) fmt::print(out, "{:>{}}  ", p.text[k], widths[k]);
    const bool found = s.found && !p.x.empty() && p.x[0] == *s.found;
    fmt::print(out, "{:<7} {:>10.1f} {:>9} {:>9} {:>7.2f}% {:>10}  {}{}\n",
               !s.judged ? "-"
               : p.pass  ? "pass"
                         : "FAIL",
               p.result.throughput_rps, human_duration(p.result.latency.p50),
               human_duration(p.result.latency.p99), error_rate(p.result) * 100,
               format_price(p.cost.per_hour),
               !p.bottleneck.empty()
                   ? p.bottleneck + " saturated"
                   : (p.busiest.empty() ? "-" : fmt::format("{} {:.0f}%", p.busiest, p.busiest_util * 100)),
               found ? "   <- smallest passing" : "");
  }
  if (!s.search_note.empty()) fmt::print(out, "\n{}\n", s.search_note);
  if (!s.judged) fmt::print(out, "\nno verdicts: the scenario has no slo\n");
}

void write_sweep_csv(std::ostream& out, const SweepResult& s) {
  for (const Axis& a : s.axes) out << a.target.path << ',';
  out << "pass,slo_pass,throughput_rps,latency_mean_ms,latency_p50_ms,latency_p99_ms,error_rate,failed,cost_"
         "per_hour";
  std::vector<std::string> slos;
  if (!s.points.empty())
    for (const SloCheck& c : s.points.front().result.slo) slos.push_back(c.name);
  for (const auto& n : slos) out << ",slo_" << n;
  out << ",bottleneck,busiest,busiest_utilization\n";
  for (const Point& p : s.points) {
    for (double x : p.x) out << format_number(x) << ',';
    const RunResult& r = p.result;
    out << (p.pass ? "true" : "false") << ',' << (r.slo_pass ? "true" : "false") << ','
        << r6(r.throughput_rps) << ',' << r6(r.latency.mean * 1e3) << ',' << r6(r.latency.p50 * 1e3) << ','
        << r6(r.latency.p99 * 1e3) << ',' << r6(error_rate(r)) << ',' << r.failed << ','
        << r6(p.cost.per_hour);
    for (const auto& n : slos) {
      std::string v;
      for (const SloCheck& c : r.slo)
        if (c.name == n) v = c.pass ? "pass" : "fail";
      out << ',' << v;
    }
    out << ',' << p.bottleneck << ',' << p.busiest << ',' << r6(p.busiest_util) << '\n';
  }
}

nlohmann::ordered_json sweep_json(const SweepResult& s) {
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["seed"] = s.seed;
  nlohmann::ordered_json axes = nlohmann::ordered_json::array();
  for (const Axis& a : s.axes) {
    std::vector<double> v;
    for (double x : a.values) v.push_back(r6(x));
    axes.push_back({{"path", a.target.path}, {"unit", a.unit}, {"values", v}});
  }
  j["parameters"] = axes;
  j["criterion"] = s.criterion.what;
  if (s.replications) {
    j["replications"] = s.replications;
    j["confidence"] = s.confidence;
  }
  if (s.found || !s.search_note.empty()) {
    j["find_min"] = {
        {"found", s.found ? nlohmann::ordered_json(r6(*s.found)) : nlohmann::ordered_json(nullptr)},
        {"note", s.search_note}};
  }
  nlohmann::ordered_json pts = nlohmann::ordered_json::array();
  for (const Point& p : s.points) {
    nlohmann::ordered_json pj;
    nlohmann::ordered_json set = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < s.axes.size() && k < p.text.size(); ++k)
      set[s.axes[k].target.path] = p.text[k];
    pj["set"] = set;
    pj["pass"] = p.pass;
    pj["bottleneck"] = p.bottleneck;
    pj["explanation"] = p.headline;
    nlohmann::ordered_json r = to_json_deterministic(p.result);
    r.erase("scenario");
    r.erase("seed");
    r["cost_per_hour"] = r6(p.cost.per_hour);
    pj["result"] = r;
    if (p.reps) {
      // The intervals and verdict over the point's replications (result: replication 1).
      const nlohmann::ordered_json rj = replications_json(*p.reps);
      pj["verdict"] = outcome_text(p.verdict);
      pj["ci"] = rj["ci"];
      pj["slo"] = rj["slo"];
    }
    pts.push_back(pj);
  }
  j["points"] = pts;
  return j;
}

}  // namespace archsim::report
