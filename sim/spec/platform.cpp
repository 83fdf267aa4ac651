// The `platform:` section: regions, zones, hosts, links and routes; the
// placement keys of components and traffic; `backend:`; bandwidth and speed
// units. Everything keeps its position, and every problem is reported.
#include "spec/platform.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "spec/units.hpp"

namespace archsim {

// ---------------------------------------------------------------- units

namespace {

struct BandwidthUnit {
  std::string_view name;
  double scale;  ///< bytes per second of one unit
};

// Bits are lower-case b, bytes upper-case B; the prefix may be either case
// ("mbps" is Mbps: there is no milli-bit).
constexpr BandwidthUnit kBandwidthUnits[] = {
    {"bps", 1.0 / 8},  {"Kbps", 1e3 / 8},    {"Mbps", 1e6 / 8},       {"Gbps", 1e9 / 8}, {"Tbps", 1e12 / 8},
    {"Bps", 1},        {"KBps", 1e3},        {"MBps", 1e6},           {"GBps", 1e9},     {"TBps", 1e12},
    {"KiBps", 1024.0}, {"MiBps", 1048576.0}, {"GiBps", 1073741824.0},
};
constexpr std::string_view kBandwidthUnitList =
    "bps, Kbps, Mbps, Gbps, Tbps (bits); Bps, KBps, MBps, GBps, TBps, KiBps, MiBps, GiBps (bytes); also "
    "written Gb/s, Gbit/s, MB/s";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Gb/s", "Gbit/s", "Gbits/s" -> "Gbps"; "MB/s" -> "MBps".
std::string canonical_bandwidth_unit(std::string_view u) {
  std::string s(u);
  for (std::string_view from : {"bits/s", "bit/s", "b/s", "B/s"}) {
    if (s.size() >= from.size() && s.compare(s.size() - from.size(), from.size(), from) == 0) {
      const bool bytes = from == "B/s";
      s = s.substr(0, s.size() - from.size()) + (bytes ? "Bps" : "bps");
      break;
    }
  }
  return s;
}

const BandwidthUnit* find_bandwidth_unit(std::string_view written) {
  const std::string u = canonical_bandwidth_unit(written);
  if (u.size() < 3) return nullptr;
  const std::string_view tail = std::string_view(u).substr(u.size() - 3);  // "bps" or "Bps"
  const std::string prefix = lower(std::string_view(u).substr(0, u.size() - 3));
  for (const BandwidthUnit& b : kBandwidthUnits) {
    const std::string_view n = b.name;
    if (n.substr(n.size() - 3) != tail) continue;
    if (lower(n.substr(0, n.size() - 3)) == prefix) return &b;
  }
  return nullptr;
}

// The number at the start of text, and how many characters it used (0: none).
std::size_t leading_number(std::string_view s, double& v) {
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return 0;
  const auto n = units::number(s.substr(0, i));
  if (!n) return 0;
  v = *n;
  return i;
}

void set(std::string* why, std::string message) {
  if (why) *why = std::move(message);
}

}  // namespace

std::optional<double> parse_bandwidth(const std::string& text_in, std::string* why) {
  const std::string_view text = units::trim(text_in);
  double v = 0;
  const std::size_t used = leading_number(text, v);
  if (used == 0) {
    set(why, fmt::format("expected a bandwidth like 1Gbps or 100MBps, got '{}'", text));
    return std::nullopt;
  }
  const std::string_view unit = units::trim(text.substr(used));
  if (unit.empty()) {
    set(why, fmt::format(
                 "a bandwidth needs a unit: bits per second ({0}Mbps, {0}Gbps) or bytes per second ({0}MBps)",
                 text.substr(0, used)));
    return std::nullopt;
  }
  if (const BandwidthUnit* u = find_bandwidth_unit(unit)) {
    if (v <= 0) {
      set(why, fmt::format("a bandwidth must be positive, got '{}'", text));
      return std::nullopt;
    }
    return v * u->scale;
  }
  // "1GB" or "1Gb" without a time: a size, not a rate.
  std::string hint;
  if (!unit.empty() && (unit.back() == 'b' || unit.back() == 'B'))
    hint = fmt::format(": did you mean {}{}ps (per second)?", text.substr(0, used), unit);
  set(why, fmt::format("unknown bandwidth unit '{}' in '{}'{}{}", unit, text, hint,
                       hint.empty() ? fmt::format(": valid units: {}", kBandwidthUnitList) : ""));
  return std::nullopt;
}

std::optional<double> parse_speed(const std::string& text_in, std::string* why) {
  const std::string_view text = units::trim(text_in);
  double v = 0;
  const std::size_t used = leading_number(text, v);
  const std::string_view unit = used ? units::trim(text.substr(used)) : text;
  static constexpr std::pair<std::string_view, double> kFlops[] = {
      {"f", 1}, {"kf", 1e3}, {"Mf", 1e6}, {"Gf", 1e9}, {"Tf", 1e12}};
  if (used == 0) {
    set(why,
        fmt::format("expected a speed like 1.5x (times the reference core) or 2Gf (flop/s), got '{}'", text));
    return std::nullopt;
  }
  std::optional<double> speed;
  if (unit == "x") speed = v;
  for (const auto& [name, scale] : kFlops)
    if (unit == name) speed = v * scale / kReferenceSpeed;
  if (!speed) {
    set(why, unit.empty()
                 ? fmt::format("a speed needs a unit: did you mean {}x (times the reference core)?", text)
                 : fmt::format("unknown speed unit '{}' in '{}': valid units: x (times the reference "
                               "core), f, kf, Mf, Gf, Tf (flop/s; the reference core is 1Gf)",
                               unit, text));
    return std::nullopt;
  }
  if (*speed <= 0) {
    set(why, fmt::format("a speed must be positive, got '{}'", text));
    return std::nullopt;
  }
  return speed;
}

std::string format_bandwidth(double bytes_per_second) {
  const double bits = bytes_per_second * 8;
  static constexpr std::pair<double, std::string_view> kSteps[] = {
      {1e12, "Tbps"}, {1e9, "Gbps"}, {1e6, "Mbps"}, {1e3, "Kbps"}};
  for (const auto& [scale, name] : kSteps)
    if (bits >= scale) return fmt::format("{:g}{}", std::round(bits / scale * 1000) / 1000, name);
  return fmt::format("{:g}bps", bits);
}

std::vector<std::string_view> backend_names() { return {"fast", "simgrid"}; }

bool simgrid_available() {
#ifdef ARCHSIM_WITH_SIMGRID
  return true;
#else
  return false;
#endif
}

// ---------------------------------------------------------------- the spec

int PlatformSpec::find_region(std::string_view name) const {
  for (std::size_t i = 0; i < regions.size(); ++i)
    if (regions[i].name == name) return static_cast<int>(i);
  return -1;
}
int PlatformSpec::find_zone(std::string_view name) const {
  for (std::size_t i = 0; i < zones.size(); ++i)
    if (zones[i].name == name) return static_cast<int>(i);
  return -1;
}
int PlatformSpec::find_host(std::string_view name) const {
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == name) return static_cast<int>(i);
  return -1;
}
int PlatformSpec::find_link(std::string_view name) const {
  for (std::size_t i = 0; i < links.size(); ++i)
    if (links[i].name == name) return static_cast<int>(i);
  return -1;
}
const PlacementSpec* PlatformSpec::placement_of(std::string_view owner, bool traffic) const {
  for (const PlacementSpec& p : placements)
    if (p.owner == owner && p.traffic == traffic) return &p;
  return nullptr;
}
std::vector<int> PlatformSpec::hosts_in(std::string_view name) const {
  std::vector<int> out;
  const int z = find_zone(name);
  const int r = z >= 0 ? -1 : find_region(name);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    const int hz = hosts[i].zone;
    if ((z >= 0 && hz == z) || (r >= 0 && zones[static_cast<std::size_t>(hz)].region == r))
      out.push_back(static_cast<int>(i));
  }
  return out;
}

