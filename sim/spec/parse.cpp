// Reading a scenario file, and the design it names, into a ScenarioSpec. This
// file is the schema: which keys exist where, which are required, what each
// holds. yaml_reader does the reading with positions, units.cpp the units,
// validate.cpp the checks across components.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "archsim/load.hpp"
#include "archsim/text.hpp"
#include "spec/contract.hpp"
#include "spec/instances.hpp"
#include "spec/limits.hpp"
#include "spec/parse_data.hpp"
#include "spec/parse_followers.hpp"
#include "spec/parse_resilience.hpp"
#include "spec/platform.hpp"
#include "spec/price.hpp"
#include "spec/validate.hpp"
#include "spec/yaml_reader.hpp"

namespace archsim {

namespace {

namespace fs = std::filesystem;
using yaml::Bound;
using yaml::Field;
using yaml::Map;
using yaml::Source;

// The keys of each map, in the order the format documents them (the order
// of "valid keys: ..." in messages).
const std::vector<std::string_view> kTopKeys = {
    "name", "description", "seed", "duration", "warmup", "design", "network", "traffic", "components", "slo",
    "faults", "budget", "backend", "platform",
    // a graded problem's world (spec/contract.cpp), a design's levers
    "work", "data", "operations", "levers", "prices", "external", "regions", "actions"};
const std::vector<std::string_view> kTrafficKeys = {"name",  "to",      "rate",  "profile", "users",
                                                    "think", "timeout", "retry", "from",    "response"};
const std::vector<std::string_view> kProfileKeys = {"at", "x", "ramp"};
// The resilience keys of services and balancers are read in parse_resilience.cpp.
const std::vector<std::string_view> kServiceKeys = {"kind",         "replicas",       "workers",
                                                    "queue",        "steps",          "service_time",
                                                    "queue_policy", "queue_deadline", "concurrency_limit",
                                                    "rate_limit",   "bulkheads",      "autoscale",
                                                    "idempotent",   "cost",           "hosts",
                                                    "zone",         "instance",       "region"};
const std::vector<std::string_view> kBalancerKeys = {
    "kind", "policy", "to", "latency", "rate_limit", "health_check", "cost", "hosts", "zone", "region"};
const std::vector<std::string_view> kNetworkKeys = {"latency"};

bool contains(const std::vector<std::string_view>& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

std::vector<std::string_view> concat(std::vector<std::string_view> a,
                                     const std::vector<std::string_view>& b) {
  for (std::string_view k : b)
    if (!contains(a, k)) a.push_back(k);
  return a;
}

bool before(Mark a, Mark b) { return a.line < b.line || (a.line == b.line && a.col < b.col); }

// Of two keys that exclude each other, the one written second: the mistake is
// reported where the reader notices it.
const Field* later(const Field* a, const Field* b) { return before(a->key_mark, b->key_mark) ? b : a; }

// Names are referenced by `to:` and `call:`, joined by " -> " in messages and
// addressed as `api.replicas` by sweeps: no spaces, no dots.
// The part of a bad-name message about its length (limits::kNameLength).
std::string too_long(std::string_view n) {
  return n.size() > static_cast<std::size_t>(limits::kNameLength.max)
             ? fmt::format(", at most {:.0f} of them", limits::kNameLength.max)
             : "";
}

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > static_cast<std::size_t>(limits::kNameLength.max)) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// Reports the keys of `m` that are not in `own`. A key that belongs to the
// other kind of the same thing (a balancer's `policy` in a service, a call's
// `latency` in a work step) says so rather than guessing a spelling.
int report_unknown(const Map& m, const std::vector<std::string_view>& own, std::string_view where,
                   const std::vector<std::string_view>& other, std::string_view other_what) {
  const std::vector<const Field*> bad = m.unknown(own);
  for (const Field* f : bad) {
    if (contains(other, f->key)) {
      m.source().error(f->key_mark, fmt::format("unknown key '{}' in {}: '{}' belongs to {}", f->key, where,
                                                f->key, other_what));
    } else {
      yaml::report_unknown_key(m.source(), *f, own, where);
    }
  }
  return static_cast<int>(bad.size());
}

// `cost:` and `budget:`: a price per time, in USD per hour (spec/price.cpp).
std::optional<double> read_price(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "a price such as $0.40/h");
  std::string why;
  const auto v = text ? parse_price(*text, &why) : std::nullopt;
  if (text && !v) src.error(f.value_mark, why);
  return v;
}

// The whole file, or nullopt and why not.
std::optional<std::string> read_file(const std::string& path, std::string& why) {
  return read_input_file(path, why, static_cast<std::uint64_t>(limits::kFileBytes.max));
}

class Loader {
 public:
  Loader(const std::string& path, const LoadOptions& opt, Diagnostics& diags)
      : opt_(opt), diags_(diags), problem_(path, 0, diags) {
    spec_.file = path;
    spec_.name = valid_utf8(fs::path(path).stem().string());
  }

  ScenarioSpec load(const std::string& text);

