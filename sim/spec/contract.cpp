// The problem/design contract: what a graded problem fixes (the world) and
// what its design may choose (the architecture). The problem's keys:
//
//   work:        {NAME: DIST}                       the CPU time of a named step
//   data:        {SET: {keys, popularity, item_size, queries: {read: D, q: {time: D, write: true}},
//                       cache_latency, edge_latency, origin_latency}}
//   operations:  {OP: {from: SOURCE | [SOURCES], must: [NAME, {NAME: N}, [ALTERNATIVES]]}}
//   levers:      {LEVER: {about: TEXT, family: TEXT, sets: {NAME: DIST | {time: D, write: true}}}}
//   prices:      {INSTANCE-or-ITEM: $X/h (or $X for the per-GB items)}
//
// NAME is a work item or SET.QUERY. The design names work items in its steps
// (`- work: cart_logic`), data sets in its databases, caches and CDNs
// (`data: orders`), and the levers it pulls (`levers: [index]`).
#include "spec/contract.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "spec/instances.hpp"
#include "spec/parse_data.hpp"
#include "spec/parse_followers.hpp"
#include "spec/price.hpp"
#include "spec/units.hpp"

namespace archsim {

const DataSetSpec* Contract::data_set(std::string_view name) const {
  for (const DataSetSpec& d : data)
    if (d.name == name) return &d;
  return nullptr;
}

const LeverSpec* Contract::lever(std::string_view name) const {
  for (const LeverSpec& l : levers)
    if (l.name == name) return &l;
  return nullptr;
}

bool Contract::pulled_lever(std::string_view name) const {
  return std::find(pulled.begin(), pulled.end(), name) != pulled.end();
}

bool Contract::external(std::string_view name) const {
  return std::any_of(externals.begin(), externals.end(),
                     [&](const ExternalSpec& e) { return e.name == name; });
}

std::optional<double> Contract::price(std::string_view name) const {
  for (const PriceOverride& p : prices)
    if (p.name == name) return p.price;
  return std::nullopt;
}

namespace contract {

namespace {

using yaml::Bound;
using yaml::Field;
using yaml::Map;
using yaml::Source;

// Keys of the problem that describe the world (a design may not give them).
const std::vector<std::string_view> kWorldKeys = {"work",   "data",     "operations",
                                                  "prices", "external", "regions"};
// Every key a design may not set at its top level: the world and the question.
// The machines too (`backend`, `platform`): a design's own hosts of speed
// 1000x made slow-endpoint's 4 s scan 4 ms (hard4).
const std::vector<std::string_view> kOwnedTop = {
    "traffic", "slo",        "budget", "duration", "warmup",  "seed",    "network", "work",
    "data",    "operations", "prices", "external", "regions", "actions", "backend", "platform"};
const std::vector<std::string_view> kDataKeys = {
    "keys",           "popularity", "item_size", "queries",  "cache_latency",   "edge_latency",
    "origin_latency", "min_shards", "lever",     "failover", "replication_lag", "followers",
    "pull_lever",     "hot",        "updates",   "vary",     "mirror"};
const std::vector<std::string_view> kLeverKeys = {"about", "family", "sets", "must"};
const std::vector<std::string_view> kOperationKeys = {"from", "must"};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, WorkCost>>& v) {
  std::vector<std::string> out;
  for (const auto& [n, _] : v) out.push_back(n);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The operator actions a design's `faults:` may hold, if the problem allows them.
const std::vector<FaultSpec::Kind> kOperatorActions = {
    FaultSpec::Kind::Scale,   FaultSpec::Kind::Pool,   FaultSpec::Kind::RateLimit, FaultSpec::Kind::Breaker,
    FaultSpec::Kind::Shift,   FaultSpec::Kind::Resize, FaultSpec::Kind::CacheSize, FaultSpec::Kind::Retries,
    FaultSpec::Kind::Disable, FaultSpec::Kind::Enable};

std::string action_names(const std::vector<FaultSpec::Kind>& kinds) {
  std::vector<std::string> names;
  for (FaultSpec::Kind k : kinds) names.emplace_back(name_of(k));
  return names.empty() ? "none" : join(names);
}

// `actions: [shift, scale]`: the operator actions a design may plan. A
// problem's script happens to a design; an action timed to it (traffic
// shifted off `db` a second before the script kills it) answers nothing
// unless planning it is the lesson (a migration's shifts, a planned sale's
// scale-up).
void read_actions(const Source& src, const Field& f, Contract& c) {
  c.actions_mark = f.key_mark;
  const auto items = yaml::read_list(src, f);
  if (!items) return;
  std::vector<std::string> valid;
  for (FaultSpec::Kind k : kOperatorActions) valid.emplace_back(name_of(k));
  for (const YAML::Node& item : *items) {
    const std::string name = item.IsScalar() ? item.Scalar() : "";
    const auto it = std::find(valid.begin(), valid.end(), name);
    if (it == valid.end()) {
      const std::string guess = item.IsScalar() ? did_you_mean(name, valid) : "";
      src.error(src.mark(item),
                fmt::format("expected an operator action: {}valid: {}",
                            guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess), join(valid)));
      continue;
    }
    const FaultSpec::Kind k = kOperatorActions[static_cast<std::size_t>(it - valid.begin())];
    if (std::find(c.actions.begin(), c.actions.end(), k) == c.actions.end()) c.actions.push_back(k);
  }
}

// A cost: a distribution, or {time: D, write: true} (a query that writes).
std::optional<WorkCost> read_cost(const Source& src, const Field& f) {
  WorkCost w;
  w.mark = f.key_mark;
  if (f.value.IsMap()) {
    const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "a cost ({time: 5ms, write: true})");
    if (!m) return std::nullopt;
    m->allow_only({"time", "write", "scatter"}, "a cost");
    const Field* t = m->need("time", "a cost");
    if (!t) return std::nullopt;
    auto d = yaml::read_distribution(src, *t, "ms");
    if (!d) return std::nullopt;
    w.time = *d;
    if (const Field* wr = m->get("write")) {
      const auto text = yaml::read_text(src, *wr, "true or false");
      if (text && (*text == "true" || *text == "false")) w.write = *text == "true";
      else if (text)
        src.error(wr->value_mark, fmt::format("expected true or false for 'write', got '{}'", *text));
    }
    if (const Field* sc = m->get("scatter")) {
      const auto text = yaml::read_text(src, *sc, "true or false");
      if (text && (*text == "true" || *text == "false")) w.scatter = *text == "true";
      else if (text)
        src.error(sc->value_mark, fmt::format("expected true or false for 'scatter', got '{}'", *text));
    }
    return w;
  }
  auto d = yaml::read_distribution(src, f, "ms");
  if (!d) return std::nullopt;
  w.time = *d;
  return w;
}

void read_data(const Source& src, const Field& f, Contract& c) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'data' (data sets by name)", "data set");
  if (!m) return;
  for (const Field& e : m->fields()) {
    DataSetSpec d;
    d.name = e.key;
    d.mark = e.key_mark;
    const std::string where = fmt::format("data set '{}'", d.name);
    const std::optional<Map> dm = Map::open(src, e.value, e.key_mark, where);
    if (!dm) continue;
    dm->allow_only(kDataKeys, where);
    if (const Field* k = dm->get("keys")) {
      if (auto v = read_data_count(src, *k, 1)) d.keys = *v;
    }
    if (const Field* p = dm->get("popularity")) {
      if (auto v = read_data_popularity(src, *p)) d.popularity = *v;
    }
    if (const Field* s = dm->get("item_size")) {
      if (auto v = yaml::read_size(src, *s)) d.item_bytes = *v;
    }
    if (const Field* q = dm->get("queries")) {
      DatabaseSpec tmp;
      read_query_table(src, *q, tmp);
      for (const DatabaseSpec::Query& x : tmp.queries)
        d.queries.emplace_back(x.name, WorkCost{x.time, x.write, x.scatter, x.mark});
      d.queries_mark = q->key_mark;
    }
    for (auto [key, slot] :
         {std::pair{"cache_latency", &d.cache_latency}, std::pair{"edge_latency", &d.edge_latency},
          std::pair{"origin_latency", &d.origin_latency}})
      if (const Field* x = dm->get(key)) *slot = yaml::read_distribution(src, *x, "ms");
    if (const Field* x = dm->get("min_shards")) {
      if (auto v = yaml::read_int(src, *x, 1, "the fewest shards that hold the data"))
        d.min_shards = static_cast<int>(std::min<std::int64_t>(*v, 1 << 16));
      d.min_shards_mark = x->key_mark;
    }
    if (const Field* x = dm->get("failover")) {
      if (auto v = yaml::read_duration(src, *x, Bound::NonNegative, "s")) d.failover = *v;
      d.failover_mark = x->key_mark;
    }
    if (const Field* x = dm->get("replication_lag")) {
      d.replication_lag = yaml::read_distribution(src, *x, "ms");
      d.lag_mark = x->key_mark;
    }
    if (const Field* x = dm->get("lever")) {
      d.lever = yaml::read_text(src, *x, "the lever that offers this data set").value_or("");
      d.lever_mark = x->value_mark;
    }
    if (const Field* x = dm->get("mirror")) {
      d.mirror = yaml::read_text(src, *x, "the data set that must receive its writes").value_or("");
      d.mirror_mark = x->value_mark;
    }
    read_data_followers(src, *dm, d);
    if (const Field* x = dm->get("hot")) d.hot = read_hot_key(src, *x);
    if (const Field* x = dm->get("vary")) d.vary = read_vary_key(src, *x);
    if (const Field* x = dm->get("updates")) d.updates = yaml::read_rate(src, *x).value_or(0.0);
    c.data.push_back(std::move(d));
  }
}

