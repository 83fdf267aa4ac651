// A bare event loop: a binary heap of (time, kind, station, arrival time)
// and a FIFO per station. Its own RNG (splitmix64 + inversion), so that
// nothing of archsim is in the comparison.
#include "bare_loop.hpp"

#include <cmath>
#include <deque>
#include <queue>
#include <vector>

namespace bench {
namespace {

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Exponential with the given mean, s.
  double exp(double mean) { return -mean * std::log1p(-static_cast<double>(next() >> 11) * 0x1.0p-53); }
};

struct Event {
  double t;  ///< when, s
  int kind;  ///< 0: arrival at `station`, 1: departure from `station`
  int station;
  double born;  ///< arrival time at the first station, s
  bool operator>(const Event& o) const { return t > o.t; }
};

struct Station {
  int servers;
  double mean_s;
  int busy = 0;
  std::deque<double> waiting;  ///< birth times of the queued requests
};

BareResult run(std::uint64_t requests, double rate, std::vector<Station> st, std::uint64_t seed) {
  Rng rng{seed};
  std::priority_queue<Event, std::vector<Event>, std::greater<>> heap;
  BareResult out;
  double sum = 0;
  std::uint64_t arrived = 1;
  heap.push({rng.exp(1 / rate), 0, 0, 0});
  auto start = [&](int k, double now, double born) {
    ++st[k].busy;
    heap.push({now + rng.exp(st[k].mean_s), 1, k, born});
  };
  while (!heap.empty()) {
    Event e = heap.top();
    heap.pop();
    ++out.events;
    Station& s = st[e.station];
    if (e.kind == 0) {
      if (e.station == 0) {
        e.born = e.t;
        if (arrived < requests) {
          ++arrived;
          heap.push({e.t + rng.exp(1 / rate), 0, 0, 0});
        }
      }
      if (s.busy < s.servers) start(e.station, e.t, e.born);
      else s.waiting.push_back(e.born);
      continue;
    }
    --s.busy;
    if (!s.waiting.empty()) {
      const double b = s.waiting.front();
      s.waiting.pop_front();
      start(e.station, e.t, b);
    }
    if (e.station + 1 < static_cast<int>(st.size())) {
      heap.push({e.t, 0, e.station + 1, e.born});
    } else {
      ++out.completed;
      sum += e.t - e.born;
    }
  }
  out.mean_sojourn_s = out.completed ? sum / static_cast<double>(out.completed) : 0;
  return out;
}

}  // namespace

BareResult bare_mmc(std::uint64_t requests, double rate, int c, double mean_service_s, std::uint64_t seed) {
  return run(requests, rate, {Station{c, mean_service_s, 0, {}}}, seed);
}

BareResult bare_tandem(std::uint64_t requests, double rate, int c1, double s1, int c2, double s2,
                       std::uint64_t seed) {
  return run(requests, rate, {Station{c1, s1, 0, {}}, Station{c2, s2, 0, {}}}, seed);
}

}  // namespace bench
