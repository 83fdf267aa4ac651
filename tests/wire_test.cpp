// What MPI ranks send each other (sim/report/wire.cpp) carries every field
// of a result: a RunResult with every field set gives the same output JSON
// before and after the trip (as JSON, and as the CBOR bytes ranks exchange).
// wire.cpp counts each struct's fields at compile time against its list, so
// a field added to RunResult without being carried fails the build; the
// completeness check below makes sure full_result() sets every carried field,
// so that one added to the wire but not here fails this test.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "archsim/output.hpp"
#include "report/wire.hpp"

using namespace archsim;
using namespace archsim::report;

namespace {

LatencyStats stats(double base) {
  return {7, base, base * 1.1, base * 1.2, base * 1.3, base * 1.4, base * 1.5};
}

ComponentResult full_component() {
  ComponentResult c;
  c.name = "db";
  c.kind = ComponentKind::Database;
  c.replicas = 3;
  c.workers = 8;
  c.arrivals = 1001;
  c.completed = 990;
  c.failed = 11;
  c.errors = {{"timeout", 4}, {"overload", 7}};
  c.throughput_rps = 123.456789012345;
  c.utilization = 0.712345678901;
  c.queue_mean = 1.23456789;
  c.queue_max = 17;
  c.in_flight_mean = 3.21;
  c.visit_mean_s = 0.0456;
  c.latency = stats(0.0123456789);
  c.wait = stats(0.00123456789);
  c.visits_by_call = {{"api", "get_user", 12, 990, 12.3456789, 0.3456}};
  c.figures = {{"hit_ratio", 0.8123456789}, {"pool_wait_ms", 2.5}};
  c.shards = {{{"rows", 10}}, {{"rows", 11}}};
  return c;
}

SloCheck full_slo() {
  SloCheck s;
  s.name = "shoppers.latency_p99";
  s.target = 0.05;
  s.actual = 0.0431234567;
  s.pass = true;
  s.higher_is_better = true;
  s.correctness = true;
  s.source = "shoppers";
  s.region = "eu-west";
  s.worst_source = "posters";
  s.unit = "s";
  s.measured = false;
  s.margin = 0.1376;
  s.has_margin = false;
  return s;
}

SourceResult full_source() {
  SourceResult s;
  s.name = "shoppers";
  s.started = 5000;
  s.completed = 4900;
  s.failed = 90;
  s.throughput_rps = 81.6666666667;
  s.latency = stats(0.0234567);
  s.timeout_s = 2.5;
  s.retries = 33;
  s.hedges = 12;
  s.abandoned = 5;
  return s;
}

/// Every field different from its default (and from a default element).
RunResult full_result() {
  RunResult r;
  r.scenario = "shop";
  r.file = "examples/shop.yaml";
  r.seed = 424242;
  r.backend = "simgrid";
  r.sim_time_s = 60;
  r.warmup_s = 10;
  r.partial = true;
  r.started = 5000;
  r.completed = 4900;
  r.failed = 90;
  r.in_flight = 10;
  r.throughput_rps = 98.0000000001;
  r.arrival_rps = 100.123456789;
  r.error_rate = 0.0180360721;
  r.in_flight_mean = 2.3456789;
  r.duration_mean_s = 0.0234567891;
  r.duration_max_s = 1.87654321;
  r.latency = stats(0.0222222222);
  r.latency_counting_timeouts = stats(0.0333333333);
  r.errors = {{"timeout", 60}, {"overload", 30}};
  r.components = {full_component()};
  r.sources = {full_source()};
  r.regions = {full_source()};
  r.slo = {full_slo()};
  r.slo_pass = false;
  r.notes = {{12.5, "fault", "db", "kill", "2 of 3 replicas"}};
  r.notes_dropped = 3;
  r.hosts = {{"h1", 0.654321}};
  r.links = {{"east/west", 1.25e8, 3.5e6, 2.25e6, 0.028}};
  r.egress = {{"eu-west", 2.5e8, 1.25e8, 0.75e8, 900.5, 43.21}};
  r.cross_region_bytes = 9.87654321e9;
  r.engine = {123456789, 1.2345, 1.0000001e8, 38.5};
  return r;
}

/// A result of the same shape with default values: one default element in
/// every list, so that every element's fields can be compared.
RunResult default_shape() {
  RunResult r;
  r.components = {ComponentResult{}};
  r.components[0].visits_by_call = {VisitGroup{}};
  r.components[0].figures = {Figure{}, Figure{}};
  r.components[0].shards = {{Figure{}}, {Figure{}}};
  r.sources = {SourceResult{}};
  r.slo = {SloCheck{}};
  r.notes = {Note{}};
  r.hosts = {HostResult{}};
  r.links = {LinkResult{}};
  r.egress = {RegionEgress{}};
  return r;
}

/// The paths (a.b[0].c) where `full` still has the value of `dflt`.
void unset_fields(const nlohmann::json& full, const nlohmann::json& dflt, const std::string& at,
                  std::vector<std::string>& out) {
  if (dflt.is_object() && !dflt.empty()) {
    for (auto it = dflt.begin(); it != dflt.end(); ++it) {
      if (!full.contains(it.key())) out.push_back(at + "." + it.key());
      else unset_fields(full[it.key()], it.value(), at + "." + it.key(), out);
    }
  } else if (dflt.is_array() && !dflt.empty() && full.is_array() && full.size() == dflt.size()) {
    for (std::size_t i = 0; i < dflt.size(); ++i)
      unset_fields(full[i], dflt[i], at + "[" + std::to_string(i) + "]", out);
  } else if (full == dflt) {
    out.push_back(at);
  }
}

}  // namespace

