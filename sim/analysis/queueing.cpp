#include "analysis/queueing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace archsim::queueing {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

double erlang_b(int c, double a) {
  double b = 1.0;
  for (int k = 1; k <= c; ++k) b = a * b / (k + a * b);
  return b;
}

double erlang_c(int c, double a) {
  if (a >= c) return 1.0;
  const double b = erlang_b(c, a);
  return c * b / (c - a * (1 - b));
}

double mmc_wait(int c, double lambda, double mu) {
  if (lambda >= c * mu) return kInf;
  return erlang_c(c, lambda / mu) / (c * mu - lambda);
}

double mmc_response(int c, double lambda, double mu) { return mmc_wait(c, lambda, mu) + 1.0 / mu; }

double mm1_response(double lambda, double mu) { return lambda >= mu ? kInf : 1.0 / (mu - lambda); }

double mm1_response_quantile(double lambda, double mu, double q) {
  return lambda >= mu ? kInf : -std::log(1 - q) / (mu - lambda);
}

double ekm1_response(int k, double lambda, double mu) {
  if (lambda >= mu) return std::numeric_limits<double>::infinity();
  // Fixed-point iteration from below converges to the root in (0, 1) for rho < 1.
  double sigma = 0;
  for (int i = 0; i < 100000; ++i) {
    const double next = std::pow(k * lambda / (k * lambda + mu * (1.0 - sigma)), k);
    if (std::abs(next - sigma) < 1e-15) break;
    sigma = next;
  }
  return 1.0 / (mu * (1.0 - sigma));
}

double mg1_wait(double lambda, double mean_service, double scv) {
  const double rho = lambda * mean_service;
  if (rho >= 1) return kInf;
  return rho * (1 + scv) / (2 * (1 - rho)) * mean_service;
}

double ggc_wait(int c, double lambda, double mu, double ca2, double cs2) {
  const double mmc = mmc_wait(c, lambda, mu);
  if (!std::isfinite(mmc)) return mmc;
  double factor = (ca2 + cs2) / 2;
  const double rho = lambda / (c * mu);
  if (cs2 < 1 && c > 1 && rho > 0) {
    const double k = 1 + (1 - rho) * (c - 1) * (std::sqrt(4.0 + 5.0 * c) - 2) / (16 * rho * c);
    factor += (1 - cs2) / 2 * (k - 1);
  }
  return mmc * factor;
}

namespace {

/// Row P of the sliding window's kernel: the law of a window's admitted
/// count when the previous window admitted P, over `slots` slots of Poisson
/// arrivals (mean `each`, up to 4 a slot: the rest is below 1e-9 at
/// each <= 1/40), the room taken at a slot's middle.
std::vector<double> window_counts(double limit, double prev, int most, int slots, double each) {
  constexpr int kPerSlot = 4;
  double pois[kPerSlot + 1];
  pois[0] = std::exp(-each);
  for (int j = 1; j <= kPerSlot; ++j) pois[j] = pois[j - 1] * each / j;
  std::vector<double> dist(static_cast<std::size_t>(most) + 1, 0.0);
  dist[0] = 1;
  for (int s = 0; s < slots; ++s) {
    const double x = (s + 0.5) / slots;
    const double room = std::ceil(limit - prev * (1 - x));  // admitted while cur < room
    // Highest count first: mass moved up is not moved again in this slot.
    for (int c = std::min(most, static_cast<int>(room)) - 1; c >= 0; --c) {
      const int m = std::min(kPerSlot, static_cast<int>(room) - c);  // admissible now
      const double mass = dist[static_cast<std::size_t>(c)];
      double left = 1;
      for (int j = 1; j < m; ++j) {
        dist[static_cast<std::size_t>(c + j)] += mass * pois[j];
        left -= pois[j];
      }
      left -= pois[0];  // what stays
      dist[static_cast<std::size_t>(c + m)] += mass * left;
      dist[static_cast<std::size_t>(c)] = mass * pois[0];
    }
  }
  return dist;
}

}  // namespace

bool sliding_window_solved(double lambda, double rate, double window) {
  return rate * window <= 64 && lambda <= 4 * rate;
}