 private:
  // A top-level key and the file it comes from (problem or design).
  using Pick = std::pair<const Field*, const Source*>;
  std::optional<Map> open_design(const Map& top);
  void read_contract();
  Pick from(std::string_view key) const;
  void read_names();
  Pick read_run_keys();
  void read_model();
  void apply_command_line(const Pick& warmup);
  void read_traffic(const Source& src, const Field& f);
  void read_load(const Source& src, const yaml::Map& m, Mark at, const std::string& where, TrafficSpec& t);
  void read_profile(const Source& src, const Field& f, TrafficSpec& t);
  void read_components(const Source& src, const Field& f);
  ComponentSpec read_component(const Source& src, const Field& f);
  void read_service(const Map& m, ServiceSpec& svc, const std::string& where);
  void read_balancer(const Map& m, LoadBalancerSpec& lb, const std::string& where);
  std::optional<StepSpec> read_step(const Source& src, const YAML::Node& node);
  std::vector<StepSpec> read_steps(const Source& src, const Field& f);
  void read_parallel(const Source& src, const Map& m, const Field& head, StepSpec& s);
  void read_branch(const Source& src, const Field& head, StepSpec& s);
  void read_call(const Source& src, const Map& m, const Field& head, StepSpec& s);
  void read_network(const Source& src, const Field& f);
  void read_slo(const Source& src, const Field& f);
  void read_slo_map(const Source& src, const Field& f, const std::string& source,
                    const std::string& region = "");
  void read_slo_regions(const Source& src, const Field& g);
  void read_instance(const Map& m, ComponentSpec& c);

