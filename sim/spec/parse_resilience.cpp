// Reading the resilience patterns and the fault timeline. Each map's keys are
// listed once, in the order the README documents them; values are read with
// their positions; combinations that cannot work (a token bucket with a
// window, an autoscaler with two targets, a flush of a service) are reported
// where they are written.
#include "spec/parse_resilience.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "analysis/call_graph.hpp"
#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "spec/instances.hpp"
#include "spec/kinds.hpp"
#include "spec/parse_data.hpp"
#include "spec/platform_faults.hpp"
#include "spec/units.hpp"

namespace archsim {

namespace {

using yaml::Bound;
using yaml::Field;
using yaml::Map;
using yaml::Source;

const std::vector<std::string_view> kRetryKeys = {"max", "backoff", "base", "cap", "jitter", "budget"};
const std::vector<std::string_view> kBreakerKeys = {"consecutive", "failure_rate", "window",
                                                    "min_calls",   "open_for",     "probes"};
const std::vector<std::string_view> kRateLimitKeys = {"rate", "burst", "kind", "window"};
const std::vector<std::string_view> kConcurrencyKeys = {"target_latency", "min", "max", "initial"};
const std::vector<std::string_view> kAutoscaleKeys = {
    "min", "max", "target_utilization", "target_queue", "interval", "cooldown", "provision"};
const std::vector<std::string_view> kHealthCheckKeys = {"interval", "timeout", "failures", "successes"};

bool contains(const std::vector<std::string_view>& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

bool before(Mark a, Mark b) { return a.line < b.line || (a.line == b.line && a.col < b.col); }
const Field* later(const Field* a, const Field* b) { return before(a->key_mark, b->key_mark) ? b : a; }

// The period of a repeating timer: at least limits::kMinInterval, so that a
// health check or a leak cannot fire a billion times per simulated second.
std::optional<double> read_interval(const Source& src, const Field& f, std::string_view suggest) {
  const auto v = yaml::read_duration(src, f, Bound::Positive, suggest);
  if (v && *v < limits::kMinInterval) {
    src.error(f.value_mark,
              fmt::format("'{}' must be at least 1ms (repeating timers run at most {} times per second: "
                          "see Limits in the README), got {}",
                          f.key, limits::kIntervalHz.max, format_duration(*v)));
    return std::nullopt;
  }
  return v;
}

// Counts are read within limits::kCount (spec/limits.hpp): they fit an int.
int clamp_int(std::int64_t v) { return static_cast<int>(v); }

std::optional<bool> read_bool(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  src.error(f.value_mark, fmt::format("expected true or false for '{}', got '{}'", f.key, *text));
  return std::nullopt;
}

// A number > 0 (a multiplier).
std::optional<double> read_positive(const Source& src, const Field& f) {
  const auto v = yaml::read_number(src, f, 0);
  if (v && *v <= 0) {
    src.error(f.value_mark, fmt::format("'{}' must be positive, got {:g}", f.key, *v));
    return std::nullopt;
  }
  return v;
}

// A relative weight of a balancer target: a number >= 0, "90" or "90%".
std::optional<double> read_weight(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "a weight");
  if (!text) return std::nullopt;
  std::string_view t = units::trim(*text);
  if (!t.empty() && t.back() == '%') t.remove_suffix(1);
  const auto v = units::number(t);
  if (!v || *v < 0) {
    src.error(f.value_mark,
              fmt::format("expected a weight (a number, 0 or more) for target '{}', got '{}'", f.key, *text));
    return std::nullopt;
  }
  return v;
}

// `{name: weight, ...}` into pairs and the names' positions. `what` names the
// map in messages ("'to'", "'weights'").
bool read_weights(const Source& src, const Field& f, std::string_view what,
                  std::vector<std::pair<std::string, double>>& out, std::vector<Mark>& marks) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, what, "target");
  if (!m) return false;
  if (m->fields().empty()) {
    src.error(f.value_mark,
              fmt::format("{} is empty: name the targets and their weights, e.g. {{v1: 90, v2: 10}}", what));
    return false;
  }
  double total = 0;
  bool ok = true;
  for (const Field& g : m->fields()) {
    const auto w = read_weight(src, g);
    ok = ok && w;
    total += w.value_or(0);
    out.emplace_back(g.key, w.value_or(0));
    marks.push_back(g.key_mark);
  }
  if (ok && total <= 0) {
    src.error(f.value_mark,
              fmt::format("the weights of {} add up to 0: give at least one target a positive weight", what));
    return false;
  }
  return ok;
}

// The keys of a rate limit, from a map that may hold others (a fault entry).
RateLimitSpec rate_limit_from(const Map& m, Mark at, std::string_view where) {
  const Source& src = m.source();
  RateLimitSpec r;
  r.mark = at;
  if (const Field* f = m.need("rate", where)) {
    if (auto v = yaml::read_rate(src, *f)) r.rate = *v;
  }
  if (const Field* f = m.get("kind")) {
    if (auto v = yaml::read_choice<RateLimitSpec::Kind>(src, *f, "rate limit kind")) r.kind = *v;
  }
  if (const Field* f = m.get("burst")) {
    if (auto v = yaml::read_int(src, *f, 1, "requests admitted at once after a quiet spell"))
      r.burst = static_cast<double>(*v);
    if (r.kind == RateLimitSpec::Kind::SlidingWindow)
      src.error(f->key_mark,
                "'burst' is the depth of a token bucket; a sliding window admits 'rate' x 'window' in "
                "any window: leave 'burst' out or use kind: token_bucket");
  }
  if (const Field* f = m.get("window")) {
    if (auto v = yaml::read_duration(src, *f, Bound::Positive, "s")) r.window = *v;
    if (r.kind == RateLimitSpec::Kind::TokenBucket)
      src.error(f->key_mark, "'window' is for kind: sliding_window; a token bucket takes 'burst'");
  }
  return r;
}