namespace platform {

using yaml::Field;
using yaml::Map;
using yaml::Source;

const std::vector<std::string_view> kPlacementKeys = {"hosts", "zone"};
const std::vector<std::string_view> kOriginKeys = {"from"};

namespace {

const std::vector<std::string_view> kPlatformKeys = {"lan", "regions", "links", "routes"};
const std::vector<std::string_view> kRegionKeys = {"zones", "hosts", "lan", "backbone"};
const std::vector<std::string_view> kZoneKeys = {"hosts", "lan"};
const std::vector<std::string_view> kHostKeys = {"cores", "speed", "count"};
const std::vector<std::string_view> kLinkKeys = {"bandwidth", "latency"};
const std::vector<std::string_view> kRouteKeys = {"between", "links", "bandwidth", "latency"};

// Platform names appear in placements, in the names archsim derives from
// them ("us-east/eu-west" for a route's own link, "web-1-link" for a host's)
// and beside archsim's own hosts ("api.0"): letters, digits, '_' and '-'.
void check_name(const Source& src, const Field& f, std::string_view what) {
  const bool ok = !f.key.empty() && std::all_of(f.key.begin(), f.key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
  if (!ok)
    src.error(f.key_mark, fmt::format("{} name '{}' may only use letters, digits, '_' and '-'", what, f.key));
}

PlatformSpec& platform_of(ScenarioSpec& spec) {
  if (!spec.platform) spec.platform = std::make_shared<PlatformSpec>();
  return *spec.platform;
}

std::optional<double> read_bandwidth(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "a bandwidth such as 1Gbps");
  if (!text) return std::nullopt;
  std::string why;
  const auto v = parse_bandwidth(*text, &why);
  if (!v) src.error(f.value_mark, why);
  return v;
}

// `bandwidth:` and `latency:` of a map, into `link` (what is absent keeps its value).
void read_link_fields(const Source& src, const Map& m, LinkSpec& link) {
  if (const Field* b = m.get("bandwidth")) {
    if (auto v = read_bandwidth(src, *b)) link.bandwidth = *v;
  }
  if (const Field* l = m.get("latency")) {
    if (auto v = yaml::read_duration(src, *l, yaml::Bound::NonNegative, "ms")) link.latency = *v;
  }
}

// A map of `bandwidth` and `latency` (`lan:`, `backbone:`, a named link).
std::optional<LinkSpec> read_link(const Source& src, const Field& f, const LinkSpec& base,
                                  const std::string& where, bool need_bandwidth) {
  const std::optional<Map> m = Map::open(src, f.value, f.key_mark, where);
  if (!m) return std::nullopt;
  m->allow_only(kLinkKeys, where);
  LinkSpec link = base;
  link.mark = f.key_mark;
  if (need_bandwidth) m->need("bandwidth", where);
  read_link_fields(src, *m, link);
  return link;
}

class PlatformReader {
 public:
  PlatformReader(const Source& src, PlatformSpec& p) : src_(src), p_(p) {}

