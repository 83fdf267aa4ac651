// The `platform:` section: units, what the parser builds, the resolved
// layout (hosts, routes, placement) and the check estimate. No SimGrid needed.
#include <doctest/doctest.h>

#include "check.hpp"

#include <string>

#include "analysis/estimate.hpp"
#include "analysis/platform_estimate.hpp"
#include "archsim/load.hpp"
#include "archsim/platform.hpp"
#include "archsim/simulation.hpp"
#include "backend/layout.hpp"
#include "spec/platform_faults.hpp"

using namespace archsim;
using archsim::test::Rel;

TEST_CASE("bandwidths: bits and bytes per second, with the time written either way") {
  CHECK(*parse_bandwidth("1Gbps") == Rel(125e6));
  CHECK(*parse_bandwidth("1 Gbit/s") == Rel(125e6));
  CHECK(*parse_bandwidth("100MBps") == Rel(100e6));
  CHECK(*parse_bandwidth("100MB/s") == Rel(100e6));
  CHECK(*parse_bandwidth("100mbps") == Rel(12.5e6));
  CHECK(*parse_bandwidth("1.5GiBps") == Rel(1.5 * 1073741824.0));
  CHECK(*parse_bandwidth("800bps") == Rel(100));
  std::string why;
  CHECK_FALSE(parse_bandwidth("1GB", &why));
  CHECK(why == "unknown bandwidth unit 'GB' in '1GB': did you mean 1GBps (per second)?");
  CHECK_FALSE(parse_bandwidth("10", &why));
  CHECK(why.find("a bandwidth needs a unit") == 0);
  CHECK_FALSE(parse_bandwidth("fast", &why));
  CHECK_FALSE(parse_bandwidth("0Gbps", &why));
  CHECK(format_bandwidth(125e6) == "1Gbps");
  CHECK(format_bandwidth(25e6) == "200Mbps");
}

TEST_CASE("speeds: times the reference core, or flop/s") {
  CHECK(*parse_speed("1.5x") == Rel(1.5));
  CHECK(*parse_speed("2Gf") == Rel(2.0));
  CHECK(*parse_speed("500Mf") == Rel(0.5));
  std::string why;
  CHECK_FALSE(parse_speed("2", &why));
  CHECK(why == "a speed needs a unit: did you mean 2x (times the reference core)?");
  CHECK_FALSE(parse_speed("3GHz", &why));
}

namespace {

const char* kRegions = R"(
name: regions
platform:
  lan: {bandwidth: 10Gbps, latency: 0.1ms}
  regions:
    us-east:
      backbone: {latency: 1ms}
      zones:
        use-a:
          hosts:
            web: {cores: 4, count: 2}
            db: {cores: 16, speed: 2x}
        use-b:
          lan: {bandwidth: 1Gbps}
          hosts:
            web-b: {cores: 4}
    eu-west:
      hosts:
        eu-web: {cores: 8}
  links:
    atlantic: {bandwidth: 1Gbps, latency: 40ms}
  routes:
    - {between: [us-east, eu-west], links: [atlantic]}
traffic:
  - {name: us, to: api, rate: 100/s, from: us-east}
  - {name: eu, to: api, rate: 50/s, from: eu-west}
components:
  api:
    kind: service
    replicas: 3
    workers: 8
    zone: us-east
    steps:
      - work: 10ms
      - {call: db, request: 1KB, response: 100KB}
  db:
    kind: service
    workers: 16
    hosts: [db]
    service_time: 2ms
  audit:
    kind: service
    service_time: 1ms
)";

}  // namespace

TEST_CASE("the platform section: regions, zones, hosts with count, links, routes, placements") {
  const ScenarioSpec spec = load_scenario_text(kRegions, "regions.yaml");
  REQUIRE(spec.platform);
  const PlatformSpec& p = *spec.platform;
  CHECK(p.declared);
  REQUIRE(p.regions.size() == 2);
  REQUIRE(p.zones.size() == 3);  // use-a, use-b, and eu-west (a region with hosts is one zone)
  CHECK(p.zones[2].name == "eu-west");
  CHECK(p.zones[1].lan.bandwidth == Rel(125e6));
  CHECK(p.zones[1].lan.latency == Rel(0.0001));  // the platform's latency, its own bandwidth
  REQUIRE(p.hosts.size() == 5);
  CHECK(p.hosts[0].name == "web-1");
  CHECK(p.hosts[1].name == "web-2");
  CHECK(p.hosts[2].speed == Rel(2.0));
  CHECK(p.find_link("atlantic") >= 0);
  REQUIRE(p.routes.size() == 1);
  CHECK(p.hosts_in("us-east").size() == 4);
  CHECK(p.hosts_in("use-b").size() == 1);
  REQUIRE(p.placement_of("api"));
  CHECK(p.placement_of("api")->zone == "us-east");
  REQUIRE(p.placement_of("eu", true));
  CHECK(spec.backend == "fast");
}

