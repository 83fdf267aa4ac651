#include "model/load_balancer.hpp"

#include "model/builder.hpp"

namespace archsim {

LoadBalancer::LoadBalancer(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec), policy_(spec.load_balancer()->policy) {}

void LoadBalancer::link(Builder& b) {
  const LoadBalancerSpec& lb = *spec.load_balancer();
  CallSpec c;
  c.target = lb.to;
  c.mark = lb.to_mark;
  c.latency = lb.latency;
  site_ = &b.call_site(index_, c);
  open_.assign(static_cast<std::size_t>(site_->target->replicas()), 0);
}

int LoadBalancer::pick() {
  const auto n = static_cast<std::uint32_t>(open_.size());
  switch (policy_) {
    case LbPolicy::RoundRobin: {
      const std::uint32_t r = next_;
      if (++next_ == n) next_ = 0;
      return static_cast<int>(r);
    }
    case LbPolicy::Random:
      return static_cast<int>(rng_.below(n));
    case LbPolicy::LeastConnections: {
      // Ties go round robin, so equal replicas share the load evenly.
      std::uint32_t best = next_;
      for (std::uint32_t i = 1; i < n; ++i) {
        const std::uint32_t r = (next_ + i) % n;
        if (open_[r] < open_[best]) best = r;
      }
      if (++next_ == n) next_ = 0;
      return static_cast<int>(best);
    }
    case LbPolicy::PowerOfTwo: {
      if (n == 1) return 0;
      const auto a = static_cast<std::uint32_t>(rng_.below(n));
      auto b = static_cast<std::uint32_t>(rng_.below(n - 1));
      if (b >= a) ++b;
      return static_cast<int>(open_[b] < open_[a] ? b : a);
    }
  }
  return 0;
}

void LoadBalancer::arrive(Job* j) {
  j->arrived = kernel_.now();
  ++stats.arrivals;
  ++tick.arrivals;
  ++in_flight;
  const int r = pick();
  j->aux = r;
  ++open_[static_cast<std::size_t>(r)];
  kernel_.call(j, *site_, r);
}

void LoadBalancer::on_reply(Job* j, ErrorKind err) {
  --open_[static_cast<std::size_t>(j->aux)];
  record_end(j, err);
  kernel_.finish(j, err);
}

}  // namespace archsim
