#include "model/cache.hpp"
#include "archsim/figures.hpp"

#include <algorithm>

#include "archsim/simulation.hpp"

namespace archsim {

Cache::Cache(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec) {
  const CacheSpec& c = *spec.cache();
  if (c.hit_latency) {
    hit_latency_ = Sampler(*c.hit_latency);
    has_hit_latency_ = true;
  }
  if (c.miss_latency) {
    miss_latency_ = Sampler(*c.miss_latency);
    has_miss_latency_ = true;
  } else if (c.hit_latency) {
    miss_latency_ = hit_latency_;
    has_miss_latency_ = true;
  }
  station_.workers = static_cast<std::uint32_t>(c.workers);
  station_.queue_cap = c.queue ? *c.queue : -1;
  if (!c.keyed()) {
    hit_ratio_ = c.hit_ratio.value_or(0.0);
    return;
  }
  const KeyedStoreSpec& s = c.store;
  const std::uint64_t capacity = s.capacity > 0 ? std::min(s.capacity, s.copies()) : s.copies();
  store_.emplace(capacity, s.eviction, s.ttl.value_or(0.0));
  popularity_ = Popularity(s.keys, s.popularity.zipf);
  fresh_ = Freshness(s, seed);
  coalesce_ = s.coalesce;
  fill_timeout_ = s.fill_timeout;
  // Warm: the most popular keys, stored least popular first so that under
  // LRU the most popular is also the most recent.
  const std::uint64_t warm = s.vary ? 0 : std::min(s.warm, capacity);  // a copy per reader: nothing to warm
  for (std::uint64_t key = warm; key-- > 0;) store_->put(key, 0.0);
  has_keys = store_.has_value();  // keyed mode: calls carry a key (simple mode has none)
}

int Cache::op_code(const std::string& op) const {
  if (op.empty()) return kRead;
  if (op == "write") return kWrite;
  if (op == "invalidate") return kInvalidate;
  if (op == "store") return kStore;
  return -1;
}

std::uint64_t Cache::draw_key() { return store_ ? fresh_.draw(popularity_, rng_, kernel_.now()) : 0; }

void Cache::begin() {
  if (store_) fresh_.start(kernel_, this);
}

void Cache::arrive(Job* j) {
  const double now = kernel_.now();
  if (down_) return refuse(j, ErrorKind::Killed);
  if (impair_.fails(rng_)) return refuse(j, ErrorKind::Injected);
  if (station_.has_free_worker()) {
    account(now);
    ++station_.busy;
    add_busy(+1);
    start(j);
    return;
  }
  if (station_.queue_full()) return refuse(j, ErrorKind::Rejected);
  account(now);
  add_queued(+1);
  station_.push(j);
}

void Cache::start(Job* j) {
  // The worker is counted busy already. The cache's state changes when the
  // operation starts; its latency is the time the reply takes.
  const double now = kernel_.now();
  j->started = now;
  record_wait(now - j->arrived);
  Outcome out = kHit;
  switch (j->op) {
    case kRead: {
      bool hit, stale = false;
      if (hit_ratio_) {
        hit = rng_.chance(*hit_ratio_);
      } else {
        hit = fresh_.read(*store_, j->key, now, &stale);
        fresh_.count(j->key, hit, !hit && !(coalesce_ && fills_.count(j->key)), stale, now);
      }
      if (hit) {
        ++counts_.hits;
        ++tick_counts_.hits;
      } else if (coalesce_ && fills_.count(j->key)) {
        out = kWaitFill;
        ++counts_.coalesced;
        ++tick_counts_.coalesced;
      } else {
        out = kMiss;
        ++counts_.misses;
        ++tick_counts_.misses;
        if (coalesce_) {
          // This caller fetches; later misses of the key wait for its store.
          Fill& f = fills_[j->key];
          f.generation = ++generations_;
          deadlines_.emplace_back(j->key, f.generation);
          kernel_.schedule(now + fill_timeout_, this, EventCode::Custom, nullptr, kFillDeadline);
        }
      }
      break;
    }
    case kWrite:
      ++counts_.writes;
      if (store_) {
        store_->put(j->key, now);
        filled(j->key);
      }
      break;
    case kInvalidate:
      ++counts_.invalidations;
      if (store_) store_->erase(j->key);
      break;
    case kStore:
      ++counts_.stores;
      if (store_) {
        store_->put(j->key, now);
        filled(j->key);
      }
      break;
  }
  j->aux = out;
  const double t = out == kMiss ? (has_miss_latency_ ? miss_latency_(rng_) : 0.0)
                                : (has_hit_latency_ ? hit_latency_(rng_) : 0.0);
  kernel_.work(j, impair_.stretch(t));
}

void Cache::refuse(Job* j, ErrorKind err) {
  record_error(err);
  record_end(j, err);
  kernel_.finish(j, err);
}

void Cache::handle(const Event& e) {
  if (e.code == EventCode::Custom) {
    switch (e.aux) {
      case kRestartOver: set_down(false); break;
      case kUpdate: fresh_.on_update(popularity_, kernel_, this); break;
      case kPurge: fresh_.purge(kernel_.now()); break;
      default: fill_late(); break;
    }
    return;
  }
  if (e.code != EventCode::Resume) return;
  Job* j = e.job;
  ++j->token;  // the work step is over
  end_work(j);
}

void Cache::end_work(Job* j) {
  const double now = kernel_.now();
  account(now);
  // Hand the worker to the next in line before replying (FIFO, as a service).
  Job* next = station_.pop();
  if (next) {
    add_queued(-1);
  } else {
    --station_.busy;
    add_busy(-1);
  }
  const std::uint64_t key = j->key;
  if (j->aux == kWaitFill) {
    auto it = fills_.find(key);
    if (it == fills_.end()) {
      reply(j, 0);  // filled while this read was served
    } else {
      Fill& f = it->second;
      j->next = nullptr;
      if (f.tail) f.tail->next = j;
      else f.head = j;
      f.tail = j;
    }
  } else {
    reply(j, j->aux == kMiss ? kMiss : 0);
  }
  if (next) start(next);
}

void Cache::reply(Job* j, std::uint8_t flags) {
  j->flags = flags;
  record_end(j, ErrorKind::None);
  kernel_.finish(j, ErrorKind::None);
}

void Cache::filled(std::uint64_t key) {
  const auto it = fills_.find(key);
  if (it == fills_.end()) return;
  Job* w = it->second.head;
  fills_.erase(it);
  while (w) {
    Job* next = w->next;
    reply(w, 0);  // the value is there now: a hit, late
    w = next;
  }
}

void Cache::fill_late() {
  const auto [key, generation] = deadlines_.front();
  deadlines_.pop_front();
  const auto it = fills_.find(key);
  if (it == fills_.end() || it->second.generation != generation) return;  // filled in time
  Fill& f = it->second;
  Job* w = f.head;
  if (!w) {
    fills_.erase(it);  // nobody waits: the next miss fetches again
    return;
  }
  // The fetch failed or was given up: the oldest waiter fetches instead.
  f.head = w->next;
  if (!f.head) f.tail = nullptr;
  f.generation = ++generations_;
  deadlines_.emplace_back(key, f.generation);
  kernel_.schedule(kernel_.now() + fill_timeout_, this, EventCode::Custom, nullptr, kFillDeadline);
  reply(w, kMiss);
}

void Cache::flush() {
  if (store_) store_->clear();
}

void Cache::set_down(bool down) {
  if (down && !down_) {
    // The waiting line is lost with the process; visits being served finish.
    while (Job* j = station_.pop()) {
      account(kernel_.now());
      add_queued(-1);
      record_wait(kernel_.now() -
                  j->arrived);  // it left the queue: wait counts every leaver, as queue_mean does
      refuse(j, ErrorKind::Killed);
    }
  }
  if (!down && down_) flush();  // back, and empty: a cache keeps nothing over a restart
  down_ = down;
}

bool Cache::apply(const FaultSpec& f, bool end) {
  if (impair_.apply(f, end)) return true;
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Flush:
      if (!end) flush();
      return true;
    case K::Kill: set_down(!end); return true;
    case K::Restart:
      if (end) return true;
      set_down(true);
      kernel_.schedule(kernel_.now() + f.restart_time, this, EventCode::Custom, nullptr, kRestartOver);
      return true;
    case K::CacheSize: {  // an operator action: a setting from now on, nothing to undo at `end`
      if (end || !store_) return true;
      const KeyedStoreSpec& s = spec.cache()->store;
      store_->set_capacity(std::min(f.capacity, s.copies()));  // at most the key space, as at start
      return true;
    }
    default: return false;
  }
}