std::optional<RequirementSpec> read_requirement(const Source& src, const YAML::Node& n, bool nested = false);

// A lever's `must: {OPERATION: [REQUIREMENTS]}`: what pulling it adds.
void read_lever_must(const Source& src, const Field& f, LeverSpec& l) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'must' (requirements by operation)", "operation");
  if (!m) return;
  for (const Field& e : m->fields()) {
    std::vector<RequirementSpec> reqs;
    if (const auto items = yaml::read_list(src, e))
      for (const YAML::Node& item : *items)
        if (auto r = read_requirement(src, item)) reqs.push_back(std::move(*r));
    l.must.emplace_back(e.key, std::move(reqs));
  }
}

void read_levers(const Source& src, const Field& f, Contract& c) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'levers' (optional changes by name)", "lever");
  if (!m) return;
  c.levers_mark = f.key_mark;
  for (const Field& e : m->fields()) {
    LeverSpec l;
    l.name = e.key;
    l.mark = e.key_mark;
    const std::string where = fmt::format("lever '{}'", l.name);
    const std::optional<Map> lm = Map::open(src, e.value, e.key_mark, where);
    if (!lm) continue;
    lm->allow_only(kLeverKeys, where);
    if (const Field* a = lm->get("about")) l.about = yaml::read_text(src, *a).value_or("");
    if (const Field* a = lm->get("family")) l.family = yaml::read_text(src, *a).value_or("");
    if (!lm->get("sets") && !lm->get("must"))
      src.error(e.key_mark,
                fmt::format("{} changes nothing: give 'sets' (the costs it changes) or 'must' (the work it "
                            "adds)",
                            where));
    if (const Field* s = lm->get("sets")) {
      if (const std::optional<Map> sm =
              Map::open(src, s->value, s->key_mark, "'sets' (costs the lever changes)")) {
        for (const Field& x : sm->fields())
          if (auto w = read_cost(src, x)) l.sets.emplace_back(x.key, *w);
      }
    }
    if (const Field* mu = lm->get("must")) read_lever_must(src, *mu, l);
    c.levers.push_back(std::move(l));
  }
}

// One requirement: NAME, {NAME: N}, or a list of those (any one will do).
std::optional<RequirementSpec> read_requirement(const Source& src, const YAML::Node& n, bool nested) {
  RequirementSpec r;
  r.mark = src.mark(n);
  if (n.IsScalar()) {
    r.any.emplace_back(yaml::restore(n.Scalar()), 1.0);
    return r;
  }
  if (n.IsMap() && n.size() == 1) {
    const auto it = n.begin();
    const std::string name = it->first.Scalar();
    const std::optional<double> count = units::number(units::trim(it->second.Scalar()));
    if (!it->second.IsScalar() || !count || *count <= 0) {
      src.error(src.mark(it->second),
                fmt::format("expected how many times a request runs '{}', e.g. {{{}: 47}}", name, name));
      return std::nullopt;
    }
    r.any.emplace_back(name, *count);
    return r;
  }
  if (n.IsSequence() && !nested) {
    for (const YAML::Node& alt : n)
      if (auto a = read_requirement(src, alt, true)) r.any.push_back(a->any.front());
    if (!r.any.empty()) return r;
  }
  src.error(r.mark,
            "expected a requirement: NAME (a work item or DATA.QUERY), {NAME: TIMES}, or a list of those "
            "(any one of them)");
  return std::nullopt;
}

void read_operations(const Source& src, const Field& f, Contract& c) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'operations'", "operation");
  if (!m) return;
  c.operations_mark = f.key_mark;
  for (const Field& e : m->fields()) {
    OperationSpec op;
    op.name = e.key;
    op.mark = e.key_mark;
    const std::string where = fmt::format("operation '{}'", op.name);
    const std::optional<Map> om = Map::open(src, e.value, e.key_mark, where);
    if (!om) continue;
    om->allow_only(kOperationKeys, where);
    if (const Field* from = om->get("from")) {
      if (from->value.IsSequence()) {
        for (const YAML::Node& x : from->value) op.from.push_back(x.Scalar());
      } else if (auto s = yaml::read_text(src, *from, "a traffic source")) {
        op.from.push_back(*s);
      }
    }
    if (const Field* must = om->need("must", where)) {
      if (const auto items = yaml::read_list(src, *must))
        for (const YAML::Node& item : *items)
          if (auto r = read_requirement(src, item)) op.must.push_back(std::move(*r));
    }
    c.operations.push_back(std::move(op));
  }
}

