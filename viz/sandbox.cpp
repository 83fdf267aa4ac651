#include "sandbox.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "report/edit.hpp"
#include "spec/kinds.hpp"

namespace archsim::viz {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// The knob a change turns: a service's replicas, a pool, a rate limit, a cache's entries.
double knob_of(const FaultSpec& f) {
  switch (f.kind) {
    case FaultSpec::Kind::Scale: return f.replicas.value_or(0);
    case FaultSpec::Kind::CacheSize: return static_cast<double>(f.capacity);
    case FaultSpec::Kind::Pool: return f.size;
    case FaultSpec::Kind::RateLimit: return f.rate_limit ? f.rate_limit->rate : 0;
    default: return 0;
  }
}

FaultSpec action(FaultSpec::Kind k, const std::string& target, double v) {
  FaultSpec f;
  f.kind = k;
  f.target = target;
  if (k == FaultSpec::Kind::Scale) f.replicas = static_cast<int>(v);
  if (k == FaultSpec::Kind::Pool) f.size = static_cast<int>(v);
  if (k == FaultSpec::Kind::CacheSize) f.capacity = static_cast<std::uint64_t>(v);
  if (k == FaultSpec::Kind::RateLimit) {
    RateLimitSpec r;
    r.rate = v;
    f.rate_limit = r;
  }
  return f;
}

const char* unit_of(FaultSpec::Kind k) {
  return k == FaultSpec::Kind::Scale       ? " replicas"
         : k == FaultSpec::Kind::Pool      ? " connections per caller replica"
         : k == FaultSpec::Kind::CacheSize ? " entries"
                                           : "/s limit";
}

// The keyed store of a cache or a cdn, else null (a simple cache has none).
const KeyedStoreSpec* store_of(const ComponentSpec& cs) {
  if (const CdnSpec* d = cs.cdn()) return &d->store;
  if (const CacheSpec* c = cs.cache(); c && c->keyed()) return &c->store;
  return nullptr;
}

// Knob k of a component as its design sets it (a keyed store: all its keys when unbounded).
std::optional<double> design_value(const ComponentSpec& cs, FaultSpec::Kind k) {
  using K = FaultSpec::Kind;
  if (k == K::Scale) return cs.replica_count();
  if (k == K::Pool) {
    if (const DatabaseSpec* d = cs.database(); d && d->pool) return *d->pool;
    return std::nullopt;
  }
  if (k == K::CacheSize) {
    const KeyedStoreSpec* st = store_of(cs);
    if (!st) return std::nullopt;
    return static_cast<double>(st->capacity > 0 ? std::min(st->capacity, st->copies()) : st->copies());
  }
  if (const ServiceSpec* s = cs.service(); s && s->rate_limit) return s->rate_limit->rate;
  return std::nullopt;
}

}  // namespace

std::optional<double> Sandbox::value(int c, FaultSpec::Kind k) const {
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  for (auto it = changes_.rbegin(); it != changes_.rend(); ++it)
    if (it->fault.kind == k && it->fault.target == cs.name) return knob_of(it->fault);
  return design_value(cs, k);
}

std::optional<FaultSpec> Sandbox::adjust(int c, int step, double arrivals, bool rate,
                                         std::string* words) const {
  if (c < 0 || c >= static_cast<int>(spec_.components.size())) {
    *words = "click a component first";
    return std::nullopt;
  }
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  using K = FaultSpec::Kind;
  K k;
  if (rate && (cs.service() || cs.kind() == ComponentKind::LoadBalancer)) k = K::RateLimit;
  else if (cs.service()) k = K::Scale;
  else if (cs.database() && cs.database()->pool) k = K::Pool;
  else if (!rate && store_of(cs)) k = K::CacheSize;
  else {
    *words = cs.name +
             " has no knob the view can turn: [ ] change a service's replicas, a database's pool or a "
             "keyed cache's (or cdn's) entries, shift+[ ] a service's or balancer's rate limit";
    return std::nullopt;
  }
  const std::optional<double> now = value(c, k);
  double next;
  if (k == K::RateLimit) {
    // A first limit starts at 90% of what arrives now; then 10% steps.
    const double base = now.value_or(std::max(1.0, std::round(arrivals)));
    next = now ? std::round(base * (step > 0 ? 1.1 : 1 / 1.1)) : std::round(base * 0.9);
  } else {
    // Replicas one at a time; a pool or a cache's entries by a quarter (at least one).
    const double d = k == K::Scale ? 1 : std::max(1.0, std::round(*now / 4));
    next = *now + (step > 0 ? d : -d);
  }
  next = std::max(1.0, next);
  // A store holds no more than its key space (the parser refuses more).
  if (k == K::CacheSize && store_of(cs)->copies() > 0)
    next = std::min(next, static_cast<double>(store_of(cs)->copies()));
  if (now && next == *now) {
    *words = cs.name + (step > 0 ? " holds its whole key space" : " is at its smallest");
    return std::nullopt;
  }
  *words = cs.name + ": " + (now ? num(*now) : std::string("no")) + " -> " + num(next) + unit_of(k);
  return action(k, cs.name, next);
}