  void read(const Field& f) {
    p_.declared = true;
    p_.mark = f.key_mark;
    const std::optional<Map> m = Map::open(src_, f.value, f.key_mark, "'platform'");
    if (!m) return;
    m->allow_only(kPlatformKeys, "'platform'");
    LinkSpec lan;
    if (const Field* l = m->get("lan")) {
      if (auto v = read_link(src_, *l, lan, "'lan' of the platform", false)) lan = *v;
    }
    if (const Field* l = m->get("links")) read_links(*l);
    if (const Field* r = m->need("regions", "'platform'")) read_regions(*r, lan);
    if (const Field* r = m->get("routes")) read_routes(*r);
    check_routes(*m);
  }

 private:
  void read_links(const Field& f) {
    const std::optional<Map> m = Map::open(src_, f.value, f.key_mark, "'links'", "link");
    if (!m) return;
    for (const Field& l : m->fields()) {
      check_name(src_, l, "link");
      const std::string where = fmt::format("link '{}'", l.key);
      if (auto v = read_link(src_, l, LinkSpec{}, where, true)) {
        v->name = l.key;
        p_.links.push_back(*v);
      }
    }
  }

  void read_regions(const Field& f, const LinkSpec& lan) {
    const std::optional<Map> m = Map::open(src_, f.value, f.key_mark, "'regions'", "region");
    if (!m) return;
    if (m->fields().empty())
      src_.error(f.key_mark, "'regions' is empty: add at least one region with its hosts");
    for (const Field& r : m->fields()) read_region(r, lan);
  }