TEST_CASE("wire: full_result() sets every field the wire carries") {
  std::vector<std::string> unset;
  unset_fields(result_to_wire(full_result()), result_to_wire(default_shape()), "result", unset);
  std::string list;
  for (const std::string& u : unset) list += " " + u;
  CHECK_MESSAGE(unset.empty(), "left at their default:", list);
}

TEST_CASE("wire: a full RunResult gives the same output JSON after the trip between ranks") {
  const RunResult a = full_result();
  const nlohmann::json w = result_to_wire(a);
  const RunResult via_json = result_from_wire(w);
  const RunResult via_cbor = result_from_wire(nlohmann::json::from_cbor(nlohmann::json::to_cbor(w)));
  CHECK(to_json(via_json).dump() == to_json(a).dump());
  CHECK(to_json(via_cbor).dump() == to_json(a).dump());
  // Beyond the (rounded) output JSON: bit for bit, including the fields the
  // output leaves out.
  CHECK(result_to_wire(via_cbor) == w);
  CHECK(via_cbor.engine.wall_s == a.engine.wall_s);
  CHECK(via_cbor.duration_max_s == a.duration_max_s);
  CHECK(via_cbor.components.at(0).shards.size() == 2);
  CHECK(via_cbor.slo.at(0).has_margin == false);
}

TEST_CASE("wire: a sweep point and a replica keep their cost and verdict fields") {
  Cost cost;
  cost.lines = {{"db", "database", "m5.large", 2, 3, 2.75, 0.096, false, true, true, "egress", 0.264}};
  cost.transfer_gb_per_hour = 61.6;
  cost.transfer_per_gb = 0.02;
  cost.transfer_per_hour = 1.232;
  cost.egress_gb_per_hour = 605;
  cost.egress_per_gb = 0.05;
  cost.egress_per_hour = 30.25;
  cost.per_hour = 31.746;
  cost.budget = 2.0;
  Point p;
  p.x = {1000, 3};
  p.text = {"1000/s", "3"};
  p.result = full_result();
  p.cost = cost;
  p.bottleneck = "db";
  p.busiest = "api";
  p.busiest_util = 0.93;
  p.headline = "db saturates first";
  p.pass = true;
  const nlohmann::json pw = point_to_wire(p);
  const Point q = point_from_wire(nlohmann::json::from_cbor(nlohmann::json::to_cbor(pw)));
  CHECK(point_to_wire(q) == pw);
  CHECK(q.cost.lines.at(0).usage_what == "egress");
  CHECK(q.cost.transfer_per_hour == cost.transfer_per_hour);
  CHECK(q.cost.egress_per_hour == cost.egress_per_hour);
  REQUIRE(q.cost.budget.has_value());
  CHECK(*q.cost.budget == 2.0);

  const Replica r{77, full_result(), cost};
  const Replica s = replica_from_wire(nlohmann::json::from_cbor(nlohmann::json::to_cbor(replica_to_wire(r))));
  CHECK(s.seed == 77);
  CHECK(replica_to_wire(s) == replica_to_wire(r));
  CHECK(to_json(s.result).dump() == to_json(r.result).dump());
}