double sliding_window_admitted(double lambda, double rate, double window) {
  if (lambda <= 0 || rate <= 0 || window <= 0) return 0;
  const double limit = rate * window, offered = lambda * window;  // per window
  if (!sliding_window_solved(lambda, rate, window)) return std::min(lambda, rate);
  const int most = static_cast<int>(std::ceil(limit));
  const int slots = std::max(200, static_cast<int>(std::ceil(40 * offered)));
  const double each = offered / slots;
  std::vector<std::vector<double>> kernel;
  for (int p = 0; p <= most; ++p) kernel.push_back(window_counts(limit, p, most, slots, each));
  // The stationary law of P by power iteration (the chain mixes in a few
  // windows: a window forgets all but the one before it).
  std::vector<double> pi(static_cast<std::size_t>(most) + 1, 0.0), next(pi.size());
  pi[static_cast<std::size_t>(std::min(most, static_cast<int>(offered)))] = 1;
  for (int it = 0; it < 2000; ++it) {
    std::fill(next.begin(), next.end(), 0.0);
    for (std::size_t p = 0; p < pi.size(); ++p)
      for (std::size_t c = 0; c < pi.size(); ++c) next[c] += pi[p] * kernel[p][c];
    double moved = 0;
    for (std::size_t k = 0; k < pi.size(); ++k) moved += std::abs(next[k] - pi[k]);
    pi.swap(next);
    if (moved < 1e-12) break;
  }
  double mean = 0;
  for (std::size_t k = 0; k < pi.size(); ++k) mean += static_cast<double>(k) * pi[k];
  return std::min(lambda, mean / window);
}

double token_bucket_admitted(double lambda, double rate, double burst) {
  if (lambda <= 0 || rate <= 0) return 0;
  const double rho = lambda / rate;
  // F on a grid of m steps per refill time 1/rate, by the trapezoidal rule;
  // F(x - 1/rate) jumps from 0 to 1 at x = 1/rate (the atom at V = 0): the
  // step that ends there takes its left limit, 0. Error under 1e-6 at m = 64.
  constexpr std::size_t m = 64;
  const double k = lambda / (2 * rate * m);  // h lambda / 2 for the step h = 1 / (rate m)
  // A bucket deeper than 4096 tokens is taken as 4096: at rho = 1 it refuses
  // 1 / (2 burst) of the offered, under 0.012% there, and the steps stay bounded.
  const auto steps = static_cast<std::size_t>(std::llround(std::clamp(burst - 1, 0.0, 4095.0) * m));
  std::vector<double> f(steps + 1);
  f[0] = 1;
  const auto before = [&](std::size_t i) { return i >= m ? f[i - m] : 0.0; };  // F(x_i - 1/rate)
  std::size_t i = 0;
  for (; i < steps && f[i] < 1e200; ++i) {  // past 1e200 (overloaded) the rate itself
    const double right = i + 1 == m ? 0.0 : before(i + 1);
    f[i + 1] = (f[i] * (1 + k) - k * (before(i) + right)) / (1 - k);
    // Below the rate F settles at 1 / (1 - rho): a deep bucket loses nothing more.
    if (i + 1 >= 2 * m && std::abs(f[i + 1] - f[i + 1 - m]) <= 1e-13 * f[i + 1]) {
      ++i;
      break;
    }
  }
  return lambda * f[i] / (1 + rho * f[i]);
}

LossResult mmck(int c, int k, double lambda, double mu) {
  // Birth-death: p_n proportional to a^n / n! for n <= c, a^c/c! (a/c)^(n-c) above.
  const double a = lambda / mu;
  std::vector<double> p(static_cast<std::size_t>(k) + 1);
  p[0] = 1;
  for (int n = 1; n <= k; ++n) p[n] = p[n - 1] * a / (n <= c ? n : c);
  double sum = 0, l = 0, busy = 0;
  for (int n = 0; n <= k; ++n) {
    sum += p[n];
    l += n * p[n];
    busy += (n < c ? n : c) * p[n];
  }
  LossResult r;
  r.blocking = p[k] / sum;
  const double admitted = lambda * (1 - r.blocking);
  r.response = admitted > 0 ? (l / sum) / admitted : 0;
  r.utilization = busy / sum / c;
  return r;
}