void read_externals(const Source& src, const Field& f, Contract& c) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'external' (systems the problem provides)", "external system");
  if (!m) return;
  for (const Field& e : m->fields()) {
    ExternalSpec x;
    x.name = e.key;
    x.mark = e.key_mark;
    const std::string where = fmt::format("external '{}'", x.name);
    const std::optional<Map> xm = Map::open(src, e.value, e.key_mark, where);
    if (!xm) continue;
    xm->allow_only({"workers", "work", "idempotent_with"}, where);
    if (const Field* w = xm->get("workers")) {
      if (auto v = yaml::read_int(src, *w, 1))
        x.workers = static_cast<int>(std::min<std::int64_t>(*v, 1 << 20));
    }
    if (const Field* w = xm->need("work", where)) {
      x.work = yaml::read_text(src, *w, "a work item").value_or("");
      if (!std::any_of(c.work.begin(), c.work.end(), [&](const auto& p) { return p.first == x.work; }))
        src.error(w->value_mark,
                  fmt::format("unknown work item '{}': valid: {}", x.work, join(names_of(c.work))));
    }
    if (const Field* w = xm->get("idempotent_with")) {
      x.idempotent_with = yaml::read_text(src, *w, "a lever").value_or("");
      if (!c.lever(x.idempotent_with))
        src.error(w->value_mark, fmt::format("unknown lever '{}'", x.idempotent_with));
    }
    c.externals.push_back(std::move(x));
  }
}

std::string usage_names() {
  std::vector<std::string> names;
  for (const UsagePrice& u : usage_prices()) names.emplace_back(u.name);
  return join(names);
}

void read_prices(const Source& src, const Field& f, Contract& c) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'prices'", "price");
  if (!m) return;
  for (const Field& e : m->fields()) {
    const auto text = yaml::read_text(src, e, "a price");
    if (!text) continue;
    const bool per_gb = usage_price(e.key) != nullptr;  // a price per unit of use: "$0.02"
    if (!per_gb && !instance(e.key) && !default_price(e.key)) {
      src.error(e.key_mark,
                fmt::format("unknown price '{}': give an instance size ({}), a kind (load_balancer, "
                            "queue) or a price of use ({})",
                            e.key, instance_examples(), usage_names()));
      continue;
    }
    std::string why;
    std::optional<double> v;
    if (per_gb) {
      std::string t = *text;
      if (!t.empty() && t.front() == '$') t.erase(0, 1);
      v = units::number(units::trim(t));
      if (!v || *v < 0) why = fmt::format("expected dollars per {}, e.g. $0.02", usage_price(e.key)->unit);
    } else {
      v = parse_price(*text, &why);
    }
    if (!v) {
      src.error(e.value_mark, why);
      continue;
    }
    c.prices.push_back(PriceOverride{e.key, *v, e.key_mark});
  }
}

// Every name a requirement or a lever may use: work items, DATA.QUERY of the
// data sets, and whatever a lever adds.
bool known_name(const Contract& c, const std::string& name, bool with_levers) {
  for (const auto& [n, _] : c.work)
    if (n == name) return true;
  for (const DataSetSpec& d : c.data) {
    if (name == d.name + ".read" || name == d.name + ".write") return true;  // a cache's reads and writes
    for (const auto& [q, _] : d.queries)
      if (d.name + "." + q == name) return true;
  }
  if (with_levers)
    for (const LeverSpec& l : c.levers)
      for (const auto& [n, _] : l.sets)
        if (n == name) return true;
  return false;
}

// The cost of a work item or DATA.QUERY once the design's levers are
// pulled; `lever` is set to the lever that offers it when none pulled does.
std::optional<WorkCost> effective(const Contract& c, const std::string& name,
                                  const LeverSpec** lever = nullptr) {
  std::optional<WorkCost> out;
  for (const auto& [n, w] : c.work)
    if (n == name) out = w;
  const auto dot = name.find('.');
  if (dot != std::string::npos)
    if (const DataSetSpec* d = c.data_set(name.substr(0, dot)))
      for (const auto& [q, w] : d->queries)
        if (q == name.substr(dot + 1)) out = w;
  for (const std::string& p : c.pulled)
    if (const LeverSpec* l = c.lever(p))
      for (const auto& [n, w] : l->sets)
        if (n == name) out = w;
  if (!out && lever)
    for (const LeverSpec& l : c.levers)
      for (const auto& [n, _] : l.sets)
        if (n == name && !*lever) *lever = &l;
  return out;
}

void check_names(const Source& src, const Contract& c) {
  for (const LeverSpec& l : c.levers)
    for (const auto& [n, w] : l.sets) {
      const auto dot = n.find('.');
      const std::string& item = n;  // a structured binding cannot be captured before C++20 (clang)
      const bool ok = dot == std::string::npos ? std::any_of(c.work.begin(), c.work.end(),
                                                             [&](const auto& x) { return x.first == item; })
                                               : c.data_set(n.substr(0, dot)) != nullptr;
      if (!ok)
        src.error(w.mark,
                  fmt::format("lever '{}' sets '{}', which is neither a work item ({}) nor DATA.QUERY of a "
                              "data set",
                              l.name, n, join(names_of(c.work))));
    }
  for (const DataSetSpec& d : c.data)
    if (!d.lever.empty() && !c.lever(d.lever))
      src.error(d.lever_mark, fmt::format("data set '{}' comes with an unknown lever '{}'", d.name, d.lever));
  for (const DataSetSpec& d : c.data)
    if (!d.pull_lever.empty() && !c.lever(d.pull_lever))
      src.error(d.pull_lever_mark,
                fmt::format("data set '{}' names an unknown pull lever '{}'", d.name, d.pull_lever));
  for (const LeverSpec& l : c.levers)
    for (const auto& [opname, reqs] : l.must) {
      const std::string& wanted = opname;  // not captured as a binding (clang)
      if (std::none_of(c.operations.begin(), c.operations.end(),
                       [&](const OperationSpec& o) { return o.name == wanted; }))
        src.error(l.mark,
                  fmt::format("lever '{}' adds requirements to an unknown operation '{}'", l.name, opname));
      for (const RequirementSpec& r : reqs)
        for (const auto& [n, _] : r.any)
          if (!known_name(c, n, true))
            src.error(
                r.mark,
                fmt::format("lever '{}' requires '{}', which is neither a work item nor DATA.QUERY of a "
                            "data set",
                            l.name, n));
    }
  for (const OperationSpec& op : c.operations)
    for (const RequirementSpec& r : op.must)
      for (const auto& [n, _] : r.any)
        if (!known_name(c, n, true))
          src.error(r.mark,
                    fmt::format("operation '{}' requires '{}', which is neither a work item nor DATA.QUERY "
                                "of a data set (nor added by a lever)",
                                op.name, n));
}

}  // namespace

std::string note(const std::string& file, Mark m, std::string_view text) {
  if (m.line <= 0) return fmt::format("\n{}: note: {}", file, text);
  return fmt::format("\n{}:{}:{}: note: {}", file, m.line, m.col, text);
}

