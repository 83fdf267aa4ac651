#include "report/grade.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/estimate.hpp"
#include "archsim/contract.hpp"
#include "archsim/output.hpp"

namespace archsim::report {

std::string rubric() {
  // The correctness keys come from the SLO table, so a new one is listed here by itself.
  std::string keys;
  for (std::string_view name : all_names<SloSpec::Kind>()) {
    SloSpec probe;
    probe.kind = *from_name<SloSpec::Kind>(name);
    if (probe.correctness()) keys += (keys.empty() ? "" : ", ") + std::string(name);
  }
  return fmt::format(
      "Rubric: every SLO is worth 1 point, every correctness SLO ({}) and the budget 2. A met requirement "
      "earns its points. A missed SLO or budget earns half its points scaled by how close it came "
      "(target/actual, or actual/target for throughput and availability); a missed correctness SLO earns "
      "nothing. Score = 100 x earned / total, at most 59 when anything is missed: a design passes only when "
      "it "
      "meets every requirement within the budget.",
      keys);
}

namespace {

std::string value_text(const std::string& full, double v) {
  if (full == "budget") return format_price(v);
  return slo_text(full, v);
}

void score(GradeItem& it, bool higher_is_better, bool binary) {
  if (it.target > 0)
    it.margin = higher_is_better ? (it.actual - it.target) / it.target : (it.target - it.actual) / it.target;
  else it.margin = it.actual > 0 ? -1 : 0;
  if (it.pass) {
    it.earned = it.weight;
    return;
  }
  if (binary) return;
  double close = 0;
  if (higher_is_better) close = it.target > 0 ? it.actual / it.target : 0;
  else close = it.actual > 0 ? it.target / it.actual : 0;
  it.earned = it.weight * 0.5 * std::clamp(close, 0.0, 1.0);
}

}  // namespace

Grade grade(const Analysis& a) {
  Grade g;
  for (const SloCheck& c : a.result.slo) {
    GradeItem it;
    it.name = c.name;
    it.group = c.correctness       ? "correctness"
               : !c.source.empty() ? "per_source"
               : !c.region.empty() ? "per_region"
                                   : "service";
    it.target = c.target;
    it.actual = c.actual;
    it.pass = c.pass;
    it.weight = c.correctness ? 2 : 1;
    score(it, c.higher_is_better, c.correctness);
    if (c.has_margin) it.margin = c.margin;  // the run's own, whose sign is the verdict
    it.measured = c.measured;
    if (!c.measured) it.margin = -1;  // nothing measured: missed by all of it, never a positive margin
    it.target_text = value_text(c.name, c.target);
    it.actual_text = !c.measured ? "none"
                     : c.worst_source.empty()
                         ? value_text(c.name, c.actual)
                         : fmt::format("{} ({})", value_text(c.name, c.actual), c.worst_source);
    g.items.push_back(it);
  }
  if (a.cost.budget) {
    GradeItem it;
    it.name = "budget";
    it.group = "budget";
    it.target = *a.cost.budget;
    it.actual = a.cost.per_hour;
    it.pass = a.cost.within_budget();
    it.weight = 2;
    score(it, false, false);
    it.target_text = format_price(it.target);
    it.actual_text = format_price(it.actual);
    g.items.push_back(it);
  }
  g.pass = std::all_of(g.items.begin(), g.items.end(), [](const GradeItem& i) { return i.pass; });
  for (const GradeItem& i : g.items) {
    g.points += i.earned;
    g.total += i.weight;
  }
  g.score = g.total > 0 ? static_cast<int>(std::floor(100 * g.points / g.total + 1e-9)) : 100;
  if (!g.pass) g.score = std::min(g.score, 59);
  if (a.spec.contract) g.levers = a.spec.contract->pulled;
  g.practice = a.spec.run_changed;
  return g;
}

void print_grade(std::ostream& out, const Analysis& a, const Grade& g) {
  std::string levers;
  for (const std::string& l : g.levers) levers += (levers.empty() ? "" : ", ") + l;
  fmt::print(out, "\nGrade: {}/100  {}   (problem {}, design {}; levers pulled: {})\n", g.score,
             !g.practice.empty() ? "PRACTICE"
             : g.pass            ? "PASS"
                                 : "FAIL",
             a.spec.name, a.spec.design_name.empty() ? a.spec.design_file : a.spec.design_name,
             levers.empty() ? "none" : levers);
  if (!g.practice.empty())
    fmt::print(out,
               "  not a verdict: the problem owns its run ({}); grade it without --duration and --seed to "
               "pass\n",
               g.practice);
  for (const GradeItem& i : g.items) {
    const std::string margin = !i.measured                     ? std::string("-")
                               : i.target > 0 || i.actual == 0 ? fmt::format("{:+.1f}%", i.margin * 100)
                                                               : fmt::format("{} over", i.actual_text);
    fmt::print(out, "  {} {:<22} target {:>10}  actual {:>10}  margin {:>9}  {:.2g}/{:g} pt{}\n",
               i.pass ? "pass" : "FAIL", i.name, i.target_text, i.actual_text, margin, i.earned, i.weight,
               i.group == "correctness" ? "  (correctness)"
               : i.measured             ? ""
                                        : "  (no successful request)");
  }
  fmt::print(out, "{}\n", rubric());
}

nlohmann::ordered_json grade_json(const Grade& g) {
  nlohmann::ordered_json j;
  j["score"] = g.score;
  j["pass"] = g.pass && g.practice.empty();
  if (!g.practice.empty()) j["practice"] = g.practice;
  j["points"] = std::round(g.points * 1000) / 1000;
  j["total"] = g.total;
  j["levers"] = g.levers;
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const GradeItem& i : g.items)
    items.push_back({{"name", i.name},
                     {"group", i.group},
                     {"target", i.target_text},
                     {"actual", i.actual_text},
                     {"margin", i.measured ? nlohmann::ordered_json(std::round(i.margin * 1e4) / 1e4)
                                           : nlohmann::ordered_json(nullptr)},
                     {"pass", i.pass},
                     {"points", std::round(i.earned * 1000) / 1000},
                     {"weight", i.weight}});
  j["items"] = items;
  j["rubric"] = rubric();
  return j;
}