  const LoadOptions& opt_;
  Diagnostics& diags_;
  ScenarioSpec spec_;
  Source problem_;
  std::optional<Source> design_;
  // The two files' top-level maps while load() runs (design_top_ null
  // without a design).
  const Map* top_ = nullptr;
  const Map* design_top_ = nullptr;
  // Set when the components could not be read at all (a design file that is
  // missing or malformed, `components` that is not a map): every reference
  // would then look unknown, so the reference checks are skipped.
  bool components_unreadable_ = false;
  // Set when the scenario is a graded problem: a design, and a problem that
  // declares its world (spec/contract.cpp).
  std::shared_ptr<Contract> contract_;
  bool graded_design(const Source& src) const { return contract_ && src.file() == 1; }
};

ScenarioSpec Loader::load(const std::string& text) {
  const std::optional<YAML::Node> root = problem_.parse(text);
  if (!root) return spec_;
  if (!root->IsMap()) {
    problem_.error(problem_.start(),
                   fmt::format("expected a map of keys (name, traffic, components, ...) at the top "
                               "of the file, got {}",
                               yaml::shape(*root)));
    return spec_;
  }
  const std::optional<Map> top = Map::open(problem_, *root, problem_.start(), "the scenario");
  top->allow_only(kTopKeys, "");
  const std::optional<Map> design = open_design(*top);
  top_ = &*top;
  design_top_ = design ? &*design : nullptr;
  read_contract();
  read_names();
  const Pick warmup = read_run_keys();
  read_model();
  apply_command_line(warmup);
  if (contract_) {
    contract::apply(spec_, *contract_, diags_);
    spec_.contract = contract_;
  }
  spec_.index_names();  // find() in O(1) from here on: loading stays linear
  if (!components_unreadable_) check_references(spec_, diags_);
  platform::check_platform(spec_, diags_);
  top_ = design_top_ = nullptr;
  return spec_;
}

// A graded problem (a design, and a problem that declares its world) reads
// its contract; otherwise the contract's keys are refused where they stand.
void Loader::read_contract() {
  const Map& top = *top_;
  if (design_top_ && contract::declares_world(top)) {
    contract_ = std::make_shared<Contract>();
    contract::read_problem(top, *contract_);
    contract::read_design_top(*design_top_, top, *contract_);
    return;
  }
  for (std::string_view k : {"work", "data", "operations", "levers", "prices", "external", "actions"})
    if (const Field* f = top.get(k))
      problem_.error(f->key_mark,
                     fmt::format("'{}' belongs to a graded problem: it needs a design ('design:' or "
                                 "--design) and the world keys (work, data, operations)",
                                 k));
  if (design_top_)
    if (const Field* f = design_top_->get("levers"))
      design_->error(f->key_mark, "'levers' pulls levers a graded problem offers; this problem offers none");
}

// Each key comes from one file. The problem states the workload and the
// goals, the design the components; either may give the other keys, but
// not both. `name` and `description` describe each file and may be in both.
Loader::Pick Loader::from(std::string_view key) const {
  const Field* p = top_->get(key);
  const Field* d = design_top_ ? design_top_->get(key) : nullptr;
  if (p && d && !contract_) {  // graded: read_design_top refused it already
    design_->error(d->key_mark,
                   fmt::format("'{}' is already set by the problem file ({}:{}:{}): a design adds "
                               "only keys the problem leaves out",
                               key, problem_.path(), p->key_mark.line, p->key_mark.col));
  }
  if (p) return {p, &problem_};
  if (d) return {d, &*design_};
  return {nullptr, nullptr};
}

void Loader::read_names() {
  if (const Field* f = top_->get("name")) {
    if (auto s = yaml::read_text(problem_, *f, "a name")) spec_.name = *s;
  }
  if (const Field* f = top_->get("description")) {
    if (auto s = yaml::read_text(problem_, *f)) spec_.description = *s;
  }
  if (!design_top_) return;
  if (const Field* f = design_top_->get("name")) {
    if (auto s = yaml::read_text(*design_, *f, "a name")) spec_.design_name = *s;
  }
  if (const Field* f = design_top_->get("description")) {
    auto s = yaml::read_text(*design_, *f);
    if (s && spec_.description.empty()) spec_.description = *s;
  }
}

// seed, duration, warmup, network, budget, backend, platform. Returns where
// the warm-up was given (checked against the duration once the command line
// has had its say).
Loader::Pick Loader::read_run_keys() {
  Pick warmup{nullptr, nullptr};
  if (auto [f, src] = from("seed"); f) {
    if (auto v = yaml::read_uint64(*src, *f)) spec_.seed = *v;
  }
  if (auto [f, src] = from("duration"); f) {
    if (auto v = yaml::read_duration(*src, *f, Bound::Positive, "s")) spec_.duration = *v;
  }
  if (auto pick = from("warmup"); pick.first) {
    if (auto v = yaml::read_duration(*pick.second, *pick.first, Bound::NonNegative, "s")) {
      spec_.warmup = *v;
      warmup = pick;
    }
  }
  if (auto [f, src] = from("network"); f) read_network(*src, *f);
  if (auto [f, src] = from("budget"); f) spec_.budget = read_price(*src, *f);
  if (auto [f, src] = from("backend"); f) platform::read_backend(*src, *f, spec_);
  if (auto [f, src] = from("platform"); f) platform::read_platform(*src, *f, spec_);
  return warmup;
}

// traffic, components, slo and the fault timeline.
void Loader::read_model() {
  if (auto [f, src] = from("traffic"); f) {
    read_traffic(*src, *f);
  } else {
    problem_.error(problem_.start(),
                   "missing required key 'traffic': who sends requests, and to which component");
  }
  if (auto [f, src] = from("components"); f) {
    read_components(*src, *f);
  } else if (!components_unreadable_) {
    const Source& where = design_top_ ? *design_ : problem_;
    where.error(where.start(), "missing required key 'components'");
  }
  if (auto [f, src] = from("slo"); f) read_slo(*src, *f);
  // The problem's faults and the design's operator actions make one timeline.
  if (const Field* f = top_->get("faults")) read_faults(problem_, *f, spec_.faults);
  if (design_top_) {
    if (const Field* f = design_top_->get("faults")) read_faults(*design_, *f, spec_.faults);
  }
  std::stable_sort(spec_.faults.begin(), spec_.faults.end(),
                   [](const FaultSpec& a, const FaultSpec& b) { return a.at < b.at; });
}

// Options from the command line win over the file.
void Loader::apply_command_line(const Pick& warmup) {
  std::string changed;
  if (opt_.duration && *opt_.duration != spec_.duration)
    changed = fmt::format("duration {}, not the file's {}", format_duration(*opt_.duration),
                          format_duration(spec_.duration));
  if (opt_.seed && *opt_.seed != spec_.seed)
    changed +=
        fmt::format("{}seed {}, not the file's {}", changed.empty() ? "" : "; ", *opt_.seed, spec_.seed);
  spec_.run_changed = changed;
  if (opt_.seed) spec_.seed = *opt_.seed;
  if (opt_.duration) spec_.duration = *opt_.duration;
  if (warmup.first && spec_.warmup >= spec_.duration) {
    warmup.second->error(
        warmup.first->value_mark,
        fmt::format("'warmup' ({}) must be shorter than the duration ({}{})", format_duration(spec_.warmup),
                    format_duration(spec_.duration), opt_.duration ? ", from --duration" : ""));
  }
}

std::optional<Map> Loader::open_design(const Map& top) {
  const Field* named = top.get("design");
  std::optional<std::string> relative;
  if (named) relative = yaml::read_text(problem_, *named, "a file path");

  std::string path;
  if (opt_.design) {
    path = *opt_.design;  // from the command line: relative to where it runs
  } else if (relative) {
    // Relative to the problem file, so that a scenario folder can move.
    path = (fs::path(spec_.file).parent_path() / *relative).lexically_normal().string();
  } else {
    return std::nullopt;
  }
  spec_.design_file = path;

  // Until the design is read, its components are unknown.
  components_unreadable_ = true;
  std::string why;
  const std::optional<std::string> text = opt_.design_text ? opt_.design_text : read_file(path, why);
  if (!text) {
    if (opt_.design) {
      diags_.error(path, Mark{}, fmt::format("cannot read the design file given with --design: {}", why));
    } else {
      problem_.error(named->value_mark, fmt::format("cannot read the design file '{}': {}", path, why));
    }
    return std::nullopt;
  }

  design_.emplace(path, 1, diags_);
  const std::optional<YAML::Node> root = design_->parse(*text);
  if (!root) return std::nullopt;
  if (!root->IsMap()) {
    design_->error(
        design_->start(),
        fmt::format("expected a map of keys (components, ...) at the top of the design file, got {}",
                    yaml::shape(*root)));
    return std::nullopt;
  }
  components_unreadable_ = false;
  std::optional<Map> design = Map::open(*design_, *root, design_->start(), "the design");
  for (const Field* f : design->unknown(kTopKeys)) yaml::report_unknown_key(*design_, *f, kTopKeys, "");
  if (const Field* f = design->get("design"))
    design_->error(f->key_mark, "a design file cannot name another design");
  return design;
}

void Loader::read_network(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'network'");
  if (!m) return;
  m->allow_only(kNetworkKeys, "'network'");
  if (const Field* lat = m->get("latency")) spec_.network_latency = yaml::read_distribution(src, *lat, "ms");
}

void Loader::read_traffic(const Source& src, const Field& f) {
  const auto items = yaml::read_list(src, f);
  if (!items) return;
  if (items->empty()) src.error(f.value_mark, "'traffic' is empty: add at least one source of requests");
  for (std::size_t i = 0; i < items->size(); ++i) {
    const YAML::Node& item = (*items)[i];
    const Mark at = src.mark(item);
    std::string where = fmt::format("traffic entry {}", i + 1);
    const std::optional<Map> m = Map::open(src, item, at, where);
    if (!m) continue;

    TrafficSpec t;
    t.mark = at;
    if (const Field* name = m->need("name", where)) {
      if (auto s = yaml::read_text(src, *name, "a name")) {
        t.name = *s;
        t.mark = name->value_mark;
        where = fmt::format("traffic '{}'", t.name);
        if (!valid_name(t.name))
          src.error(name->value_mark,
                    fmt::format("traffic name '{}' may only use letters, digits, '_' and '-'{}",
                                t.name.substr(0, 200), too_long(t.name)));
      }
    }
    m->allow_only(kTrafficKeys, where);
    if (const Field* to = m->need("to", where)) {
      if (auto s = yaml::read_text(src, *to, "a component name")) {
        t.to = *s;
        t.to_mark = to->value_mark;
      }
    }

    read_load(src, *m, at, where, t);
    if (const Field* timeout = m->get("timeout"))
      t.timeout = yaml::read_duration(src, *timeout, Bound::Positive, "s");
    if (const Field* retry = m->get("retry")) t.retry = read_retry(src, *retry);
    if (const Field* r = m->get("response")) {
      if (auto v = yaml::read_size(src, *r)) t.response_bytes = *v;
    }
    if (contract_ && !contract_->regions.empty())
      contract::read_traffic_region(*m, t, *contract_);  // a region of the problem
    else platform::read_origin(*m, t.name, spec_);
    spec_.traffic.push_back(std::move(t));
  }
}

// How much traffic: an open loop ('rate', optionally a 'profile') or a closed
// loop ('users' with 'think'), never both.
void Loader::read_load(const Source& src, const Map& m, Mark at, const std::string& where, TrafficSpec& t) {
  const Field* rate = m.get("rate");
  const Field* users = m.get("users");
  const Field* think = m.get("think");
  const Field* profile = m.get("profile");
  if (rate && users) {
    src.error(later(rate, users)->key_mark,
              "give either 'rate' (an open loop) or 'users' (a closed loop), not both");
  } else if (!rate && !users) {
    src.error(at, fmt::format("missing required key 'rate' in {}: give 'rate' (an open loop) or 'users' with "
                              "'think' (a closed loop)",
                              where));
  }
  if (rate) {
    if (auto v = yaml::read_rate(src, *rate)) t.rate = *v;
  }
  if (users) {
    if (auto v = yaml::read_int(src, *users, 1, limits::kUsers)) t.users = static_cast<std::uint64_t>(*v);
    if (!think)
      src.error(at,
                fmt::format("missing required key 'think' in {}: the pause of a closed-loop user between a "
                            "reply and the next request",
                            where));
  }
  if (think) {
    if (!users) {
      src.error(think->key_mark, "'think' is the pause of a closed-loop user: it needs 'users'");
    } else if (auto d = yaml::read_distribution(src, *think, "s")) {
      t.think = *d;
    }
  }
  if (profile) {
    if (users && !rate) {
      src.error(profile->key_mark,
                "'profile' varies the 'rate' of an open loop; a closed loop ('users') has none");
    } else {
      read_profile(src, *profile, t);
    }
  }
}

void Loader::read_profile(const Source& src, const Field& f, TrafficSpec& t) {
  const auto items = yaml::read_list(src, f);
  if (!items) return;
  // The previous point, to check the order and that its ramp ends in time.
  std::optional<ProfilePoint> prev;
  const Field* prev_ramp = nullptr;
  std::vector<std::optional<Map>> maps;  // keep the fields alive for prev_ramp
  maps.reserve(items->size());
  for (const YAML::Node& item : *items) {
    const Mark at = src.mark(item);
    maps.push_back(Map::open(src, item, at, "a profile point ({at: 10m, x: 3, ramp: 1m})"));
    const std::optional<Map>& m = maps.back();
    if (!m) continue;
    m->allow_only(kProfileKeys, "a profile point");
    ProfilePoint p;
    p.mark = at;
    bool ok = true;
    const Field* at_field = m->need("at", "a profile point");
    if (at_field) {
      auto v = yaml::read_duration(src, *at_field, Bound::NonNegative, "s");
      if (v) p.at = *v;
      ok = ok && v;
    } else {
      ok = false;
    }
    if (const Field* x = m->need("x", "a profile point")) {
      if (auto v = yaml::read_number(src, *x, 0)) p.x = *v;
    }
    const Field* ramp = m->get("ramp");
    if (ramp) {
      auto v = yaml::read_duration(src, *ramp, Bound::NonNegative, "s");
      if (v) p.ramp = *v;
      ok = ok && v;
    }
    if (ok && prev) {
      if (p.at <= prev->at) {
        src.error(at_field->value_mark, fmt::format("profile points must be in time order: {} comes after {}",
                                                    format_duration(p.at), format_duration(prev->at)));
      } else if (prev_ramp && prev->at + prev->ramp > p.at) {
        src.error(prev_ramp->value_mark,
                  fmt::format("this ramp ends at {}, after the next point starts at {}",
                              format_duration(prev->at + prev->ramp), format_duration(p.at)));
      }
    }
    if (ok) {
      prev = p;
      prev_ramp = ramp;
    }
    t.profile.push_back(p);
  }
}

void Loader::read_components(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'components'", "component");
  if (!m) {
    components_unreadable_ = true;
    return;
  }
  if (m->fields().empty()) src.error(f.key_mark, "'components' is empty");
  for (const Field& c : m->fields()) spec_.components.push_back(read_component(src, c));
}

ComponentSpec Loader::read_component(const Source& src, const Field& f) {
  ComponentSpec c;
  c.name = f.key;
  c.mark = f.key_mark;
  if (!valid_name(c.name))
    src.error(f.key_mark, fmt::format("component name '{}' may only use letters, digits, '_' and '-'{}",
                                      c.name.substr(0, 200), too_long(c.name)));
  const std::string where = fmt::format("component '{}'", c.name);
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, where);
  if (!m) return c;