bool declares_world(const Map& top) {
  return std::any_of(kWorldKeys.begin(), kWorldKeys.end(),
                     [&](std::string_view k) { return top.get(k) != nullptr; });
}

void read_problem(const Map& top, Contract& c) {
  const Source& src = top.source();
  if (const Field* f = top.get("work")) {
    c.work_mark = f->key_mark;
    if (const std::optional<Map> m =
            Map::open(src, f->value, f->key_mark, "'work' (the cost of named steps)", "work item"))
      for (const Field& e : m->fields())
        if (auto d = yaml::read_distribution(src, e, "ms"))
          c.work.emplace_back(e.key, WorkCost{*d, false, false, e.key_mark});
  }
  if (const Field* f = top.get("data")) {
    c.data_mark = f->key_mark;
    read_data(src, *f, c);
  }
  if (const Field* f = top.get("levers")) read_levers(src, *f, c);
  if (const Field* f = top.get("operations")) read_operations(src, *f, c);
  if (const Field* f = top.get("prices")) read_prices(src, *f, c);
  if (const Field* f = top.get("external")) read_externals(src, *f, c);
  if (const Field* f = top.get("actions")) read_actions(src, *f, c);
  if (const Field* f = top.get("network")) c.network_mark = f->key_mark;
  if (const Field* f = top.get("regions")) read_regions(src, *f, c);
  check_names(src, c);
}

void read_design_top(const Map& design, const Map& problem, Contract& c) {
  const Source& src = design.source();
  for (std::string_view key : kOwnedTop) {
    const Field* f = design.get(key);
    if (!f) continue;
    const Field* owner = problem.get(key);
    src.error(
        f->key_mark,
        fmt::format("'{}' belongs to the problem, not to a design: a graded design chooses the architecture "
                    "(components, capacity, levers), the problem fixes the world and the goals",
                    key) +
            (owner ? note(problem.source().path(), owner->key_mark, "the problem sets it here")
                   : note(problem.source().path(), problem.source().start(), "the problem")));
  }
  const Field* f = design.get("levers");
  if (!f) return;
  const auto items = yaml::read_list(src, *f);
  if (!items) return;
  std::vector<std::string> offered;
  for (const LeverSpec& l : c.levers) offered.push_back(l.name);
  for (const YAML::Node& item : *items) {
    const Mark at = src.mark(item);
    if (!item.IsScalar()) {
      src.error(at, "expected the name of a lever the problem offers");
      continue;
    }
    const std::string name = item.Scalar();
    if (!c.lever(name)) {
      const std::string guess = did_you_mean(name, offered);
      src.error(
          at,
          fmt::format("unknown lever '{}': {}{}", name,
                      guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess),
                      offered.empty() ? "the problem offers none" : "the problem offers: " + join(offered)) +
              (c.levers_mark.line ? note(problem.source().path(), c.levers_mark, "the problem's levers")
                                  : ""));
      continue;
    }
    if (c.pulled_lever(name)) {
      src.error(at, fmt::format("lever '{}' is pulled twice", name));
      continue;
    }
    c.pulled.push_back(name);
    c.pulled_marks.push_back(at);
  }
}

std::optional<DistSpec> resolve_work(const Source& src, const Field& f, const Contract& c,
                                     const std::string& problem, std::string& name) {
  const auto text = yaml::read_text(src, f, "the name of a work item of the problem");
  if (!text) return std::nullopt;
  name = std::string(units::trim(*text));
  const LeverSpec* lever = nullptr;
  if (auto w = effective(c, name, &lever); w && name.find('.') == std::string::npos) {
    DistSpec d = w->time;
    d.mark = f.value_mark;
    return d;
  }
  if (lever) {
    src.error(f.value_mark,
              fmt::format("work '{}' comes with the lever '{}' ({}): pull it with 'levers: [{}]'", name,
                          lever->name, lever->about, lever->name) +
                  note(problem, lever->mark, "the lever"));
    return std::nullopt;
  }
  std::vector<std::string> names = names_of(c.work);
  const Mark owner = c.work_mark.line ? c.work_mark : Mark{1, 1, 0};
  if (parse_distribution(name)) {
    src.error(
        f.value_mark,
        fmt::format("'{}' sets the cost of work, which the problem owns: name one of its work items ({})",
                    name, names.empty() ? "it has none: this step cannot be here" : join(names)) +
            note(problem, owner, "the problem's cost of work"));
    return std::nullopt;
  }
  const std::string guess = did_you_mean(name, names);
  src.error(f.value_mark,
            fmt::format("unknown work item '{}': {}valid: {}", name,
                        guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess), join(names)) +
                note(problem, owner, "the problem's work items"));
  return std::nullopt;
}

void check_call(const Map& m, const Contract& c, const std::string& problem) {
  if (const Field* f = m.get("latency"))
    m.source().error(f->key_mark, "a call's 'latency' is the network's, which the problem owns ('network:')" +
                                      note(problem,
                                           c.regions_mark.line   ? c.regions_mark
                                           : c.network_mark.line ? c.network_mark
                                                                 : Mark{1, 1, 0},
                                           "the problem's network"));
}

namespace {

// A database's failover time is always the problem's (its data set's
// `failover:`, 30 s by default: what a managed PostgreSQL takes), and so is
// its replication lag when the data set gives one.
void check_database_facts(const Map& m, const ComponentSpec& comp, const Contract& c,
                          const std::string& problem) {
  if (!comp.database()) return;
  const DataSetSpec* ds = c.data_set(comp.data);
  const Mark data_owner = c.data_mark.line ? c.data_mark : Mark{1, 1, 0};
  const auto refuse = [&](const Field& f, std::string_view what, Mark owner) {
    m.source().error(f.key_mark,
                     fmt::format("'{}' of database '{}' is a fact of the problem's world ({}), not a design "
                                 "choice",
                                 f.key, comp.name, what) +
                         note(problem, owner.line ? owner : data_owner, "the problem owns it here"));
  };
  if (const Field* f = m.get("failover"))
    refuse(*f, "how long its managed database takes to promote a replica",
           ds ? ds->failover_mark : data_owner);
  if (const Field* f = m.get("replication_lag"); f && ds && ds->replication_lag)
    refuse(*f, "how long its replication takes", ds->lag_mark);
  if (const Field* f = m.get("mirror"); f && ds && !ds->mirror.empty())
    refuse(*f, "which store must receive its writes", ds->mirror_mark);
}

}  // namespace