namespace {

double figure_of(const ComponentResult& c, std::string_view name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  return 0;
}

// The problem's levers that change the work of component `i` (the queries of
// the data set it holds, or the work items its steps name), not yet pulled.
std::vector<const LeverSpec*> levers_for(const ScenarioSpec& spec, int i) {
  std::vector<const LeverSpec*> out;
  if (!spec.contract || i < 0) return out;
  const ComponentSpec& c = spec.components[static_cast<std::size_t>(i)];
  std::vector<std::string> names;
  if (const ServiceSpec* s = c.service())
    for (const StepSpec& st : s->steps)
      if (!st.work_name.empty()) names.push_back(st.work_name);
  const auto mine = [&](const std::string& n) {
    return (!c.data.empty() && n.rfind(c.data + ".", 0) == 0) ||
           std::find(names.begin(), names.end(), n) != names.end();
  };
  for (const LeverSpec& l : spec.contract->levers) {
    if (spec.contract->pulled_lever(l.name)) continue;
    bool related = std::any_of(l.sets.begin(), l.sets.end(), [&](const auto& s) { return mine(s.first); });
    // A lever that changes how an operation is served (its `must`) is for
    // the components whose work that operation requires: a precomputed
    // timeline takes the scatter off the posts.
    for (const auto& [opname, _] : l.must) {
      const std::string& wanted = opname;  // not captured as a binding (clang)
      for (const OperationSpec& op : spec.contract->operations)
        if (op.name == wanted)
          for (const RequirementSpec& r : op.must)
            for (const auto& [n, k] : r.any) related = related || mine(n);
    }
    if (related) out.push_back(&l);
  }
  return out;
}

// The data sets the problem offers a cache or CDN of (hints for a fixed
// external system: serve its answers before they reach it).
std::string cacheable_sets(const ScenarioSpec& spec) {
  std::string out;
  if (!spec.contract) return out;
  for (const DataSetSpec& d : spec.contract->data)
    if (d.cache_latency || d.edge_latency)
      out += fmt::format("{}{} of '{}'", out.empty() ? "" : ", ",
                         d.edge_latency ? (d.cache_latency ? "a cache or CDN" : "a CDN") : "a cache", d.name);
  return out;
}

std::string families(const std::vector<const LeverSpec*>& ls) {
  std::vector<std::string> f;
  for (const LeverSpec* l : ls)
    if (!l->family.empty() && std::find(f.begin(), f.end(), l->family) == f.end()) f.push_back(l->family);
  std::string out;
  for (const std::string& x : f) out += (out.empty() ? "" : ", ") + x;
  return out;
}

// Level 1..3 for a correctness objective that failed.
void correctness_hints(const Analysis& a, const GradeItem& it, int level, std::vector<std::string>& out) {
  const std::string key = it.name;
  std::string where, figure = key == "duplicates"            ? "duplicates"
                              : key == "lost_messages"       ? "dead_letters"
                              : key == "lost_writes"         ? "lost_writes"
                              : key == "stale_serves"        ? "stale_serves"
                              : key == "inconsistent_writes" ? "inconsistent_writes"
                                                             : "stale_reads";
  double n = 0;
  for (const ComponentResult& c : a.result.components)
    if (figure_of(c, figure) > n) {
      n = figure_of(c, figure);
      where = c.name;
    }
  out.push_back(fmt::format("Symptom: correctness '{}' failed ({} against {}); it happens at {}.", key,
                            it.actual_text, it.target_text, where.empty() ? "?" : where));
  if (level < 2) return;
  if (key == "duplicates")
    out.push_back(
        "Lever family: idempotency. Retries are right when a reply is lost; what is missing is that a "
        "retried call must not run twice. Fewer retries only hide it.");
  else if (key == "lost_messages")
    out.push_back("Lever family: delivery guarantees (redelivery, dead letters, the consumer's failures).");
  else if (key == "lost_writes")
    out.push_back(
        "Lever family: concurrency control. Last-writer-wins keeps one of two concurrent writes and "
        "acknowledges both: the other is silently lost.");
  else if (key == "stale_serves")
    out.push_back(
        "Lever family: invalidation. A TTL keeps serving a copy after its source changed until it "
        "expires; an event on each update removes it everywhere it is cached.");
  else if (key == "inconsistent_writes")
    out.push_back(
        "Lever family: atomic hand-off. Two writes to two stores from one process are two steps: when the "
        "second fails (or the process dies between them) the stores disagree; retries only narrow it.");
  else out.push_back("Lever family: read routing and replication (which reads may go to a lagging replica).");
  if (level < 3) return;
  if (key == "duplicates")
    out.push_back(
        fmt::format("Lever: make {} idempotent (an idempotency key per request: `idempotent: true`), "
                    "keeping the retries; {} calls ran twice in this run.",
                    where, it.actual_text));
  else if (key == "lost_messages")
    out.push_back(
        fmt::format("Lever: raise {}'s max_attempts or give it a dead_letter queue you replay; {} "
                    "messages were lost.",
                    where, it.actual_text));
  else if (key == "lost_writes")
    out.push_back(
        fmt::format("Lever: serialise the writes of a key ({} lost {} writes): one primary that orders them "
                    "(a SQL row lock), or a store that keeps conflicting versions for the reader to merge",
                    where, it.actual_text));
  else if (key == "stale_serves")
    out.push_back(fmt::format(
        "Lever: purge on update (`purge_on_update: 150ms` on {} and on every cache of the same data); a "
        "shorter TTL only narrows the window, at the price of more misses",
        where));
  else if (key == "inconsistent_writes")
    out.push_back(fmt::format(
        "Lever: write {} with an outbox (`write: DB, outbox: QUEUE`: the row and the outbox row commit in "
        "one transaction) and let the queue's consumer apply it to the other store, at least once: {} "
        "writes reached one store only in this run.",
        where, it.actual_text));
  else
    out.push_back(
        fmt::format("Lever: read the data that must be fresh from the primary (`read_from: primary` on {}), "
                    "or, in a leaderless store, make every read quorum meet every write quorum "
                    "(consistency read + write > replication_factor)",
                    where));
}

// Level 2 for a saturated component: the family of levers that applies
// (its pools, a fixed external system, the problem's levers, or capacity).
void saturation_family(const Analysis& a, const Saturation& s, std::vector<std::string>& out) {
  const std::vector<const LeverSpec*> ls = levers_for(a.spec, s.component);
  const bool fixed = a.spec.contract && a.spec.contract->external(s.name);
  if (s.pool) {
    out.push_back(
        fmt::format("Lever family: connection capacity at {} (its pools ran dry while its workers had "
                    "room), and what a caller does when it waits (timeouts, retry budgets, shedding).{}",
                    s.name,
                    ls.empty() ? std::string()
                               : fmt::format(" The problem also offers {} at {}: a request that holds "
                                             "its connections less needs fewer of them.",
                                             families(ls), s.name)));
  } else if (fixed) {
    out.push_back(
        fmt::format("Lever family: load off {}: it is the problem's system and its capacity is fixed; "
                    "answer before it ({}), or call it less.",
                    s.name, cacheable_sets(a.spec).empty() ? "no cache is offered" : cacheable_sets(a.spec)));
  } else if (!ls.empty()) {
    out.push_back(
        fmt::format("Lever family: {} at {} (the problem offers levers that change its work): less work "
                    "per request beats more of the same capacity.",
                    families(ls), s.name));
  } else {
    out.push_back(fmt::format("Lever family: capacity at {} (instance size, replicas, workers).", s.name));
  }
}

// Level 3 for a pool that ran dry: its size by Little's law at the peak.
// When the problem offers levers that change the database's work, they come
// first if the connections Little's law asks for exceed the database's
// workers (a pool that large would only move the wait into the database:
// the N+1 of storefront-black-friday), after the pool's size otherwise.
void pool_lever(const Analysis& a, const Saturation& s, const ComponentEstimate& ce, double rate,
                const std::vector<const LeverSpec*>& ls, std::vector<std::string>& out) {
  const double conc = rate * ce.hold;  // connections busy at the peak (Little's law)
  int callers = 1;
  for (const ComponentSpec& c : a.spec.components)
    if (const ServiceSpec* svc = c.service())
      for_each_call(svc->steps, [&](const StepSpec& st, double) {
        if (st.call.target == s.name) callers = std::max(callers, svc->replicas);
      });
  const bool over_workers = ce.capacity > 0 && conc > ce.capacity;
  std::vector<std::string> levers;
  for (const LeverSpec* l : ls)
    levers.push_back(fmt::format(
        "Lever: '{}' ({}). Napkin math: a request now holds a connection of {} {:.3g} times, {} each ({} in "
        "all); at the peak that is {:.0f} connections busy.",
        l->name, l->about, s.name, ce.visits, human_duration(ce.hold), human_duration(ce.visits * ce.hold),
        conc));
  const std::string little = fmt::format(
      "Napkin math: {:.0f} queries/s at the peak x {} each = {:.0f} connections busy (Little's law)", rate,
      human_duration(ce.hold), conc);
  if (over_workers && !levers.empty()) {
    out.insert(out.end(), levers.begin(), levers.end());
    out.push_back(fmt::format(
        "A larger pool alone will not do. {}, more than {}'s {:.0f} workers: a pool that large moves the "
        "wait into the database.",
        little, s.name, ce.capacity));
    return;
  }
  out.push_back(fmt::format(
      "Lever: pool size. {}; over {} caller replicas that is {:.0f} per replica, plus headroom: try {:.0f}, "
      "and keep max_connections above the total.{}",
      little, callers, std::ceil(conc / callers), std::ceil(conc / callers / 0.7),
      over_workers ? fmt::format(" {}'s {:.0f} workers must then run them too.", s.name, ce.capacity)
                   : std::string()));
  out.insert(out.end(), levers.begin(), levers.end());
}

// Level 3 for a saturated component: the lever and the size the napkin
// math gives it.
void saturation_lever(const Analysis& a, const Saturation& s, const Estimate& e,
                      std::vector<std::string>& out) {
  const Estimate* est = &e;
  const std::vector<const LeverSpec*> ls = levers_for(a.spec, s.component);
  const bool fixed = a.spec.contract && a.spec.contract->external(s.name);
  const ComponentEstimate& ce = est->components[static_cast<std::size_t>(s.component)];
  // The peak rate by the napkin math, or, when it sees none (a target the
  // design's weights send nothing at the start, shifted to later), what
  // the run offered the component when it saturated.
  double rate = ce.arrivals * est->peak_multiplier;
  if (rate <= 0) rate = s.offered_rps;
  const double conc = rate * ce.hold;  // Little's law at the peak
  if (s.pool) {
    pool_lever(a, s, ce, rate, ls, out);
  } else if (fixed) {
    const double can = ce.hold > 0 ? ce.capacity / ce.hold : 0;  // what it serves at most, per second
    const double peak = ce.arrivals * est->peak_multiplier;
    out.push_back(fmt::format(
        "Lever: {}in front of {}. Napkin math: {} serves at most {:.0f}/s ({} at once, {} "
        "each); {:.0f}/s arrive at the peak: at least {:.0f}% must be answered before it.",
        cacheable_sets(a.spec).empty() ? "" : cacheable_sets(a.spec) + " ", s.name, s.name, can, ce.capacity,
        human_duration(ce.hold), peak, peak > 0 ? std::max(0.0, 100 * (1 - 0.7 * can / peak)) : 0.0));
  } else if (!ls.empty()) {
    for (const LeverSpec* l : ls)
      out.push_back(
          fmt::format("Lever: '{}' ({}). Napkin math: {} now holds a worker {} per visit, {:.3g} visits "
                      "per request, {:.0f} busy at the peak.",
                      l->name, l->about, s.name, human_duration(ce.hold), ce.visits, conc));
  } else {
    out.push_back(
        fmt::format("Lever: size {} for {:.0f} concurrent requests at the peak (Little's law: {:.0f}/s x "
                    "{}), {:.0f} workers at 70% utilisation.",
                    s.name, conc, rate, human_duration(ce.hold), std::ceil(conc / 0.7)));
  }
}

// Nothing saturated: the time goes into the work a request does, one step
// after another.
void work_hints(const Analysis& a, int level, const Estimate& e, std::vector<std::string>& out) {
  const Estimate* est = &e;
  int slowest = -1;
  double most = 0;
  // Where the time is spent, not waited: a component that calls nothing.
  const auto leaf = [&](int i) {
    const ComponentSpec& c = a.spec.components[static_cast<std::size_t>(i)];
    if (c.load_balancer()) return false;
    bool calls = false;
    if (const ServiceSpec* s = c.service())
      for_each_call(s->steps, [&](const StepSpec&, double) { calls = true; });
    return !calls;
  };
  for (const ComponentEstimate& c : est->components)
    if (c.visits * c.hold > most && leaf(c.index)) {
      most = c.visits * c.hold;
      slowest = c.index;
    }
  if (slowest < 0) return;
  const ComponentEstimate& ce = est->components[static_cast<std::size_t>(slowest)];
  const std::vector<const LeverSpec*> ls = levers_for(a.spec, slowest);
  out.push_back(
      fmt::format("Lever family: {} — nothing saturates: the latency is the work itself ({:.3g} visits "
                  "to {} per request, {} each). More capacity will not shorten it.",
                  ls.empty() ? std::string("the request's path") : families(ls), ce.visits,
                  a.spec.components[static_cast<std::size_t>(slowest)].name, human_duration(ce.hold)));
  if (level < 3) return;
  for (const LeverSpec* l : ls)
    out.push_back(fmt::format("Lever: '{}' ({}). Napkin math: now {:.3g} x {} = {} per request at {}.",
                              l->name, l->about, ce.visits, human_duration(ce.hold),
                              human_duration(ce.visits * ce.hold),
                              a.spec.components[static_cast<std::size_t>(slowest)].name));
  if (ls.empty())
    out.push_back(
        fmt::format("Lever: fewer sequential visits to {} per request (batch them, send them at once, or "
                    "cache what they read): {:.3g} x {} = {} now.",
                    a.spec.components[static_cast<std::size_t>(slowest)].name, ce.visits,
                    human_duration(ce.hold), human_duration(ce.visits * ce.hold)));
}

/// The lever family when the headline's cause is below the first saturated
/// tier (it waits on it) or a replica stalls: capacity upstream is no lever.
bool cause_hint(const Analysis& a, std::vector<std::string>& out) {
  if (!a.why.cause) return false;
  const Cause& c = *a.why.cause;
  if (c.waiter < 0)
    out.push_back(fmt::format(
        "Lever family: how requests are spread over {}'s replicas and what a caller does when one is slow "
        "(a balancer that sees load, retries with backoff): a replica {} still answers its health check.",
        c.name, c.mechanism));
  else
    out.push_back(fmt::format(
        "Lever family: {}, {}: what it can take and how its callers treat it (capacity, replicas, "
        "timeouts); more workers at {} would only wait on it.",
        c.name, c.mechanism, a.result.components[static_cast<std::size_t>(c.waiter)].name));
  return true;
}

void capacity_hints(const Analysis& a, int level, std::vector<std::string>& out) {
  const Explanation& why = a.why;
  out.push_back("Symptom: " + why.headline);
  if (level < 2) return;
  if (cause_hint(a, out)) return;
  const auto est = estimate(a.spec);
  if (!why.saturated.empty()) {
    saturation_family(a, why.saturated.front(), out);
    if (level >= 3 && est) saturation_lever(a, why.saturated.front(), *est, out);
    return;
  }
  if (est) work_hints(a, level, *est, out);
}

void budget_hints(const Analysis& a, const GradeItem& it, int level, std::vector<std::string>& out) {
  const CostLine* big = nullptr;
  for (const CostLine& l : a.cost.lines)
    if (!big || l.per_hour > big->per_hour) big = &l;
  out.push_back(fmt::format(
      "Symptom: the design costs {} against a budget of {}; the largest line is {} ({}).", it.actual_text,
      it.target_text, big ? big->component : "?", big ? format_price(big->per_hour) : "?"));
  if (level < 2 || !big) return;
  out.push_back(
      "Lever family: capacity cost — buy capacity where the run shows it is used, or pull a lever that "
      "removes work instead of buying more of it.");
  if (level < 3) return;
  for (std::size_t i = 0; i < a.result.components.size(); ++i) {
    const ComponentResult& c = a.result.components[i];
    if (c.name != big->component || big->instance.empty()) continue;
    const int need = static_cast<int>(std::ceil(c.utilization * c.workers / 0.7));
    const Instance& fit = smallest_for(big->kind, std::max(need, 1));
    out.push_back(
        fmt::format("Lever: {} runs at {:.0f}% of {} workers; {:.0f} would do at 70%: {} ({}) instead of "
                    "{}.",
                    c.name, c.utilization * 100, c.workers, static_cast<double>(need), fit.name,
                    format_price(fit.per_hour), big->instance));
  }
}

}  // namespace

std::vector<std::string> hints(const Analysis& a, const Grade& g, int level) {
  std::vector<std::string> out;
  const GradeItem* first = nullptr;
  for (const GradeItem& i : g.items)  // correctness first: it cannot be traded for speed
    if (!i.pass && (!first || (i.group == "correctness" && first->group != "correctness"))) first = &i;
  if (!first) return out;
  if (first->group == "correctness") correctness_hints(a, *first, level, out);
  else if (first->group == "budget") budget_hints(a, *first, level, out);
  else capacity_hints(a, level, out);
  return out;
}

}  // namespace archsim::report