  std::optional<ComponentKind> kind;
  if (const Field* k = m->get("kind")) {
    kind = yaml::read_choice<ComponentKind>(src, *k, "kind");
  } else {
    src.error(m->at(), fmt::format("missing required key 'kind' in {}: valid choices: {}", where,
                                   yaml::join(all_names<ComponentKind>())));
  }
  if (!kind) {
    // Which keys fit depends on the kind: accept any kind's keys meanwhile.
    m->allow_only(concat(concat(kServiceKeys, kBalancerKeys), all_data_keys()), where);
    return c;
  }
  switch (*kind) {
    case ComponentKind::Service: {
      report_unknown(*m, kServiceKeys, where, kBalancerKeys, "a load_balancer");
      ServiceSpec svc;
      read_service(*m, svc, where);
      c.body = std::move(svc);
      break;
    }
    case ComponentKind::LoadBalancer: {
      report_unknown(*m, kBalancerKeys, where, kServiceKeys, "a service");
      LoadBalancerSpec lb;
      read_balancer(*m, lb, where);
      c.body = std::move(lb);
      break;
    }
    case ComponentKind::Cache:
    case ComponentKind::Database:
    case ComponentKind::Queue:
    case ComponentKind::Cdn:
      read_data_component(*m, *kind, c, where);  // parse_data.cpp
      break;
  }
  if (const Field* p = m->get("cost")) c.cost = read_price(src, *p);
  read_instance(*m, c);
  contract::read_component_region(*m, c, contract_.get(), graded_design(src));
  if (graded_design(src)) {
    contract::check_component(*m, c, *contract_, problem_.path());
  } else if (const Field* d = m->get("data")) {
    src.error(d->key_mark,
              "'data' names a data set of a graded problem; in a sandbox the component says what it holds "
              "(keys, queries)");
  }
  platform::read_placement(*m, c.name, spec_);
  return c;
}