// The keys of a breaker, from a map that may hold others (a fault entry).
BreakerSpec breaker_from(const Map& m, Mark at) {
  const Source& src = m.source();
  BreakerSpec b;
  b.mark = at;
  if (const Field* g = m.get("consecutive")) {
    if (auto v = yaml::read_int(src, *g, 1, "failures in a row")) b.consecutive = clamp_int(*v);
  }
  if (const Field* g = m.get("failure_rate")) b.failure_rate = yaml::read_fraction(src, *g);
  if (!m.get("consecutive") && !m.get("failure_rate"))
    src.error(at,
              "a breaker needs 'consecutive: N' (failures in a row) or 'failure_rate: 50%' (over 'window')");
  if (const Field* g = m.get("window")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "s")) b.window = *v;
  }
  if (const Field* g = m.get("min_calls")) {
    if (auto v = yaml::read_int(src, *g, 1)) b.min_calls = clamp_int(*v);
  }
  if (const Field* g = m.get("open_for")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "s")) b.open_for = *v;
  }
  if (const Field* g = m.get("probes")) {
    if (auto v = yaml::read_int(src, *g, 1)) b.probes = clamp_int(*v);
  }
  return b;
}

std::optional<ConcurrencyLimitSpec> read_concurrency_limit(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'concurrency_limit'");
  if (!m) return std::nullopt;
  m->allow_only(kConcurrencyKeys, "'concurrency_limit'");
  ConcurrencyLimitSpec c;
  c.mark = f.key_mark;
  if (const Field* g = m->get("target_latency")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "ms")) c.target_latency = *v;
  }
  const Field* min = m->get("min");
  const Field* max = m->get("max");
  const Field* initial = m->get("initial");
  bool ok = true;
  const auto read = [&](const Field* g, int& into) {
    if (!g) return;
    if (auto v = yaml::read_int(src, *g, 1, "requests at once")) into = clamp_int(*v);
    else ok = false;
  };
  read(min, c.min);
  read(max, c.max);
  read(initial, c.initial);
  if (!ok) return c;
  if (c.min > c.max) {
    const Field* at = max ? max : min;
    src.error(at->value_mark,
              fmt::format("the concurrency limit's 'min' ({}) is more than its 'max' ({})", c.min, c.max));
  } else if (initial && (c.initial < c.min || c.initial > c.max)) {
    src.error(initial->value_mark, fmt::format("'initial' ({}) must be between 'min' ({}) and 'max' ({})",
                                               c.initial, c.min, c.max));
  } else if (!initial) {
    c.initial = std::clamp(c.initial, c.min, c.max);
  }
  return c;
}

std::vector<BulkheadSpec> read_bulkheads(const Source& src, const Field& f) {
  std::vector<BulkheadSpec> out;
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'bulkheads' ({db: 8}: permits per downstream)", "bulkhead");
  if (!m) return out;
  if (m->fields().empty())
    src.error(f.value_mark,
              "'bulkheads' is empty: name each downstream and the calls it may hold at once, e.g. {db: 8}");
  for (const Field& g : m->fields()) {
    BulkheadSpec b;
    b.target = g.key;
    b.mark = g.key_mark;
    if (auto v = yaml::read_int(src, g, 1, "calls to it at once")) b.permits = clamp_int(*v);
    out.push_back(std::move(b));
  }
  return out;
}

std::optional<AutoscaleSpec> read_autoscale(const Map& svc, const Field& f, ServiceSpec& s) {
  const Source& src = svc.source();
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'autoscale'");
  if (!m) return std::nullopt;
  m->allow_only(kAutoscaleKeys, "'autoscale'");
  AutoscaleSpec a;
  a.mark = f.key_mark;
  const Field* min = m->get("min");
  const Field* max = m->get("max");
  bool range_ok = true;
  if (min) {
    if (auto v = yaml::read_int(src, *min, 1, limits::kReplicas, "replicas")) a.min = clamp_int(*v);
    else range_ok = false;
  }
  if (max) {
    if (auto v = yaml::read_int(src, *max, 1, limits::kReplicas, "replicas")) a.max = clamp_int(*v);
    else range_ok = false;
  }
  if (range_ok && a.min > a.max) {
    src.error((max ? max : min)->value_mark,
              fmt::format("the autoscaler's 'max' ({}) is less than its 'min' ({})", a.max, a.min));
    range_ok = false;
  }
  const Field* util = m->get("target_utilization");
  const Field* queue = m->get("target_queue");
  if (util && queue) {
    src.error(
        later(util, queue)->key_mark,
        "give either 'target_utilization' or 'target_queue', not both: the autoscaler follows one metric");
  } else if (!util && !queue) {
    src.error(f.key_mark,
              "'autoscale' needs a target: 'target_utilization: 70%' (busy workers) or "
              "'target_queue: 10' (waiting requests per replica)");
  }
  if (util) {
    if (auto v = yaml::read_fraction(src, *util)) {
      if (*v <= 0) src.error(util->value_mark, "'target_utilization' must be more than 0%");
      else a.target_utilization = *v;
    }
  }
  if (queue) {
    if (auto v = yaml::read_number(src, *queue, 0)) {
      if (*v <= 0)
        src.error(queue->value_mark, "'target_queue' must be positive (waiting requests per replica)");
      else a.target_queue = *v;
    }
  }
  if (const Field* g = m->get("interval")) {
    if (auto v = read_interval(src, *g, "s")) a.interval = *v;
  }
  if (const Field* g = m->get("cooldown")) {
    if (auto v = yaml::read_duration(src, *g, Bound::NonNegative, "s")) a.cooldown = *v;
  }
  if (const Field* g = m->get("provision")) {
    if (auto v = yaml::read_duration(src, *g, Bound::NonNegative, "s")) a.provision = *v;
  }
  // `replicas` is where the service starts; without it, at the minimum.
  if (const Field* r = svc.get("replicas")) {
    if (range_ok && (s.replicas < a.min || s.replicas > a.max))
      src.error(r->value_mark,
                fmt::format("'replicas: {}' is outside the autoscaler's range {}..{}: it is the number "
                            "the service starts with",
                            s.replicas, a.min, a.max));
  } else if (range_ok) {
    s.replicas = a.min;
  }
  return a;
}