void check_component(const Map& m, ComponentSpec& comp, const Contract& c, const std::string& problem) {
  const Source& src = m.source();
  std::vector<std::string_view> owned;
  bool needs_data = true;
  switch (comp.kind()) {
    case ComponentKind::Database: owned = {"queries", "keys", "popularity"}; break;
    case ComponentKind::Cache:
      owned = {"hit_ratio", "keys", "popularity", "hit_latency", "miss_latency", "hot", "updates", "vary"};
      break;
    case ComponentKind::Cdn:
      owned = {"keys",           "popularity", "object_size", "edge_latency",
               "origin_latency", "hot",        "updates",     "vary"};
      break;
    case ComponentKind::Queue:
      owned = {"latency"};
      needs_data = false;
      break;
    case ComponentKind::LoadBalancer:
      // With regions, the latency between them is the problem's; without,
      // a balancer's own delay (its hop) stays the design's.
      if (!c.regions.empty()) owned = {"latency"};
      needs_data = false;
      break;
    default: needs_data = false; break;
  }
  const Mark data_owner = c.data_mark.line ? c.data_mark : Mark{1, 1, 0};
  const Mark net_owner = c.regions_mark.line   ? c.regions_mark
                         : c.network_mark.line ? c.network_mark
                                               : data_owner;
  for (std::string_view k : owned)
    if (const Field* f = m.get(k); f && k == "latency")
      src.error(f->key_mark,
                fmt::format("'latency' of {} '{}' is the network's, which the problem owns: place the "
                            "component with 'region:' and the problem gives the latency between regions",
                            name_of(comp.kind()), comp.name) +
                    note(problem, net_owner, "the problem owns it here"));
    else if (f)
      src.error(
          f->key_mark,
          fmt::format(
              "'{}' of {} '{}' is a fact of the problem's world, not a design choice: name the data set "
              "it holds with 'data:' and the problem gives it",
              k, name_of(comp.kind()), comp.name) +
              note(problem, data_owner, "the problem owns it here"));
  if (const Field* f = m.get("cost"))
    src.error(f->key_mark,
              "a graded design does not set its own price: capacity is priced by the problem's table "
              "(pick an 'instance:')" +
                  note(problem, Mark{1, 1, 0}, "the problem (its 'prices:' override the default table)"));
  // Workers follow the instance's vCPUs unless the design asks for fewer.
  if (!m.get("workers") && (comp.service() || comp.database())) {
    const Instance* in = comp.instance.empty() ? nullptr : instance(comp.instance);
    const int w = max_workers(in ? *in : smallest_for(name_of(comp.kind()), 0));
    if (ServiceSpec* svc = comp.service()) svc->workers = w;
    if (DatabaseSpec* db = comp.database()) db->workers = w;
  }
  std::vector<std::string> sets;
  for (const DataSetSpec& d : c.data) sets.push_back(d.name);
  if (const Field* f = m.get("data")) {
    if (auto s = yaml::read_text(src, *f, "a data set")) {
      comp.data = *s;
      comp.data_mark = f->value_mark;
      if (!c.data_set(*s)) {
        const std::string guess = did_you_mean(*s, sets);
        src.error(f->value_mark, fmt::format("unknown data set '{}': {}valid: {}", *s,
                                             guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess),
                                             sets.empty() ? "(the problem has none)" : join(sets)) +
                                     note(problem, data_owner, "the problem's data sets"));
      }
    }
    check_database_facts(m, comp, c, problem);
  } else if (needs_data) {
    src.error(m.at(),
              fmt::format("{} '{}' must name the data set it holds: 'data: NAME' ({})", name_of(comp.kind()),
                          comp.name, sets.empty() ? "the problem has none" : join(sets)) +
                  note(problem, data_owner, "the problem's data sets"));
  }
}

namespace {

// Counts what one request of a source runs, over the design's call graph:
// work items by name and queries as DATA.QUERY. Cache misses count as if
// every read missed. `runs` holds what answers the request: work and reads
// on its path (what it waits for), and writes anywhere (a write handed to a
// queue, an outbox relay or an `async:` call still happens). Off the path
// (an `async:` call, a queue's consumer, an outbox relay, the replies of a
// `parallel` block beyond its `wait`) work and reads do not count: a reply
// nobody waits for answers nothing. A call with a `fallback` runs the
// fallback instead when it fails, so it counts the least of the two.
// `all` counts everything the design runs, wherever (for messages).
class Walker {
 public:
  /// `removed`: a component walked as if it were not there (its calls run
  /// nothing), to ask what a request still runs without it.
  Walker(const ScenarioSpec& s, bool sync = true, int removed = -1) : s_(s), sync_(sync), removed_(removed) {}
  std::map<std::string, double> runs, all;
  std::set<std::string> writes;  ///< names counted as writes (they count off the path)

  void component(int i, double times, int depth) {
    if (i < 0 || i == removed_ || depth > 32 || times <= 0) return;
    const ComponentSpec& c = s_.components[static_cast<std::size_t>(i)];
    if (const ServiceSpec* svc = c.service()) steps(svc->steps, times, depth);
    if (const LoadBalancerSpec* lb = c.load_balancer()) {
      if (lb->targets.empty()) component(s_.find(lb->to), times, depth + 1);
      balancer_targets(c.name, *lb, times, depth);
    }
    if (const QueueSpec* q = c.queue())
      off_path([&](Walker& w) { w.component(s_.find(q->consumer), times, depth + 1); });
    if (const CdnSpec* cdn = c.cdn()) {
      component(s_.find(cdn->origin), times, depth + 1);
      if (!cdn->include.empty()) component(s_.find(cdn->include), times, depth + 1);  // every request
    }
  }

  void steps(const std::vector<StepSpec>& list, double times, int depth) {
    for (const StepSpec& st : list) {
      switch (st.kind) {
        case StepSpec::Kind::Work:
          if (!st.work_name.empty()) count(st.work_name, times, false);
          break;
        case StepSpec::Kind::Call:
          if (st.fallback.empty()) call(st, times, depth);
          else with_fallback(st, times, depth);
          break;
        case StepSpec::Kind::Async: off_path([&](Walker& w) { w.call(st, times, depth); }); break;
        case StepSpec::Kind::Parallel: parallel(st, times, depth); break;
        case StepSpec::Kind::Repeat: steps(st.steps, times * st.count, depth); break;
        case StepSpec::Kind::Branch:
          for (const StepSpec::Arm& a : st.arms) steps(a.steps, times * a.p, depth);
          break;
      }
    }
  }

 private:
  void count(const std::string& name, double times, bool write) {
    all[name] += times;
    if (write) writes.insert(name);
    if (sync_ || write) runs[name] += times;
  }

  // What `fn` counts, walked off the request's path: only its writes answer.
  template <class F>
  void off_path(F&& fn) {
    Walker w(s_, false, removed_);
    fn(w);
    add(w, 1.0);
  }

  void add(const Walker& w, double k) {
    for (const auto& [n, x] : w.runs) runs[n] += k * x;
    for (const auto& [n, x] : w.all) all[n] += k * x;
    writes.insert(w.writes.begin(), w.writes.end());
  }