void Loader::read_service(const Map& m, ServiceSpec& svc, const std::string& where) {
  const Source& src = m.source();
  if (const Field* f = m.get("replicas")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kReplicas)) svc.replicas = static_cast<int>(*v);
  }
  if (const Field* f = m.get("workers")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kWorkers)) {
      svc.workers = static_cast<int>(*v);
      yaml::within(src, f->value_mark, "workers x replicas",
                   static_cast<double>(svc.workers) * std::max(1, svc.replicas),
                   limits::kWorkersTimesReplicas);
    }
  }
  if (const Field* f = m.get("queue"))
    svc.queue = yaml::read_int(src, *f, 0, limits::kQueue, "leave 'queue' out for no limit");

  const Field* shorthand = m.get("service_time");
  const Field* steps = m.get("steps");
  if (shorthand && steps) {
    src.error(later(shorthand, steps)->key_mark,
              "give either 'steps' or 'service_time', not both: 'service_time: D' is short for 'steps: "
              "[{work: D}]'");
  } else if (!shorthand && !steps) {
    src.error(
        m.at(),
        fmt::format("missing required key 'steps' in {}: a service needs 'steps' or 'service_time'", where));
  }
  if (shorthand) {
    StepSpec s;
    s.kind = StepSpec::Kind::Work;
    s.mark = shorthand->value_mark;
    const auto d = graded_design(src)
                       ? contract::resolve_work(src, *shorthand, *contract_, problem_.path(), s.work_name)
                       : yaml::read_distribution(src, *shorthand, "ms");
    if (d) {
      s.work = *d;
      svc.steps.push_back(s);
    }
  }
  if (steps) svc.steps = read_steps(src, *steps);
  read_service_resilience(m, svc, where);
}

// The key that names a step's kind, and the keys each kind takes.
struct StepForm {
  std::string_view head;
  StepSpec::Kind kind;
  std::string_view op;  ///< CallSpec::op for the call forms
  std::vector<std::string_view> keys;
};