std::optional<HealthCheckSpec> read_health_check(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'health_check'");
  if (!m) return std::nullopt;
  m->allow_only(kHealthCheckKeys, "'health_check'");
  HealthCheckSpec h;
  h.mark = f.key_mark;
  if (const Field* g = m->get("interval")) {
    if (auto v = read_interval(src, *g, "s")) h.interval = *v;
  }
  if (const Field* g = m->get("failures")) {
    if (auto v = yaml::read_int(src, *g, 1, "failed checks in a row before a replica is ejected"))
      h.failures = clamp_int(*v);
  }
  if (const Field* g = m->get("successes")) {
    if (auto v = yaml::read_int(src, *g, 1, "passed checks before an ejected replica returns"))
      h.successes = clamp_int(*v);
  }
  // A probe to a replica that does not answer fails when its timeout runs
  // out; the default is Kubernetes' 1 s, or half the interval when that is
  // shorter. It must end before the next probe (as AWS requires), so that
  // verdicts arrive in the order the probes were sent.
  h.timeout = std::min(1.0, h.interval / 2);
  if (const Field* g = m->get("timeout")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "ms")) {
      h.timeout = *v;
      if (*v >= h.interval)
        src.error(g->value_mark,
                  fmt::format("a health check's timeout ({}) must be shorter than its interval ({}): a "
                              "probe ends before the next one is sent",
                              format_duration(*v), format_duration(h.interval)));
    }
  }
  return h;
}

// What each kind of fault takes besides `at`, `for` and its own key.
struct FaultForm {
  FaultSpec::Kind kind;
  std::vector<std::string_view> options;
  std::string_view no_for;  ///< why `for:` does not apply; "" when it does
};

const std::vector<FaultForm>& fault_forms() {
  using K = FaultSpec::Kind;
  static const std::vector<FaultForm> forms = {
      {K::Kill, {"replicas"}, ""},
      {K::Restart, {"replicas", "restart_time"}, "a restart is over after 'restart_time'"},
      {K::Slow, {"x", "add"}, ""},
      {K::Errors, {"p", "latent"}, ""},
      {K::Partition, {}, ""},
      {K::Flush, {}, "a flush happens at once"},
      {K::ExhaustPool, {}, ""},
      {K::Leak, {"every", "restart_time", "gc_pause", "gc_interval"}, ""},
      {K::Deploy, {"batch", "restart_time"}, "a deploy is over when its last batch is back"},
      {K::Scale, {"replicas"}, "an operator action is a new setting: add a second 'scale' to change it back"},
      {K::Pool, {"size"}, "an operator action is a new setting: add a second 'pool' to change it back"},
      {K::RateLimit, kRateLimitKeys, ""},
      {K::Breaker, kBreakerKeys,
       "an operator action is a new setting: add a second 'breaker' to change it back"},
      {K::Shift, {"weights"}, "an operator action is a new setting: add a second 'shift' to change it back"},
      {K::Resize,
       {"workers", "instance"},
       "an operator action is a new setting: add a second 'resize' to change it back"},
      {K::CacheSize,
       {"capacity"},
       "an operator action is a new setting: add a second 'cache_size' to change it back"},
      {K::Retries,
       {"enabled"},
       "an operator action is a new setting: add a second 'retries' with 'enabled: true' to turn them back "
       "on"},
      {K::Disable,
       {"on"},
       "an operator action is a new setting: add an 'enable' of the same feature to turn it back on"},
      {K::Enable, {"on"}, "an operator action is a new setting: add a 'disable' to turn it off again"},
      {K::Spike, {"x"}, ""},
      {K::HostDown, {}, ""},
      {K::HostSlow, {"x"}, ""},
      {K::LinkDown, {}, ""},
      {K::LinkDegraded, {"bandwidth", "add"}, ""},
      {K::RegionPartition, {}, ""},
  };
  return forms;
}

// The faults a key belongs to: "the 'errors' fault", "the 'kill', 'restart'
// and 'scale' faults"; "" when none.
std::string owners_of(std::string_view key) {
  std::vector<std::string_view> owners;
  for (const FaultForm& f : fault_forms())
    if (contains(f.options, key)) owners.push_back(name_of(f.kind));
  if (owners.empty()) return "";
  std::string list = "the ";
  for (std::size_t i = 0; i < owners.size(); ++i)
    list += fmt::format("{}'{}'", i == 0 ? "" : i + 1 == owners.size() ? " and " : ", ", owners[i]);
  return list + (owners.size() == 1 ? " fault" : " faults");
}

// The entry's kind: the one key that names a fault (with `head`, its field),
// or nullptr after reporting a missing, misspelt or doubled kind.
const FaultForm* find_form(const Source& src, const Map& m, Mark at, const std::string& entry,
                           const Field*& head) {
  const FaultForm* form = nullptr;
  head = nullptr;
  for (const FaultForm& ff : fault_forms()) {
    if (const Field* h = m.get(name_of(ff.kind))) {
      if (head) {
        src.error(later(head, h)->key_mark,
                  fmt::format("a fault is either '{}' or '{}', not both: make them two entries", head->key,
                              h->key));
        return nullptr;
      }
      head = h;
      form = &ff;
    }
  }
  if (form) return form;
  // A key that is no option of any fault is most likely a misspelt kind.
  const std::vector<std::string_view> kinds = all_names<FaultSpec::Kind>();
  int reported = 0;
  for (const Field& g : m.fields()) {
    if (g.key == "at" || g.key == "for" || !owners_of(g.key).empty()) continue;
    const std::string guess = did_you_mean(g.key, std::vector<std::string>(kinds.begin(), kinds.end()));
    src.error(g.key_mark,
              guess.empty()
                  ? fmt::format("unknown fault kind '{}': valid kinds: {}", g.key, yaml::join(kinds))
                  : fmt::format("unknown fault kind '{}': did you mean '{}'? valid kinds: {}", g.key, guess,
                                yaml::join(kinds)));
    ++reported;
  }
  if (reported == 0)
    src.error(at, fmt::format("{} needs a kind and its target, e.g. 'kill: api': valid kinds: {}", entry,
                              yaml::join(kinds)));
  return nullptr;
}

