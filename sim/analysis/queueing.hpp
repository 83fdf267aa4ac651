// Exact results of queueing theory, written once: the napkin math
// (`archsim check`) and the test suite's validation cases both use them.
// Times in seconds, rates per second. Each function names its formula.
#pragma once

#include <cstdint>
#include <vector>

namespace archsim::queueing {

/// Erlang B: the probability that an arrival finds all c servers busy in an
/// M/M/c/c loss system with offered load a = lambda / mu (Erlangs).
/// Recurrence B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
double erlang_b(int c, double a);

/// Erlang C: the probability that an arrival waits in M/M/c with offered
/// load a = lambda / mu < c. C = c B / (c - a (1 - B)). Returns 1 when a >= c.
double erlang_c(int c, double a);

/// M/M/c mean wait in queue Wq = C(c, a) / (c mu - lambda); infinite when lambda >= c mu.
double mmc_wait(int c, double lambda, double mu);

/// M/M/c mean response time W = Wq + 1/mu.
double mmc_response(int c, double lambda, double mu);

/// M/M/1 mean response time 1 / (mu - lambda).
double mm1_response(double lambda, double mu);

/// M/M/1 (FIFO) response-time quantile: the response time is exponential
/// with rate mu - lambda, so t_q = -ln(1 - q) / (mu - lambda).
double mm1_response_quantile(double lambda, double mu, double q);

/// E_k/M/1 (Erlang-k gaps of mean 1/lambda, exponential service of rate mu)
/// mean response time W = 1 / (mu (1 - sigma)), where sigma in (0, 1) solves
/// sigma = A*(mu (1 - sigma)), A*(s) = (k lambda / (k lambda + s))^k the
/// Laplace transform of the gaps. Infinite when lambda >= mu.
double ekm1_response(int k, double lambda, double mu);

/// M/G/1 mean wait in queue by Pollaczek-Khinchine:
/// Wq = lambda E[S^2] / (2 (1 - rho)) = rho (1 + scv) / (2 (1 - rho)) E[S],
/// where scv is the squared coefficient of variation of the service time.
double mg1_wait(double lambda, double mean_service, double scv);

/// G/G/c mean wait in queue: Allen-Cunneen, Wq(M/M/c) (ca2 + cs2) / 2,
/// with Cosmetatos's correction for service less variable than the
/// exponential: M/D/c waits Wq(M/M/c) / 2 times
/// 1 + (1 - rho)(c - 1)(sqrt(4 + 5c) - 2) / (16 rho c), and M/G/c is
/// interpolated between M/M/c and M/D/c by cs2. Allen-Cunneen alone is 10%
/// low there (M/G/4, lognormal of scv 0.17, rho 0.45: 6.05 ms where the
/// queue waits 6.76); equal to it for c = 1 (P-K) and cs2 >= 1.
double ggc_wait(int c, double lambda, double mu, double ca2, double cs2);

/// A token bucket of `burst` tokens (>= 1) refilled at `rate` per s, offered
/// Poisson requests at `lambda` per s: the admitted rate. The missing tokens
/// in time units, V = (burst - tokens) / rate, are the workload of an M/D/1
/// queue (service 1/rate) that admits an arrival only when V <= tau =
/// (burst - 1) / rate: M/D/1+D, deterministic patience. Its workload
/// distribution below tau is the unbounded queue's, F(x) = P(V <= x) / P(V =
/// 0) with F' = lambda (F(x) - F(x - 1/rate)) (Erlang's M/D/1 formula, solved
/// step by step for stability); the server is busy rho (1 - loss) of the
/// time, so the admitted rate is lambda F(tau) / (1 + rho F(tau)). Burst 1:
/// 1 / (1/rate + 1/lambda). Deeper than 4096 tokens counts as 4096 (the
/// refused share there is at most 1 / 8192 of the offered).
double token_bucket_admitted(double lambda, double rate, double burst);

/// Requests/s a sliding-window limit of `rate` per second over windows of
/// `window` s admits from Poisson arrivals at lambda (the two-window
/// estimate: admitted while prev (1 - x) + cur < rate window, x the share
/// of the window gone; see sim/model/rate_limiter.hpp). Exact up to a time
/// grid: a Markov chain over the previous window's admitted count P, whose
/// kernel P -> count of this window is a pure birth process (Poisson
/// arrivals in slots of 1/40 arrival, the room fixed within one), solved
/// for its stationary law. Below
/// the limit it refuses what bunches (15/s against 20/s: 2.7%), not
/// nothing. Above 64 per window or 4 times the limit offered it returns
/// min(lambda, rate): a bound, close there (the count's spread is small
/// beside the limit, or the window saturates).
double sliding_window_admitted(double lambda, double rate, double window);
/// Whether sliding_window_admitted solves the chain there (else it bounds).
bool sliding_window_solved(double lambda, double rate, double window);

/// M/M/c/K (K = servers + waiting room): the blocking probability p_K and the
/// mean response time of admitted customers (Little: W = L / (lambda (1 - p_K))).
struct LossResult {
  double blocking = 0;     ///< share of arrivals turned away
  double response = 0;     ///< mean time in system of those admitted, s
  double utilization = 0;  ///< busy servers / c
};
LossResult mmck(int c, int k, double lambda, double mu);

/// Exact mean value analysis of a closed network of N customers with a
/// think time Z (a delay station) and single-server FIFO stations of service
/// demands D_i (visit count x service time): throughput and response time.
struct MvaResult {
  double throughput = 0;  ///< requests per second
  double response = 0;    ///< seconds, excluding think time
};
MvaResult mva(int customers, double think, const std::vector<double>& demands);

/// Che's approximation of an LRU cache of C items under the independent
/// reference model with item probabilities p (sum 1): the characteristic
/// time T solves sum_i (1 - exp(-p_i T)) = C; hit ratio sum_i p_i (1 - exp(-p_i T)).
double che_lru_hit_ratio(const std::vector<double>& p, double capacity);

/// FIFO under the independent reference model (Gelenbe 1973; Martina,
/// Garetto, Leonardi 2014): T solves sum_i p_i T / (1 + p_i T) = C; hit ratio
/// sum_i p_i (p_i T / (1 + p_i T)). RANDOM eviction has the same hit ratio.
double che_fifo_hit_ratio(const std::vector<double>& p, double capacity);
/// RANDOM eviction: equal to FIFO under independent requests (Gelenbe 1973).
inline double che_random_hit_ratio(const std::vector<double>& p, double capacity) {
  return che_fifo_hit_ratio(p, capacity);
}

/// Item probabilities of a Zipf(s) popularity over n items: p_i ~ 1 / i^s.
std::vector<double> zipf(int n, double s);

/// A TTL cache by the renewal argument: an entry stored at a miss lives
/// `ttl` seconds (hits do not extend it); with Poisson requests at rate r a
/// cycle is one miss and r ttl hits, so the hit ratio is r ttl / (1 + r ttl).
double ttl_hit_ratio(double rate, double ttl);

/// A stampede: a key read by Poisson requests at `rate` per s whose fetch
/// takes `fetch` s, without coalescing. The first read after the entry is
/// gone misses, and so does every read in the fetch's window (the entry is
/// not there until the fetch returns): 1 + rate fetch origin fetches per
/// expiry (coalesced: exactly 1).
double stampede_fetches(double rate, double fetch);

/// TTL with source updates: a key read at Poisson `rate` per s, its source
/// updated at Poisson `updates` per s, an entry living `ttl` s after the
/// miss that stored it (hits do not extend it; fetches take no time). In a
/// renewal cycle of one miss and rate ttl hits, a hit at age t is stale
/// with probability 1 - e^(-u t): stale hits per cycle
/// rate (ttl - (1 - e^(-u ttl)) / u), over 1 + rate ttl reads.
double ttl_stale_ratio(double rate, double updates, double ttl);

/// Purge on update (no delay): the entry lives min(ttl, Exp(u)), of mean
/// m = (1 - e^(-u ttl)) / u (1 / u without TTL): the hit ratio is
/// rate m / (1 + rate m), and no read is stale. `ttl` 0 = none.
double purge_hit_ratio(double rate, double updates, double ttl);

/// Keys grouped by popularity: `count` keys of probability `p` each. Zipf
/// over millions of keys is summed over a few thousand groups this way.
struct KeyClass {
  double p = 0;
  double count = 1;
};
/// Zipf(s) over n keys (s = 0: uniform): the first keys one by one, then
/// groups of keys whose probabilities differ by under 1%.
std::vector<KeyClass> zipf_classes(std::uint64_t n, double s);
/// Keys that are pairs (an item, a reader) drawn independently: a cache of
/// personalised copies. Each pair of classes is one class, of probability
/// p_a p_b and count n_a n_b (a uniform reader space keeps the item classes'
/// number).
std::vector<KeyClass> product_classes(const std::vector<KeyClass>& a, const std::vector<KeyClass>& b);

/// What a keyed cache does to each key, per second, as fractions of all
/// requests (each key in proportion to its popularity).
struct CacheLoad {
  double reads = 0;          ///< requests/s that look up a key
  double puts = 0;           ///< writes/s that store a key (and restart its TTL)
  double invalidations = 0;  ///< removals/s
  double fill = 0;           ///< s from a miss to the store of its value
};
enum class CachePolicy { Lru, Fifo, Random, Lfu };
/// The hit ratio of a keyed cache: per key, a renewal cycle of an absent
/// phase (ended by a read, a miss, or a put) and a present phase of mean D
/// (the minimum of the TTL, an invalidation and the eviction), with fill
/// requests neither hits nor misses. With r reads/s, w puts/s (a = r + w) and a
/// fill of F s, a cycle holds r/a misses, (r/a) r F fill reads and r D hits.
/// This generalises Che: for LRU the eviction comes after a gap of T_C
/// between accesses, mean (e^(a T_C) - 1) / a with a the access rate; for
/// FIFO/RANDOM T_C after the store; LFU keeps the `capacity` most popular
/// keys. T_C solves sum_i occupancy_i = capacity. Without TTL, writes and
/// fill time this is exactly che_lru_hit_ratio / che_fifo_hit_ratio.
struct CacheHit {
  double hit = 0;                  ///< hits / reads (fills in progress count as reads)
  double miss = 0;                 ///< reads that fetch / reads
  double coalesced = 0;            ///< reads that wait for another's fill / reads
  double occupancy = 0;            ///< mean keys held
  double characteristic_time = 0;  ///< T_C, s (infinite when the capacity never binds)
};
/// `fetch`, when given, receives per key class the share of its reads that
/// miss and fetch (a second tier's requests are the first's fetches).
CacheHit keyed_hit_ratio(const std::vector<KeyClass>& keys, double capacity, CachePolicy policy, double ttl,
                         const CacheLoad& load, bool coalesce, std::vector<double>* fetch = nullptr);

/// M/M/c with deterministic patience (M/M/c+D; Baccelli and Hebuterne
/// 1981): a connection pool of c connections held an exponential time of
/// mean 1/mu, requests at rate lambda that give up after `patience` s.
/// The offered wait V has atoms p_0..p_(c-1) at 0 (p_j ~ a^j / j!) and
/// density f(x) = lambda p_(c-1) e^(-(c mu - lambda) x) below the patience,
/// f(D) e^(-c mu (x - D)) above it; a request abandons when V >= D.
struct PatienceResult {
  double wait_probability = 0;  ///< P(V > 0): finds every connection taken
  double abandon = 0;           ///< P(V >= D): gives up (pool_exhausted)
  double mean_wait = 0;         ///< E[min(V, D)], s: the waits of all, those who gave up included
  double utilization = 0;       ///< busy connections / c
};
PatienceResult mmc_patience(int c, double lambda, double mu, double patience);

/// P(W > t) in M/M/c (FIFO): C(c, a) e^(-(c mu - lambda) t); 1 when unstable.
double mmc_wait_tail(int c, double lambda, double mu, double t);

// Leaderless replicated stores (quorums over n replicas).

/// E[X_(k:n)], the k-th smallest of n independent exponentials of mean m:
/// m * sum_{i=0}^{k-1} 1 / (n - i) (Renyi's representation). The mean time
/// of a request that waits for k of n replicas with exponential times.
double exp_order_statistic_mean(int n, int k, double mean);
/// P(a read of r replicas, a uniformly random r-subset of n, holds none of
/// the `have` replicas that have the newest write): C(n - have, r) / C(n, r)
/// (hypergeometric). 0 when r + have > n: quorums that overlap.
double quorum_miss_probability(int n, int have, int r);
/// Last-writer-wins over Poisson writes of one key at rate lambda/s that
/// each take `duration` s to be acknowledged: the share that is overwritten
/// by a later write that began before the acknowledgement, 1 - e^(-lambda d).
double lww_lost_write_probability(double lambda, double duration);

}  // namespace archsim::queueing