  void read_region(const Field& f, LinkSpec lan) {
    check_name(src_, f, "region");
    const std::string where = fmt::format("region '{}'", f.key);
    if (p_.find_zone(f.key) >= 0)
      src_.error(f.key_mark,
                 fmt::format("region '{}' has the name of a zone: regions and zones share one set of "
                             "names",
                             f.key));
    const int region = static_cast<int>(p_.regions.size());
    p_.regions.push_back(RegionSpec{f.key, f.key_mark, std::nullopt});
    const std::optional<Map> m = Map::open(src_, f.value, f.key_mark, where);
    if (!m) return;
    m->allow_only(kRegionKeys, where);
    if (const Field* l = m->get("lan")) {
      if (auto v = read_link(src_, *l, lan, fmt::format("'lan' of {}", where), false)) lan = *v;
    }
    if (const Field* b = m->get("backbone")) {
      if (auto v = read_link(src_, *b, LinkSpec{}, fmt::format("'backbone' of {}", where), false)) {
        v->name = f.key + "-backbone";
        p_.regions[static_cast<std::size_t>(region)].backbone = *v;
      }
    }
    const Field* zones = m->get("zones");
    const Field* hosts = m->get("hosts");
    if (zones && hosts) {
      const Field* second = zones->key_mark.line > hosts->key_mark.line ? zones : hosts;
      src_.error(second->key_mark,
                 fmt::format("give {} either 'zones' (each with its 'hosts') or 'hosts' (one zone "
                             "named after the region), not both",
                             where));
      return;
    }
    if (!zones && !hosts) {
      src_.error(f.key_mark,
                 fmt::format("missing required key 'hosts' in {}: give 'hosts', or 'zones' each with "
                             "its 'hosts'",
                             where));
      return;
    }
    if (hosts) {
      // The region is one zone of the same name.
      const int zone = add_zone(f.key, f.key_mark, region, lan);
      read_hosts(*hosts, zone);
      return;
    }
    const std::optional<Map> zm =
        Map::open(src_, zones->value, zones->key_mark, fmt::format("'zones' of {}", where), "zone");
    if (!zm) return;
    if (zm->fields().empty()) src_.error(zones->key_mark, fmt::format("'zones' of {} is empty", where));
    for (const Field& z : zm->fields()) {
      check_name(src_, z, "zone");
      const std::string zwhere = fmt::format("zone '{}'", z.key);
      if (p_.find_zone(z.key) >= 0 || p_.find_region(z.key) >= 0) {
        src_.error(z.key_mark,
                   fmt::format("duplicate zone or region name '{}': regions and zones share one set of "
                               "names",
                               z.key));
        continue;
      }
      const std::optional<Map> one = Map::open(src_, z.value, z.key_mark, zwhere);
      if (!one) continue;
      one->allow_only(kZoneKeys, zwhere);
      LinkSpec zlan = lan;
      if (const Field* l = one->get("lan")) {
        if (auto v = read_link(src_, *l, lan, fmt::format("'lan' of {}", zwhere), false)) zlan = *v;
      }
      const int zone = add_zone(z.key, z.key_mark, region, zlan);
      if (const Field* h = one->need("hosts", zwhere)) read_hosts(*h, zone);
    }
  }

  int add_zone(const std::string& name, Mark mark, int region, const LinkSpec& lan) {
    p_.zones.push_back(ZoneSpec{name, mark, region, lan});
    return static_cast<int>(p_.zones.size() - 1);
  }

  void read_hosts(const Field& f, int zone) {
    const std::optional<Map> m = Map::open(src_, f.value, f.key_mark, "'hosts'", "host");
    if (!m) return;
    if (m->fields().empty()) src_.error(f.key_mark, "'hosts' is empty: add at least one host");
    for (const Field& h : m->fields()) {
      check_name(src_, h, "host");
      const std::string where = fmt::format("host '{}'", h.key);
      HostSpec host;
      host.name = h.key;
      host.mark = h.key_mark;
      host.zone = zone;
      std::int64_t count = 1;
      if (!h.value.IsNull()) {  // `web: {}` or `web:` is one host with the defaults
        const std::optional<Map> hm = Map::open(src_, h.value, h.key_mark, where);
        if (!hm) continue;
        hm->allow_only(kHostKeys, where);
        if (const Field* c = hm->get("cores")) {
          if (auto v = yaml::read_int(src_, *c, 1, limits::kCores)) host.cores = static_cast<int>(*v);
        }
        if (const Field* s = hm->get("speed")) {
          if (auto text = yaml::read_text(src_, *s, "a speed such as 1.5x")) {
            std::string why;
            if (auto v = parse_speed(*text, &why)) host.speed = *v;
            else src_.error(s->value_mark, why);
          }
        }
        if (const Field* c = hm->get("count")) {
          if (auto v = yaml::read_int(src_, *c, 1, limits::kHosts)) count = *v;
        }
      }
      for (std::int64_t i = 0; i < count; ++i) {
        HostSpec one = host;
        if (count > 1) one.name = fmt::format("{}-{}", host.name, i + 1);
        if (const int other = p_.find_host(one.name); other >= 0) {
          src_.error(h.key_mark, fmt::format("duplicate host '{}' (first at line {})", one.name,
                                             p_.hosts[static_cast<std::size_t>(other)].mark.line));
          break;
        }
        p_.hosts.push_back(one);
      }
    }
  }