// `at`, `for` and the keys the kind does not take. Returns how the entry is
// named in later messages ("the 'kill' fault at 1m"); `ok` false when `at`
// is missing or wrong.
std::string read_fault_time(const Source& src, const Map& m, const FaultForm& form, const std::string& entry,
                            FaultSpec& f, bool& ok) {
  const std::string kind = std::string(name_of(form.kind));
  ok = true;
  if (const Field* g = m.need("at", fmt::format("{} ({})", entry, kind))) {
    if (auto v = yaml::read_duration(src, *g, Bound::NonNegative, "s")) f.at = *v;
    else ok = false;
  } else {
    ok = false;
  }
  // As validate.cpp names it: "the 'kill' fault at 1m".
  const std::string where = ok ? fmt::format("the '{}' fault at {}", kind, format_duration(f.at))
                               : fmt::format("{} ({})", entry, kind);
  std::vector<std::string_view> own = {"at", "for", name_of(form.kind)};
  own.insert(own.end(), form.options.begin(), form.options.end());
  for (const Field* g : m.unknown(own)) {
    const std::string owners = owners_of(g->key);
    if (!owners.empty())
      src.error(g->key_mark,
                fmt::format("unknown key '{}' in {}: '{}' belongs to {}", g->key, where, g->key, owners));
    else yaml::report_unknown_key(src, *g, own, where);
  }
  if (const Field* g = m.get("for")) {
    if (!form.no_for.empty())
      src.error(g->key_mark, fmt::format("'for' does not apply to {}: {}", kind, form.no_for));
    else f.duration = yaml::read_duration(src, *g, Bound::Positive, "s");
  }
  return where;
}

// The two sides of a cut: `partition: [api, db]` (components) or
// `region_partition: [us-east, eu-west]` (regions).
bool read_sides(const Source& src, const Field& head, FaultSpec& f) {
  const bool regions = f.kind == FaultSpec::Kind::RegionPartition;
  const std::string_view kind = name_of(f.kind), what = regions ? "region" : "component";
  const auto items = yaml::read_list(src, head);
  if (!items) return false;
  if (items->size() != 2 || !(*items)[0].IsScalar() || !(*items)[1].IsScalar()) {
    src.error(head.value_mark,
              fmt::format("'{}' takes two {} names, e.g. {}: the two sides that can no longer reach each "
                          "other",
                          kind, what, regions ? "[us-east, eu-west]" : "[api, db]"));
    return false;
  }
  f.target = yaml::restore((*items)[0].Scalar());
  f.target_mark = src.mark((*items)[0]);
  f.other = yaml::restore((*items)[1].Scalar());
  f.other_mark = src.mark((*items)[1]);
  if (f.target == f.other) {
    src.error(f.other_mark,
              fmt::format("'{}' needs two different {}s, got '{}' twice", kind, what, f.target));
    return false;
  }
  return true;
}

// The target: a component; a traffic source for a spike; a host or a link of
// the platform; two components or two regions for a partition.
bool read_fault_target(const Source& src, const Field& head, FaultSpec& f) {
  using K = FaultSpec::Kind;
  if (f.kind == K::Partition || f.kind == K::RegionPartition) return read_sides(src, head, f);
  const std::string_view expected = f.kind == K::Spike ? "the name of a traffic source"
                                    : f.kind == K::HostDown || f.kind == K::HostSlow     ? "a host name"
                                    : f.kind == K::LinkDown || f.kind == K::LinkDegraded ? "a link name"
                                                                                         : "a component name";
  const auto name = yaml::read_text(src, head, expected);
  if (!name) return false;
  f.target = *name;
  f.target_mark = head.value_mark;
  return true;
}

// `disable: FEATURE, on: NAME` (and `enable:`): the feature (did-you-mean
// over the features) and, from `on`, the component whose feature it is.
bool read_toggle(const Source& src, const Map& m, const Field& head, const std::string& where, FaultSpec& f) {
  f.enabled = f.kind == FaultSpec::Kind::Enable;
  const std::vector<std::string_view> names = all_names<FaultSpec::Feature>();
  bool ok = false;
  if (const auto text = yaml::read_text(src, head, "a resilience feature such as breaker")) {
    if (const auto ft = from_name<FaultSpec::Feature>(*text)) {
      f.feature = *ft;
      ok = true;
    } else {
      const std::string guess = did_you_mean(*text, std::vector<std::string>(names.begin(), names.end()));
      src.error(head.value_mark, fmt::format("unknown feature '{}' to {}: {}features are {}", *text, head.key,
                                             guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess),
                                             yaml::join(names)));
    }
  }
  const Field* on = m.need("on", where);
  if (!on) return false;
  const auto name = yaml::read_text(src, *on, "a component name");
  if (!name) return false;
  f.target = *name;
  f.target_mark = on->value_mark;
  return ok;
}

// `bandwidth:` of a degraded link: a share of its own ("50%") or a new
// bandwidth ("100Mbps").
void read_degraded_bandwidth(const Source& src, const Field& g, FaultSpec& f) {
  const auto text =
      yaml::read_text(src, g, "a bandwidth such as 100Mbps, or a share of the link's such as 50%");
  if (!text) return;
  if (!text->empty() && text->back() == '%') {
    if (auto v = yaml::read_fraction(src, g)) {
      if (*v > 0) f.bandwidth_share = *v;
      else src.error(g.value_mark, "a link's bandwidth cannot fall to 0%: use 'link_down' to cut it");
    }
    return;
  }
  std::string why;
  if (auto v = parse_bandwidth(*text, &why)) f.bandwidth = *v;
  else src.error(g.value_mark, why);
}