double Cache::hit_ratio() const {
  const std::uint64_t reads = counts_.hits + counts_.misses + counts_.coalesced;
  return reads ? static_cast<double>(counts_.hits) / static_cast<double>(reads) : 0.0;
}

void Cache::reset_stats() {
  counts_ = Counts{};
  fresh_.reset();
  if (store_) {
    counts_.evictions_before = store_->evictions;
    counts_.expirations_before = store_->expirations;
  }
}

void Cache::report(ComponentResult& r, double) const {
  const std::uint64_t reads = counts_.hits + counts_.misses + counts_.coalesced;
  r.figures.push_back({fig::kHitRatio, hit_ratio()});
  r.figures.push_back({fig::kReads, static_cast<double>(reads)});
  r.figures.push_back({fig::kHits, static_cast<double>(counts_.hits)});
  r.figures.push_back({fig::kMisses, static_cast<double>(counts_.misses)});
  if (coalesce_) r.figures.push_back({fig::kCoalesced, static_cast<double>(counts_.coalesced)});
  r.figures.push_back({fig::kWrites, static_cast<double>(counts_.writes)});
  r.figures.push_back({fig::kInvalidations, static_cast<double>(counts_.invalidations)});
  r.figures.push_back({fig::kStores, static_cast<double>(counts_.stores)});
  if (store_) {
    r.figures.push_back({fig::kEvictions, static_cast<double>(store_->evictions - counts_.evictions_before)});
    r.figures.push_back(
        {fig::kExpirations, static_cast<double>(store_->expirations - counts_.expirations_before)});
    r.figures.push_back({fig::kEntries, static_cast<double>(store_->size())});
    fresh_.report(r.figures, static_cast<double>(reads));
  }
}

void Cache::report_tick(ComponentTick& t) {
  const std::uint64_t reads = tick_counts_.hits + tick_counts_.misses + tick_counts_.coalesced;
  t.figures.push_back(
      {fig::kHitRatio, reads ? static_cast<double>(tick_counts_.hits) / static_cast<double>(reads) : 0.0});
  t.figures.push_back({fig::kMisses, static_cast<double>(tick_counts_.misses)});
  if (store_) t.figures.push_back({fig::kEntries, static_cast<double>(store_->size())});
  tick_counts_ = Counts{};
}

}  // namespace archsim
