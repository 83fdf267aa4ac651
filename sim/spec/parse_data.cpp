// Reading the data-tier kinds. Each kind's keys are listed once, in the
// order the README documents them; every value is read with its position,
// and combinations that cannot work (a TTL in simple mode, a replication lag
// without replicas) are reported where they are written.
#include "spec/parse_data.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "spec/units.hpp"

namespace archsim {

namespace {

using yaml::Bound;
using yaml::Field;
using yaml::Map;
using yaml::Source;

const std::vector<std::string_view> kCacheKeys = {
    "kind",    "hit_ratio",       "keys",         "popularity",  "capacity",     "eviction", "ttl",
    "warm",    "coalesce",        "fill_timeout", "hit_latency", "miss_latency", "workers",  "queue",
    "cost",    "hosts",           "zone",         "data",        "instance",     "region",   "hot",
    "updates", "purge_on_update", "vary"};
const std::vector<std::string_view> kDatabaseKeys = {"kind",
                                                     "queries",
                                                     "workers",
                                                     "pool",
                                                     "acquire_timeout",
                                                     "max_connections",
                                                     "replicas",
                                                     "replication_lag",
                                                     "read_from",
                                                     "failover",
                                                     "consistency",
                                                     "shards",
                                                     "hot_shard",
                                                     "shard_key_skew",
                                                     "keys",
                                                     "popularity",
                                                     "cost",
                                                     "hosts",
                                                     "zone",
                                                     "data",
                                                     "instance",
                                                     "region",
                                                     "mirror"};
const std::vector<std::string_view> kQueueKeys = {
    "kind",        "consumer",    "consumers",        "partitions", "capacity", "when_full", "max_attempts",
    "dead_letter", "ack_timeout", "redelivery_delay", "latency",    "cost",     "hosts",     "zone",
    "instance",    "region"};
const std::vector<std::string_view> kCdnKeys = {
    "kind",        "origin",  "keys",     "popularity",      "capacity",       "eviction",
    "ttl",         "warm",    "coalesce", "edge_latency",    "origin_latency", "origin_timeout",
    "object_size", "workers", "cost",     "hosts",           "zone",           "data",
    "region",      "hot",     "updates",  "purge_on_update", "vary",           "include"};
const std::vector<std::string_view> kQueryKeys = {"time", "write", "scatter"};
const std::vector<std::string_view> kConsistencyKeys = {"replication_factor", "read", "write"};
// Keys of a primary-and-replicas database that mean nothing in a leaderless store.
const std::vector<std::string_view> kLeaderKeys = {"replicas", "replication_lag", "read_from", "failover"};

constexpr ComponentKind kDataKinds[] = {ComponentKind::Cache, ComponentKind::Database, ComponentKind::Queue,
                                        ComponentKind::Cdn};

bool contains(const std::vector<std::string_view>& keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

std::string a_kind(ComponentKind k) { return fmt::format("a {}", name_of(k)); }

// "1000000", "1M", "250k", "1e6": a count of things (keys, messages).
std::optional<std::uint64_t> read_count(const Source& src, const Field& f, std::uint64_t min) {
  const auto text = yaml::read_text(src, f, "a count");
  if (!text) return std::nullopt;
  const std::optional<double> v = units::count(*text);
  if (v && *v > limits::kKeys.max) {
    yaml::within(src, f.value_mark, f.key, *v, limits::kKeys);
    return std::nullopt;
  }
  if (!v || *v < 0) {
    src.error(f.value_mark,
              fmt::format("expected a count for '{}' such as 1000000 or 1M, got '{}'", f.key, *text));
    return std::nullopt;
  }
  const auto n = static_cast<std::uint64_t>(*v);
  if (n < min) {
    src.error(f.value_mark, fmt::format("'{}' must be at least {}, got {}", f.key, min, n));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> read_bool(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true") return true;
  if (*text == "false") return false;
  src.error(f.value_mark, fmt::format("expected true or false for '{}', got '{}'", f.key, *text));
  return std::nullopt;
}

// "uniform" or "zipf(S)", S > 0.
std::optional<PopularitySpec> read_popularity(const Source& src, const Field& f) {
  const auto text = yaml::read_text(src, f, "a popularity");
  if (!text) return std::nullopt;
  const std::string_view t = units::trim(*text);
  PopularitySpec p;
  p.mark = f.value_mark;
  if (t == "uniform") return p;
  if (t.size() > 6 && t.substr(0, 5) == "zipf(" && t.back() == ')') {
    const std::optional<double> s = units::number(units::trim(t.substr(5, t.size() - 6)));
    if (s && *s > 0 && *s <= 10) {
      p.zipf = *s;
      return p;
    }
  }
  src.error(f.value_mark,
            fmt::format("expected 'uniform' or 'zipf(S)' with 0 < S <= 10 for '{}', got '{}'", f.key, *text));
  return std::nullopt;
}

// Every count was read within its limit (spec/limits.hpp), all far below INT_MAX.
int to_int(std::int64_t v) { return static_cast<int>(v); }

// Of two keys that exclude each other, the one written second.
const Field* later(const Field* a, const Field* b) {
  const bool a_first = a->key_mark.line < b->key_mark.line ||
                       (a->key_mark.line == b->key_mark.line && a->key_mark.col < b->key_mark.col);
  return a_first ? b : a;
}

void report_unknown(const Map& m, ComponentKind kind, const std::string& where) {
  const std::vector<std::string_view>& own = data_kind_keys(kind);
  for (const Field* f : m.unknown(own)) {
    if (kind == ComponentKind::Queue && f->key == "steps") {
      m.source().error(f->key_mark,
                       fmt::format("unknown key 'steps' in {}: a queue delivers each message to the "
                                   "service named by 'consumer', which runs the steps",
                                   where));
      continue;
    }
    const ComponentKind* owner = nullptr;
    for (const ComponentKind& k : kDataKinds)
      if (!owner && k != kind && contains(data_kind_keys(k), f->key)) owner = &k;
    if (owner)
      m.source().error(f->key_mark, fmt::format("unknown key '{}' in {}: '{}' belongs to {}", f->key, where,
                                                f->key, a_kind(*owner)));
    else yaml::report_unknown_key(m.source(), *f, own, where);
  }
}

// `hot: {at: 3m, share: 40%}`: a breaking story's new key.
std::optional<KeyedStoreSpec::HotKey> read_hot(const Source& src, const Field& f) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'hot' (a breaking story: {at: 3m, share: 40%})");
  if (!m) return std::nullopt;
  m->allow_only({"at", "share"}, "'hot'");
  KeyedStoreSpec::HotKey h;
  h.mark = f.key_mark;
  const Field* at = m->need("at", "'hot'");
  const Field* share = m->need("share", "'hot'");
  std::optional<double> a, sh;
  if (at) a = yaml::read_duration(src, *at, Bound::NonNegative, "s");
  if (share) sh = yaml::read_fraction(src, *share);
  if (!a || !sh) return std::nullopt;
  h.at = *a;
  h.share = *sh;
  return h;
}

// `vary: {keys: 5M, popularity: uniform}`: one copy per reader.
std::optional<KeyedStoreSpec::Vary> read_vary(const Source& src, const Field& f) {
  const std::optional<Map> m =
      Map::open(src, f.value, f.key_mark, "'vary' (one copy per reader: {keys: 5M, popularity: uniform})");
  if (!m) return std::nullopt;
  m->allow_only({"keys", "popularity"}, "'vary'");
  KeyedStoreSpec::Vary v;
  v.mark = f.key_mark;
  if (const Field* k = m->need("keys", "'vary'")) {
    if (auto n = read_count(src, *k, 1)) v.keys = *n;
  }
  if (const Field* p = m->get("popularity")) {
    if (auto pop = read_popularity(src, *p)) v.popularity = *pop;
  }
  if (v.keys == 0) return std::nullopt;
  return v;
}

// The source's side of a keyed store: the breaking story, the updates; and
// the design's answer to updates, a purge on each.
void read_freshness(const Map& m, KeyedStoreSpec& s) {
  const Source& src = m.source();
  if (const Field* f = m.get("hot")) s.hot = read_hot(src, *f);
  if (const Field* f = m.get("updates")) {
    if (auto v = yaml::read_rate(src, *f)) s.updates = *v;
    s.updates_mark = f->key_mark;
  }
  if (const Field* f = m.get("purge_on_update"))
    s.purge_on_update = yaml::read_duration(src, *f, Bound::NonNegative, "ms");
  if (const Field* f = m.get("vary")) s.vary = read_vary(src, *f);
  if (const Field* f = m.get("warm"); f && m.get("vary"))
    src.error(f->key_mark,
              "'warm' loads the most popular keys: with 'vary' (a copy per reader) leave it out");
}

// The keyed-store keys shared by a keyed cache and a cdn. `keys` was read.
void read_store(const Map& m, KeyedStoreSpec& s) {
  read_freshness(m, s);
  const Source& src = m.source();
  if (const Field* f = m.get("popularity")) {
    if (auto p = read_popularity(src, *f)) s.popularity = *p;
  }
  const Field* capacity = m.get("capacity");
  if (capacity) {
    if (auto v = read_count(src, *capacity, 1)) {
      s.capacity = *v;
      if (s.keys > 0 && s.capacity > s.copies())
        src.error(capacity->value_mark,
                  fmt::format("'capacity' ({}) is more than 'keys' ({}): leave it out to hold "
                              "every key",
                              s.capacity, s.copies()));
    }
  }
  if (const Field* f = m.get("eviction")) {
    if (auto e = yaml::read_choice<Eviction>(src, *f, "eviction")) s.eviction = *e;
  }
  if (const Field* f = m.get("ttl")) s.ttl = yaml::read_duration(src, *f, Bound::Positive, "s");
  const std::uint64_t held = s.capacity > 0 ? s.capacity : s.copies();
  if (const Field* f = m.get("warm")) {
    // true: as many of the most popular keys as fit; a count: that many.
    const auto text = yaml::read_text(src, *f, "true, false or a count of keys");
    if (text && (*text == "true" || *text == "false")) {
      // A graded design's key space comes from the data set later: "all" until then.
      s.warm = *text == "true" ? (held > 0 ? held : std::numeric_limits<std::uint64_t>::max()) : 0;
    } else if (text) {
      if (auto v = read_count(src, *f, 0)) {
        s.warm = *v;
        if (held > 0 && s.warm > held)
          src.error(f->value_mark,
                    fmt::format("'warm' ({}) is more than the cache holds ({}): use 'warm: true' to "
                                "fill it",
                                s.warm, held));
      }
    }
  }
  const Field* coalesce = m.get("coalesce");
  std::optional<bool> co;
  if (coalesce) co = read_bool(src, *coalesce);
  if (co) s.coalesce = *co;
  if (const Field* f = m.get("fill_timeout")) {
    if (!coalesce || (co && !*co))
      src.error(f->key_mark,
                "'fill_timeout' is how long coalesced misses wait for a fill: it needs 'coalesce: true'");
    else if (auto v = yaml::read_duration(src, *f, Bound::Positive, "s")) s.fill_timeout = *v;
  }
}

void read_cache(const Map& m, CacheSpec& c, const std::string& where) {
  const Source& src = m.source();
  const Field* ratio = m.get("hit_ratio");
  const Field* keys = m.get("keys");
  if (ratio && keys) {
    src.error(later(ratio, keys)->key_mark,
              "give either 'hit_ratio' (a fixed ratio) or 'keys' (a key space whose hit ratio "
              "emerges), not both");
  } else if (!ratio && !keys && !m.get("data")) {  // graded: the data set gives the keys
    src.error(m.at(),
              fmt::format("missing required key 'hit_ratio' or 'keys' in {}: a fixed hit ratio, or a key "
                          "space whose hit ratio emerges",
                          where));
  }
  if (ratio && !keys) {
    if (auto v = yaml::read_fraction(src, *ratio)) c.hit_ratio = *v;
    // The keyed mode's keys make no sense with a fixed ratio.
    for (std::string_view k : {"popularity", "capacity", "eviction", "ttl", "warm", "coalesce",
                               "fill_timeout", "hot", "updates", "purge_on_update", "vary"})
      if (const Field* f = m.get(k))
        src.error(f->key_mark,
                  fmt::format("'{}' needs 'keys' (a keyed cache): with 'hit_ratio' the ratio is fixed", k));
  }
  if (keys)
    if (auto v = read_count(src, *keys, 1)) c.store.keys = *v;
  // A graded design's cache names a data set (its keys come later) and still
  // chooses its capacity, eviction, TTL, warming and coalescing.
  if ((keys || m.get("data")) && !ratio) read_store(m, c.store);
  if (const Field* f = m.get("hit_latency")) c.hit_latency = yaml::read_distribution(src, *f, "ms");
  if (const Field* f = m.get("miss_latency")) c.miss_latency = yaml::read_distribution(src, *f, "ms");
  if (const Field* f = m.get("workers")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kWorkers, "leave 'workers' out for no limit"))
      c.workers = to_int(*v);
  }
  if (const Field* f = m.get("queue")) {
    if (!m.get("workers"))
      src.error(f->key_mark, "'queue' is the waiting room for busy workers: it needs 'workers'");
    else c.queue = yaml::read_int(src, *f, 0, limits::kQueue, "leave 'queue' out for no limit");
  }
}

void read_queries(const Source& src, const Field& field, DatabaseSpec& d) {
  const std::optional<Map> m =
      Map::open(src, field.value, field.key_mark,
                "'queries' (query times by name, e.g. {read: exp(2ms), write: exp(5ms)})", "query");
  if (!m) return;
  for (const Field& f : m->fields()) {
    DatabaseSpec::Query q;
    q.name = f.key;
    q.mark = f.key_mark;
    q.write = f.key == "write";
    const bool valid = !f.key.empty() && std::all_of(f.key.begin(), f.key.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
    });
    if (!valid)
      src.error(f.key_mark, fmt::format("query name '{}' may only use letters, digits, '_' and '-'", f.key));
    if (f.value.IsMap()) {
      const std::string where = fmt::format("query '{}'", f.key);
      const std::optional<Map> qm = Map::open(src, f.value, f.key_mark, where);
      if (!qm) continue;
      qm->allow_only(kQueryKeys, where);
      if (const Field* t = qm->need("time", where)) {
        if (auto dist = yaml::read_distribution(src, *t, "ms")) q.time = *dist;
      }
      if (const Field* w = qm->get("write")) {
        if (auto v = read_bool(src, *w)) {
          if ((f.key == "read" && *v) || (f.key == "write" && !*v))
            src.error(w->value_mark,
                      fmt::format("'{}' is the {} query: 'write: {}' contradicts it", f.key,
                                  f.key == "read" ? "reading" : "writing", *v ? "true" : "false"));
          else q.write = *v;
        }
      }
      if (const Field* sc = qm->get("scatter")) {
        if (auto v = read_bool(src, *sc)) q.scatter = *v;
      }
    } else if (auto dist = yaml::read_distribution(src, f, "ms")) {
      q.time = *dist;
    }
    d.queries.push_back(std::move(q));
  }
  if (d.query("read") < 0)
    src.error(field.key_mark,
              "'queries' needs 'read': the time of a plain read, the default query of a call");
}

// A consistency level: one, quorum (a majority of n), all, or a count 1..n.
std::optional<int> read_level(const Source& src, const Field& f, int n) {
  if (f.value.IsScalar()) {
    const std::string s = f.value.Scalar();
    if (s == "one" || s == "ONE") return 1;
    if (s == "quorum" || s == "QUORUM") return n / 2 + 1;
    if (s == "all" || s == "ALL") return n;
  }
  const std::optional<std::int64_t> v =
      yaml::read_int(src, f, 1, "a consistency level: one, quorum, all, or how many replicas must answer");
  if (!v) return std::nullopt;
  if (*v > n) {
    src.error(
        f.value_mark,
        fmt::format("'{}: {}' waits for more replicas than the replication_factor ({}) holds", f.key, *v, n));
    return std::nullopt;
  }
  return static_cast<int>(*v);
}

void read_consistency(const Map& m, DatabaseSpec& d) {
  const Source& src = m.source();
  const Field* f = m.get("consistency");
  if (!f) return;
  for (std::string_view k : kLeaderKeys)
    if (const Field* g = m.get(k))
      src.error(g->key_mark,
                fmt::format("'{}' is for a primary with read replicas; with 'consistency' the store is "
                            "leaderless: every node of a shard holds a copy (replication_factor)",
                            k));
  const std::optional<Map> c = Map::open(
      src, f->value, f->key_mark, "'consistency' ({replication_factor: 3, read: quorum, write: quorum})");
  if (!c) return;
  c->allow_only(kConsistencyKeys, "'consistency'");
  DatabaseSpec::Consistency q;
  q.mark = f->key_mark;
  if (const Field* n = c->need("replication_factor", "'consistency'")) {
    const auto v = yaml::read_int(src, *n, 1, limits::kDbReplicas, "copies of each key");
    if (!v) return;
    q.n = to_int(*v);
  } else {
    return;
  }
  bool ok = true;
  for (const auto& [key, into] : {std::pair<const char*, int*>{"read", &q.read}, {"write", &q.write}}) {
    if (const Field* g = c->need(key, "'consistency'")) {
      if (auto v = read_level(src, *g, q.n)) *into = *v;
      else ok = false;
    } else {
      ok = false;
    }
  }
  if (ok) d.consistency = q;
}

// `replicas` and what needs them (`replication_lag`, `read_from`).
void read_db_replicas(const Map& m, DatabaseSpec& d) {
  const Source& src = m.source();
  const Field* replicas = m.get("replicas");
  std::optional<std::int64_t> n_replicas;
  if (replicas)
    n_replicas = yaml::read_int(src, *replicas, 0, limits::kDbReplicas, "read replicas per shard");
  if (n_replicas) d.replicas = to_int(*n_replicas);
  for (std::string_view k : {"replication_lag", "read_from"}) {
    const Field* f = m.get(k);
    if (!f) continue;
    if (d.replicas == 0) {
      if (!replicas || n_replicas)  // not when 'replicas' itself was wrong
        src.error(f->key_mark, fmt::format("'{}' needs read replicas: add 'replicas: N'", k));
      continue;
    }
    if (k == "replication_lag") {
      d.replication_lag = yaml::read_distribution(src, *f, "ms");
    } else if (auto v = yaml::read_choice<ReadFrom>(src, *f, "read_from")) {
      d.read_from = *v;
    }
  }
}

// `hot_shard` or `shard_key_skew`: how unevenly queries spread over shards.
void read_shard_skew(const Map& m, DatabaseSpec& d) {
  const Source& src = m.source();
  const Field* hot = m.get("hot_shard");
  const Field* skew = m.get("shard_key_skew");
  if (hot && skew) {
    src.error(
        later(hot, skew)->key_mark,
        "give either 'hot_shard' (the share of shard 0) or 'shard_key_skew' (a Zipf over shards), not both");
  } else {
    for (const Field* f : {hot, skew}) {
      if (!f) continue;
      if (d.shards < 2) {
        src.error(
            f->key_mark,
            fmt::format("'{}' spreads queries unevenly over shards: it needs 'shards: 2' or more", f->key));
      } else if (f == hot) {
        d.hot_shard = yaml::read_fraction(src, *f);
      } else if (auto p = read_popularity(src, *f)) {
        if (p->zipf > 0) d.shard_skew = *p;
      }
    }
  }
}

void read_database(const Map& m, DatabaseSpec& d, const std::string& where) {
  const Source& src = m.source();
  if (const Field* f = m.get("queries")) read_queries(src, *f, d);
  else if (!m.get("data"))  // graded: the problem's data set gives the queries
    src.error(m.at(),
              fmt::format("missing required key 'queries' in {}: query times by name, e.g. {{read: exp(2ms), "
                          "write: exp(5ms)}}",
                          where));
  if (const Field* f = m.get("workers")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kWorkers, "leave 'workers' out for no limit"))
      d.workers = to_int(*v);
  }
  if (const Field* f = m.get("pool")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kQueue, "connections per caller replica"))
      d.pool = to_int(*v);
  }
  if (const Field* f = m.get("acquire_timeout")) {
    if (!m.get("pool"))
      src.error(f->key_mark,
                "'acquire_timeout' is how long a query waits for a pool connection: it needs 'pool'");
    else if (auto v = yaml::read_duration(src, *f, Bound::Positive, "s")) d.acquire_timeout = *v;
  }
  if (const Field* f = m.get("max_connections")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kQueue, "connections a node accepts"))
      d.max_connections = to_int(*v);
  }
  read_db_replicas(m, d);
  if (const Field* f = m.get("failover")) {
    if (auto v = yaml::read_duration(src, *f, Bound::NonNegative, "s")) d.failover = *v;
  }
  read_consistency(m, d);
  if (const Field* f = m.get("shards")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kShards)) {
      d.shards = to_int(*v);
      yaml::within(src, f->value_mark,
                   d.consistency ? "shards x replication_factor" : "shards x (1 + replicas)",
                   static_cast<double>(d.shards) * d.nodes_per_shard(), limits::kDbNodes);
    }
  }
  read_shard_skew(m, d);
  if (const Field* f = m.get("keys")) {
    if (auto v = read_count(src, *f, 1)) d.keys = *v;
  }
  if (const Field* f = m.get("popularity")) {
    if (!m.get("keys"))
      src.error(f->key_mark, "'popularity' is how often each key is asked for: it needs 'keys'");
    else if (auto p = read_popularity(src, *f)) d.popularity = *p;
  }
  if (const Field* f = m.get("mirror")) {
    if (auto s = yaml::read_text(src, *f, "a database name")) d.mirror = *s;
    d.mirror_mark = f->value_mark;
  }
}