// The options of the kinds that impair a component or a platform resource.
void read_impairment_options(const Source& src, const Map& m, const Field& head, const std::string& where,
                             FaultSpec& f) {
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Slow: {
      const Field* x = m.get("x");
      const Field* add = m.get("add");
      if (!x && !add)
        src.error(head.key_mark,
                  "'slow' needs 'x: 3' (work takes 3 times longer) and/or 'add: 50ms' (added to each "
                  "work step)");
      if (x) f.x = read_positive(src, *x).value_or(1);
      if (add) f.add = yaml::read_duration(src, *add, Bound::NonNegative, "ms").value_or(0);
      break;
    }
    case K::Errors:
      if (const Field* g = m.need("p", where)) f.p = yaml::read_fraction(src, *g).value_or(0);
      if (const Field* g = m.get("latent")) f.latent = read_bool(src, *g).value_or(false);
      break;
    case K::HostSlow:
      if (const Field* g = m.need("x", where)) f.x = read_positive(src, *g).value_or(1);
      break;
    case K::LinkDegraded: {
      const Field* bw = m.get("bandwidth");
      const Field* add = m.get("add");
      if (!bw && !add)
        src.error(head.key_mark,
                  "'link_degraded' needs 'bandwidth: 50%' (or a new bandwidth such as 100Mbps) and/or "
                  "'add: 20ms' (latency added each way)");
      if (bw) read_degraded_bandwidth(src, *bw, f);
      if (add) f.add = yaml::read_duration(src, *add, Bound::NonNegative, "ms").value_or(0);
      break;
    }
    default: break;
  }
}

// `resize`: `workers: N` and/or `instance: SIZE` (a size of the price table;
// its family is checked against the target's kind once the components are known).
void read_resize(const Source& src, const Map& m, const Field& head, FaultSpec& f) {
  const Field* w = m.get("workers");
  const Field* in = m.get("instance");
  if (!w && !in)
    src.error(head.key_mark,
              "'resize' needs 'workers: N' (workers per replica) and/or 'instance: SIZE' (an instance size "
              "such as m6i.xlarge; its vCPUs set the workers when 'workers' is left out)");
  if (w)
    if (auto v = yaml::read_int(src, *w, 1, limits::kWorkers, "the new workers per replica"))
      f.workers = clamp_int(*v);
  if (!in) return;
  const auto text = yaml::read_text(src, *in, "an instance size");
  if (!text) return;
  if (!instance(*text)) {
    const std::string guess = did_you_mean(*text, instance_names());
    src.error(in->value_mark,
              guess.empty() ? fmt::format("unknown instance '{}': valid: {}", *text, instance_examples())
                            : fmt::format("unknown instance '{}': did you mean '{}'?", *text, guess));
    return;
  }
  f.instance = *text;
  f.instance_mark = in->value_mark;
}

// The options of a leak, a deploy and the operator actions.
void read_change_options(const Source& src, const Map& m, const Field& head, const std::string& where,
                         FaultSpec& f) {
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Leak:
      if (const Field* g = m.need("every", where)) f.every = read_interval(src, *g, "m").value_or(0);
      if (const Field* g = m.get("gc_pause"))
        f.gc_pause = yaml::read_duration(src, *g, Bound::NonNegative, "ms").value_or(0);
      if (const Field* g = m.get("gc_interval")) {
        if (!m.get("gc_pause"))
          src.error(g->key_mark,
                    "'gc_interval' is how often the collector runs: it needs 'gc_pause' (the pause at a "
                    "full heap)");
        else if (auto v = read_interval(src, *g, "s")) f.gc_interval = *v;
      }
      break;
    case K::Deploy:
      if (const Field* g = m.get("batch")) {
        if (auto v = yaml::read_int(src, *g, 1, "replicas restarted at a time")) f.batch = clamp_int(*v);
      }
      break;
    case K::Scale: m.need("replicas", where); break;
    case K::Pool:
      if (const Field* g = m.need("size", where)) {
        if (auto v = yaml::read_int(src, *g, 1, limits::kQueue,
                                    "connections per caller replica; 'exhaust_pool' empties a pool"))
          f.size = clamp_int(*v);
      }
      break;
    case K::RateLimit: f.rate_limit = rate_limit_from(m, head.key_mark, where); break;
    case K::Breaker: f.breaker = breaker_from(m, head.key_mark); break;
    case K::Shift:
      if (const Field* g = m.need("weights", where)) {
        std::vector<Mark> marks;
        read_weights(src, *g, "'weights'", f.weights, marks);
        f.weight_marks = std::move(marks);
      }
      break;
    case K::Spike:
      if (const Field* g = m.need("x", where)) f.x = read_positive(src, *g).value_or(1);
      break;
    case K::Resize: read_resize(src, m, head, f); break;
    case K::CacheSize:
      if (const Field* g = m.need("capacity", where)) f.capacity = read_data_count(src, *g, 1).value_or(0);
      break;
    case K::Retries:
      if (const Field* g = m.need("enabled", where)) f.enabled = read_bool(src, *g).value_or(true);
      break;
    default: break;
  }
}

std::optional<FaultSpec> read_fault(const Source& src, const YAML::Node& node, std::size_t n) {
  const Mark at = src.mark(node);
  const std::string entry = fmt::format("fault {}", n);
  const std::optional<Map> m = Map::open(src, node, at, "a fault ('- {at: 1m, kill: api}')");
  if (!m) return std::nullopt;
  const Field* head = nullptr;
  const FaultForm* form = find_form(src, *m, at, entry, head);
  if (!form) return std::nullopt;

  FaultSpec f;
  f.kind = form->kind;
  f.mark = at;
  bool ok = true;
  const std::string where = read_fault_time(src, *m, *form, entry, f, ok);
  if (f.kind == FaultSpec::Kind::Disable || f.kind == FaultSpec::Kind::Enable) {
    if (!read_toggle(src, *m, *head, where, f)) return std::nullopt;
  } else if (!read_fault_target(src, *head, f)) {
    return std::nullopt;
  }
  if (const Field* g = m->get("replicas")) {
    if (auto v = yaml::read_int(src, *g, 1, limits::kReplicas,
                                f.kind == FaultSpec::Kind::Scale ? "the new number of replicas"
                                                                 : "how many replicas; leave it out for all"))
      f.replicas = clamp_int(*v);
  }
  if (const Field* g = m->get("restart_time")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "s")) f.restart_time = *v;
  }
  read_impairment_options(src, *m, *head, where, f);
  read_change_options(src, *m, *head, where, f);
  if (!ok) return std::nullopt;
  return f;
}