  // One call (or publish, write, invalidate): the query or cache access it
  // makes, what its target runs, an outbox's relay and a cache's on_miss.
  void call(const StepSpec& st, double times, int depth) {
    const int t = s_.find(st.call.target);
    if (t >= 0 && t != removed_) {
      const ComponentSpec& target = s_.components[static_cast<std::size_t>(t)];
      const std::string& op = st.call.op;
      if (const DatabaseSpec* db = target.database(); db && !target.data.empty()) {
        const std::string q = op.empty() ? "read" : op;
        const int k = db->query(q);
        count(target.data + "." + q, times,
              q == "write" || (k >= 0 && db->queries[static_cast<std::size_t>(k)].write));
      }
      if (target.cache() && !target.data.empty() && (op.empty() || op == "write"))
        count(target.data + "." + (op.empty() ? "read" : "write"), times, op == "write");
    }
    component(t, times, depth + 1);
    // An outbox row is published with the write: its relay's consumer runs too, later.
    if (!st.call.outbox.empty())
      off_path([&](Walker& w) { w.component(s_.find(st.call.outbox), times, depth + 1); });
    steps(st.on_miss, times, depth);
  }

  // A call that runs its fallback instead when it fails (a timeout of 1 ms
  // makes that every time): a request runs the least of the two.
  void with_fallback(const StepSpec& st, double times, int depth) {
    Walker called(s_, sync_, removed_), fell(s_, sync_, removed_);
    called.call(st, times, depth);
    fell.steps(st.fallback, times, depth);
    for (const auto& [n, x] : called.runs) runs[n] += std::min(x, fell.runs.count(n) ? fell.runs.at(n) : 0.0);
    for (const auto& [n, x] : called.all) all[n] += x;
    writes.insert(called.writes.begin(), called.writes.end());
  }

  // A `parallel` block waits for `wait` of its replies: a request is answered
  // by the `wait` that run the least of each work item or read; writes all
  // happen.
  void parallel(const StepSpec& st, double times, int depth) {
    const std::size_t n = st.steps.size();
    const auto k = st.wait > 0 ? std::min<std::size_t>(static_cast<std::size_t>(st.wait), n) : n;
    if (k == n) return steps(st.steps, times, depth);
    std::vector<Walker> each;
    for (const StepSpec& one : st.steps) {
      each.emplace_back(s_, sync_, removed_);
      each.back().steps({one}, times, depth);
    }
    std::set<std::string> names;
    for (const Walker& w : each) {
      for (const auto& [name, x] : w.all) {
        names.insert(name);
        all[name] += x;
      }
      writes.insert(w.writes.begin(), w.writes.end());
    }
    for (const std::string& name : names) {
      std::vector<double> got;
      for (const Walker& w : each) got.push_back(w.runs.count(name) ? w.runs.at(name) : 0.0);
      std::sort(got.begin(), got.end());
      const std::size_t used = writes.count(name) ? n : k;  // the k that answer first may run the least
      for (std::size_t i = 0; i < used; ++i) runs[name] += got[i];
    }
  }

  // Weighted targets: a request runs what the target it is sent to runs,
  // so each target that receives requests at some time (its weight at the
  // start, or after a `shift`) must run the operation: count the least any
  // of them runs.
  void balancer_targets(const std::string& lb_name, const LoadBalancerSpec& lb, double times, int depth) {
    std::map<std::string, double> least, least_all;
    bool first = true;
    for (const auto& [t, w] : lb.targets) {
      if (!receives(lb_name, t, w)) continue;
      Walker one(s_, sync_, removed_);
      one.component(s_.find(t), times, depth + 1);
      writes.insert(one.writes.begin(), one.writes.end());
      if (first) {
        least = one.runs;
        least_all = one.all;
        first = false;
        continue;
      }
      for (auto& [name, n] : least) n = std::min(n, one.runs.count(name) ? one.runs.at(name) : 0.0);
      for (auto& [name, n] : least_all) n = std::min(n, one.all.count(name) ? one.all.at(name) : 0.0);
    }
    for (const auto& [name, n] : least) runs[name] += n;
    for (const auto& [name, n] : least_all) all[name] += n;
  }

  // Whether a balancer's target gets requests: a weight above 0 at the start
  // or in one of the timeline's shifts.
  bool receives(const std::string& lb, const std::string& target, double weight) const {
    if (weight > 0) return true;
    for (const FaultSpec& f : s_.faults)
      if (f.kind == FaultSpec::Kind::Shift && f.target == lb)
        for (const auto& [name, w] : f.weights)
          if (name == target && w > 0) return true;
    return false;
  }

  const ScenarioSpec& s_;
  bool sync_;  ///< on the request's path: the caller waits for it
  int removed_ = -1;
};

std::string requirement_words(const RequirementSpec& r) {
  std::string out;
  for (const auto& [n, k] : r.any)
    out += (out.empty() ? "" : " or ") +
           (k == 1 ? fmt::format("'{}'", n) : fmt::format("'{}' {:g} times", n, k));
  return out;
}

// A database of a data set: its queries (the problem's, and those its
// levers offer), key space, popularity, failover and replication lag.
void fill_database(DatabaseSpec* db, const DataSetSpec* d, const Contract& c) {
  db->queries.clear();
  std::vector<std::string> names;
  for (const auto& [q, _] : d->queries) names.push_back(q);
  for (const LeverSpec& l : c.levers)  // lever queries exist; using an unpulled one is refused below
    for (const auto& [n, _] : l.sets)
      if (n.rfind(d->name + ".", 0) == 0 &&
          std::find(names.begin(), names.end(), n.substr(d->name.size() + 1)) == names.end())
        names.push_back(n.substr(d->name.size() + 1));
  for (const std::string& q : names) {
    const LeverSpec* lever = nullptr;
    auto w = effective(c, d->name + "." + q, &lever);
    if (!w && lever)  // its cost as offered; a call to it is refused below while the lever is not pulled
      for (const auto& [n, x] : lever->sets)
        if (n == d->name + "." + q) w = x;
    if (!w) continue;
    db->queries.push_back(DatabaseSpec::Query{q, w->time, w->write, w->mark, w->scatter});
  }
  if (db->query("write") < 0 && db->query("read") >= 0) {
    DatabaseSpec::Query wq = db->queries[static_cast<std::size_t>(db->query("read"))];
    wq.name = "write";
    wq.write = true;
    db->queries.push_back(wq);
  }
  db->keys = d->keys;
  db->popularity = d->popularity;
  db->failover = d->failover;  // the managed database's, whatever the design would like
  if (d->replication_lag) db->replication_lag = d->replication_lag;
}

// A database of a data set with `mirror: SET`: its writes must reach the
// design's database of SET (the first, in file order).
void fill_mirror(const ScenarioSpec& spec, DatabaseSpec* db, const DataSetSpec* d, const Contract& c,
                 Diagnostics& diags) {
  if (d->mirror.empty()) return;
  if (!c.data_set(d->mirror)) {
    std::vector<std::string> sets;
    for (const DataSetSpec& x : c.data) sets.push_back(x.name);
    const std::string guess = did_you_mean(d->mirror, sets);
    diags.error(
        spec.file, d->mirror_mark,
        fmt::format("'mirror' of data set '{}' names '{}', which is no data set: {}valid: {}", d->name,
                    d->mirror, guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess), join(sets)));
    return;
  }
  for (const ComponentSpec& other : spec.components)
    if (other.database() && other.data == d->mirror) {
      db->mirror = other.name;
      db->mirror_mark = d->mirror_mark;
      return;
    }
  diags.error(spec.file, d->mirror_mark,
              fmt::format("every write of data set '{}' must also reach data set '{}' (the migration's old "
                          "store), but the design has no database of '{}'",
                          d->name, d->mirror, d->mirror));
}

