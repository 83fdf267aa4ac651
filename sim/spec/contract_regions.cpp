// A graded problem's regions (archsim/contract.hpp, ProblemRegion): where its
// users are, where a design may place its components, and the one-way
// latency between two regions, which is the problem's. A design places a
// component with `region:`; the calls that cross regions get the problem's
// latency (a call, a balancer's target, a CDN's origin fetch, a queue's
// delivery, a user's request to the entry), and nothing a design writes can
// shorten it.
#include <algorithm>

#include <fmt/format.h>

#include "spec/contract.hpp"
#include "spec/units.hpp"

namespace archsim {

bool Contract::region(std::string_view name) const {
  return std::any_of(regions.begin(), regions.end(), [&](const ProblemRegion& r) { return r.name == name; });
}

std::vector<std::string> Contract::region_names() const {
  std::vector<std::string> out;
  for (const ProblemRegion& r : regions) out.push_back(r.name);
  return out;
}

std::optional<double> Contract::latency_between(std::string_view a, std::string_view b) const {
  if (regions.empty()) return 0.0;
  if (a.empty()) a = regions.front().name;
  if (b.empty()) b = regions.front().name;
  if (a == b) return 0.0;
  for (const ProblemRegion& r : regions)
    for (const auto& [to, s] : r.latency)
      if ((r.name == a && to == b) || (r.name == b && to == a)) return s;
  return std::nullopt;
}

Mark Contract::latency_mark(std::string_view a, std::string_view b) const {
  if (a.empty() && !regions.empty()) a = regions.front().name;
  if (b.empty() && !regions.empty()) b = regions.front().name;
  for (const ProblemRegion& r : regions)
    for (std::size_t i = 0; i < r.latency.size(); ++i)
      if ((r.name == a && r.latency[i].first == b) || (r.name == b && r.latency[i].first == a))
        return r.latency_marks[i];
  return regions_mark;
}

namespace contract {

using yaml::Bound;
using yaml::Field;
using yaml::Map;
using yaml::Source;

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The region a design or problem names: one of the problem's.
bool known_region(const Source& src, const Field& f, const Contract& c, std::string& out) {
  const auto text = yaml::read_text(src, f, "a region");
  if (!text) return false;
  if (!c.region(*text)) {
    const std::string guess = did_you_mean(*text, c.region_names());
    src.error(f.value_mark, fmt::format("unknown region '{}': {}the problem's regions are {}", *text,
                                        guess.empty() ? "" : fmt::format("did you mean '{}'? ", guess),
                                        join(c.region_names())));
    return false;
  }
  out = *text;
  return true;
}

std::optional<DistSpec> crossing(const Contract& c, std::string_view a, std::string_view b) {
  const std::optional<double> s = c.latency_between(a, b);
  if (!s || *s <= 0) return std::nullopt;
  return DistSpec::constant(*s);
}

// Every call of a service in `here` to a component in another region takes
// the problem's latency between them (one way; the reply the same).
template <class RegionOf>
void set_call_latencies(std::vector<StepSpec>& steps, const Contract& c, const std::string& here,
                        const RegionOf& region_of) {
  for (StepSpec& st : steps) {
    if (st.kind == StepSpec::Kind::Call || st.kind == StepSpec::Kind::Async)
      if (auto d = crossing(c, here, region_of(st.call.target))) st.call.latency = d;
    set_call_latencies(st.steps, c, here, region_of);
    set_call_latencies(st.on_miss, c, here, region_of);
    set_call_latencies(st.fallback, c, here, region_of);
    for (StepSpec::Arm& a : st.arms) set_call_latencies(a.steps, c, here, region_of);
  }
}

}  // namespace

void read_regions(const Source& src, const Field& f, Contract& c) {
  c.regions_mark = f.key_mark;
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'regions' (one-way latency between regions)", "region");
  if (!m) return;
  for (const Field& e : m->fields()) {
    ProblemRegion r;
    r.name = e.key;
    r.mark = e.key_mark;
    c.regions.push_back(std::move(r));
  }
  for (const Field& e : m->fields()) {
    ProblemRegion& r = *std::find_if(c.regions.begin(), c.regions.end(),
                                     [&](const ProblemRegion& x) { return x.name == e.key; });
    if (e.value.IsNull()) continue;
    const std::optional<Map> lm = Map::open(src, e.value, e.key_mark, fmt::format("region '{}'", e.key));
    if (!lm) continue;
    for (const Field& l : lm->fields()) {
      if (!c.region(l.key) || l.key == r.name) {
        src.error(l.key_mark, fmt::format("'{}' is not another region of 'regions' (they are {})", l.key,
                                          join(c.region_names())));
        continue;
      }
      if (auto v = yaml::read_duration(src, l, Bound::Positive, "ms")) {
        r.latency.emplace_back(l.key, *v);
        r.latency_marks.push_back(l.key_mark);
      }
    }
  }
  for (std::size_t i = 0; i < c.regions.size(); ++i)
    for (std::size_t j = i + 1; j < c.regions.size(); ++j)
      if (!c.latency_between(c.regions[i].name, c.regions[j].name))
        src.error(c.regions[i].mark,
                  fmt::format("no latency between regions '{}' and '{}': give it under "
                              "either, e.g. '{}: {{{}: 40ms}}'",
                              c.regions[i].name, c.regions[j].name, c.regions[i].name, c.regions[j].name));
}

void read_traffic_region(const Map& m, TrafficSpec& t, const Contract& c) {
  const Field* f = m.get("from");
  if (!f) return;
  t.region_mark = f->value_mark;
  known_region(m.source(), *f, c, t.region);
}

void read_component_region(const Map& m, ComponentSpec& comp, const Contract* c, bool graded) {
  const Field* f = m.get("region");
  if (!f) return;
  if (!graded || !c || c->regions.empty()) {
    m.source().error(f->key_mark,
                     "'region' places a component in one of a graded problem's regions ('regions:' of the "
                     "problem); a sandbox places it on a platform with 'zone:'");
    return;
  }
  comp.region_mark = f->value_mark;
  known_region(m.source(), *f, *c, comp.region);
}

void apply_regions(ScenarioSpec& spec, const Contract& c) {
  if (c.regions.empty()) return;
  const auto region_of = [&](const std::string& name) -> std::string {
    const int i = spec.find(name);
    return i < 0 ? std::string() : spec.components[static_cast<std::size_t>(i)].region;
  };
  for (TrafficSpec& t : spec.traffic) t.latency = crossing(c, t.region, region_of(t.to));
  for (ComponentSpec& comp : spec.components) {
    const std::string here = comp.region;
    if (ServiceSpec* svc = comp.service()) set_call_latencies(svc->steps, c, here, region_of);
    if (LoadBalancerSpec* lb = comp.load_balancer()) {
      lb->target_latency.clear();
      if (lb->targets.empty()) lb->target_latency.push_back(crossing(c, here, region_of(lb->to)));
      for (const auto& [target, w] : lb->targets)
        lb->target_latency.push_back(crossing(c, here, region_of(target)));
    }
    if (CdnSpec* cdn = comp.cdn()) {
      if (auto d = crossing(c, here, region_of(cdn->origin))) cdn->origin_latency = d;
      if (!cdn->include.empty()) cdn->include_latency = crossing(c, here, region_of(cdn->include));
    }
    if (QueueSpec* q = comp.queue())
      if (auto d = crossing(c, here, region_of(q->consumer))) q->latency = d;
  }
}

}  // namespace contract
}  // namespace archsim