std::string list_of(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string a_kind(ComponentKind k) {
  const std::string_view n = name_of(k);
  return fmt::format(
      "{} {}", n.empty() || std::string_view("aeiou").find(n[0]) == std::string_view::npos ? "a" : "an", n);
}

// The cross-file checks of check_resilience, one step each.
class ResilienceChecker {
 public:
  ResilienceChecker(const ScenarioSpec& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {
    for (const TrafficSpec& t : spec.traffic) traffic_.push_back(t.name);
  }

  void error(Mark m, std::string message) const { diags_.error(spec_.file_of(m), m, std::move(message)); }

  // Bulkheads: one per downstream the service calls.
  void bulkheads() const {
    for (const ComponentSpec& c : spec_.components) {
      const ServiceSpec* s = c.service();
      if (!s || s->bulkheads.empty()) continue;
      std::vector<std::string> called;
      for_each_call(s->steps, [&](const StepSpec& st, double) {
        if (std::find(called.begin(), called.end(), st.call.target) == called.end())
          called.push_back(st.call.target);
      });
      for (const BulkheadSpec& b : s->bulkheads) {
        if (std::find(called.begin(), called.end(), b.target) != called.end()) continue;
        if (spec_.find(b.target) < 0)
          error(b.mark, unknown_component_message(spec_, b.target,
                                                  fmt::format("'bulkheads' of service '{}'", c.name)));
        else
          error(b.mark, fmt::format("bulkhead '{}' of service '{}': '{}' never calls '{}' ({})", b.target,
                                    c.name, c.name, b.target,
                                    called.empty() ? "it makes no calls" : "it calls " + list_of(called)));
      }
    }
  }

  void fault(const FaultSpec& f) {
    if (is_platform_fault(f.kind)) {
      check_platform_fault(spec_, f, diags_);
      return;
    }
    if (f.kind == FaultSpec::Kind::Spike) {
      spike(f);
      return;
    }
    const int i = spec_.find(f.target);
    if (i < 0) {
      if (is_traffic(f.target))
        error(f.target_mark,
              fmt::format("'{}' is a traffic source: '{}' applies to a component ('spike' changes the "
                          "rate of a traffic source)",
                          f.target, name_of(f.kind)));
      else error(f.target_mark, unknown_component_message(spec_, f.target, what(f)));
      return;
    }
    const ComponentSpec& c = spec_.components[static_cast<std::size_t>(i)];
    if (!fits(f, c)) return;
    settings(f, c, i);
  }

 private:
  static std::string what(const FaultSpec& f) {
    return fmt::format("the '{}' fault at {}", name_of(f.kind), format_duration(f.at));
  }
  bool is_traffic(const std::string& n) const {
    return std::find(traffic_.begin(), traffic_.end(), n) != traffic_.end();
  }

  void spike(const FaultSpec& f) const {
    if (is_traffic(f.target)) {
      for (const TrafficSpec& t : spec_.traffic)
        if (t.name == f.target && t.closed())
          error(f.target_mark, fmt::format("'spike' multiplies the rate of an open-loop source; '{}' is a "
                                           "closed loop of {} users (their think time sets its rate)",
                                           f.target, t.users));
      return;
    }
    if (const int i = spec_.find(f.target); i >= 0) {
      error(f.target_mark,
            fmt::format("'spike' multiplies the rate of a traffic source; '{}' is {} (traffic: {})", f.target,
                        a_kind(spec_.components[static_cast<std::size_t>(i)].kind()), list_of(traffic_)));
      return;
    }
    const std::string guess = did_you_mean(f.target, traffic_);
    error(f.target_mark, guess.empty() ? fmt::format("unknown traffic '{}' in {}: traffic sources are {}",
                                                     f.target, what(f), list_of(traffic_))
                                       : fmt::format("unknown traffic '{}' in {}: did you mean '{}'?",
                                                     f.target, what(f), guess));
  }

  // Which kinds of component each fault applies to (spec/kinds.cpp, the
  // faults each kind's apply() supports); a partition cuts a network link
  // and fits every kind. False after reporting a misfit.
  bool fits(const FaultSpec& f, const ComponentSpec& c) const {
    using K = FaultSpec::Kind;
    const std::string_view kind = name_of(f.kind);
    std::vector<ComponentKind> kinds;
    if (f.kind != K::Partition)
      for (int k = 0; k <= static_cast<int>(ComponentKind::Cdn); ++k)
        if (accepts(static_cast<ComponentKind>(k), f.kind)) kinds.push_back(static_cast<ComponentKind>(k));
    const std::string_view extra =
        f.kind == K::Shift ? " with weighted targets ('to: {v1: 90, v2: 10}')" : "";
    if (!kinds.empty() && !accepts(c.kind(), f.kind)) {
      std::string list;
      for (std::size_t k = 0; k < kinds.size(); ++k)
        list += (k == 0 ? "" : k + 1 == kinds.size() ? " or " : ", ") + a_kind(kinds[k]);
      error(f.target_mark,
            fmt::format("'{}' applies to {}{}; '{}' is {}", kind, list, extra, c.name, a_kind(c.kind())));
      return false;
    }
    if (f.latent && !c.service())
      error(f.target_mark,
            fmt::format("a latent defect ('latent: true') shows in a service's requests; '{}' is {}", c.name,
                        a_kind(c.kind())));
    return true;
  }

  // What a fault asks of its (fitting) target component `c`, index `i`.
  void settings(const FaultSpec& f, const ComponentSpec& c, int i) {
    using K = FaultSpec::Kind;
    switch (f.kind) {
      case K::Kill:
      case K::Restart: replicas(f, c); break;
      case K::ExhaustPool:
        if (!c.database()->pool)
          error(f.target_mark,
                fmt::format("'exhaust_pool' empties a database's connection pools; '{}' has none (give "
                            "it 'pool: N')",
                            c.name));
        break;
      case K::Breaker: {
        bool calls = false;
        for_each_call(c.service()->steps, [&](const StepSpec&, double) { calls = true; });
        if (!calls)
          error(f.target_mark,
                fmt::format("'breaker' sets the breakers of a service's calls; '{}' makes no calls", c.name));
        break;
      }
      case K::Shift: shift(f, c); break;
      case K::Resize: resize(f, c); break;
      case K::CacheSize: cache_size(f, c); break;
      case K::Retries: {
        bool retry = false;
        for_each_call(c.service()->steps,
                      [&](const StepSpec& s, double) { retry |= s.call.retry.has_value(); });
        if (!retry)
          error(f.target_mark, fmt::format("'retries' turns off (or back on) the retries of a service's "
                                           "calls; no call of '{}' has 'retry:'",
                                           c.name));
        break;
      }
      case K::Disable:
      case K::Enable: toggle(f, c); break;
      case K::Partition: partition(f, i); break;
      default: break;
    }
  }

  // A `disable` / `enable` names a feature its component has: a call's
  // retry, breaker (or an earlier 'breaker' action's) or timeout, a
  // service's concurrency limit or queue deadline, a balancer's health check.
  void toggle(const FaultSpec& f, const ComponentSpec& c) const {
    using Ft = FaultSpec::Feature;
    const std::string_view feature = name_of(f.feature);
    const bool balancer = f.feature == Ft::HealthCheck;
    if (balancer != (c.kind() == ComponentKind::LoadBalancer)) {
      error(f.target_mark, fmt::format("'{}' is a feature of {}; '{}' is {}", feature,
                                       balancer ? "a load balancer" : "a service", c.name, a_kind(c.kind())));
      return;
    }
    bool has = has_feature(c, f.feature);
    for (const FaultSpec& g : spec_.faults)
      has |= f.feature == Ft::Breaker && g.kind == FaultSpec::Kind::Breaker && g.target == c.name &&
             g.at <= f.at;
    if (has) return;
    if (f.feature == Ft::Retries || f.feature == Ft::Breaker || f.feature == Ft::Timeout)
      error(f.target_mark, fmt::format("'{}: {}' turns off (or back on) the {} of a service's calls; no call "
                                       "of '{}' has '{}'",
                                       name_of(f.kind), feature, feature, c.name, feature_key(f.feature)));
    else
      error(f.target_mark,
            fmt::format("'{}: {}' turns off (or back on) a feature '{}' does not have (give it "
                        "'{}')",
                        name_of(f.kind), feature, c.name, feature_key(f.feature)));
  }

  void replicas(const FaultSpec& f, const ComponentSpec& c) const {
    if (!f.replicas) return;
    int most = c.replica_count();
    if (const ServiceSpec* s = c.service(); s && s->autoscale) most = std::max(most, s->autoscale->max);
    for (const FaultSpec& g : spec_.faults)
      if (g.kind == FaultSpec::Kind::Scale && g.target == f.target && g.at <= f.at && g.replicas)
        most = std::max(most, *g.replicas);
    if (*f.replicas > most)
      error(f.target_mark,
            fmt::format("{} asks for {} replicas of '{}', which has {}", what(f), *f.replicas, c.name, most));
  }

  // A cache_size needs a keyed store (a cache with 'keys', a cdn) and fits its key space.
  void cache_size(const FaultSpec& f, const ComponentSpec& c) const {
    const KeyedStoreSpec* s = c.cdn()                           ? &c.cdn()->store
                              : c.cache() && c.cache()->keyed() ? &c.cache()->store
                                                                : nullptr;
    if (!s) {
      error(f.target_mark,
            fmt::format("'cache_size' sets how many entries a keyed cache holds; '{}' has a fixed "
                        "'hit_ratio' (give it 'keys:' and 'capacity:' to model its contents)",
                        c.name));
      return;
    }
    if (f.capacity > 0 && s->keys > 0 && f.capacity > s->copies())
      error(f.mark, fmt::format("{} asks '{}' to hold {} entries; its key space has {}: leave the "
                                "action out to hold every key",
                                what(f), c.name, f.capacity, s->copies()));
  }

  // A resize's instance is of the target's family, with room for its workers.
  void resize(const FaultSpec& f, const ComponentSpec& c) const {
    const Instance* in = f.instance.empty() ? nullptr : instance(f.instance);
    if (!in) return;
    const std::string_view family = c.service() ? "service" : "database";
    if (in->family != family) {
      const std::vector<std::string> names = instance_names(family);
      error(f.instance_mark,
            fmt::format("'{}' is an instance for a {}, not a {} ('{}' runs on {} .. {})", f.instance,
                        in->family, family, c.name, names.front(), names.back()));
      return;
    }
    if (f.workers && *f.workers > max_workers(*in))
      error(f.instance_mark,
            fmt::format("{} has {} vCPUs: at most {} workers ({} per vCPU); {} asks for {}", f.instance,
                        in->vcpus, max_workers(*in), max_workers(*in) / in->vcpus, what(f), *f.workers));
  }

  void shift(const FaultSpec& f, const ComponentSpec& c) const {
    const LoadBalancerSpec& lb = *c.load_balancer();
    std::vector<std::string> names;
    for (const auto& [n, w] : lb.targets) names.push_back(n);
    if (names.empty() && lb.to.empty()) return;  // 'to' is missing: reported at the balancer, once
    if (names.empty()) {
      error(f.target_mark, fmt::format("'shift' moves traffic between the weighted targets of a balancer; "
                                       "'{}' sends everything to '{}' (give it 'to: {{{}: 100, other: 0}}')",
                                       c.name, lb.to, lb.to));
      return;
    }
    for (std::size_t w = 0; w < f.weights.size(); ++w) {
      const std::string& n = f.weights[w].first;
      if (std::find(names.begin(), names.end(), n) != names.end()) continue;
      const Mark at = w < f.weight_marks.size() ? f.weight_marks[w] : f.target_mark;
      const std::string guess = did_you_mean(n, names);
      error(at, guess.empty() ? fmt::format("'{}' is not a target of balancer '{}': its targets are {}", n,
                                            c.name, list_of(names))
                              : fmt::format("'{}' is not a target of balancer '{}': did you mean '{}'?", n,
                                            c.name, guess));
    }
  }

  void partition(const FaultSpec& f, int i) {
    const int j = spec_.find(f.other);
    if (j < 0) {
      if (is_traffic(f.other))
        error(f.other_mark,
              fmt::format("'{}' is a traffic source: a partition cuts two components apart", f.other));
      else error(f.other_mark, unknown_component_message(spec_, f.other, what(f)));
      return;
    }
    if (!graph_) graph_.emplace(spec_);  // built on the first partition
    const auto a = graph_->component_vertex(i), b = graph_->component_vertex(j);
    if (!boost::edge(a, b, graph_->graph()).second && !boost::edge(b, a, graph_->graph()).second)
      error(f.mark, fmt::format("{}: neither '{}' nor '{}' sends to the other, so cutting them apart "
                                "changes nothing",
                                what(f), f.target, f.other));
  }

  const ScenarioSpec& spec_;
  Diagnostics& diags_;
  std::vector<std::string> traffic_;
  std::optional<CallGraph> graph_;
};

}  // namespace

std::optional<RetrySpec> read_retry(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'retry'");
  if (!m) return std::nullopt;
  m->allow_only(kRetryKeys, "'retry'");
  RetrySpec r;
  r.mark = f.key_mark;
  if (const Field* g = m->need("max", "'retry'")) {
    if (auto v = yaml::read_int(src, *g, 0, limits::kRetryMax, "attempts after the first"))
      r.max = static_cast<int>(*v);
  }
  if (const Field* g = m->get("backoff")) {
    if (auto v = yaml::read_choice<RetrySpec::Backoff>(src, *g, "backoff")) r.backoff = *v;
  }
  if (const Field* g = m->get("base")) {
    if (auto v = yaml::read_duration(src, *g, Bound::NonNegative, "ms")) r.base = *v;
  }
  if (const Field* g = m->get("cap")) {
    if (auto v = yaml::read_duration(src, *g, Bound::Positive, "s")) r.cap = *v;
  }
  if (const Field* g = m->get("jitter")) {
    if (auto v = yaml::read_choice<RetrySpec::Jitter>(src, *g, "jitter")) r.jitter = *v;
  }
  if (const Field* g = m->get("budget")) r.budget = yaml::read_fraction(src, *g);
  return r;
}

std::optional<BreakerSpec> read_breaker(const Source& src, const Field& f) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, "'breaker'");
  if (!m) return std::nullopt;
  m->allow_only(kBreakerKeys, "'breaker'");
  return breaker_from(*m, f.key_mark);
}