namespace {

// The feature a change turns off or on, if it is a toggle.
std::optional<FaultSpec::Feature> toggled(const FaultSpec& f) {
  if (f.kind == FaultSpec::Kind::Retries) return FaultSpec::Feature::Retries;
  if (f.kind == FaultSpec::Kind::Disable || f.kind == FaultSpec::Kind::Enable) return f.feature;
  return std::nullopt;
}

// The action that turns feature ft of `target` on or off (retries keep their own action).
FaultSpec toggle_action(FaultSpec::Feature ft, const std::string& target, bool on) {
  FaultSpec f;
  f.kind = ft == FaultSpec::Feature::Retries ? FaultSpec::Kind::Retries
           : on                              ? FaultSpec::Kind::Enable
                                             : FaultSpec::Kind::Disable;
  f.feature = ft;
  f.target = target;
  f.enabled = on;
  return f;
}

// "retries", "breakers", "health check": the feature in the status line.
std::string feature_words(FaultSpec::Feature ft) {
  std::string w(name_of(ft));
  std::replace(w.begin(), w.end(), '_', ' ');
  return ft == FaultSpec::Feature::Breaker || ft == FaultSpec::Feature::Timeout ? w + "s" : w;
}

// The key that toggles it, and what it toggles, for a refusal.
const char* feature_help(FaultSpec::Feature ft) {
  using Ft = FaultSpec::Feature;
  switch (ft) {
    case Ft::Retries: return "Y turns a service's retries off and on";
    case Ft::Breaker: return "B turns the breakers of a service's calls off and on";
    case Ft::Timeout: return "O turns the timeouts of a service's calls off and on";
    case Ft::HealthCheck: return "H turns a balancer's health check off and on";
    case Ft::ConcurrencyLimit: return "C turns a service's concurrency limit off and on";
    case Ft::QueueDeadline: return "D turns a service's queue deadline off and on";
  }
  return "";
}

}  // namespace

std::optional<bool> Sandbox::feature_on(int c, FaultSpec::Feature ft, std::size_t upto) const {
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  if (!has_feature(cs, ft)) return std::nullopt;
  bool on = true;  // as designed
  for (std::size_t i = 0; i < upto && i < changes_.size(); ++i)
    if (changes_[i].fault.target == cs.name && toggled(changes_[i].fault) == ft)
      on = changes_[i].fault.enabled;
  return on;
}

std::optional<FaultSpec> Sandbox::toggle(int c, FaultSpec::Feature ft, std::string* words) const {
  if (c < 0 || c >= static_cast<int>(spec_.components.size())) {
    *words = "click a component first";
    return std::nullopt;
  }
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  const std::optional<bool> now = feature_on(c, ft, changes_.size());
  if (!now) {
    const bool call = ft == FaultSpec::Feature::Retries || ft == FaultSpec::Feature::Breaker ||
                      ft == FaultSpec::Feature::Timeout;
    *words = cs.name + (call ? " makes no call with '" : " has no '") + std::string(feature_key(ft)) +
             "': " + feature_help(ft);
    return std::nullopt;
  }
  *words = cs.name + ": " + feature_words(ft) + (*now ? " off" : " back on");
  return toggle_action(ft, cs.name, !*now);
}

FaultSpec Sandbox::undo_toggle(std::size_t li, std::string* words) const {
  const FaultSpec& last = changes_[li].fault;
  const FaultSpec::Feature ft = *toggled(last);
  const int c = spec_.find(last.target);
  const bool before = feature_on(c, ft, li).value_or(true);
  *words = "undone: " + last.target + " back to " + feature_words(ft) + (before ? " on" : " off");
  return toggle_action(ft, last.target, before);
}

Sizing Sandbox::sizing(int c, std::size_t upto) const {
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  Sizing now{cs.service() ? cs.service()->workers : cs.database() ? cs.database()->workers : 0, cs.instance};
  for (std::size_t i = 0; i < upto && i < changes_.size(); ++i) {
    const FaultSpec& f = changes_[i].fault;
    if (f.kind == FaultSpec::Kind::Resize && f.target == cs.name)
      now = resized(cs, now, f.workers, f.instance);
  }
  return now;
}

