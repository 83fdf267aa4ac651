#include "cause.hpp"

#include <algorithm>
#include <cmath>

#include "report/explain.hpp"

namespace archsim::viz {

namespace {

int component_index(const TimelineHeader& h, const std::string& name) {
  for (std::size_t i = 0; i < h.components.size(); ++i)
    if (h.components[i].name == name) return static_cast<int>(i);
  return -1;
}

// When the first timed SLO broke, or -1.
double first_break(const report::Explanation& why) {
  double at = -1;
  for (const report::SloBreak& b : why.breaks)
    if (b.timed && (at < 0 || b.at < at)) at = b.at;
  return at;
}

// The first saturated link as the root cause.
Cause link_cause(const report::Explanation& why) {
  const report::LinkSaturation& s = why.saturated_links.front();
  Cause c;
  c.link = s.link;
  c.at = s.at;
  c.tag = "link saturated";
  c.caption = "root cause: the link " + s.name + " (" + s.joins + ") saturated at " + report::clock(s.at);
  return c;
}

}  // namespace

std::optional<Cause> cause_of(const report::Explanation& why, const TimelineHeader& h) {
  // A link that saturated before the component behind it (explain: link_root).
  if (why.link_root && !why.saturated.empty() && h.platform) return link_cause(why);
  if (why.cause) {  // the headline's cause: what the first saturated tier waited on, or a GC stall
    const report::Cause& rc = *why.cause;
    Cause c;
    c.component = rc.component >= 0 && rc.component < static_cast<int>(h.components.size())
                      ? rc.component
                      : component_index(h, rc.name);
    if (c.component >= 0) {
      c.at = rc.at;
      c.tag = rc.waiter >= 0 ? "waited on" : "GC pauses";
      c.caption = "root cause: " + rc.name + " " + rc.mechanism + " at " + report::clock(rc.at);
      return c;
    }
  }
  if (!why.saturated.empty()) {
    const report::Saturation& s = why.saturated.front();
    Cause c;
    c.component = s.component >= 0 && s.component < static_cast<int>(h.components.size())
                      ? s.component
                      : component_index(h, s.name);
    if (c.component < 0) return std::nullopt;
    c.at = s.at;
    c.pool = s.pool;
    c.tag = s.pool ? "pool ran dry" : "saturated";
    c.caption = "root cause: " + s.name + (s.pool ? "'s connection pool ran dry at " : " saturated at ") +
                report::clock(s.at);
    return c;
  }
  if (!why.saturated_links.empty() && h.platform) return link_cause(why);
  const double broke = first_break(why);
  for (const report::ErrorSource& e : why.errors) {
    if (e.at_client || broke < 0) continue;
    const int i = component_index(h, e.origin);
    if (i < 0) continue;
    Cause c;
    c.component = i;
    c.at = broke;
    c.tag = e.kind;
    c.caption = "root cause: " + e.kind + " errors at " + e.origin + " (" +
                std::to_string(static_cast<int>(std::lround(e.share * 100))) + "% of failures) from " +
                report::clock(broke);
    return c;
  }
  return std::nullopt;
}

std::optional<Cause> explain_cause(const ScenarioSpec& spec, const RunResult& r,
                                   const std::vector<Tick>& ticks, const std::vector<EdgeInfo>& edges,
                                   const TimelineHeader& h) {
  const report::Explanation why = report::explain(spec, r, ticks, edges, report::faults_of(r));
  return cause_of(why, h);
}

double worst_moment(const Playback& pb) {
  const auto& h = pb.header();
  double p99_target = 0, err_target = kFailingShare;
  for (const SloSpec& s : h.slo) {
    if (s.kind == SloSpec::Kind::LatencyP99) p99_target = s.target;
    if (s.kind == SloSpec::Kind::ErrorRate && s.target > 0) err_target = s.target;
  }
  double best = -1, at = pb.duration();
  for (const Tick& k : pb.ticks()) {
    if (k.t - k.dt < h.warmup - 1e-9) continue;
    // How far past its target each figure is; the worst of them scores the tick.
    double score = pb.value(Metric::ErrorRate, k) / err_target;
    if (p99_target > 0 && std::isfinite(k.p99)) score = std::max(score, k.p99 / p99_target);
    for (const ComponentTick& c : k.components) score = std::max(score, c.utilization / kSaturatedUtil * 0.5);
    if (score > best + 1e-9) best = score, at = k.t;
  }
  return at;
}

}  // namespace archsim::viz
