#include "report/analysis.hpp"

#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "report/grade.hpp"

namespace archsim::report {

namespace {

double r6(double x) {
  if (!std::isfinite(x) || x == 0) return x == 0 ? 0.0 : x;
  return std::stod(fmt::format("{:.6g}", x));
}

}  // namespace

Analysis analyse(const Simulation& sim, Recorder& rec) {
  Analysis a;
  a.spec = sim.spec();
  a.result = sim.result();
  a.ticks = rec.store.take();
  a.edges = sim.edges();
  a.faults = faults_of(a.result);
  a.cost = cost_of(a.spec, a.ticks, &a.result);
  a.why = explain(a.spec, a.result, a.ticks, a.edges, a.faults);
  return a;
}

Analysis run_analysed(const ScenarioSpec& spec) {
  Simulation sim(spec);
  Recorder rec;
  sim.add_observer(&rec);
  sim.run();
  return analyse(sim, rec);
}

void add_to_json(nlohmann::ordered_json& j, const Analysis& a) {
  nlohmann::ordered_json engine;
  const bool had_engine = j.contains("engine");
  if (had_engine) {
    engine = j["engine"];
    j.erase("engine");
  }
  j["cost_per_hour"] = r6(a.cost.per_hour);
  nlohmann::ordered_json cost;
  cost["currency"] = "USD";
  if (a.cost.budget) cost["budget_per_hour"] = r6(*a.cost.budget);
  cost["within_budget"] = a.cost.within_budget();
  nlohmann::ordered_json comps = nlohmann::ordered_json::object();
  for (const CostLine& l : a.cost.lines)
    comps[l.component] = {{"replicas", r6(l.mean_replicas)},
                          {"instance", l.instance},
                          {"instances_per_replica", l.instances},
                          {"per_replica_hour", r6(l.unit)},
                          {"per_hour", r6(l.per_hour)},
                          {"source", !l.priced ? "none" : l.defaulted ? "default" : "cost"}};
  cost["components"] = comps;
  if (a.result.cross_region_bytes > 0)
    cost["transfer"] = {{"gb_per_hour", r6(a.cost.transfer_gb_per_hour)},
                        {"per_gb", r6(a.cost.transfer_per_gb)},
                        {"per_hour", r6(a.cost.transfer_per_hour)}};
  if (a.cost.egress_per_hour > 0)
    cost["egress"] = {{"gb_per_hour", r6(a.cost.egress_gb_per_hour)},
                      {"per_gb", r6(a.cost.egress_per_gb)},
                      {"per_hour", r6(a.cost.egress_per_hour)}};
  j["cost"] = cost;
  nlohmann::ordered_json why;
  why["headline"] = a.why.headline;
  why["details"] = a.why.details;
  if (!a.why.saturated.empty()) {
    const Saturation& s = a.why.saturated.front();
    why["first_saturated"] = {{"component", s.name},
                              {"at_s", r6(s.at)},
                              {"served_rps", r6(s.served_rps)},
                              {"offered_rps", r6(s.offered_rps)},
                              {"still_saturated_at_end", s.at_end}};
  }
  if (a.why.cause) {
    const Cause& c = *a.why.cause;
    why["cause"] = {{"component", c.name}, {"at_s", r6(c.at)}, {"mechanism", c.mechanism}};
    if (c.waiter >= 0 && static_cast<std::size_t>(c.waiter) < a.result.components.size())
      why["cause"]["waited_on_by"] = a.result.components[static_cast<std::size_t>(c.waiter)].name;
  }
  nlohmann::ordered_json errs = nlohmann::ordered_json::array();
  for (const ErrorSource& e : a.why.errors)
    errs.push_back({{"kind", e.kind},
                    {"origin", e.at_client ? (e.origin.empty() ? "client" : "client:" + e.origin) : e.origin},
                    {"share", r6(e.share)}});
  why["error_sources"] = errs;
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const Finding& f : a.why.findings) {
    nlohmann::ordered_json ev = nlohmann::ordered_json::object();
    for (const Figure& e : f.evidence) ev[e.name] = r6(e.value);
    findings.push_back(
        {{"kind", f.kind},
         {"component", f.component},
         {"at_s", f.at_s < 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r6(f.at_s))},
         {"text", f.text},
         {"evidence", ev}});
  }
  why["findings"] = findings;
  j["explanation"] = why;
  if (a.spec.graded()) j["grade"] = grade_json(grade(a));  // a graded problem: `run` grades it too
  if (had_engine) j["engine"] = engine;
}

void print_verdict(std::ostream& out, const Analysis& a) {
  const Cost& c = a.cost;
  fmt::print(out, "\nCost        {}", format_price(c.per_hour));
  if (c.budget)
    fmt::print(
        out, "  budget {}: {}", format_price(*c.budget),
        c.within_budget() ? "within" : fmt::format("OVER by {}", format_price(c.per_hour - *c.budget)));
  std::string parts;
  int unpriced = 0;
  for (const CostLine& l : c.lines) {
    if (!l.priced) {
      ++unpriced;
      continue;
    }
    if (l.per_hour == 0) continue;
    parts +=
        fmt::format("{}{} {}{}", parts.empty() ? "" : ", ", l.component,
                    l.usage                ? format_price(l.unit) + " " + l.usage_what
                    : l.mean_replicas != 1 ? fmt::format("{:.3g} x {}", l.mean_replicas, format_price(l.unit))
                                           : format_price(l.unit),
                    l.defaulted ? "" : "*");
  }
  if (c.transfer_per_hour > 0)
    parts += fmt::format("{}transfer {} ({:.3g} GB/h between regions at ${:g}/GB)", parts.empty() ? "" : ", ",
                         format_price(c.transfer_per_hour), c.transfer_gb_per_hour, c.transfer_per_gb);
  if (c.egress_per_hour > 0)
    parts += fmt::format("{}egress {} ({:.3g} GB/h to users at ${:g}/GB)", parts.empty() ? "" : ", ",
                         format_price(c.egress_per_hour), c.egress_gb_per_hour, c.egress_per_gb);
  if (!parts.empty()) fmt::print(out, "  ({})", parts);
  fmt::print(out, "\n");
  if (unpriced)
    fmt::print(out, "            {} component(s) have no default price: give them `cost:`\n", unpriced);

  fmt::print(out, "\nWhy: {}\n", a.why.headline);
  for (const std::string& d : a.why.details) fmt::print(out, "  - {}\n", d);
  if (a.spec.graded()) print_grade(out, a, grade(a));
}

}  // namespace archsim::report