namespace {

// "m6i.large, 32 workers": a size in words.
std::string size_words(const ComponentSpec& cs, const Sizing& s) {
  const Instance* in = runs_on(cs, s.workers, s.instance);
  const std::string w = s.workers > 0 ? num(s.workers) + " workers" : "no worker limit";
  return in ? std::string(in->name) + ", " + w : w;
}

}  // namespace

std::optional<FaultSpec> Sandbox::resize(int c, int step, bool instance, std::string* words) const {
  if (c < 0 || c >= static_cast<int>(spec_.components.size())) {
    *words = "click a component first";
    return std::nullopt;
  }
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  if (!cs.service() && !cs.database()) {
    *words = cs.name +
             " has no workers or instance size to change: . and , (workers), I and shift+I "
             "(instance) resize a service or a database";
    return std::nullopt;
  }
  const Sizing now = sizing(c, changes_.size());
  FaultSpec f;
  f.kind = FaultSpec::Kind::Resize;
  f.target = cs.name;
  if (instance) {
    const Instance* in = runs_on(cs, now.workers, now.instance);
    const Instance* next = in ? next_instance(*in, step) : nullptr;
    if (!next) {
      *words = cs.name + " runs on " + std::string(in ? in->name : "?") + ", its family's " +
               (step > 0 ? "largest" : "smallest") + " size";
      return std::nullopt;
    }
    f.instance = std::string(next->name);
  } else {
    if (now.workers <= 0) {
      *words = cs.name + " has no worker limit (workers: 0): give it workers in the design first";
      return std::nullopt;
    }
    const int d = std::max(1, static_cast<int>(std::lround(now.workers / 4.0)));
    const int next = std::max(1, now.workers + (step > 0 ? d : -d));
    if (next == now.workers) {
      *words = cs.name + " is at its smallest";
      return std::nullopt;
    }
    f.workers = next;
  }
  *words =
      cs.name + ": " + size_words(cs, now) + " -> " + size_words(cs, resized(cs, now, f.workers, f.instance));
  return f;
}

std::optional<FaultSpec> Sandbox::undo_resize(std::size_t li, std::string* words) const {
  const FaultSpec& last = changes_[li].fault;
  const int c = spec_.find(last.target);
  const ComponentSpec& cs = spec_.components[static_cast<std::size_t>(c)];
  const Sizing before = sizing(c, li);
  FaultSpec f;
  f.kind = FaultSpec::Kind::Resize;
  f.target = last.target;
  f.workers = before.workers > 0 ? std::optional<int>(before.workers) : std::nullopt;
  // The instance by name, even when the design left it to the bill: a
  // resize cannot say "the smallest that fits" again.
  if (const Instance* in = runs_on(cs, before.workers, before.instance)) f.instance = std::string(in->name);
  *words = "undone: " + last.target + " back to " + size_words(cs, before);
  return f;
}

void Sandbox::record(double at, const FaultSpec& f, const std::string& words, bool undoable) {
  FaultSpec g = f;
  g.at = at;
  changes_.push_back({at, g, words});
  if (undoable) undoable_.push_back(changes_.size() - 1);
}

std::optional<FaultSpec> Sandbox::undo(std::string* words) {
  if (undoable_.empty()) {
    *words = "nothing to undo";
    return std::nullopt;
  }
  const std::size_t li = undoable_.back();
  const Change& last = changes_[li];
  undoable_.pop_back();
  if (last.fault.kind == FaultSpec::Kind::Resize) return undo_resize(li, words);
  if (toggled(last.fault)) return undo_toggle(li, words);
  // The value before it: an earlier change of the same knob, else the spec's.
  const int c = spec_.find(last.fault.target);
  std::optional<double> before;
  for (std::size_t i = 0; i < li; ++i)
    if (changes_[i].fault.kind == last.fault.kind && changes_[i].fault.target == last.fault.target)
      before = knob_of(changes_[i].fault);
  if (!before) before = design_value(spec_.components[static_cast<std::size_t>(c)], last.fault.kind);
  if (!before) {  // a rate limit that did not exist: the closest is a limit no one reaches
    *words = "a new rate limit cannot be taken away; set it higher with shift+]";
    undoable_.push_back(li);
    return std::nullopt;
  }
  *words = "undone: " + last.fault.target + " back to " + num(*before) + unit_of(last.fault.kind);
  // Applied and recorded (not undoable) by the caller: the run keeps both.
  return action(last.fault.kind, last.fault.target, *before);
}

