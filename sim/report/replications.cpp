#include "report/replications.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <boost/math/distributions/students_t.hpp>

#include "archsim/diagnostics.hpp"
#include "archsim/output.hpp"
#include "ranks/ranks.hpp"
#include "report/analysis.hpp"
#include "report/html.hpp"
#include "report/sweep.hpp"
#include "report/wire.hpp"

namespace archsim::report {

namespace {

/// Six significant digits: JSON that reads well and compares byte for byte.
double r6(double x) {
  if (!std::isfinite(x) || x == 0) return x == 0 ? 0.0 : x;
  return std::stod(fmt::format("{:.6g}", x));
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Scales a figure for print: seconds to a unit chosen from the mean.
struct Scaled {
  double factor;
  const char* suffix;
};
Scaled scale_for(const std::string& unit, double mean) {
  if (unit == "s") {
    const double a = std::abs(mean);
    if (a < 0.9995e-3) return {1e6, " us"};
    if (a < 0.9995) return {1e3, " ms"};
    return {1, " s"};
  }
  if (unit == "%") return {100, "%"};
  if (unit == "/s") return {1, "/s"};
  if (unit == "USD/h") return {1, " $/h"};
  return {1, ""};
}

Replica replica_of(const ScenarioSpec& spec) {
  Analysis a = run_analysed(spec);
  Replica r;
  r.seed = spec.seed;
  r.result = std::move(a.result);
  r.cost = std::move(a.cost);
  return r;
}

std::vector<NamedInterval> headline_figures(const std::vector<Replica>& runs, double c) {
  using LS = LatencyStats;
  std::vector<NamedInterval> out;
  const std::pair<const char*, double LS::*> lat[] = {{"latency_mean", &LS::mean},
                                                      {"latency_p50", &LS::p50},
                                                      {"latency_p99", &LS::p99},
                                                      {"latency_p999", &LS::p999}};
  for (const auto& [name, field] : lat)
    out.push_back(
        {name, "s", interval_over(runs, c, [f = field](const Replica& r) { return r.result.latency.*f; })});
  out.push_back(
      {"throughput", "/s", interval_over(runs, c, [](const Replica& r) { return r.result.throughput_rps; })});
  out.push_back(
      {"error_rate", "%", interval_over(runs, c, [](const Replica& r) { return error_rate_of(r.result); })});
  out.push_back(
      {"cost_per_hour", "USD/h", interval_over(runs, c, [](const Replica& r) { return r.cost.per_hour; })});
  return out;
}

std::vector<NamedInterval> utilizations(const std::vector<Replica>& runs, double c) {
  std::vector<NamedInterval> out;
  if (runs.empty()) return out;
  const auto& first = runs.front().result.components;
  for (std::size_t k = 0; k < first.size(); ++k) {
    if (first[k].workers <= 0) continue;  // a balancer has no workers to be busy
    out.push_back({first[k].name, "%", interval_over(runs, c, [k](const Replica& r) {
                     return k < r.result.components.size() ? r.result.components[k].utilization : 0.0;
                   })});
  }
  return out;
}

std::vector<IntervalVerdict> verdicts_of(const std::vector<Replica>& runs, double c) {
  std::vector<IntervalVerdict> out;
  if (runs.empty()) return out;
  const RunResult& first = runs.front().result;
  for (std::size_t k = 0; k < first.slo.size(); ++k) {
    const SloCheck& s = first.slo[k];
    const Interval i = interval_over(runs, c, [k](const Replica& r) { return r.result.slo[k].actual; });
    IntervalVerdict v = judge(s.name, s.target, s.higher_is_better, i);
    // A replication with no successful request failed a latency SLO outright
    // (its actual 0 is no value): the SLO fails, however low the interval.
    for (const Replica& r : runs)
      if (k < r.result.slo.size() && !r.result.slo[k].measured) {
        v.outcome = IntervalVerdict::Outcome::Fail;
        v.needed.reset();
      }
    out.push_back(v);
  }
  if (const auto& b = runs.front().cost.budget)
    out.push_back(
        judge("budget", *b, false, interval_over(runs, c, [](const Replica& r) { return r.cost.per_hour; })));
  return out;
}

std::string verdict_value(const IntervalVerdict& v) {
  if (v.name == "budget") return format_interval({v.name, "USD/h", v.actual});
  if (v.name == "error_rate") return format_interval({v.name, "%", v.actual});
  if (v.name == "throughput_min") return format_interval({v.name, "/s", v.actual});
  return format_interval({v.name, "s", v.actual});
}

std::string target_text(const IntervalVerdict& v) {
  const std::string unit = v.name == "budget"           ? "USD/h"
                           : v.name == "error_rate"     ? "%"
                           : v.name == "throughput_min" ? "/s"
                                                        : "s";
  const Scaled s = scale_for(unit, v.target);
  return fmt::format("{}{:.4g}{}", v.higher_is_better ? ">= " : "<= ", v.target * s.factor, s.suffix);
}

}  // namespace

double t_quantile(double confidence, double dof) {
  const boost::math::students_t t(dof);
  return boost::math::quantile(t, 0.5 + confidence / 2);
}

Interval interval_of(const std::vector<double>& xs, double confidence) {
  Interval i;
  i.n = xs.size();
  i.confidence = confidence;
  if (xs.empty()) return i;
  double sum = 0;
  for (double x : xs) sum += x;
  i.mean = sum / static_cast<double>(i.n);
  if (i.n < 2) return i;
  // Identical samples (a price, no failures): no spread, not rounding noise.
  if (std::all_of(xs.begin(), xs.end(), [&](double x) { return x == xs.front(); })) {
    i.mean = xs.front();
    return i;
  }
  double ss = 0;
  for (double x : xs) ss += (x - i.mean) * (x - i.mean);
  const double sd = std::sqrt(ss / static_cast<double>(i.n - 1));
  i.half_width =
      t_quantile(confidence, static_cast<double>(i.n - 1)) * sd / std::sqrt(static_cast<double>(i.n));
  return i;
}

std::uint64_t replication_seed(std::uint64_t base, std::size_t i) {
  return splitmix64(splitmix64(base) ^ static_cast<std::uint64_t>(i));
}

void check_replication_flags(std::size_t n, double confidence) {
  std::vector<Diagnostic> d;
  if (n < 2 || n > 100000)
    d.push_back({"--replications",
                 {},
                 fmt::format("{}: expected a whole number from 2 to 100000 (an interval needs "
                             "at least two replications)",
                             n)});
  if (!(confidence > 0 && confidence < 1))
    d.push_back(
        {"--confidence", {}, fmt::format("{}: expected a level between 0 and 1, e.g. 0.95", confidence)});
  if (!d.empty()) throw InputError(std::move(d));
}

std::string outcome_text(IntervalVerdict::Outcome o) {
  switch (o) {
    case IntervalVerdict::Outcome::Pass: return "pass";
    case IntervalVerdict::Outcome::Fail: return "fail";
    case IntervalVerdict::Outcome::Inconclusive: break;
  }
  return "inconclusive";
}

IntervalVerdict judge(const std::string& name, double target, bool higher_is_better, const Interval& actual) {
  IntervalVerdict v{name,        target, higher_is_better, actual, IntervalVerdict::Outcome::Inconclusive,
                    std::nullopt};
  const bool good_side = higher_is_better ? actual.lo() >= target : actual.hi() <= target;
  const bool bad_side = higher_is_better ? actual.hi() < target : actual.lo() > target;
  if (good_side) v.outcome = IntervalVerdict::Outcome::Pass;
  else if (bad_side) v.outcome = IntervalVerdict::Outcome::Fail;
  const double gap = std::abs(actual.mean - target);
  if (v.outcome == IntervalVerdict::Outcome::Inconclusive && gap > 0) {
    const double r = actual.half_width / gap;
    v.needed = static_cast<std::size_t>(
        std::ceil(static_cast<double>(actual.n) * r * r - 1e-9));  // not 41 for 40.000001
  }
  return v;
}

IntervalVerdict::Outcome Replications::overall() const {
  auto o = IntervalVerdict::Outcome::Pass;
  for (const IntervalVerdict& v : verdicts) {
    if (v.outcome == IntervalVerdict::Outcome::Fail) return v.outcome;
    if (v.outcome == IntervalVerdict::Outcome::Inconclusive) o = v.outcome;
  }
  return o;
}

double error_rate_of(const RunResult& r) {
  const double done = static_cast<double>(r.completed + r.failed);
  return done > 0 ? static_cast<double>(r.failed) / done : 0.0;
}

Replications summarise(const ScenarioSpec& spec, std::vector<Replica> runs, double confidence) {
  Replications out;
  out.scenario = spec.name;
  out.file = spec.file;
  out.seed = spec.seed;
  out.confidence = confidence;
  out.sim_time_s = spec.duration;
  out.warmup_s = spec.warmup;
  out.runs = std::move(runs);
  out.figures = headline_figures(out.runs, confidence);
  out.utilization = utilizations(out.runs, confidence);
  out.verdicts = verdicts_of(out.runs, confidence);
  return out;
}

Replications replicate(const ScenarioSpec& spec, std::size_t n, double confidence, unsigned jobs) {
  // Shared out over MPI ranks (sim/ranks), each rank's on `jobs` threads.
  const std::vector<nlohmann::json> done = ranks::map(n, [&](const std::vector<std::size_t>& mine) {
    std::vector<nlohmann::json> out(mine.size());
    parallel_for(mine.size(), jobs, [&](std::size_t m) {
      ScenarioSpec s = spec;
      s.seed = replication_seed(spec.seed, mine[m]);
      out[m] = replica_to_wire(replica_of(s));
    });
    return out;
  });
  std::vector<Replica> runs;
  for (const nlohmann::json& j : done) runs.push_back(replica_from_wire(j));
  return summarise(spec, std::move(runs), confidence);
}

nlohmann::ordered_json ci_json(const Interval& i) {
  return {{"mean", r6(i.mean)}, {"half_width", r6(i.half_width)}, {"n", i.n}, {"confidence", i.confidence}};
}

std::string format_interval(const NamedInterval& f) {
  // The unit follows the larger of the two, so that neither needs an exponent.
  const Scaled s = scale_for(f.unit, std::max(std::abs(f.value.mean), f.value.half_width));
  const double hw = f.value.half_width * s.factor;
  return fmt::format("{:.4g} ± {}{}", f.value.mean * s.factor,
                     hw >= 100 ? fmt::format("{:.0f}", hw) : fmt::format("{:.2g}", hw), s.suffix);
}

nlohmann::ordered_json replications_json(const Replications& r) {
  using J = nlohmann::ordered_json;
  J j;
  j["scenario"] = r.scenario;
  j["file"] = r.file;
  j["seed"] = r.seed;
  j["replications"] = r.runs.size();
  j["confidence"] = r.confidence;
  j["sim_time_s"] = r6(r.sim_time_s);
  j["warmup_s"] = r6(r.warmup_s);
  J ci = J::object();
  for (const NamedInterval& f : r.figures) {
    // Latencies in milliseconds, as in a single run's JSON.
    const bool ms = f.unit == "s";
    Interval v = f.value;
    if (ms) v.mean *= 1e3, v.half_width *= 1e3;
    ci[f.name + (ms ? "_ms" : f.name == "throughput" ? "_rps" : "")] = ci_json(v);
  }
  J util = J::object();
  for (const NamedInterval& u : r.utilization) util[u.name] = ci_json(u.value);
  ci["utilization"] = util;
  j["ci"] = ci;
  J slo = J::array();
  for (const IntervalVerdict& v : r.verdicts) {
    // Units as in a single run's slo checks: latencies in ms.
    const bool ms = v.name.rfind("latency", 0) == 0;
    const char* unit = ms                           ? "ms"
                       : v.name == "error_rate"     ? "fraction"
                       : v.name == "throughput_min" ? "rps"
                                                    : "USD/h";
    Interval a = v.actual;
    if (ms) a.mean *= 1e3, a.half_width *= 1e3;
    J s = {{"name", v.name},
           {"target", r6(ms ? v.target * 1e3 : v.target)},
           {"unit", unit},
           {"actual", ci_json(a)},
           {"verdict", outcome_text(v.outcome)}};
    s["replications_needed"] = v.needed ? J(*v.needed) : J(nullptr);
    slo.push_back(s);
  }
  j["slo"] = slo;
  j["verdict"] = outcome_text(r.overall());
  J runs = J::array();
  for (const Replica& x : r.runs) {
    J one = to_json_deterministic(x.result);
    one.erase("scenario");
    one.erase("file");
    one["cost_per_hour"] = r6(x.cost.per_hour);
    runs.push_back(one);
  }
  j["runs"] = runs;
  return j;
}

void print_replications(std::ostream& out, const Replications& r) {
  fmt::print(out,
             "{}: {} replications of {} simulated (warm-up {}), base seed {}, {:g}% confidence intervals\n\n",
             r.scenario, r.runs.size(), human_duration(r.sim_time_s), human_duration(r.warmup_s), r.seed,
             r.confidence * 100);
  if (!r.verdicts.empty()) {
    fmt::print(out, "SLOs: {}\n",
               r.overall() == IntervalVerdict::Outcome::Pass   ? "pass"
               : r.overall() == IntervalVerdict::Outcome::Fail ? "FAIL"
                                                               : "INCONCLUSIVE");
    for (const IntervalVerdict& v : r.verdicts) {
      std::string note;
      if (v.outcome == IntervalVerdict::Outcome::Inconclusive)
        note = v.needed ? fmt::format(
                              "  (the interval straddles the target; about {} replications would settle it)",
                              *v.needed)
                        : "  (the mean is on the target: more replications will not settle it)";
      fmt::print(out, "  {:<14} {:<13} {:<24} {}{}\n", v.name, target_text(v), verdict_value(v),
                 outcome_text(v.outcome), note);
    }
    fmt::print(out, "\n");
  }
  for (const NamedInterval& f : r.figures) fmt::print(out, "  {:<14} {}\n", f.name, format_interval(f));
  if (!r.utilization.empty()) {
    fmt::print(out, "\n  utilisation\n");
    for (const NamedInterval& u : r.utilization)
      fmt::print(out, "    {:<12} {}\n", u.name, format_interval(u));
  }
}

Paired compare_replicated(const ScenarioSpec& a, const ScenarioSpec& b, std::size_t n, double confidence,
                          unsigned jobs) {
  // Item k is replication k / 2 of A (k even) or B (k odd), shared out over
  // MPI ranks (sim/ranks), each rank's on `jobs` threads.
  const std::vector<nlohmann::json> done = ranks::map(2 * n, [&](const std::vector<std::size_t>& mine) {
    std::vector<nlohmann::json> out(mine.size());
    parallel_for(mine.size(), jobs, [&](std::size_t m) {
      const std::size_t k = mine[m];
      ScenarioSpec s = k % 2 == 0 ? a : b;
      s.seed = replication_seed(a.seed, k / 2);  // common random numbers: the same seed for both
      out[m] = replica_to_wire(replica_of(s));
    });
    return out;
  });
  std::vector<Replica> ra(n), rb(n);
  for (std::size_t k = 0; k < done.size(); ++k) (k % 2 == 0 ? ra : rb)[k / 2] = replica_from_wire(done[k]);
  Paired p;
  p.a = summarise(a, std::move(ra), confidence);
  p.b = summarise(b, std::move(rb), confidence);
  // fa of A's replica i against fb of B's replica i.
  auto paired2 = [&](const std::string& name, const std::string& unit, auto fa, auto fb) {
    std::vector<double> d;
    for (std::size_t i = 0; i < n; ++i) d.push_back(fb(p.b.runs[i]) - fa(p.a.runs[i]));
    PairedDifference x{{name, unit, interval_of(d, confidence)}, false};
    x.significant = x.diff.value.lo() > 0 || x.diff.value.hi() < 0;
    p.diffs.push_back(x);
  };
  auto paired = [&](const std::string& name, const std::string& unit, auto f) { paired2(name, unit, f, f); };
  using LS = LatencyStats;
  const std::pair<const char*, double LS::*> lat[] = {{"latency_mean", &LS::mean},
                                                      {"latency_p50", &LS::p50},
                                                      {"latency_p99", &LS::p99},
                                                      {"latency_p999", &LS::p999}};
  for (const auto& [name, field] : lat)
    paired(name, "s", [f = field](const Replica& r) { return r.result.latency.*f; });
  paired("throughput", "/s", [](const Replica& r) { return r.result.throughput_rps; });
  paired("error_rate", "%", [](const Replica& r) { return error_rate_of(r.result); });
  paired("cost_per_hour", "USD/h", [](const Replica& r) { return r.cost.per_hour; });
  const auto& ca = p.a.runs.front().result.components;
  const auto& cb = p.b.runs.front().result.components;
  for (std::size_t i = 0; i < ca.size(); ++i)
    for (std::size_t j = 0; j < cb.size(); ++j)
      if (ca[i].name == cb[j].name && ca[i].workers > 0 && cb[j].workers > 0)
        paired2(
            "utilization." + ca[i].name, "%",
            [i](const Replica& r) { return r.result.components[i].utilization; },
            [j](const Replica& r) { return r.result.components[j].utilization; });
  return p;
}

void print_paired(std::ostream& out, const Paired& p, const std::string& la, const std::string& lb) {
  fmt::print(out,
             "{}: {} vs {}, {} replications each on common random numbers (base seed {}), {:g}% confidence "
             "intervals\n\n",
             p.a.scenario, la, lb, p.a.runs.size(), p.a.seed, p.a.confidence * 100);
  fmt::print(out, "  {:<24} {:>22} {:>22} {:>24}  {}\n", "", la, lb, "difference (B - A)", "");
  for (const PairedDifference& d : p.diffs) {
    std::string va, vb;
    for (const NamedInterval& f : p.a.figures)
      if (f.name == d.diff.name) va = format_interval(f);
    for (const NamedInterval& f : p.b.figures)
      if (f.name == d.diff.name) vb = format_interval(f);
    for (const NamedInterval& f : p.a.utilization)
      if ("utilization." + f.name == d.diff.name) va = format_interval(f);
    for (const NamedInterval& f : p.b.utilization)
      if ("utilization." + f.name == d.diff.name) vb = format_interval(f);
    fmt::print(out, "  {:<24} {:>22} {:>22} {:>24}  {}\n", d.diff.name, va, vb, format_interval(d.diff),
               d.significant ? "significant" : "not significant");
  }
  fmt::print(out, "\nSLOs: {} {}, {} {}\n", la, outcome_text(p.a.overall()), lb, outcome_text(p.b.overall()));
}

nlohmann::ordered_json paired_json(const Paired& p, const std::string& la, const std::string& lb) {
  using J = nlohmann::ordered_json;
  J j;
  j["scenario"] = p.a.scenario;
  j["seed"] = p.a.seed;
  j["replications"] = p.a.runs.size();
  j["confidence"] = p.a.confidence;
  j["labels"] = {la, lb};
  J d = J::array();
  for (const PairedDifference& x : p.diffs) {
    Interval v = x.diff.value;
    const bool ms = x.diff.unit == "s";
    if (ms) v.mean *= 1e3, v.half_width *= 1e3;
    d.push_back({{"figure", x.diff.name + (ms ? "_ms" : "")},
                 {"difference", ci_json(v)},
                 {"significant", x.significant}});
  }
  j["differences"] = d;
  j["a"] = replications_json(p.a);
  j["b"] = replications_json(p.b);
  return j;
}

std::string replications_html(const Replications& r) {
  const auto o = r.overall();
  std::string h = fmt::format(
      "<h2>Replications</h2>\n<p>{} independent replications (seeds derived from {}), means with {:g}% "
      "Student-t "
      "confidence intervals. Verdict: <b class=\"{}\">{}</b>.</p>\n",
      r.runs.size(), r.seed, r.confidence * 100, o == IntervalVerdict::Outcome::Pass ? "ok" : "bad",
      outcome_text(o));
  if (!r.verdicts.empty()) {
    h += "<table>\n<tr><th class=\"l\">objective</th><th>target</th><th>mean ± half-width</th><th "
         "class=\"l\">verdict</th></tr>\n";
    for (const IntervalVerdict& v : r.verdicts) {
      std::string verdict = outcome_text(v.outcome);
      if (v.needed) verdict += fmt::format(" (about {} replications would settle it)", *v.needed);
      h += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td class=\"l {}\">{}</td></tr>\n",
                       escape_html(v.name), escape_html(target_text(v)), escape_html(verdict_value(v)),
                       v.outcome == IntervalVerdict::Outcome::Pass ? "ok" : "bad", escape_html(verdict));
    }
    h += "</table>\n";
  }
  h += "<table>\n<tr><th class=\"l\">figure</th><th>mean ± half-width</th></tr>\n";
  for (const NamedInterval& f : r.figures)
    h += fmt::format("<tr><td class=\"l\">{}</td><td>{}</td></tr>\n", escape_html(f.name),
                     escape_html(format_interval(f)));
  for (const NamedInterval& u : r.utilization)
    h += fmt::format("<tr><td class=\"l\">utilisation {}</td><td>{}</td></tr>\n", escape_html(u.name),
                     escape_html(format_interval(u)));
  h += "</table>\n<p class=\"note\">Below: replication 1 alone (its charts, components and "
       "explanation).</p>\n";
  return h;
}

}  // namespace archsim::report