TEST_CASE("the layout: replicas on hosts, routes from host to host, archsim's own hosts for the rest") {
  const ScenarioSpec spec = load_scenario_text(kRegions, "regions.yaml");
  const Layout L = Layout::build(spec);
  // api's 3 replicas round robin over us-east's hosts in file order.
  CHECK(L.hosts[static_cast<std::size_t>(L.host_of(0, 0))].name == "web-1");
  CHECK(L.hosts[static_cast<std::size_t>(L.host_of(0, 1))].name == "web-2");
  CHECK(L.hosts[static_cast<std::size_t>(L.host_of(0, 2))].name == "db");
  // audit is not placed: a host of its own ("audit.0"), one core per worker.
  const Layout::Host& audit = L.hosts[static_cast<std::size_t>(L.host_of(2, 0))];
  CHECK(audit.name == "audit.0");
  CHECK(audit.cores == 1);
  // Traffic from eu-west sits in eu-west.
  const Layout::Host& eu = L.hosts[static_cast<std::size_t>(L.host_of(-2, 0))];
  CHECK(L.zones[static_cast<std::size_t>(eu.zone)].name == "eu-west");
  // web-1 -> eu-web: web-1's link, the atlantic, eu-web's link.
  const int web1 = L.find_host("web-1"), euweb = L.find_host("eu-web"), webb = L.find_host("web-b");
  CHECK(L.route(web1, euweb).size() == 3);
  CHECK(L.route_latency(web1, euweb) == Rel(0.0001 + 0.040 + 0.0001));
  CHECK(L.route(euweb, web1)[1] == Layout::Hop{L.find_link("atlantic"), false});
  // Two zones of one region: the backbone between them.
  CHECK(L.route_latency(web1, webb) == Rel(0.0001 + 0.001 + 0.0001));
  CHECK(L.route(web1, web1).empty());
}

TEST_CASE("without a platform section: one host per replica, a core per worker, a LAN that costs nothing") {
  const ScenarioSpec spec =
      load_scenario(std::string(ARCHSIM_SOURCE_DIR) + "/examples/validation/lb_random.yaml");
  const Layout L = Layout::build(spec);
  CHECK_FALSE(L.declared);
  REQUIRE(L.replica_host.size() == 2);
  CHECK(L.replica_host[1].size() == 4);
  CHECK(L.hosts[static_cast<std::size_t>(L.host_of(1, 3))].name == "app.3");
  CHECK(L.route_latency(L.host_of(0, 0), L.host_of(1, 2)) == 0);
}

TEST_CASE("the check estimate: CPU per host from the placed work, bytes per second per link and direction") {
  const ScenarioSpec spec = load_scenario_text(kRegions, "regions.yaml");
  const auto est = estimate(spec);
  REQUIRE(est);
  const PlatformEstimate p = estimate_platform(spec, *est);
  // api: 150/s over 3 replicas, 10 ms each: 0.5 core-s/s per replica.
  // web-1 has 4 cores: 12.5%. db (the host) runs api.2 (0.5) and db (150/s x 2 ms = 0.3)
  // on 16 cores at 2x: 0.8 / 32 = 2.5%.
  for (const HostEstimate& h : p.host_list) {
    if (h.name == "web-1") CHECK(h.utilization == Rel(0.125));
    if (h.name == "db") CHECK(h.utilization == Rel(0.8 / 32));
  }
  // Each api replica sends its 50/s to db: 100 KB back each. The api
  // replicas are in us-east, like db: nothing crosses the atlantic.
  bool found = false;
  for (const LinkEstimate& l : p.link_list) {
    if (l.name == "atlantic") CHECK(l.up == 0);
    if (l.name == "db-link") {
      found = true;
      CHECK(l.up == Rel(100.0 * 100e3));  // 2 of 3 replicas elsewhere: 2 x 50/s x 100 KB out
      CHECK(l.down == Rel(100.0 * 1e3));
    }
  }
  CHECK(found);
}

TEST_CASE("platform faults: refused on the fast backend at their position, run on simgrid's names") {
  const char* yaml = R"(name: faults
traffic:
  - {name: users, to: api, rate: 10/s}
components:
  api: {kind: service, service_time: 1ms, replicas: 2}
faults:
  - {at: 1s, host_down: api.1, for: 1s}
  - {at: 2s, link_degraded: api.0-link, add: 5ms}
)";
  const ScenarioSpec spec = load_scenario_text(yaml, "t.yaml");  // the names exist: it loads
  RunOptions opt;
  opt.backend = "fast";
  std::string message;
  try {
    Simulation sim(spec, opt);
  } catch (const InputError& e) {
    message = e.what();
  }
  CHECK(message ==
        "t.yaml:7:5: error: 'host_down' acts on the platform's hosts and links, which only the simgrid "
        "backend has: run with '--backend simgrid' (or write 'backend: simgrid' in the file)\n"
        "t.yaml:8:5: error: 'link_degraded' acts on the platform's hosts and links, which only the simgrid "
        "backend has: run with '--backend simgrid' (or write 'backend: simgrid' in the file)");
  // The names are the layout's: every host and link a fault may name is one
  // the simgrid backend builds.
  const PlatformNames names = platform_names(spec);
  const Layout layout = Layout::build(spec);
  CHECK(names.hosts == std::vector<std::string>{"api.0", "api.1"});
  for (const std::string& h : names.hosts) CHECK(layout.find_host(h) >= 0);
  for (const std::string& l : names.links) CHECK(layout.find_link(l) >= 0);
}

TEST_CASE("platform faults: the names of a declared platform are the layout's") {
  const ScenarioSpec spec = load_scenario_text(kRegions, "regions.yaml");
  const PlatformNames names = platform_names(spec);
  const Layout layout = Layout::build(spec);
  CHECK(names.regions == layout.regions);
  for (const std::string& h : names.hosts) CHECK(layout.find_host(h) >= 0);
  for (const std::string& l : names.links) CHECK(layout.find_link(l) >= 0);
  // Every link of the layout that is not the users' side can be named.
  std::size_t users = 0;
  for (const Layout::Link& l : layout.links) users += l.name.rfind("traffic.", 0) == 0;
  CHECK(names.links.size() + users == layout.links.size());
}