MvaResult mva(int customers, double think, const std::vector<double>& demands) {
  std::vector<double> q(demands.size(), 0.0);
  MvaResult r;
  for (int n = 1; n <= customers; ++n) {
    double resp = 0;
    std::vector<double> rk(demands.size());
    for (std::size_t i = 0; i < demands.size(); ++i) {
      rk[i] = demands[i] * (1 + q[i]);
      resp += rk[i];
    }
    r.throughput = n / (think + resp);
    r.response = resp;
    for (std::size_t i = 0; i < demands.size(); ++i) q[i] = r.throughput * rk[i];
  }
  return r;
}

double che_lru_hit_ratio(const std::vector<double>& p, double capacity) {
  if (capacity >= static_cast<double>(p.size())) return 1.0;
  if (capacity <= 0) return 0.0;
  auto occupied = [&](double t) {
    double s = 0;
    for (double pi : p) s += 1 - std::exp(-pi * t);
    return s;
  };
  double lo = 0, hi = 1;
  while (occupied(hi) < capacity) hi *= 2;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (occupied(mid) < capacity ? lo : hi) = mid;
  }
  const double t = 0.5 * (lo + hi);
  double h = 0;
  for (double pi : p) h += pi * (1 - std::exp(-pi * t));
  return h;
}

std::vector<double> zipf(int n, double s) {
  std::vector<double> p(static_cast<std::size_t>(n));
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += p[i] = 1.0 / std::pow(i + 1.0, s);
  for (double& x : p) x /= sum;
  return p;
}

}  // namespace archsim::queueing