  // A region name in a route, or a report with a guess.
  bool known_region(const std::string& name, Mark at) {
    if (p_.find_region(name) >= 0) return true;
    std::vector<std::string> names;
    for (const RegionSpec& r : p_.regions) names.push_back(r.name);
    const std::string guess = did_you_mean(name, names);
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    src_.error(at, guess.empty()
                       ? fmt::format("unknown region '{}' in 'between': regions are {}", name, list)
                       : fmt::format("unknown region '{}' in 'between': did you mean '{}'?", name, guess));
    return false;
  }

  // `between: [a, b]`: two known, different regions. False when not.
  bool read_between(const Map& m, const std::string& where, RouteSpec& r) {
    const Field* b = m.need("between", where);
    if (!b) return false;
    const auto ends = b->value.IsSequence()
                          ? std::optional(std::vector<YAML::Node>(b->value.begin(), b->value.end()))
                          : std::nullopt;
    if (!ends || ends->size() != 2 || !(*ends)[0].IsScalar() || !(*ends)[1].IsScalar()) {
      src_.error(b->value_mark, "expected two region names for 'between', such as [us-east, eu-west]");
      return false;
    }
    r.a = yaml::restore((*ends)[0].Scalar());
    r.b = yaml::restore((*ends)[1].Scalar());
    r.a_mark = src_.mark((*ends)[0]);
    r.b_mark = src_.mark((*ends)[1]);
    // Both names are checked (`&`, not `&&`): each unknown one is reported.
    if (!(known_region(r.a, r.a_mark) & known_region(r.b, r.b_mark))) return false;
    if (r.a == r.b) {
      src_.error(r.b_mark, fmt::format("a route joins two different regions; traffic inside '{}' uses its "
                                       "zones' LANs and its 'backbone'",
                                       r.a));
      return false;
    }
    return true;
  }

  // `links: [names]`: the declared links a route crosses. False when one is unknown.
  bool read_route_links(const std::vector<YAML::Node>& list, const std::string& where, RouteSpec& r) {
    bool ok = true;
    for (const YAML::Node& n : list) {
      const Mark nm = src_.mark(n);
      if (!n.IsScalar()) {
        src_.error(nm, fmt::format("expected a link name, got {}", yaml::describe(n)));
        continue;
      }
      const std::string name = yaml::restore(n.Scalar());
      const int l = p_.find_link(name);
      if (l < 0) {
        std::vector<std::string> all;
        for (const LinkSpec& k : p_.links) all.push_back(k.name);
        const std::string guess = did_you_mean(name, all);
        src_.error(nm, guess.empty() ? fmt::format("unknown link '{}' in 'links' of {}{}", name, where,
                                                   all.empty() ? ": declare it under 'platform: links:'" : "")
                                     : fmt::format("unknown link '{}' in 'links' of {}: did you mean '{}'?",
                                                   name, where, guess));
        ok = false;
        continue;
      }
      r.links.push_back(l);
    }
    return ok;
  }