// A cache or CDN of a data set: its key space, popularity and latencies.
void fill_store(ComponentSpec& comp, const DataSetSpec* d, const ScenarioSpec& spec, Diagnostics& diags) {
  KeyedStoreSpec* store = nullptr;
  if (CacheSpec* cache = comp.cache()) {
    store = &cache->store;
    if (d->cache_latency) cache->hit_latency = d->cache_latency;
  }
  if (CdnSpec* cdn = comp.cdn()) {
    store = &cdn->store;
    cdn->object_size = d->item_bytes;
    if (d->edge_latency) cdn->edge_latency = d->edge_latency;
    if (d->origin_latency) cdn->origin_latency = d->origin_latency;
  }
  if (store) {
    if (d->keys == 0) {
      diags.error(
          spec.file_of(comp.data_mark), comp.data_mark,
          fmt::format("data set '{}' has no 'keys': a {} needs a key space", d->name, name_of(comp.kind())) +
              note(spec.file, d->mark, "the data set"));
      return;
    }
    store->keys = d->keys;
    store->popularity = d->popularity;
    store->hot = d->hot;
    store->updates = d->updates;
    store->vary = d->vary;
    if (store->capacity > store->copies()) store->capacity = store->copies();
    const std::uint64_t held = store->capacity ? store->capacity : store->copies();
    store->warm = std::min(store->warm, held);
  }
}

void fill_data(ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  for (ComponentSpec& comp : spec.components) {
    const DataSetSpec* d = comp.data.empty() ? nullptr : c.data_set(comp.data);
    if (!d) continue;
    if (!d->lever.empty() && !c.pulled_lever(d->lever)) {
      const LeverSpec* l = c.lever(d->lever);
      diags.error(spec.file_of(comp.data_mark), comp.data_mark,
                  fmt::format("data set '{}' comes with the lever '{}' ({}): pull it with 'levers: [{}]'",
                              d->name, d->lever, l ? l->about : "", d->lever) +
                      note(spec.file, l ? l->mark : d->lever_mark, "the lever"));
    }
    if (DatabaseSpec* db = comp.database(); db && db->shards < d->min_shards)
      diags.error(
          spec.file_of(comp.mark), comp.mark,
          fmt::format(
              "database '{}' has {} shard{}: data set '{}' needs at least {} (its volume is a fact of "
              "the problem)",
              comp.name, db->shards, db->shards == 1 ? "" : "s", d->name, d->min_shards) +
              note(spec.file, d->min_shards_mark, "the problem fixes it here"));
    if (DatabaseSpec* db = comp.database()) {
      fill_database(db, d, c);
      fill_mirror(spec, db, d, c, diags);
    }
    // A cache or CDN of a data set exists only where the problem says what
    // serving from it costs (its cache_latency, edge_latency).
    const bool cacheable = comp.cache() ? d->cache_latency.has_value()
                           : comp.cdn() ? d->edge_latency.has_value()
                                        : true;
    if (!cacheable) {
      diags.error(
          spec.file_of(comp.data_mark), comp.data_mark,
          fmt::format(
              "the problem offers no {} of data set '{}' (it gives no {}): serve it from where it lives",
              name_of(comp.kind()), d->name, comp.cache() ? "cache_latency" : "edge_latency") +
              note(spec.file, d->mark, "the data set"));
      continue;
    }
    fill_store(comp, d, spec, diags);
  }
}

// Calls to a query only an unpulled lever offers.
void check_lever_queries(const ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  for (const ComponentSpec& comp : spec.components) {
    const ServiceSpec* svc = comp.service();
    if (!svc) continue;
    for_each_call(svc->steps, [&](const StepSpec& st, double) {
      const int t = spec.find(st.call.target);
      if (t < 0) return;
      const ComponentSpec& target = spec.components[static_cast<std::size_t>(t)];
      if (!target.database() || target.data.empty()) return;
      const std::string op = st.call.op.empty() ? "read" : st.call.op;
      const LeverSpec* lever = nullptr;
      if (!effective(c, target.data + "." + op, &lever) && lever)
        diags.error(
            spec.file_of(st.call.op_mark), st.call.op_mark,
            fmt::format("query '{}' of '{}' comes with the lever '{}' ({}): pull it with 'levers: [{}]'", op,
                        target.data, lever->name, lever->about, lever->name) +
                note(spec.file, lever->mark, "the lever"));
    });
  }
}

void check_faults(const ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  for (const FaultSpec& f : spec.faults) {
    if (f.mark.file != 1) continue;
    const bool action =
        std::find(kOperatorActions.begin(), kOperatorActions.end(), f.kind) != kOperatorActions.end();
    if (!action) {
      diags.error(
          spec.design_file, f.mark,
          fmt::format("'{}' is part of the problem's script (faults and spikes happen to a design, it "
                      "does not plan them): a design's timeline holds operator actions only ({})",
                      name_of(f.kind), action_names(kOperatorActions)) +
              note(spec.file, Mark{1, 1, 0}, "the problem"));
      continue;
    }
    if (std::find(c.actions.begin(), c.actions.end(), f.kind) != c.actions.end()) continue;
    diags.error(
        spec.design_file, f.mark,
        fmt::format("'{}' is an operator action this problem does not let a design plan (it allows: "
                    "{}): the problem's faults and spikes come unannounced, and a design meets them with "
                    "what it runs (health checks, breakers, retries, autoscale), not with actions "
                    "timed to them",
                    name_of(f.kind), action_names(c.actions)) +
            note(spec.file, c.actions_mark.line ? c.actions_mark : Mark{1, 1, 0},
                 c.actions_mark.line ? "the problem's actions" : "the problem (it gives no 'actions:')"));
  }
}

bool applies(const OperationSpec& op, const TrafficSpec& t) {
  return op.from.empty() || std::find(op.from.begin(), op.from.end(), t.name) != op.from.end();
}

// What an operation requires: its `must` and what the pulled levers add.
std::vector<RequirementSpec> requirements(const OperationSpec& op, const Contract& c) {
  std::vector<RequirementSpec> must = op.must;
  for (const std::string& p : c.pulled)
    if (const LeverSpec* l = c.lever(p))
      for (const auto& [name, reqs] : l->must)
        if (name == op.name) must.insert(must.end(), reqs.begin(), reqs.end());
  return must;
}

// The share of a requirement that counts run (1: all of it, per request),
// the best of its alternatives.
double share(const std::map<std::string, double>& counts, const RequirementSpec& r) {
  double best = 0;
  for (const auto& [n, k] : r.any) {
    const auto it = counts.find(n);
    best = std::max(best, k > 0 && it != counts.end() ? it->second / k : 0.0);
  }
  return best;
}

