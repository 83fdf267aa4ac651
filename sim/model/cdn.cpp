#include "model/cdn.hpp"
#include "archsim/figures.hpp"

#include <algorithm>

#include "archsim/simulation.hpp"
#include "model/builder.hpp"

namespace archsim {

namespace {
std::uint64_t capacity_of(const KeyedStoreSpec& s) {
  return s.capacity > 0 ? std::min(s.capacity, s.copies()) : std::max<std::uint64_t>(s.copies(), 1);
}
}  // namespace

Cdn::Cdn(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed),
      spec(spec),
      store_(capacity_of(spec.cdn()->store), spec.cdn()->store.eviction,
             spec.cdn()->store.ttl.value_or(0.0)) {
  const CdnSpec& c = *spec.cdn();
  popularity_ = Popularity(std::max<std::uint64_t>(c.store.keys, 1), c.store.popularity.zipf);
  fresh_ = Freshness(c.store, seed);
  coalesce_ = c.store.coalesce;
  if (c.edge_latency) {
    edge_latency_ = Sampler(*c.edge_latency);
    has_edge_latency_ = true;
  }
  object_size_ = c.object_size;
  station_.workers = static_cast<std::uint32_t>(c.workers);
  const std::uint64_t warm =
      c.store.vary ? 0 : std::min(c.store.warm, store_.capacity());  // per reader: none
  for (std::uint64_t key = warm; key-- > 0;) store_.put(key, 0.0);
  has_keys = true;
}

void Cdn::link(Builder& b) {
  const CdnSpec& c = *spec.cdn();
  CallSpec call;
  call.target = c.origin;
  call.mark = c.origin_mark;
  call.latency = c.origin_latency;
  call.timeout = c.origin_timeout;
  call.response_bytes = c.object_size;
  origin_ = &b.call_site(index_, call);
  origin_->reuse_key = true;  // the origin serves the same object (and the fetch keeps j->key)
  if (c.include.empty()) return;
  CallSpec inc;
  inc.target = c.include;
  inc.mark = c.include_mark;
  inc.latency = c.include_latency;
  include_ = &b.call_site(index_, inc);
}

void Cdn::begin() { fresh_.start(kernel_, this); }

void Cdn::arrive(Job* j) {
  const double now = kernel_.now();
  if (down_ || impair_.fails(rng_)) {
    const ErrorKind err = down_ ? ErrorKind::Killed : ErrorKind::Injected;
    record_error(err);
    reply(j, err);
    return;
  }
  account(now);
  if (station_.has_free_worker()) {
    ++station_.busy;
    add_busy(+1);
    start(j);
    return;
  }
  add_queued(+1);
  station_.push(j);
}

void Cdn::start(Job* j) {
  const double now = kernel_.now();
  j->started = now;
  record_wait(now - j->arrived);
  ++tick_counts_.requests;
  j->pc = 0;
  // With an include the object is looked up when the include has answered.
  if (!include_) lookup(j);
  kernel_.work(j, impair_.stretch(has_edge_latency_ ? edge_latency_(rng_) : 0.0));
}

void Cdn::lookup(Job* j) {
  const double now = kernel_.now();
  bool stale = false;
  const bool hit = fresh_.read(store_, j->key, now, &stale);
  fresh_.count(j->key, hit, !hit && !(coalesce_ && fetching_.count(j->key)), stale, now);
  if (hit) {
    ++counts_.hits;
    ++tick_counts_.hits;
    j->aux = kHit;
  } else if (coalesce_ && fetching_.count(j->key)) {
    ++counts_.coalesced;
    j->aux = kWaitFetch;
  } else {
    ++counts_.misses;
    j->aux = kFetch;
    if (coalesce_) fetching_[j->key];
  }
}

void Cdn::handle(const Event& e) {
  if (e.code == EventCode::Custom) {
    switch (e.aux) {
      case kUpdate: fresh_.on_update(popularity_, kernel_, this); break;
      case kPurge: fresh_.purge(kernel_.now()); break;
      default: set_down(false); break;  // a restart is over
    }
    return;
  }
  if (e.code != EventCode::Resume) return;
  Job* j = e.job;
  ++j->token;  // the edge's work is over
  const double now = kernel_.now();
  account(now);
  // The worker goes to the next in line; fetches and waits hold none.
  Job* next = station_.pop();
  if (next) {
    add_queued(-1);
  } else {
    --station_.busy;
    add_busy(-1);
  }
  if (include_) {
    j->pc = kIncluding;  // the reader's part first; then the object
    kernel_.call(j, *include_);
  } else {
    serve(j);
  }
  if (next) start(next);
}

void Cdn::serve(Job* j) {
  switch (j->aux) {
    case kHit: reply(j, ErrorKind::None); break;
    case kFetch: fetch(j); break;
    case kWaitFetch: {
      const auto it = fetching_.find(j->key);
      if (it == fetching_.end()) {
        reply(j, ErrorKind::None);  // fetched while this request was at the edge
        break;
      }
      Waiters& w = it->second;
      j->next = nullptr;
      if (w.tail) w.tail->next = j;
      else w.head = j;
      w.tail = j;
      break;
    }
  }
}

void Cdn::fetch(Job* j) {
  j->started = kernel_.now();  // the fetch's start, for its time
  j->keyed = true;             // the key it was asked for is the one to fetch
  kernel_.call(j, *origin_);
}

void Cdn::on_reply(Job* j, ErrorKind err) {
  if (j->pc == kIncluding) {
    j->pc = 0;
    if (err != ErrorKind::None) return reply(j, err);  // no page without its reader's part
    lookup(j);
    return serve(j);
  }
  const double now = kernel_.now();
  const std::uint64_t key = j->key;
  Waiters waiting;
  if (coalesce_) {
    const auto it = fetching_.find(key);
    if (it != fetching_.end()) {
      waiting = it->second;
      fetching_.erase(it);
    }
  }
  if (err == ErrorKind::None) {
    counts_.fetch.record(now - j->started);
    store_.put(key, now);
    reply(j, ErrorKind::None);
    for (Job* w = waiting.head; w;) {
      Job* next = w->next;
      reply(w, ErrorKind::None);
      w = next;
    }
    return;
  }
  ++counts_.origin_errors;
  reply(j, err);
  // The next waiter fetches; the others keep waiting for it.
  if (Job* w = waiting.head) {
    Waiters& rest = fetching_[key];
    rest.head = w->next;
    rest.tail = rest.head ? waiting.tail : nullptr;
    fetch(w);
  }
}

void Cdn::reply(Job* j, ErrorKind err) {
  record_end(j, err);
  kernel_.finish(j, err);
}

void Cdn::set_down(bool down) {
  if (down && !down_) {
    while (Job* j = station_.pop()) {
      account(kernel_.now());
      add_queued(-1);
      record_wait(kernel_.now() -
                  j->arrived);  // it left the queue: wait counts every leaver, as queue_mean does
      record_error(ErrorKind::Killed);
      reply(j, ErrorKind::Killed);
    }
  }
  if (!down && down_) store_.clear();  // back, and empty
  down_ = down;
}

bool Cdn::apply(const FaultSpec& f, bool end) {
  if (impair_.apply(f, end)) return true;
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Flush:
      if (!end) purge();
      return true;
    case K::Kill: set_down(!end); return true;
    case K::Restart:
      if (end) return true;
      set_down(true);
      kernel_.schedule(kernel_.now() + f.restart_time, this, EventCode::Custom);
      return true;
    case K::CacheSize:  // an operator action: a setting from now on, nothing to undo at `end`
      if (!end) store_.set_capacity(std::min(f.capacity, capacity_of(spec.cdn()->store)));
      return true;
    default: return false;
  }
}

