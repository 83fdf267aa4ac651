// --traces: sampled requests as OTLP/JSON, the ExportTraceServiceRequest of
// opentelemetry-proto (collector/trace/v1) in its JSON mapping: trace and
// span ids in hex, times in Unix nanoseconds as strings, enums as numbers.
// One span per visit (the server side of a call), parented by the visit that
// called it; a request's root span is its traffic source (a CLIENT span).
//
// Sampling is a hash of the seed and the request id (splitmix64), not a
// random draw, so a traced run gives byte-identical results. Ids come from
// the same hash: the same file and seed give the same traces.
#include <cmath>
#include <ostream>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "archsim/exports.hpp"
#include "model/tracer.hpp"

namespace archsim {

namespace {

using json = nlohmann::ordered_json;

std::uint64_t mix(std::uint64_t z) {  // splitmix64's finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct SpanEvent {
  double t = 0;
  std::string name;
  json attributes = json::array();
};

struct Span {
  std::uint64_t trace_hi = 0, trace_lo = 0, id = 0, parent = 0, request = 0;
  std::string service, name;
  double start = 0, end = 0;
  int replica = -1;
  bool root = false, unfinished = false;
  ErrorKind status = ErrorKind::None;
  std::string status_message;
  ErrorKind last_reply = ErrorKind::None;  ///< how the span's last call ended
  std::vector<SpanEvent> events;
};

json attr(const std::string& key, const std::string& v) {
  return {{"key", key}, {"value", {{"stringValue", v}}}};
}
json attr(const std::string& key, std::int64_t v) {
  return {{"key", key}, {"value", {{"intValue", std::to_string(v)}}}};  // int64 as a string in OTLP/JSON
}
json attr_bool(const std::string& key, bool v) { return {{"key", key}, {"value", {{"boolValue", v}}}}; }

}  // namespace

struct TraceWriter::Impl : Tracer {
  std::uint64_t seed;
  double sample;
  std::uint64_t start_ns;
  std::unordered_map<std::uint64_t, Span> open;  ///< by span id
  /// The span of each traced job (Job::traced): kept here, not in the job,
  /// so that a job of an untraced request (nearly all) carries no span id.
  std::unordered_map<const Job*, std::uint64_t> span_of;

  std::uint64_t span(const Job& j) const {
    if (!j.traced) return 0;
    const auto it = span_of.find(&j);
    return it == span_of.end() ? 0 : it->second;
  }
  void set_span(Job& j, std::uint64_t id) {
    span_of[&j] = id;
    j.traced = true;
  }
  void clear_span(Job& j) {
    if (j.traced) span_of.erase(&j);
    j.traced = false;
  }
  std::vector<Span> done;
  std::uint64_t traces = 0, counter = 0;

  Impl(std::uint64_t s, double p, double start_unix_s)
      : seed(s),
        sample(p),
        start_ns(static_cast<std::uint64_t>(std::llround(start_unix_s)) * 1000000000ULL) {}

  bool sampled(std::uint64_t request) const {
    if (sample >= 1) return true;
    const double u = static_cast<double>(mix(mix(seed) ^ request) >> 11) * 0x1p-53;  // uniform in [0, 1)
    return u < sample;
  }

  Span& begin(const Job& caller_side, std::uint64_t parent, std::string service, double start) {
    const std::uint64_t hi = mix(seed ^ 0x7472616365ULL ^ mix(caller_side.request));
    std::uint64_t id = 0;
    while (id == 0 || open.count(id)) id = mix(hi ^ ++counter);
    Span s;
    s.trace_hi = hi;
    s.trace_lo = mix(hi);
    s.id = id;
    s.parent = parent;
    s.request = caller_side.request;
    s.name = service;
    s.service = std::move(service);
    s.start = start;
    return open.emplace(id, std::move(s)).first->second;
  }

  void spawned(Job& caller, Job& child, double now) override {
    if (span(caller) == 0) {
      // Only a traffic source (a negative index) starts a trace.
      if (caller.comp->index() >= 0 || !sampled(caller.request)) return;
      std::string source = caller.comp->name();
      if (source.rfind("traffic:", 0) == 0) source.erase(0, 8);
      Span& root = begin(caller, 0, source, caller.request_start);
      root.root = true;
      root.name = "request";
      set_span(caller, root.id);
      ++traces;
    }
    const auto parent = open.find(span(caller));
    if (parent == open.end()) return;  // cannot happen: a traced caller's span is open while it runs
    Span& s = begin(child, span(caller), child.comp->name(), now);
    if (caller.attempt > 0)
      s.events.push_back({now, "retry attempt", json::array({attr("attempt", caller.attempt)})});
    set_span(child, s.id);
  }

  void replied(Job& j, ErrorKind err, double now) override {
    const auto it = open.find(span(j));
    if (it == open.end()) return;
    it->second.last_reply = err;
    if (err == ErrorKind::None) return;
    json a = json::array({attr("error.type", std::string(name_of(err)))});
    if (j.calling) a.push_back(attr("peer.service", j.calling->target->name()));
    it->second.events.push_back({now, err == ErrorKind::Timeout ? "timeout" : "call failed", std::move(a)});
  }