  void read_routes(const Field& f) {
    const auto items = yaml::read_list(src_, f);
    if (!items) return;
    for (std::size_t i = 0; i < items->size(); ++i) {
      const YAML::Node& item = (*items)[i];
      const Mark at = src_.mark(item);
      const std::string where = fmt::format("route {}", i + 1);
      const std::optional<Map> m = Map::open(src_, item, at, where);
      if (!m) continue;
      m->allow_only(kRouteKeys, where);
      RouteSpec r;
      r.mark = at;
      bool ok = read_between(*m, where, r);
      const Field* named = m->get("links");
      const Field* bw = m->get("bandwidth");
      const Field* lat = m->get("latency");
      if (named && (bw || lat)) {
        src_.error((bw ? bw : lat)->key_mark,
                   "give a route either 'links' (named in 'links:') or its own "
                   "'bandwidth' and 'latency', not both");
        route_errors_ = true;
        continue;
      }
      if (named) {
        const auto names = yaml::read_list(src_, *named);
        if (!names) {
          route_errors_ = true;
          continue;
        }
        if (names->empty())
          src_.error(named->value_mark, "'links' is empty: a route crosses at least one link");
        ok = read_route_links(*names, where, r) && ok;
      } else {
        // The route is one link of its own, named after its two ends.
        LinkSpec link;
        link.mark = at;
        if (!bw)
          src_.error(at, fmt::format("missing required key 'bandwidth' in {}: give 'bandwidth' and "
                                     "'latency', or 'links'",
                                     where));
        read_link_fields(src_, *m, link);
        link.name = r.a + "/" + r.b;
        if (ok) {
          p_.links.push_back(link);
          r.links.push_back(static_cast<int>(p_.links.size() - 1));
        }
      }
      if (!ok) {
        route_errors_ = true;
        continue;
      }
      for (const RouteSpec& other : p_.routes) {
        if ((other.a == r.a && other.b == r.b) || (other.a == r.b && other.b == r.a)) {
          src_.error(at, fmt::format("duplicate route between '{}' and '{}' (first at line {})", r.a, r.b,
                                     other.mark.line));
          ok = false;
          break;
        }
      }
      if (ok) p_.routes.push_back(std::move(r));
    }
  }

  // Every pair of regions needs a route: a message between regions without
  // one could not be delivered.
  void check_routes(const Map& m) {
    if (route_errors_) return;  // a route that could not be read may be the one missing
    const Field* routes = m.get("routes");
    const Mark at = routes ? routes->key_mark : p_.mark;
    for (std::size_t a = 0; a < p_.regions.size(); ++a) {
      for (std::size_t b = a + 1; b < p_.regions.size(); ++b) {
        const std::string& x = p_.regions[a].name;
        const std::string& y = p_.regions[b].name;
        const bool found = std::any_of(p_.routes.begin(), p_.routes.end(), [&](const RouteSpec& r) {
          return (r.a == x && r.b == y) || (r.a == y && r.b == x);
        });
        if (!found)
          src_.error(
              at, fmt::format("no route between regions '{}' and '{}': add '- {{between: [{}, {}], latency: "
                              "..., bandwidth: ...}}' to 'routes'",
                              x, y, x, y));
      }
    }
  }

