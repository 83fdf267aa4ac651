#include "archsim/ticks.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

#include "archsim/figures.hpp"

namespace archsim {

namespace {

enum class Rule { Sum, Peak, TimeMean, VisitMean, Last, Breaker };

// How a figure of ComponentTick::figures merges (see ticks.hpp).
Rule rule_of(std::string_view name) {
  if (name == fig::kMisses || name == fig::kProcessed || name == fig::kHits || name == fig::kReads)
    return Rule::Sum;
  if (name == fig::kPoolWaiting || name == fig::kLagMessages || name == fig::kLagS ||
      name == fig::kPrimariesDown)
    return Rule::Peak;
  if (name == fig::kEntries || name == fig::kWorkersNow) return Rule::Last;
  if (name.substr(0, std::string_view(fig::kBreakerPrefix).size()) == fig::kBreakerPrefix)
    return Rule::Breaker;
  if (name == fig::kReplicas) return Rule::TimeMean;
  // hit_ratio, stale_read_ratio, pool_wait_ms, delay_ms and any other ratio or
  // per-visit mean: weighted by the visits behind it.
  return Rule::VisitMean;
}

void add_sat(std::uint32_t& a, std::uint32_t b) {
  constexpr auto kMax = std::numeric_limits<std::uint32_t>::max();
  a = b > kMax - a ? kMax : a + b;
}

/// A mean of `x` (weight wx) and `y` (weight wy); the later value when both weigh nothing.
double mean(double x, double wx, double y, double wy) {
  return wx + wy > 0 ? (x * wx + y * wy) / (wx + wy) : y;
}

/// Latency quantiles of two ticks with `na` and `nb` completions behind them.
void merge_quantiles(double& p50, double& p99, double q50, double q99, std::uint32_t na, std::uint32_t nb) {
  if (nb == 0) return;  // b saw no completion: its quantiles say nothing
  if (na == 0) {
    p50 = q50, p99 = q99;
    return;
  }
  p50 = mean(p50, na, q50, nb);
  p99 = std::max(p99, q99);
}

void merge_figures(std::vector<Figure>& a, const std::vector<Figure>& b, double dta, double dtb, double va,
                   double vb) {
  for (const Figure& y : b) {
    auto x = std::find_if(a.begin(), a.end(), [&](const Figure& f) { return f.name == y.name; });
    if (x == a.end()) {  // only the later tick has it (a replica was killed in it)
      a.push_back(y);
      continue;
    }
    switch (rule_of(y.name)) {
      case Rule::Sum: x->value += y.value; break;
      case Rule::Peak: x->value = std::max(x->value, y.value); break;
      case Rule::Last: x->value = y.value; break;
      case Rule::TimeMean: x->value = mean(x->value, dta, y.value, dtb); break;
      case Rule::VisitMean:
        x->value = va + vb > 0 ? mean(x->value, va, y.value, vb) : mean(x->value, dta, y.value, dtb);
        break;
      case Rule::Breaker:  // open (1) if it was open at either end, else the other state seen
        x->value = x->value == 1 || y.value == 1 ? 1.0 : std::max(x->value, y.value);
        break;
    }
  }
}

void merge_component(ComponentTick& a, const ComponentTick& b, double dta, double dtb) {
  const double va = a.arrivals, vb = b.arrivals;
  merge_quantiles(a.p50, a.p99, b.p50, b.p99, a.completed, b.completed);
  merge_figures(a.figures, b.figures, dta, dtb, va, vb);
  add_sat(a.arrivals, b.arrivals);
  add_sat(a.completed, b.completed);
  add_sat(a.failed, b.failed);
  a.in_flight = std::max(a.in_flight, b.in_flight);
  a.queue = std::max(a.queue, b.queue);
  a.utilization = mean(a.utilization, dta, b.utilization, dtb);
}

/// Host CPU and link utilisation: time-weighted means (a share of capacity over the wider tick).
void merge_shares(std::vector<double>& a, const std::vector<double>& b, double dta, double dtb) {
  if (a.size() < b.size()) a.resize(b.size(), 0.0);
  for (std::size_t i = 0; i < b.size(); ++i) a[i] = mean(a[i], dta, b[i], dtb);
}

std::size_t string_bytes(const std::string& s) {
  // A short string lives inside the object (libstdc++: up to 15 characters).
  return s.capacity() > 15 ? s.capacity() + 1 : 0;
}

}  // namespace

void TickStore::merge(Tick& a, const Tick& b) {
  // The p99 counting timeouts: the worse of the two, over what either finished.
  if (b.completed + b.timed_out > 0)
    a.p99_timeouts =
        a.completed + a.timed_out > 0 ? std::max(a.p99_timeouts, b.p99_timeouts) : b.p99_timeouts;
  add_sat(a.timed_out, b.timed_out);
  merge_quantiles(a.p50, a.p99, b.p50, b.p99, a.completed, b.completed);
  add_sat(a.started, b.started);
  add_sat(a.completed, b.completed);
  add_sat(a.failed, b.failed);
  for (const auto& [kind, n] : b.errors) add_sat(a.errors[kind], n);
  if (a.components.size() < b.components.size()) a.components.resize(b.components.size());
  for (std::size_t i = 0; i < b.components.size(); ++i)
    merge_component(a.components[i], b.components[i], a.dt, b.dt);
  if (a.edges.size() < b.edges.size()) a.edges.resize(b.edges.size());
  for (std::size_t i = 0; i < b.edges.size(); ++i) {
    EdgeTick& x = a.edges[i];
    const EdgeTick& y = b.edges[i];
    merge_quantiles(x.p50, x.p99, y.p50, y.p99, x.calls, y.calls);
    add_sat(x.calls, y.calls);
    add_sat(x.failed, y.failed);
  }
  merge_shares(a.host_cpu, b.host_cpu, a.dt, b.dt);
  merge_shares(a.link_util, b.link_util, a.dt, b.dt);
  a.t = b.t;
  a.dt += b.dt;
}

std::size_t TickStore::bytes_of(const Tick& t) {
  // A map node: the key and value, three pointers and the colour (libstdc++).
  constexpr std::size_t kNode = 4 * sizeof(void*) + sizeof(std::pair<const std::string, std::uint32_t>);
  std::size_t n = sizeof(Tick) + t.components.capacity() * sizeof(ComponentTick) +
                  t.edges.capacity() * sizeof(EdgeTick) +
                  (t.host_cpu.capacity() + t.link_util.capacity()) * sizeof(double);
  for (const auto& [kind, count] : t.errors) n += kNode + string_bytes(kind);
  for (const ComponentTick& c : t.components) {
    n += c.figures.capacity() * sizeof(Figure);
    for (const Figure& f : c.figures) n += string_bytes(f.name);
  }
  return n;
}

std::size_t TickStore::bytes() const {
  std::size_t n = ticks_.capacity() * sizeof(Tick) - ticks_.size() * sizeof(Tick);  // room reserved, unused
  for (const Tick& t : ticks_) n += bytes_of(t);
  if (pending_) n += bytes_of(*pending_);
  return n;
}

void TickStore::add(const Tick& t) {
  if (capacity_ == 0) {
    // Sized once, from the first tick: the model's size does not change.
    const std::size_t fit = budget_ / std::max<std::size_t>(1, bytes_of(t));
    capacity_ = std::clamp(fit, kMinTicks, kMaxTicks) & ~std::size_t{1};  // even: it halves exactly
    ticks_.reserve(capacity_);
  }
  ++added_;
  if (span_ == 1) {
    ticks_.push_back(t);
  } else {
    if (pending_) TickStore::merge(*pending_, t);
    else pending_ = t;
    if (++pending_n_ < span_) return;
    flush();
  }
  if (ticks_.size() >= capacity_) compact();
}

void TickStore::flush() {
  if (!pending_) return;
  ticks_.push_back(std::move(*pending_));
  pending_.reset();
  pending_n_ = 0;
}

void TickStore::compact() {
  // Pairs become one: [0,1] -> 0, [2,3] -> 1, ...; the store is then half full.
  const std::size_t half = ticks_.size() / 2;
  for (std::size_t i = 0; i < half; ++i) {
    Tick merged = std::move(ticks_[2 * i]);
    TickStore::merge(merged, ticks_[2 * i + 1]);
    ticks_[i] = std::move(merged);
  }
  if (ticks_.size() % 2) ticks_[half] = std::move(ticks_.back());  // not reached: the capacity is even
  ticks_.resize(half + ticks_.size() % 2);
  span_ *= 2;
}

const std::vector<Tick>& TickStore::ticks() {
  flush();
  return ticks_;
}

std::vector<Tick> TickStore::take() {
  flush();
  std::vector<Tick> out = std::move(ticks_);
  ticks_.clear();
  return out;
}

}  // namespace archsim