const std::vector<std::string_view> kCallOptions = {"latency", "timeout", "request", "response",
                                                    "retry",   "hedge",   "breaker", "fallback"};

const std::vector<StepForm>& step_forms() {
  static const std::vector<StepForm> forms = [] {
    auto with = [](std::vector<std::string_view> a, const std::vector<std::string_view>& b) {
      return concat(a, b);
    };
    return std::vector<StepForm>{
        {"work", StepSpec::Kind::Work, "", {"work"}},
        {"call", StepSpec::Kind::Call, "", with({"call", "query", "on_miss"}, kCallOptions)},
        {"publish", StepSpec::Kind::Call, "publish", with({"publish"}, kCallOptions)},
        {"write", StepSpec::Kind::Call, "write", with({"write", "outbox"}, kCallOptions)},
        {"invalidate", StepSpec::Kind::Call, "invalidate", with({"invalidate"}, kCallOptions)},
        {"async", StepSpec::Kind::Async, "", {"async", "latency", "request", "response", "query"}},
        {"parallel", StepSpec::Kind::Parallel, "", {"parallel", "wait", "timeout"}},
        {"repeat", StepSpec::Kind::Repeat, "", {"repeat", "steps"}},
        {"branch", StepSpec::Kind::Branch, "", {"branch"}},
    };
  }();
  return forms;
}

namespace {

// The kind of a step: the one head key it has (work, call, parallel...).
// Reports a step with none or two and returns nulls.
std::pair<const StepForm*, const Field*> step_form(const Source& src, const Map& m, Mark at) {
  const StepForm* form = nullptr;
  const Field* head = nullptr;
  for (const StepForm& f : step_forms()) {
    if (const Field* h = m.get(f.head)) {
      if (head) {
        src.error(
            later(head, h)->key_mark,
            fmt::format("a step is either '{}' or '{}', not both: make them two steps", head->key, h->key));
        return {nullptr, nullptr};
      }
      head = h;
      form = &f;
    }
  }
  if (!form) {
    std::vector<std::string_view> all;
    for (const StepForm& f : step_forms()) all = concat(all, f.keys);
    if (m.allow_only(all, "a step") == 0)
      src.error(
          at,
          "a step needs one of: work (time spent here), call (a component to wait for), publish, write, "
          "invalidate, async, parallel, repeat, branch");
  }
  return {form, head};
}

// A key of another kind of step says which kind it belongs to.
void report_foreign_keys(const Source& src, const Map& m, const StepForm& form) {
  const std::string where = fmt::format("a {} step", form.head);
  for (const Field* f : m.unknown(form.keys)) {
    const StepForm* owner = nullptr;
    for (const StepForm& other : step_forms())
      if (!owner && contains(other.keys, f->key)) owner = &other;
    if (owner)
      src.error(f->key_mark, fmt::format("unknown key '{}' in {}: '{}' belongs to a {} step", f->key, where,
                                         f->key, owner->head));
    else yaml::report_unknown_key(src, *f, form.keys, where);
  }
}

}  // namespace

std::optional<StepSpec> Loader::read_step(const Source& src, const YAML::Node& node) {
  const Mark at = src.mark(node);
  const std::optional<Map> m = Map::open(src, node, at, "a step ('- work: 5ms' or '- call: db')");
  if (!m) return std::nullopt;
  const auto [form, head] = step_form(src, *m, at);
  if (!form) return std::nullopt;
  report_foreign_keys(src, *m, *form);

  StepSpec s;
  s.mark = at;
  s.kind = form->kind;
  switch (form->kind) {
    case StepSpec::Kind::Work:
      if (graded_design(src)) {
        if (auto d = contract::resolve_work(src, *head, *contract_, problem_.path(), s.work_name))
          s.work = *d;
      } else if (auto d = yaml::read_distribution(src, *head, "ms")) {
        s.work = *d;
      }
      break;
    case StepSpec::Kind::Call:
    case StepSpec::Kind::Async:
      s.call.op = std::string(form->op);
      read_call(src, *m, *head, s);
      break;
    case StepSpec::Kind::Parallel: read_parallel(src, *m, *head, s); break;
    case StepSpec::Kind::Repeat: {
      if (head->value.IsMap())  // fan-out on write: as many batches as the author has followers
        read_repeat_followers(src, *head, s, graded_design(src) ? contract_.get() : nullptr, problem_.path());
      else if (auto v = yaml::read_int(src, *head, 1, limits::kRepeat, "how many times the steps run"))
        s.count = static_cast<int>(*v);
      if (const Field* f = m->need("steps", "a 'repeat' step")) s.steps = read_steps(src, *f);
      break;
    }
    case StepSpec::Kind::Branch: read_branch(src, *head, s); break;
  }
  return s;
}