namespace archsim::queueing {

namespace {

/// Solves f(t) = target for an increasing f by bisection, t in (0, inf):
/// hi doubled until it brackets, then halved on a log scale.
template <class F>
double solve_increasing(F f, double target) {
  double lo = 0, hi = 1;
  while (f(hi) < target) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return kInf;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-7 * hi; ++i) {
    const double mid = lo > 0 ? std::sqrt(lo * hi) : hi / 2;
    (f(mid) < target ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double che_fifo_hit_ratio(const std::vector<double>& p, double capacity) {
  if (capacity >= static_cast<double>(p.size())) return 1.0;
  if (capacity <= 0) return 0.0;
  const double t = solve_increasing(
      [&](double t) {
        double s = 0;
        for (double pi : p) s += pi * t / (1 + pi * t);
        return s;
      },
      capacity);
  double h = 0;
  for (double pi : p) h += pi * pi * t / (1 + pi * t);
  return h;
}

double ttl_hit_ratio(double rate, double ttl) { return rate * ttl / (1 + rate * ttl); }

double stampede_fetches(double rate, double fetch) { return 1 + rate * fetch; }

double ttl_stale_ratio(double rate, double updates, double ttl) {
  if (updates <= 0) return 0;
  const double stale_hits = rate * (ttl + std::expm1(-updates * ttl) / updates);
  return stale_hits / (1 + rate * ttl);
}

double purge_hit_ratio(double rate, double updates, double ttl) {
  const double life = ttl > 0 ? -std::expm1(-updates * ttl) / updates : 1 / updates;
  return rate * life / (1 + rate * life);
}

std::vector<KeyClass> product_classes(const std::vector<KeyClass>& a, const std::vector<KeyClass>& b) {
  std::vector<KeyClass> out;
  out.reserve(a.size() * b.size());
  for (const KeyClass& x : a)
    for (const KeyClass& y : b) out.push_back(KeyClass{x.p * y.p, x.count * y.count});
  return out;
}

std::vector<KeyClass> zipf_classes(std::uint64_t n, double s) {
  std::vector<KeyClass> out;
  if (n == 0) return out;
  if (s == 0) return {KeyClass{1.0 / static_cast<double>(n), static_cast<double>(n)}};
  // Keys one by one while the next key's weight differs by over 0.2%, then
  // runs of keys over which the weight k^-s falls by at most 1%.
  double sum = 0;
  std::uint64_t k = 1;
  while (k <= n) {
    const auto kd = static_cast<double>(k);
    std::uint64_t run = 1;
    const double next_ratio = std::pow(kd / (kd + 1), s);
    if (next_ratio > 0.99) {
      // k^-s / m^-s <= 1.01: m <= k 1.01^(1/s)
      const double m = kd * std::pow(1.01, 1 / s);
      run = std::max<std::uint64_t>(
          1, std::min<std::uint64_t>(n - k + 1, static_cast<std::uint64_t>(m - kd) + 1));
    }
    // Weight of the run: the sum of k^-s over it, by the midpoint integral.
    const double w = run == 1
                         ? std::pow(kd, -s)
                         : (s == 1 ? std::log((kd + run - 0.5) / (kd - 0.5))
                                   : (std::pow(kd - 0.5, 1 - s) - std::pow(kd + run - 0.5, 1 - s)) / (s - 1));
    out.push_back({w / static_cast<double>(run), static_cast<double>(run)});
    sum += w;
    k += run;
  }
  for (KeyClass& c : out) c.p /= sum;
  return out;
}

namespace {

/// One key's renewal cycle (see keyed_hit_ratio): reads, misses, coalesced
/// reads and hits per cycle, and the share of time its value is held.
struct KeyCycle {
  double hit = 0, miss = 0, coalesced = 0, present = 0;
};

KeyCycle key_cycle(double r, double w, double nu, double fill, double ttl, double tc, CachePolicy policy,
                   bool coalesce) {
  const double a = r + w;
  KeyCycle k;
  if (a <= 0) return k;
  double d;  // mean present time, s
  if (policy == CachePolicy::Fifo) {
    const double t = std::min(ttl, tc);  // evicted a fixed time after its store
    d = std::isinf(t) ? (nu > 0 ? 1 / nu : kInf) : (nu > 0 ? -std::expm1(-nu * t) / nu : t);
  } else {
    // LRU: evicted after a gap of T_C between accesses; RANDOM after an
    // exponential time of mean T_C; LFU (tc 0 or inf) held or never.
    double out_rate = nu;
    if (policy == CachePolicy::Lru && !std::isinf(tc)) out_rate += a / std::expm1(std::min(a * tc, 700.0));
    if (policy == CachePolicy::Random && !std::isinf(tc)) out_rate += 1 / tc;
    if (tc <= 0) out_rate = kInf;
    if (std::isinf(out_rate)) d = 0;
    else if (std::isinf(ttl)) d = out_rate > 0 ? 1 / out_rate : kInf;
    else d = out_rate > 0 ? -std::expm1(-out_rate * ttl) / out_rate : ttl;
  }
  if (std::isinf(d)) return {1, 0, 0, 1};
  // Per cycle: 1/a absent, then a read (share r/a) misses and fills for F,
  // its reads waiting (coalesce) or missing too; or a put stores at once.
  const double reads = r / a + (r / a) * r * fill + r * d;
  const double length = 1 / a + (r / a) * fill + d;
  k.hit = r * d / reads;
  k.coalesced = coalesce ? (r / a) * r * fill / reads : 0;
  k.miss = 1 - k.hit - k.coalesced;
  k.present = d / length;
  return k;
}

}  // namespace

CacheHit keyed_hit_ratio(const std::vector<KeyClass>& keys, double capacity, CachePolicy policy, double ttl,
                         const CacheLoad& load, bool coalesce, std::vector<double>* fetch) {
  if (fetch) fetch->assign(keys.size(), 1.0);
  CacheHit out;
  if (keys.empty() || load.reads <= 0) return out;
  const auto sum = [&](double tc, auto fn) {
    double s = 0;
    for (const KeyClass& c : keys) {
      const KeyCycle k = key_cycle(load.reads * c.p, load.puts * c.p, load.invalidations * c.p, load.fill,
                                   ttl, tc, policy, coalesce);
      s += c.count * fn(c, k);
    }
    return s;
  };
  const auto occupancy = [&](double tc) {
    return sum(tc, [](const KeyClass&, const KeyCycle& k) { return k.present; });
  };
  double tc = kInf;
  if (policy == CachePolicy::Lfu) {
    // The most popular keys stay; the rest are never held long enough to hit.
    double room = capacity;
    for (const KeyClass& c : keys) {
      const double held = std::clamp(room, 0.0, c.count);
      room -= held;
      const KeyCycle k = key_cycle(load.reads * c.p, load.puts * c.p, load.invalidations * c.p, load.fill,
                                   ttl, kInf, policy, coalesce);
      const double share = c.count * c.p;
      out.hit += share * (held / c.count) * k.hit;
      out.coalesced += share * (held / c.count) * k.coalesced;
      out.occupancy += held * k.present;
      if (fetch)
        (*fetch)[static_cast<std::size_t>(&c - keys.data())] = 1 - (held / c.count) * (k.hit + k.coalesced);
    }
    out.miss = 1 - out.hit - out.coalesced;
    out.characteristic_time = kInf;
    return out;
  }
  if (occupancy(kInf) > capacity) tc = solve_increasing(occupancy, capacity);
  out.characteristic_time = tc;
  out.hit = sum(tc, [](const KeyClass& c, const KeyCycle& k) { return c.p * k.hit; });
  out.coalesced = sum(tc, [](const KeyClass& c, const KeyCycle& k) { return c.p * k.coalesced; });
  out.miss = 1 - out.hit - out.coalesced;
  out.occupancy = occupancy(tc);
  if (fetch)
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const KeyClass& c = keys[i];
      (*fetch)[i] = key_cycle(load.reads * c.p, load.puts * c.p, load.invalidations * c.p, load.fill, ttl, tc,
                              policy, coalesce)
                        .miss;
    }
  return out;
}

PatienceResult mmc_patience(int c, double lambda, double mu, double patience) {
  PatienceResult r;
  if (c <= 0 || mu <= 0) return r;
  if (lambda <= 0) return r;
  const double a = lambda / mu;
  const double theta = c * mu - lambda;  // drift of the offered wait
  const double d = patience;
  // Everything in units of p_(c-1), and as logarithms so that an overloaded
  // pool (theta < 0, e^(-theta D) huge) stays finite.
  double atoms = 0, term = 1;  // sum of p_j / p_(c-1), j = c-1 down to 0
  for (int j = c - 1; j >= 0; --j) {
    atoms += term;
    term *= j / a;
  }
  const double x = theta * d;
  // log of integral_0^D f, integral_D^inf f, integral_0^D x f, over lambda p_(c-1)
  double log_i1, log_m1;
  if (std::abs(x) < 1e-9) {
    log_i1 = std::log(d);
    log_m1 = std::log(d * d / 2);
  } else if (theta > 0) {
    log_i1 = std::log(-std::expm1(-x) / theta);
    log_m1 = std::log((-std::expm1(-x) - x * std::exp(-x)) / (theta * theta));
  } else {
    // (e^|x| - 1) / |theta| and (e^|x| (|x| - 1) + 1) / theta^2
    const double ax = -x;
    log_i1 = ax + std::log(-std::expm1(-ax)) - std::log(-theta);
    log_m1 = ax + std::log(ax - 1 + std::exp(-ax)) - 2 * std::log(-theta);
  }
  const double log_i2 = -x - std::log(c * mu);
  const double log_l = std::log(lambda);
  // Normalise by the largest logarithm.
  const double li1 = log_l + log_i1, li2 = log_l + log_i2, lm1 = log_l + log_m1, la = std::log(atoms);
  const double top = std::max({li1, li2, la});
  const double z = std::exp(la - top) + std::exp(li1 - top) + std::exp(li2 - top);
  r.abandon = std::exp(li2 - top) / z;
  r.wait_probability = (std::exp(li1 - top) + std::exp(li2 - top)) / z;
  r.mean_wait = (std::exp(lm1 - top) + d * std::exp(li2 - top)) / z;
  r.utilization = std::min(1.0, a * (1 - r.abandon) / c);
  return r;
}

double mmc_wait_tail(int c, double lambda, double mu, double t) {
  if (lambda >= c * mu) return 1.0;
  return erlang_c(c, lambda / mu) * std::exp(-(c * mu - lambda) * t);
}

double exp_order_statistic_mean(int n, int k, double mean) {
  double s = 0;
  for (int i = 0; i < k && i < n; ++i) s += 1.0 / (n - i);
  return mean * s;
}

namespace {
double log_choose(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}
}  // namespace

double quorum_miss_probability(int n, int have, int r) {
  if (r + have > n) return 0.0;
  return std::exp(log_choose(n - have, r) - log_choose(n, r));
}

double lww_lost_write_probability(double lambda, double duration) { return -std::expm1(-lambda * duration); }

}  // namespace archsim::queueing