void read_queue(const Map& m, QueueSpec& q, const std::string& where) {
  const Source& src = m.source();
  const Field* consumer = m.get("consumer");
  if (consumer) {
    if (auto s = yaml::read_text(src, *consumer, "a component name")) q.consumer = *s;
    q.consumer_mark = consumer->value_mark;
  }
  // What only a consumer can do.
  for (std::string_view k :
       {"consumers", "max_attempts", "dead_letter", "ack_timeout", "redelivery_delay", "latency"}) {
    if (consumer) break;
    if (const Field* f = m.get(k))
      src.error(f->key_mark,
                fmt::format("'{}' is about delivering messages: it needs 'consumer' (the service that "
                            "processes them)",
                            k));
  }
  if (const Field* f = m.get("consumers"); f && consumer) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kConsumers, "messages delivered at once"))
      q.consumers = to_int(*v);
  }
  if (const Field* f = m.get("partitions")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kPartitions,
                                "leave 'partitions' out for one line all consumers share"))
      q.partitions = to_int(*v);
  }
  const Field* capacity = m.get("capacity");
  if (capacity) {
    if (auto v = read_count(src, *capacity, 1)) q.capacity = static_cast<std::int64_t>(*v);
  }
  if (const Field* f = m.get("when_full")) {
    if (!capacity) src.error(f->key_mark, "'when_full' says what a full queue does: it needs 'capacity'");
    else if (auto v = yaml::read_choice<WhenFull>(src, *f, "when_full policy")) q.when_full = *v;
  }
  if (!consumer) return;
  if (const Field* f = m.get("max_attempts")) {
    if (auto v = yaml::read_int(src, *f, 1, "deliveries of a message before it is dead-lettered"))
      q.max_attempts = to_int(*v);
  }
  if (const Field* f = m.get("dead_letter")) {
    if (auto s = yaml::read_text(src, *f, "a queue name")) q.dead_letter = *s;
    q.dead_letter_mark = f->value_mark;
  }
  if (const Field* f = m.get("ack_timeout"))
    q.ack_timeout = yaml::read_duration(src, *f, Bound::Positive, "s");
  if (const Field* f = m.get("redelivery_delay")) {
    if (auto v = yaml::read_duration(src, *f, Bound::NonNegative, "s")) q.redelivery_delay = *v;
  }
  if (const Field* f = m.get("latency")) q.latency = yaml::read_distribution(src, *f, "ms");
  (void)where;
}