// `parallel: [calls]` with `wait:` (replies to wait for) and `timeout:`.
void Loader::read_parallel(const Source& src, const Map& m, const Field& head, StepSpec& s) {
  if (const auto items = yaml::read_list(src, head)) {
    if (items->empty()) src.error(head.value_mark, "'parallel' is empty: list the calls to make at once");
    for (const YAML::Node& item : *items) {
      auto c = read_step(src, item);
      if (!c) continue;
      if (c->kind != StepSpec::Kind::Call || !c->on_miss.empty())
        src.error(c->mark, "a 'parallel' block holds calls only ('- call: NAME'); put other steps after it");
      else s.steps.push_back(std::move(*c));
    }
  }
  if (const Field* f = m.get("wait")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kWait, "the number of replies to wait for")) {
      s.wait = static_cast<int>(*v);
      if (!s.steps.empty() && s.wait > static_cast<int>(s.steps.size()))
        src.error(f->value_mark,
                  fmt::format("'wait: {}' is more than the {} calls of the block", s.wait, s.steps.size()));
    }
  }
  if (const Field* f = m.get("timeout")) s.timeout = yaml::read_duration(src, *f, Bound::Positive, "ms");
}

// `branch: [{p, steps}]`: arms whose probabilities add up to at most 1.
void Loader::read_branch(const Source& src, const Field& head, StepSpec& s) {
  const auto items = yaml::read_list(src, head);
  if (!items) return;
  double total = 0;
  for (const YAML::Node& item : *items) {
    const Mark am = src.mark(item);
    const std::optional<Map> arm = Map::open(src, item, am, "a branch arm ('- {p: 0.3, steps: [...]}')");
    if (!arm) continue;
    arm->allow_only({"p", "steps"}, "a branch arm");
    StepSpec::Arm a;
    a.mark = am;
    if (const Field* f = arm->need("p", "a branch arm")) {
      if (auto p = yaml::read_fraction(src, *f)) a.p = *p;
    }
    if (const Field* f = arm->need("steps", "a branch arm")) a.steps = read_steps(src, *f);
    total += a.p;
    s.arms.push_back(std::move(a));
  }
  if (total > 1.0 + 1e-9)
    src.error(head.value_mark,
              fmt::format("the probabilities of 'branch' add up to {:.4g}, more than 1", total));
}

std::vector<StepSpec> Loader::read_steps(const Source& src, const Field& f) {
  std::vector<StepSpec> out;
  const auto items = yaml::read_list(src, f);
  if (!items) return out;
  if (items->empty()) src.error(f.value_mark, fmt::format("'{}' is empty: give at least one step", f.key));
  for (const YAML::Node& item : *items)
    if (auto s = read_step(src, item)) out.push_back(std::move(*s));
  return out;
}

void Loader::read_call(const Source& src, const Map& m, const Field& head, StepSpec& s) {
  if (auto target = yaml::read_text(src, head, "a component name")) s.call.target = *target;
  s.call.mark = head.value_mark;
  if (graded_design(src)) contract::check_call(m, *contract_, problem_.path());
  if (const Field* f = m.get("query")) {
    if (auto q = yaml::read_text(src, *f, "a query name")) s.call.op = *q;
    s.call.op_mark = f->value_mark;
  } else {
    s.call.op_mark = head.key_mark;
  }
  if (const Field* f = m.get("latency")) s.call.latency = yaml::read_distribution(src, *f, "ms");
  if (const Field* f = m.get("timeout")) s.call.timeout = yaml::read_duration(src, *f, Bound::Positive, "s");
  if (const Field* f = m.get("request")) {
    if (auto v = yaml::read_size(src, *f)) s.call.request_bytes = *v;
  }
  if (const Field* f = m.get("response")) {
    if (auto v = yaml::read_size(src, *f)) s.call.response_bytes = *v;
  }
  if (const Field* f = m.get("hedge")) s.call.hedge = yaml::read_duration(src, *f, Bound::Positive, "ms");
  if (const Field* f = m.get("retry")) s.call.retry = read_retry(src, *f);
  if (const Field* f = m.get("breaker")) s.call.breaker = read_breaker(src, *f);
  if (const Field* f = m.get("on_miss")) s.on_miss = read_steps(src, *f);
  if (const Field* f = m.get("fallback")) s.fallback = read_steps(src, *f);
  if (const Field* f = m.get("outbox")) {
    if (auto q = yaml::read_text(src, *f, "a queue name")) s.call.outbox = *q;
    s.call.outbox_mark = f->value_mark;
  }
}

void Loader::read_balancer(const Map& m, LoadBalancerSpec& lb, const std::string& where) {
  const Source& src = m.source();
  if (const Field* f = m.get("policy")) {
    if (auto p = yaml::read_choice<LbPolicy>(src, *f, "policy")) lb.policy = *p;
  }
  if (const Field* f = m.get("latency")) lb.latency = yaml::read_distribution(src, *f, "ms");
  read_balancer_resilience(m, lb, where);  // `to` (a name or weights), rate_limit, health_check
}

void Loader::read_slo(const Source& src, const Field& f) { read_slo_map(src, f, ""); }