void Cdn::reset_stats() {
  counts_ = Counts{};
  fresh_.reset();
  counts_.evictions_before = store_.evictions;
  counts_.expirations_before = store_.expirations;
}

void Cdn::report(ComponentResult& r, double window) const {
  const auto f = [&](const char* name, double v) { r.figures.push_back({name, v}); };
  const std::uint64_t requests = counts_.hits + counts_.misses + counts_.coalesced;
  f(fig::kHitRatio, requests ? static_cast<double>(counts_.hits) / static_cast<double>(requests) : 0.0);
  f(fig::kRequests, static_cast<double>(requests));
  f(fig::kHits, static_cast<double>(counts_.hits));
  f(fig::kOriginFetches, static_cast<double>(counts_.misses));
  if (coalesce_) f(fig::kCoalesced, static_cast<double>(counts_.coalesced));
  f(fig::kOriginErrors, static_cast<double>(counts_.origin_errors));
  f(fig::kOriginFetchMs, counts_.fetch.mean() * 1e3);
  f(fig::kEvictions, static_cast<double>(store_.evictions - counts_.evictions_before));
  f(fig::kExpirations, static_cast<double>(store_.expirations - counts_.expirations_before));
  f(fig::kEntries, static_cast<double>(store_.size()));
  fresh_.report(r.figures, static_cast<double>(requests));
  if (object_size_ > 0 && window > 0) {
    // Bits per second: what leaves the edge, and what the origin sends it.
    f(fig::kEgressGbps, static_cast<double>(stats().completed) * object_size_ * 8 / window / 1e9);
    f(fig::kOriginGbps, static_cast<double>(counts_.misses) * object_size_ * 8 / window / 1e9);
  }
}

void Cdn::report_tick(ComponentTick& t) {
  t.figures.push_back({fig::kHitRatio, tick_counts_.requests ? static_cast<double>(tick_counts_.hits) /
                                                                   static_cast<double>(tick_counts_.requests)
                                                             : 0.0});
  t.figures.push_back({fig::kEntries, static_cast<double>(store_.size())});
  tick_counts_ = TickCounts{};
}

}  // namespace archsim