  void retrying(Job& j, double now) override {
    const auto it = open.find(span(j));
    if (it == open.end()) return;
    json a = json::array({attr("attempt", j.attempt)});
    if (j.calling) a.push_back(attr("peer.service", j.calling->target->name()));
    it->second.events.push_back({now, "retry", std::move(a)});
  }

  void close(Job& j, double now, ErrorKind status, std::string message) {
    const auto it = open.find(span(j));
    clear_span(j);
    if (it == open.end()) return;
    Span s = std::move(it->second);
    open.erase(it);
    s.end = now;
    s.replica = j.replica;
    s.status = status;
    s.status_message = std::move(message);
    if (status != ErrorKind::None)
      s.events.push_back(
          {now, "exception", json::array({attr("exception.type", std::string(name_of(status)))})});
    done.push_back(std::move(s));
  }

  void finished(Job& j, ErrorKind err, double now) override {
    close(j, now, err, err == ErrorKind::None ? "" : std::string(name_of(err)));
  }

  void freed(Job& j, double now) override {
    const auto it = open.find(span(j));
    if (it == open.end()) {
      clear_span(j);
      return;
    }
    // A root ends when its request does: as its last call ended. Any other
    // visit freed without finishing was lost on the way (a partition).
    if (it->second.root) {
      const ErrorKind e = it->second.last_reply;
      close(j, now, e, e == ErrorKind::None ? "" : std::string(name_of(e)));
    } else {
      close(j, now, ErrorKind::Unreachable, "lost on the way (partition)");
    }
  }

  std::string time(double t) const {
    return std::to_string(start_ns + static_cast<std::uint64_t>(std::llround(std::max(t, 0.0) * 1e9)));
  }

  json span_json(const Span& s) const {
    json j;
    j["traceId"] = fmt::format("{:016x}{:016x}", s.trace_hi, s.trace_lo);
    j["spanId"] = fmt::format("{:016x}", s.id);
    if (s.parent) j["parentSpanId"] = fmt::format("{:016x}", s.parent);
    j["name"] = s.name;
    j["kind"] = s.root ? 3 : 2;  // SPAN_KIND_CLIENT for the user's request, SPAN_KIND_SERVER for a visit
    j["startTimeUnixNano"] = time(s.start);
    j["endTimeUnixNano"] = time(s.end);
    json a = json::array({attr("archsim.request_id", static_cast<std::int64_t>(s.request))});
    if (s.replica >= 0 && !s.root) a.push_back(attr("archsim.replica", s.replica));
    if (s.unfinished) a.push_back(attr_bool("archsim.unfinished", true));
    j["attributes"] = a;
    json ev = json::array();
    for (const SpanEvent& e : s.events)
      ev.push_back({{"timeUnixNano", time(e.t)}, {"name", e.name}, {"attributes", e.attributes}});
    if (!ev.empty()) j["events"] = ev;
    if (s.status != ErrorKind::None)
      j["status"] = {{"message", s.status_message}, {"code", 2}};  // STATUS_CODE_ERROR
    return j;
  }
};

TraceWriter::TraceWriter(std::ostream& out, std::uint64_t seed, double sample, double start_unix_s)
    : impl_(std::make_unique<Impl>(seed, sample, start_unix_s)), out_(out) {}
TraceWriter::~TraceWriter() = default;
Tracer* TraceWriter::tracer() { return impl_.get(); }
std::uint64_t TraceWriter::traces() const { return impl_->traces; }
std::uint64_t TraceWriter::spans() const { return impl_->done.size() + impl_->open.size(); }

void TraceWriter::on_finish(const RunResult& r) {
  Impl& m = *impl_;
  // Visits still running when the simulation stopped end there, marked unfinished.
  for (auto& [id, s] : m.open) {
    s.end = r.sim_time_s;
    s.unfinished = true;
    m.done.push_back(std::move(s));
  }
  m.open.clear();
  std::stable_sort(m.done.begin(), m.done.end(), [](const Span& a, const Span& b) {
    return a.start != b.start ? a.start < b.start : a.id < b.id;
  });
  // One resource per service (component or traffic source), in order of first span.
  std::vector<std::string> services;
  std::unordered_map<std::string, json> spans;
  for (const Span& s : m.done) {
    auto [it, fresh] = spans.try_emplace(s.service, json::array());
    if (fresh) services.push_back(s.service);
    it->second.push_back(m.span_json(s));
  }
  json rs = json::array();
  for (const std::string& svc : services) {
    json resource = {{"attributes", json::array({attr("service.name", svc)})}};
    json scope = {{"scope", {{"name", "archsim"}, {"version", ARCHSIM_VERSION}}},
                  {"spans", std::move(spans[svc])}};
    rs.push_back({{"resource", resource}, {"scopeSpans", json::array({scope})}});
  }
  json doc = {{"resourceSpans", rs}};
  out_ << doc.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  out_.flush();
}

}  // namespace archsim
