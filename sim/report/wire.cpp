#include "report/wire.hpp"

/// nlohmann's to_json/from_json for Type over the listed fields, and a
/// compile-time check that the list names every field of Type.
#define ARCHSIM_WIRE(Type, ...)                                                        \
  NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)                   \
  static_assert(::archsim::report::wire_detail::field_count<Type>() ==                 \
                    ::archsim::report::wire_detail::names(#__VA_ARGS__),               \
                #Type                                                                  \
                " has a field missing from its ARCHSIM_WIRE list in report/wire.cpp: " \
                "add it there and to full_result() in tests/wire_test.cpp");

namespace archsim {

ARCHSIM_WIRE(LatencyStats, count, mean, p50, p90, p99, p999, max)
ARCHSIM_WIRE(Figure, name, value)
ARCHSIM_WIRE(VisitGroup, from, op, line, visits, total_s, max_s)
ARCHSIM_WIRE(ComponentResult, name, kind, replicas, workers, arrivals, completed, failed, errors,
             throughput_rps, utilization, queue_mean, queue_max, in_flight_mean, visit_mean_s, latency, wait,
             visits_by_call, figures, shards)
ARCHSIM_WIRE(Note, t, kind, target, what, detail)
ARCHSIM_WIRE(SloCheck, name, target, actual, pass, higher_is_better, correctness, source, region, unit,
             measured, margin, has_margin, worst_source)
ARCHSIM_WIRE(SourceResult, name, started, completed, failed, throughput_rps, latency, timeout_s, retries,
             hedges, abandoned)
ARCHSIM_WIRE(EngineStats, events, wall_s, events_per_s, peak_rss_mb)
ARCHSIM_WIRE(HostResult, name, cpu_utilization)
ARCHSIM_WIRE(LinkResult, name, bandwidth, up_bytes_per_s, down_bytes_per_s, utilization)
ARCHSIM_WIRE(RegionEgress, region, bytes_per_s, cross_region_bytes_per_s, cdn_bytes_per_s, gb_per_hour,
             per_hour)
ARCHSIM_WIRE(RunResult, scenario, file, seed, backend, sim_time_s, warmup_s, partial, started, completed,
             failed, in_flight, throughput_rps, arrival_rps, error_rate, in_flight_mean, duration_mean_s,
             duration_max_s, latency, latency_counting_timeouts, errors, components, sources, regions, slo,
             slo_pass, notes, notes_dropped, hosts, links, egress, cross_region_bytes, engine)

namespace report {

ARCHSIM_WIRE(CostLine, component, kind, instance, instances, replicas, mean_replicas, unit, defaulted, priced,
             usage, usage_what, per_hour)

namespace {

nlohmann::json cost_to_wire(const Cost& c) {
  static_assert(wire_detail::field_count<Cost>() == 9, "Cost has a new field: carry it here and below");
  nlohmann::json j{{"lines", c.lines},
                   {"transfer_gb_per_hour", c.transfer_gb_per_hour},
                   {"transfer_per_gb", c.transfer_per_gb},
                   {"transfer_per_hour", c.transfer_per_hour},
                   {"egress_gb_per_hour", c.egress_gb_per_hour},
                   {"egress_per_gb", c.egress_per_gb},
                   {"egress_per_hour", c.egress_per_hour},
                   {"per_hour", c.per_hour}};
  if (c.budget) j["budget"] = *c.budget;
  return j;
}

Cost cost_from_wire(const nlohmann::json& j) {
  Cost c;
  j.at("lines").get_to(c.lines);
  j.at("transfer_gb_per_hour").get_to(c.transfer_gb_per_hour);
  j.at("transfer_per_gb").get_to(c.transfer_per_gb);
  j.at("transfer_per_hour").get_to(c.transfer_per_hour);
  j.at("egress_gb_per_hour").get_to(c.egress_gb_per_hour);
  j.at("egress_per_gb").get_to(c.egress_per_gb);
  j.at("egress_per_hour").get_to(c.egress_per_hour);
  j.at("per_hour").get_to(c.per_hour);
  if (j.contains("budget")) c.budget = j["budget"].get<double>();
  return c;
}

}  // namespace

nlohmann::json result_to_wire(const RunResult& r) { return r; }

RunResult result_from_wire(const nlohmann::json& j) { return j.get<RunResult>(); }

nlohmann::json replica_to_wire(const Replica& r) {
  static_assert(wire_detail::field_count<Replica>() == 3, "Replica has a new field: carry it here and below");
  return {{"seed", r.seed}, {"result", r.result}, {"cost", cost_to_wire(r.cost)}};
}

Replica replica_from_wire(const nlohmann::json& j) {
  Replica r;
  j.at("seed").get_to(r.seed);
  j.at("result").get_to(r.result);
  r.cost = cost_from_wire(j.at("cost"));
  return r;
}

nlohmann::json point_to_wire(const Point& p) {
  // reps and verdict are not sent: every rank works them out from the Replicas.
  static_assert(wire_detail::field_count<Point>() == 11, "Point has a new field: carry it here and below");
  return {{"x", p.x},
          {"text", p.text},
          {"result", p.result},
          {"cost", cost_to_wire(p.cost)},
          {"bottleneck", p.bottleneck},
          {"busiest", p.busiest},
          {"busiest_util", p.busiest_util},
          {"headline", p.headline},
          {"pass", p.pass}};
}

Point point_from_wire(const nlohmann::json& j) {
  Point p;
  j.at("x").get_to(p.x);
  j.at("text").get_to(p.text);
  j.at("result").get_to(p.result);
  p.cost = cost_from_wire(j.at("cost"));
  j.at("bottleneck").get_to(p.bottleneck);
  j.at("busiest").get_to(p.busiest);
  j.at("busiest_util").get_to(p.busiest_util);
  j.at("headline").get_to(p.headline);
  j.at("pass").get_to(p.pass);
  return p;
}

}  // namespace report
}  // namespace archsim