// `slo:` and each `per_source:` entry. Correctness objectives count over the
// whole system; per source: latency, error rate, throughput, availability.
void Loader::read_slo_map(const Source& src, const Field& f, const std::string& source,
                          const std::string& region) {
  const std::string where = !region.empty()  ? fmt::format("'per_region: {}'", region)
                            : source.empty() ? "'slo'"
                                             : fmt::format("'per_source: {}'", source);
  const bool top = source.empty() && region.empty();
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, where);
  if (!m) return;
  std::vector<std::string_view> keys = all_names<SloSpec::Kind>();
  if (top) keys.push_back("per_source");
  if (top) keys.push_back("per_region");
  for (const Field& g : m->fields()) {
    if (top && g.key == "per_region") {
      read_slo_regions(src, g);
      continue;
    }
    if (top && g.key == "per_source") {
      const std::optional<Map> per =
          Map::open(src, g.value, g.key_mark, "'per_source' (SLOs by traffic source)", "traffic source");
      if (!per) continue;
      for (const Field& s : per->fields()) {
        const bool known = std::any_of(spec_.traffic.begin(), spec_.traffic.end(),
                                       [&](const TrafficSpec& t) { return t.name == s.key; });
        if (!known) {
          std::vector<std::string> names;
          for (const TrafficSpec& t : spec_.traffic) names.push_back(t.name);
          const std::string guess = did_you_mean(s.key, names);
          src.error(s.key_mark, fmt::format("unknown traffic source '{}' in 'per_source'{}", s.key,
                                            guess.empty() ? "" : fmt::format(": did you mean '{}'?", guess)));
          continue;
        }
        read_slo_map(src, s, s.key);
      }
      continue;
    }
    const std::optional<SloSpec::Kind> kind = from_name<SloSpec::Kind>(g.key);
    if (!kind) {
      yaml::report_unknown_key(src, g, keys, where);
      continue;
    }
    using K = SloSpec::Kind;
    SloSpec slo{*kind, g.key, 0, g.key_mark, source, region};
    if (!top && (slo.correctness() || *kind == K::DeliveryP99)) {
      src.error(g.key_mark, fmt::format("'{}' counts over the whole system: put it in 'slo:', not per {}",
                                        g.key, region.empty() ? "source" : "region"));
      continue;
    }
    std::optional<double> target;
    switch (*kind) {
      case K::ErrorRate:
      case K::StaleReadRatio:
      case K::StaleServeRatio:
      case K::Availability: target = yaml::read_fraction(src, g); break;
      case K::ThroughputMin: target = yaml::read_rate(src, g); break;
      case K::Duplicates:
      case K::LostWrites:
      case K::InconsistentWrites:
      case K::LostMessages: target = yaml::read_number(src, g, 0); break;
      case K::StalenessP99: target = yaml::read_duration(src, g, Bound::NonNegative, "ms"); break;
      default: target = yaml::read_duration(src, g, Bound::Positive, "ms"); break;
    }
    if (!target) continue;
    slo.target = *target;
    if (!source.empty()) slo.key = fmt::format("{}.{}", source, g.key);
    if (!region.empty()) slo.key = fmt::format("{}.{}", region, g.key);
    spec_.slo.push_back(slo);
  }
}

// `per_region: {REGION: {...}}`: the objectives of the requests of a graded
// problem's region (its traffic sources with `from: REGION`).
void Loader::read_slo_regions(const Source& src, const Field& g) {
  const std::optional<Map> per =
      Map::open(src, g.value, g.key_mark, "'per_region' (SLOs by region)", "region");
  if (!per) return;
  if (!contract_ || contract_->regions.empty()) {
    src.error(g.key_mark, "'per_region' grades the regions of a graded problem: it needs 'regions:'");
    return;
  }
  for (const Field& r : per->fields()) {
    if (!contract_->region(r.key)) {
      const std::string guess = did_you_mean(r.key, contract_->region_names());
      src.error(r.key_mark, fmt::format("unknown region '{}' in 'per_region'{}", r.key,
                                        guess.empty() ? "" : fmt::format(": did you mean '{}'?", guess)));
      continue;
    }
    read_slo_map(src, r, "", r.key);
  }
}

// `instance:` the size a replica runs on (spec/instances.cpp's table).
void Loader::read_instance(const Map& m, ComponentSpec& c) {
  const Field* f = m.get("instance");
  if (!f) return;
  const auto text = yaml::read_text(m.source(), *f, "an instance size");
  if (!text) return;
  const Instance* in = instance(*text);
  if (!in) {
    m.source().error(f->value_mark,
                     fmt::format("unknown instance '{}': valid: {}", *text, instance_examples()));
    return;
  }
  if (in->family != name_of(c.kind())) {
    m.source().error(f->value_mark, fmt::format("'{}' is an instance for a {}, not a {}", *text, in->family,
                                                name_of(c.kind())));
    return;
  }
  c.instance = *text;
  c.instance_mark = f->value_mark;
}

}  // namespace

ScenarioSpec load_scenario_text(const std::string& text, const std::string& path, const LoadOptions& opt) {
  Diagnostics diags;
  ScenarioSpec spec = Loader(path, opt, diags).load(text);
  if (diags.empty()) return spec;
  // In reading order: the scenario file, then its design; by position within
  // each (problems across components are found after the fields).
  std::vector<Diagnostic> list = diags.list();
  std::stable_sort(list.begin(), list.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    const int fa = a.file == path ? 0 : 1, fb = b.file == path ? 0 : 1;
    if (fa != fb) return fa < fb;
    return before(a.mark, b.mark);
  });
  throw InputError(std::move(list));
}

ScenarioSpec load_scenario(const std::string& path, const LoadOptions& opt) {
  std::string why;
  const std::optional<std::string> text = read_file(path, why);
  if (!text)
    throw InputError({Diagnostic{path, Mark{}, fmt::format("cannot read the scenario file: {}", why)}});
  return load_scenario_text(*text, path, opt);
}

}  // namespace archsim