  const Source& src_;
  PlatformSpec& p_;
  bool route_errors_ = false;
};

}  // namespace

void read_platform(const Source& src, const Field& f, ScenarioSpec& spec) {
  PlatformSpec& p = platform_of(spec);
  if (p.declared) return;  // the loader reports a key given twice
  PlatformReader(src, p).read(f);
}

void read_backend(const Source& src, const Field& f, ScenarioSpec& spec) {
  const auto text = yaml::read_text(src, f, "a backend name");
  if (!text) return;
  const std::vector<std::string_view> names = backend_names();
  if (std::find(names.begin(), names.end(), *text) == names.end()) {
    const std::string guess = did_you_mean(*text, std::vector<std::string>(names.begin(), names.end()));
    src.error(f.value_mark,
              guess.empty() ? fmt::format("unknown backend '{}': valid choices: {}", *text, yaml::join(names))
                            : fmt::format("unknown backend '{}': did you mean '{}'? valid choices: {}", *text,
                                          guess, yaml::join(names)));
    return;
  }
  if (*text == "simgrid" && !simgrid_available()) {
    src.error(f.value_mark,
              "backend 'simgrid' is not available: this archsim was built without SimGrid "
              "(install libsimgrid-dev and rebuild)");
    return;
  }
  spec.backend = *text;
  spec.backend_mark = f.value_mark;
}

void read_placement(const Map& m, const std::string& owner, ScenarioSpec& spec) {
  const Field* hosts = m.get("hosts");
  const Field* zone = m.get("zone");
  if (!hosts && !zone) return;
  const Source& src = m.source();
  PlacementSpec p;
  p.owner = owner;
  if (hosts && zone) {
    const Field* second =
        hosts->key_mark.line > zone->key_mark.line ||
                (hosts->key_mark.line == zone->key_mark.line && hosts->key_mark.col > zone->key_mark.col)
            ? hosts
            : zone;
    src.error(second->key_mark,
              fmt::format("give component '{}' either 'hosts' (a list of hosts) or 'zone' (spread "
                          "over a zone or region), not both",
                          owner));
    return;
  }
  if (hosts) {
    p.mark = hosts->key_mark;
    const auto items = hosts->value.IsScalar() ? std::optional(std::vector<YAML::Node>{hosts->value})
                                               : yaml::read_list(src, *hosts);
    if (!items) return;
    if (items->empty()) {
      src.error(hosts->value_mark, "'hosts' is empty: name at least one host");
      return;
    }
    for (const YAML::Node& n : *items) {
      if (!n.IsScalar()) {
        src.error(src.mark(n), fmt::format("expected a host name, got {}", yaml::describe(n)));
        continue;
      }
      p.hosts.push_back(yaml::restore(n.Scalar()));
      p.host_marks.push_back(src.mark(n));
    }
  } else {
    p.mark = zone->key_mark;
    const auto text = yaml::read_text(src, *zone, "a zone or region name");
    if (!text) return;
    p.zone = *text;
    p.zone_mark = zone->value_mark;
  }
  platform_of(spec).placements.push_back(std::move(p));
}

void read_origin(const Map& m, const std::string& owner, ScenarioSpec& spec) {
  const Field* from = m.get("from");
  if (!from) return;
  const auto text = yaml::read_text(m.source(), *from, "a zone or region name");
  if (!text) return;
  PlacementSpec p;
  p.owner = owner;
  p.traffic = true;
  p.mark = from->key_mark;
  p.zone = *text;
  p.zone_mark = from->value_mark;
  platform_of(spec).placements.push_back(std::move(p));
}

void check_platform(const ScenarioSpec& spec, Diagnostics& diags) {
  if (!spec.platform) return;
  const PlatformSpec& p = *spec.platform;
  const auto error = [&](Mark m, std::string message) {
    diags.error(spec.file_of(m), m, std::move(message));
  };
  const auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  std::vector<std::string> host_names, place_names;
  for (const HostSpec& h : p.hosts) host_names.push_back(h.name);
  for (const ZoneSpec& z : p.zones) place_names.push_back(z.name);
  for (const RegionSpec& r : p.regions)
    if (p.find_zone(r.name) < 0) place_names.push_back(r.name);

  for (const PlacementSpec& pl : p.placements) {
    const std::string who =
        pl.traffic ? fmt::format("traffic '{}'", pl.owner) : fmt::format("component '{}'", pl.owner);
    const std::string_view key = pl.traffic ? "from" : (pl.hosts.empty() ? "zone" : "hosts");
    if (!p.declared) {
      error(pl.mark,
            fmt::format("'{}' of {} places it on the platform, but the scenario has no 'platform:' section",
                        key, who));
      continue;
    }
    for (std::size_t i = 0; i < pl.hosts.size(); ++i) {
      const std::string& h = pl.hosts[i];
      if (p.find_host(h) >= 0) continue;
      const std::string guess = did_you_mean(h, host_names);
      if (!guess.empty()) {
        error(pl.host_marks[i],
              fmt::format("unknown host '{}' in 'hosts' of {}: did you mean '{}'?", h, who, guess));
      } else if (p.find_zone(h) >= 0 || p.find_region(h) >= 0) {
        error(pl.host_marks[i],
              fmt::format("'{}' in 'hosts' of {} is a zone or region, not a host: write 'zone: {}' "
                          "to spread over it",
                          h, who, h));
      } else {
        error(pl.host_marks[i],
              fmt::format("unknown host '{}' in 'hosts' of {}: hosts are {}", h, who, list(host_names)));
      }
    }
    if (!pl.zone.empty() && p.find_zone(pl.zone) < 0 && p.find_region(pl.zone) < 0) {
      const std::string guess = did_you_mean(pl.zone, place_names);
      if (!guess.empty()) {
        error(pl.zone_mark, fmt::format("unknown zone or region '{}' in '{}' of {}: did you mean '{}'?",
                                        pl.zone, key, who, guess));
      } else if (p.find_host(pl.zone) >= 0 && !pl.traffic) {
        error(pl.zone_mark,
              fmt::format("'{}' in 'zone' of {} is a host: write 'hosts: [{}]'", pl.zone, who, pl.zone));
      } else {
        error(pl.zone_mark, fmt::format("unknown zone or region '{}' in '{}' of {}: zones and regions are {}",
                                        pl.zone, key, who, list(place_names)));
      }
    } else if (!pl.zone.empty() && !pl.traffic && p.hosts_in(pl.zone).empty()) {
      error(pl.zone_mark, fmt::format("zone '{}' in 'zone' of {} has no hosts", pl.zone, who));
    }
  }
}

}  // namespace platform
}  // namespace archsim
