#include "model/load_balancer.hpp"
#include "archsim/figures.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "archsim/simulation.hpp"
#include "model/builder.hpp"

namespace archsim {

LoadBalancer::LoadBalancer(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed)
    : Component(k, spec.name, index, seed), spec(spec), policy_(spec.load_balancer()->policy) {
  if (spec.load_balancer()->rate_limit)
    limiter_ = std::make_unique<RateLimiter>(*spec.load_balancer()->rate_limit);
}

void LoadBalancer::link(Builder& b) {
  const LoadBalancerSpec& lb = *spec.load_balancer();
  std::vector<std::pair<std::string, double>> list = lb.targets;
  std::vector<Mark> marks = lb.target_marks;
  if (list.empty()) {
    list.emplace_back(lb.to, 1.0);
    marks.assign(1, lb.to_mark);
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    CallSpec c;
    c.target = list[i].first;
    c.mark = c.op_mark = i < marks.size() ? marks[i] : lb.to_mark;
    c.latency = i < lb.target_latency.size() && lb.target_latency[i] ? lb.target_latency[i] : lb.latency;
    Target t;
    t.site = &b.call_site(index_, c);
    t.weight = list[i].second;
    total_weight_ += t.weight;
    targets_.push_back(std::move(t));
  }
}

void LoadBalancer::begin() {
  if (const auto& hc = spec.load_balancer()->health_check)
    kernel_.schedule(hc->interval, this, EventCode::Custom, nullptr, 0);
}

void LoadBalancer::refresh(Target& t) {
  Component& c = *t.site->target;
  const auto n = static_cast<std::size_t>(c.replicas());
  if (t.open.size() < n) {
    t.open.resize(n, 0);
    t.ejected.resize(n, 0);
    t.fails.resize(n, 0);
    t.passes.resize(n, 0);
  }
  t.candidates.clear();
  // Registered replicas are candidates (a crashed one too, until a health
  // check ejects it); provisioning, drained and removed ones are not.
  for (std::size_t r = 0; r < n; ++r)
    if (c.replica_state(static_cast<int>(r)) != ReplicaState::Unregistered && !t.ejected[r])
      t.candidates.push_back(static_cast<int>(r));
  t.seen_version = c.version;
}

int LoadBalancer::pick(Target& t) {
  if (t.seen_version != t.site->target->version) refresh(t);
  const auto& cand = t.candidates;
  const auto n = static_cast<std::uint32_t>(cand.size());
  if (n == 0) return -1;
  switch (policy_) {
    case LbPolicy::RoundRobin: {
      if (t.next >= n) t.next = 0;
      return cand[t.next++];
    }
    case LbPolicy::Random: return cand[rng_.below(n)];
    case LbPolicy::LeastConnections: {
      // Ties go round robin, so equal replicas share the load evenly.
      if (t.next >= n) t.next = 0;
      std::uint32_t best = t.next;
      for (std::uint32_t i = 1; i < n; ++i) {
        const std::uint32_t k = (t.next + i) % n;
        if (t.open[static_cast<std::size_t>(cand[k])] < t.open[static_cast<std::size_t>(cand[best])])
          best = k;
      }
      ++t.next;
      return cand[best];
    }
    case LbPolicy::PowerOfTwo: {
      if (n == 1) return cand[0];
      const auto a = static_cast<std::uint32_t>(rng_.below(n));
      auto b = static_cast<std::uint32_t>(rng_.below(n - 1));
      if (b >= a) ++b;
      return t.open[static_cast<std::size_t>(cand[b])] < t.open[static_cast<std::size_t>(cand[a])] ? cand[b]
                                                                                                   : cand[a];
    }
  }
  return cand[0];
}

void LoadBalancer::arrive(Job* j) {
  if (limiter_ && !limiter_->allow(kernel_.now())) {
    record_error(ErrorKind::RateLimited);
    record_end(j, ErrorKind::RateLimited);
    kernel_.finish(j, ErrorKind::RateLimited);
    return;
  }
  std::size_t ti = 0;
  if (targets_.size() > 1) {
    double u = rng_.uniform() * total_weight_;
    while (ti + 1 < targets_.size() && u >= targets_[ti].weight) u -= targets_[ti++].weight;
  }
  Target& t = targets_[ti];
  const int r = pick(t);
  if (r < 0) {
    // No healthy replica at all: 503.
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
    return;
  }
  j->aux = r;
  j->pc = static_cast<std::uint32_t>(ti);  // a balancer runs no program: pc holds the target
  ++t.open[static_cast<std::size_t>(r)];
  kernel_.call(j, *t.site, r);
}

void LoadBalancer::on_reply(Job* j, ErrorKind err) {
  --targets_[j->pc].open[static_cast<std::size_t>(j->aux)];
  record_end(j, err);
  kernel_.finish(j, err);
}

void LoadBalancer::set_health_check(bool on) {
  if (on == !health_off_) return;
  health_off_ = !on;
  unanswered_.clear();  // a round in flight is forgotten
  for (Target& t : targets_) {
    std::fill(t.ejected.begin(), t.ejected.end(), 0);
    std::fill(t.fails.begin(), t.fails.end(), 0);
    std::fill(t.passes.begin(), t.passes.end(), 0);
    refresh(t);
  }
}

void LoadBalancer::health_check() {
  if (health_off_) return;  // the rhythm goes on: probes resume at an interval's tick
  const HealthCheckSpec& hc = *spec.load_balancer()->health_check;
  bool sent_unanswered = false;
  for (std::size_t ti = 0; ti < targets_.size(); ++ti) {
    Target& t = targets_[ti];
    Component& c = *t.site->target;
    if (t.seen_version != c.version) refresh(t);
    bool changed = false;
    for (std::size_t r = 0; r < t.open.size(); ++r) {
      const ReplicaState s = c.replica_state(static_cast<int>(r));
      if (s == ReplicaState::Unregistered) continue;
      // A replica whose platform host is down does not answer either.
      const bool host_up =
          !kernel_.backend || kernel_.backend->replica_host_up(c.index(), static_cast<int>(r));
      if (s != ReplicaState::Serving || !host_up) {
        // No answer: the probe fails when its timeout runs out, not now.
        unanswered_.emplace_back(static_cast<std::uint32_t>(ti), static_cast<std::uint32_t>(r));
        sent_unanswered = true;
        continue;
      }
      t.fails[r] = 0;
      ++t.passes[r];
      if (t.ejected[r] && t.passes[r] >= hc.successes) {
        t.ejected[r] = 0;
        changed = true;
        kernel_.note("health", name_, "return", fmt::format("{} replica {} passes again", c.name(), r));
      }
    }
    if (changed) refresh(t);
  }
  // One event per round of probes: all of its unanswered ones end together.
  if (sent_unanswered) kernel_.schedule(kernel_.now() + hc.timeout, this, EventCode::Custom, nullptr, 1);
}

void LoadBalancer::probe_failed(std::size_t ti, std::size_t r) {
  const HealthCheckSpec& hc = *spec.load_balancer()->health_check;
  Target& t = targets_[ti];
  Component& c = *t.site->target;
  if (t.seen_version != c.version) refresh(t);
  if (r >= t.fails.size()) return;
  t.passes[r] = 0;
  if (++t.fails[r] < hc.failures || t.ejected[r]) return;
  t.ejected[r] = 1;
  ++ejections_;
  kernel_.note("health", name_, "eject",
               fmt::format("{} replica {} failed {} checks", c.name(), r, hc.failures));
  refresh(t);
}

void LoadBalancer::handle(const Event& e) {
  if (e.code != EventCode::Custom || e.job) return;
  const HealthCheckSpec& hc = *spec.load_balancer()->health_check;
  if (e.aux == 1) {
    // The verdicts of the last round's unanswered probes, sent `timeout` ago:
    // the timeout is shorter than the interval, so no other round is pending.
    while (!unanswered_.empty()) {
      const auto [ti, r] = unanswered_.front();
      unanswered_.pop_front();
      probe_failed(ti, r);
    }
    return;
  }
  health_check();
  kernel_.schedule(kernel_.now() + hc.interval, this, EventCode::Custom, nullptr, 0);
}

bool LoadBalancer::apply(const FaultSpec& f, bool end) {
  switch (f.kind) {
    case FaultSpec::Kind::RateLimit:
      if (end)
        limiter_ = spec.load_balancer()->rate_limit
                       ? std::make_unique<RateLimiter>(*spec.load_balancer()->rate_limit)
                       : nullptr;  // back to the configured one
      else if (f.rate_limit) limiter_ = std::make_unique<RateLimiter>(*f.rate_limit);
      return true;
    case FaultSpec::Kind::Shift: {
      if (end) return true;
      total_weight_ = 0;
      for (Target& t : targets_) {
        for (const auto& [name, w] : f.weights)
          if (name == t.site->target->name()) t.weight = w;
        total_weight_ += t.weight;
      }
      return true;
    }
    case FaultSpec::Kind::Disable:
    case FaultSpec::Kind::Enable:
      if (!end && f.feature == FaultSpec::Feature::HealthCheck) set_health_check(f.enabled);
      return true;
    default: return false;
  }
}

void LoadBalancer::report(ComponentResult& r, double) const {
  if (spec.load_balancer()->health_check)
    r.figures.push_back({fig::kEjections, static_cast<double>(ejections_)});
}

}  // namespace archsim