std::optional<RateLimitSpec> read_rate_limit(const Source& src, const Field& f) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'rate_limit' ({rate: 1000/s, burst: 100})");
  if (!m) return std::nullopt;
  m->allow_only(kRateLimitKeys, "'rate_limit'");
  return rate_limit_from(*m, f.key_mark, "'rate_limit'");
}

void read_service_resilience(const Map& m, ServiceSpec& svc, const std::string& /*where*/) {
  const Source& src = m.source();
  if (const Field* f = m.get("queue_policy")) {
    if (auto v = yaml::read_choice<QueuePolicy>(src, *f, "queue policy")) svc.queue_policy = *v;
  }
  if (const Field* f = m.get("queue_deadline"))
    svc.queue_deadline = yaml::read_duration(src, *f, Bound::Positive, "ms");
  if (const Field* f = m.get("concurrency_limit")) svc.concurrency_limit = read_concurrency_limit(src, *f);
  if (const Field* f = m.get("rate_limit")) svc.rate_limit = read_rate_limit(src, *f);
  if (const Field* f = m.get("bulkheads")) svc.bulkheads = read_bulkheads(src, *f);
  if (const Field* f = m.get("autoscale")) svc.autoscale = read_autoscale(m, *f, svc);
  if (const Field* f = m.get("idempotent")) {
    if (auto v = read_bool(src, *f)) svc.idempotent = *v;
  }
}