std::string Sandbox::yaml_entry(const Change& c) {
  const FaultSpec& f = c.fault;
  const std::string at = "{at: " + num(c.at) + "s, ";
  switch (f.kind) {
    case FaultSpec::Kind::Scale:
      return at + "scale: " + f.target + ", replicas: " + num(f.replicas.value_or(1)) + "}";
    case FaultSpec::Kind::Pool: return at + "pool: " + f.target + ", size: " + num(f.size) + "}";
    case FaultSpec::Kind::RateLimit:
      return at + "rate_limit: " + f.target + ", rate: " + num(f.rate_limit ? f.rate_limit->rate : 0) + "/s}";
    case FaultSpec::Kind::Resize:
      return at + "resize: " + f.target + (f.instance.empty() ? "" : ", instance: " + f.instance) +
             (f.workers ? ", workers: " + num(*f.workers) : "") + "}";
    case FaultSpec::Kind::Retries:
      return at + "retries: " + f.target + ", enabled: " + (f.enabled ? "true" : "false") + "}";
    case FaultSpec::Kind::Disable:
    case FaultSpec::Kind::Enable:
      return at + std::string(name_of(f.kind)) + ": " + std::string(name_of(f.feature)) +
             ", on: " + f.target + "}";
    case FaultSpec::Kind::CacheSize:
      return at + "cache_size: " + f.target + ", capacity: " + num(static_cast<double>(f.capacity)) + "}";
    default: return "";
  }
}

std::string Sandbox::design_text(const std::string& file, const LoadOptions& load,
                                 std::string* run_it) const {
  const report::Documents d = report::read_documents(file, load);
  const bool has_design = !d.design_path.empty();
  std::string text = has_design ? d.design_text : d.problem_text;
  std::vector<std::string> items;
  for (const Change& c : changes_) items.push_back(yaml_entry(c));
  // Find a top-level `faults:` and add the items to its block; else add one.
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::size_t at = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].rfind("faults:", 0) == 0) at = i;
  std::string indent = "  ";
  if (at == lines.size()) {
    lines.push_back(
        "# Changed live in archsim view (the sandbox): operator actions at the moment they were made.");
    lines.push_back("faults:");
    at = lines.size() - 1;
  } else {
    std::string rest = lines[at].substr(7);
    rest.erase(0, rest.find_first_not_of(' '));
    if (rest == "[]") lines[at] = "faults:";
    else if (!rest.empty() && rest[0] != '#')
      throw std::runtime_error("its faults: is written on one line; add these entries to it by hand:\n  - " +
                               [&] {
                                 std::string s;
                                 for (const auto& it : items) s += it + "\n  - ";
                                 return s.substr(0, s.size() - 5);
                               }());
  }
  // The end of the block: the first line after it that starts a new top-level key.
  std::size_t end = at + 1;
  for (std::size_t i = at + 1; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    if (l.empty() || l[0] == '#') continue;
    if (l[0] != ' ' && l[0] != '-') break;
    if (end == at + 1 && l.find('-') != std::string::npos) indent = l.substr(0, l.find('-'));
    end = i + 1;
  }
  std::vector<std::string> add;
  for (const auto& it : items) add.push_back(indent + "- " + it);
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(end), add.begin(), add.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  if (run_it) {
    *run_it = has_design ? "archsim run " + d.problem_path + " --design DESIGN" : "archsim run DESIGN";
    if (load.seed) *run_it += " --seed " + std::to_string(*load.seed);
    if (load.duration) *run_it += " --duration " + num(*load.duration) + "s";
  }
  return out;
}

std::string Sandbox::write(const std::string& file, const LoadOptions& load, const std::string& dir,
                           std::string* run_it) const {
  const report::Documents d = report::read_documents(file, load);
  const std::string base = d.design_path.empty() ? d.problem_path : d.design_path;
  const std::string text = design_text(file, load, run_it);
  const std::string out =
      (std::filesystem::path(dir) / (std::filesystem::path(base).stem().string() + "-sandbox.yaml")).string();
  {
    std::ofstream f(out + ".tmp", std::ios::binary);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + out);
  }
  std::filesystem::rename(out + ".tmp", out);
  if (run_it) {
    const auto p = run_it->find("DESIGN");
    if (p != std::string::npos) run_it->replace(p, 6, out);
  }
  return out;
}

}  // namespace archsim::viz