void read_cdn(const Map& m, CdnSpec& c, const std::string& where) {
  const Source& src = m.source();
  if (const Field* f = m.need("origin", where)) {  // what serves the misses
    if (auto s = yaml::read_text(src, *f, "a component name")) c.origin = *s;
    c.origin_mark = f->value_mark;
  }
  if (const Field* f = m.get("include")) {  // an edge-side include, called for every request
    if (auto s = yaml::read_text(src, *f, "a component name")) c.include = *s;
    c.include_mark = f->value_mark;
  }
  if (const Field* f = m.get("data") ? m.get("keys") : m.need("keys", where)) {
    if (auto v = read_count(src, *f, 1)) c.store.keys = *v;
  }
  read_store(m, c.store);
  if (const Field* f = m.get("edge_latency")) c.edge_latency = yaml::read_distribution(src, *f, "ms");
  if (const Field* f = m.get("origin_latency")) c.origin_latency = yaml::read_distribution(src, *f, "ms");
  if (const Field* f = m.get("origin_timeout"))
    c.origin_timeout = yaml::read_duration(src, *f, Bound::Positive, "s");
  if (const Field* f = m.get("object_size")) {
    if (auto v = yaml::read_size(src, *f)) c.object_size = *v;
  }
  if (const Field* f = m.get("workers")) {
    if (auto v = yaml::read_int(src, *f, 1, limits::kWorkers, "leave 'workers' out for no limit"))
      c.workers = to_int(*v);
  }
}

}  // namespace