void check_operations(const ScenarioSpec& spec, Contract& c, Diagnostics& diags) {
  for (const TrafficSpec& t : spec.traffic) {
    const int entry = spec.find(t.to);
    if (entry < 0) continue;  // check_references reports it
    Walker w(spec);
    w.component(entry, 1.0, 0);
    c.runs[t.name] = w.runs;
    for (const OperationSpec& op : c.operations) {
      if (!applies(op, t)) continue;
      for (const RequirementSpec& r : requirements(op, c)) {
        const double best = share(w.runs, r), best_all = share(w.all, r);
        if (best >= 1 - 1e-9) continue;
        const ComponentSpec& e = spec.components[static_cast<std::size_t>(entry)];
        const std::string why =
            best_all >= 1 - 1e-9
                ? fmt::format(
                      " before it answers (it runs {:.3g}% in all): a read or work off the request's path "
                      "(an 'async:' call, a queue's consumer, an outbox relay, a 'parallel' reply beyond "
                      "its 'wait', a call's 'fallback' instead of the call) answers nothing; only writes may "
                      "be handed off",
                      100 * best_all)
                : ": the problem's work cannot be skipped or renamed";
        diags.error(spec.file_of(e.mark), e.mark,
                    fmt::format("a request of '{}' must run {} (operation '{}'), but the design from '{}' "
                                "runs {:.3g}% of it{}",
                                t.name, requirement_words(r), op.name, e.name, 100 * best, why) +
                        note(spec.file, r.mark, "the problem requires it here"));
      }
    }
  }
}

// Whether some operation cannot be done without component `target`: every
// request of it loses a required item when the target is walked as absent.
bool needed(const ScenarioSpec& spec, const Contract& c, int target) {
  for (const TrafficSpec& t : spec.traffic) {
    const int entry = spec.find(t.to);
    if (entry == target) return true;
    if (entry < 0) continue;
    Walker w(spec, true, target);
    w.component(entry, 1.0, 0);
    for (const OperationSpec& op : c.operations)
      if (applies(op, t))
        for (const RequirementSpec& r : requirements(op, c))
          if (share(w.runs, r) < 1e-9) return true;
  }
  return false;
}

// The problem's script happens to a design's component by name (`kill: db`):
// it must be one an operation cannot do without, not a decoy beside the
// component that does the work (was: sql-vs-nosql 100/100 PASS with its
// store named `store` and an idle database named `db` taking the kill; or
// `db` called by one request in 10,000).
void check_script_targets(const ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  if (c.operations.empty()) return;
  std::set<std::string> done;
  for (const FaultSpec& f : spec.faults) {
    if (f.mark.file == 1 || !done.insert(f.target).second) continue;  // the design's own actions
    const int i = spec.find(f.target);
    const bool external = std::any_of(c.externals.begin(), c.externals.end(),
                                      [&](const ExternalSpec& x) { return x.name == f.target; });
    if (i < 0 || external || needed(spec, c, i)) continue;
    const ComponentSpec& comp = spec.components[static_cast<std::size_t>(i)];
    diags.error(spec.file_of(comp.mark), comp.mark,
                fmt::format("'{}' is where the problem's script strikes ('{}' at {}), but no operation needs "
                            "it: every request still runs what its operation requires without '{}'. The "
                            "script must happen to the component that does the work: give that name to it",
                            comp.name, name_of(f.kind), format_duration(f.at), comp.name) +
                    note(spec.file, f.mark, "the problem's script"));
  }
}

// The sizes a design's `resize` actions set, in time order: more workers
// than the instance's vCPUs allow is refused there too (was: 1,000 workers
// on a 2-vCPU database at its price, from 0 s on).
void check_resizes(const ScenarioSpec& spec, const ComponentSpec& comp, int workers, Diagnostics& diags) {
  std::vector<const FaultSpec*> rs;
  for (const FaultSpec& f : spec.faults)
    if (f.kind == FaultSpec::Kind::Resize && f.target == comp.name) rs.push_back(&f);
  std::stable_sort(rs.begin(), rs.end(),
                   [](const FaultSpec* a, const FaultSpec* b) { return a->at < b->at; });
  Sizing now{workers, comp.instance};
  for (const FaultSpec* f : rs) {
    now = resized(comp, now, f->workers, f->instance);
    const Instance* in = now.instance.empty() ? nullptr : instance(now.instance);
    if (!in || now.workers <= max_workers(*in)) continue;
    diags.error(
        spec.file_of(f->mark), f->mark,
        fmt::format("'resize' of '{}' gives {} {} workers: it has {} vCPUs, at most {} ({} per vCPU); "
                    "resize to a larger instance",
                    comp.name, in->name, now.workers, in->vcpus, max_workers(*in),
                    max_workers(*in) / in->vcpus));
  }
}

void check_instances(const ScenarioSpec& spec, Diagnostics& diags) {
  for (const ComponentSpec& comp : spec.components) {
    if (comp.instance.empty()) {
      if (comp.service() || comp.database())
        check_resizes(spec, comp, comp.service() ? comp.service()->workers : comp.database()->workers, diags);
      continue;
    }
    const Instance* in = instance(comp.instance);
    if (!in) continue;  // parse.cpp reported it
    const int workers = comp.service()    ? comp.service()->workers
                        : comp.database() ? comp.database()->workers
                                          : 0;
    const int most = max_workers(*in);
    if (workers > most)
      diags.error(
          spec.file_of(comp.instance_mark), comp.instance_mark,
          fmt::format("{} has {} vCPUs: at most {} workers ({} per vCPU); pick a larger instance or fewer "
                      "workers",
                      in->name, in->vcpus, most, most / in->vcpus));
    check_resizes(spec, comp, workers, diags);
  }
}

}  // namespace

// The problem's external systems join the design's components, as the problem wrote them.
void add_externals(ScenarioSpec& spec, const Contract& c, Diagnostics& diags) {
  for (const ExternalSpec& x : c.externals) {
    if (const int i = spec.find(x.name); i >= 0) {
      const ComponentSpec& mine = spec.components[static_cast<std::size_t>(i)];
      diags.error(spec.file_of(mine.mark), mine.mark,
                  fmt::format("'{}' is a system the problem provides: call it, do not define it", x.name) +
                      note(spec.file, x.mark, "the problem's external system"));
      continue;
    }
    ComponentSpec comp;
    comp.name = x.name;
    comp.mark = x.mark;
    ServiceSpec svc;
    svc.workers = x.workers;
    StepSpec step;
    step.kind = StepSpec::Kind::Work;
    step.mark = x.mark;
    step.work_name = x.work;
    if (auto w = effective(c, x.work)) step.work = w->time;
    svc.steps.push_back(step);
    svc.idempotent = !x.idempotent_with.empty() && c.pulled_lever(x.idempotent_with);
    comp.body = std::move(svc);
    spec.components.push_back(std::move(comp));
  }
}

void apply(ScenarioSpec& spec, Contract& c, Diagnostics& diags) {
  apply_regions(spec, c);
  add_externals(spec, c, diags);
  fill_data(spec, c, diags);
  check_lever_queries(spec, c, diags);
  check_faults(spec, c, diags);
  check_instances(spec, diags);
  check_operations(spec, c, diags);
  check_script_targets(spec, c, diags);
  check_follower_pushes(spec, c, diags);
}

}  // namespace contract
}  // namespace archsim