void read_balancer_resilience(const Map& m, LoadBalancerSpec& lb, const std::string& where) {
  const Source& src = m.source();
  if (const Field* f = m.need("to", where)) {
    if (f->value.IsMap()) {
      if (read_weights(src, *f, "'to'", lb.targets, lb.target_marks) || !lb.targets.empty()) {
        lb.to = lb.targets.front().first;
        lb.to_mark = lb.target_marks.front();
      }
    } else if (f->value.IsScalar() || f->value.IsNull()) {
      if (auto s = yaml::read_text(src, *f, "a component name")) lb.to = *s;
      lb.to_mark = f->value_mark;
    } else {
      src.error(f->value_mark,
                fmt::format("expected a component name or a map of weights ({{v1: 90, v2: 10}}) for "
                            "'to', got {}",
                            yaml::describe(f->value)));
    }
  }
  if (const Field* f = m.get("rate_limit")) lb.rate_limit = read_rate_limit(src, *f);
  if (const Field* f = m.get("health_check")) lb.health_check = read_health_check(src, *f);
}

void read_faults(const Source& src, const Field& f, std::vector<FaultSpec>& out) {
  const auto items = yaml::read_list(src, f);
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i)
    if (auto fault = read_fault(src, (*items)[i], i + 1)) out.push_back(std::move(*fault));
}

std::string unknown_component_message(const ScenarioSpec& spec, const std::string& target,
                                      std::string_view what) {
  std::vector<std::string> names;
  for (const ComponentSpec& c : spec.components) names.push_back(c.name);
  const std::string guess = did_you_mean(target, names);
  if (!guess.empty())
    return fmt::format("unknown component '{}' in {}: did you mean '{}'?", target, what, guess);
  if (names.empty())
    return fmt::format("unknown component '{}' in {}: the scenario has no components", target, what);
  return fmt::format("unknown component '{}' in {}: components are {}", target, what, list_of(names));
}

void check_resilience(const ScenarioSpec& spec, Diagnostics& diags) {
  ResilienceChecker check(spec, diags);
  check.bulkheads();
  for (const FaultSpec& f : spec.faults) check.fault(f);
}

}  // namespace archsim