bool is_data_kind(ComponentKind k) {
  return std::find(std::begin(kDataKinds), std::end(kDataKinds), k) != std::end(kDataKinds);
}

const std::vector<std::string_view>& data_kind_keys(ComponentKind k) {
  switch (k) {
    case ComponentKind::Cache: return kCacheKeys;
    case ComponentKind::Database: return kDatabaseKeys;
    case ComponentKind::Queue: return kQueueKeys;
    case ComponentKind::Cdn: return kCdnKeys;
    default: break;
  }
  static const std::vector<std::string_view> none;
  return none;
}

std::vector<std::string_view> all_data_keys() {
  std::vector<std::string_view> out;
  for (ComponentKind k : kDataKinds)
    for (std::string_view key : data_kind_keys(k))
      if (!contains(out, key)) out.push_back(key);
  return out;
}

void read_data_component(const Map& m, ComponentKind kind, ComponentSpec& c, const std::string& where) {
  report_unknown(m, kind, where);
  switch (kind) {
    case ComponentKind::Cache: {
      CacheSpec s;
      read_cache(m, s, where);
      c.body = std::move(s);
      break;
    }
    case ComponentKind::Database: {
      DatabaseSpec s;
      read_database(m, s, where);
      c.body = std::move(s);
      break;
    }
    case ComponentKind::Queue: {
      QueueSpec s;
      read_queue(m, s, where);
      c.body = std::move(s);
      break;
    }
    case ComponentKind::Cdn: {
      CdnSpec s;
      read_cdn(m, s, where);
      c.body = std::move(s);
      break;
    }
    default: break;
  }
}

std::optional<std::uint64_t> read_data_count(const Source& src, const Field& f, std::uint64_t min) {
  return read_count(src, f, min);
}
std::optional<PopularitySpec> read_data_popularity(const Source& src, const Field& f) {
  return read_popularity(src, f);
}
void read_query_table(const Source& src, const Field& f, DatabaseSpec& d) { read_queries(src, f, d); }
std::optional<KeyedStoreSpec::HotKey> read_hot_key(const Source& src, const Field& f) {
  return read_hot(src, f);
}
std::optional<KeyedStoreSpec::Vary> read_vary_key(const Source& src, const Field& f) {
  return read_vary(src, f);
}

}  // namespace archsim
