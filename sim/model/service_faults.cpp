// A service's faults, operator actions and autoscaling: what changes its
// replicas (kill, restart, leak, deploy, scale) or its policies (rate_limit,
// breaker) while it runs.
#include <fmt/format.h>

#include "archsim/load.hpp"
#include "model/service.hpp"

namespace archsim {

void Service::on_timer(Timer t, int r) {
  switch (t) {
    case kRevive:
      if (--reps_[r].restart_pending <= 0) set_up(r, true);
      break;
    case kProvisioned:
      if (reps_[r].state == State::Provisioning) {
        reps_[r].state = State::Up;
        ++version;
        serving_changed();
        kernel_.note("autoscale", name_, "ready",
                     fmt::format("replica {} serves ({} serving)", r, serving()));
      }
      break;
    case kAutoscale:
      autoscale();
      timer(kAutoscale, 0, kernel_.now() + autoscaler_->spec().interval);
      break;
    case kLeak:
      if (!leak_) break;
      restart(leak_next_, leak_->restart_time);
      if (gc_.on()) gc_.killed(leak_next_, kernel_.now(), static_cast<int>(reps_.size()));
      kernel_.note("fault", name_, "leak",
                   fmt::format("replica {} ran out of memory and restarts", leak_next_));
      leak_next_ = (leak_next_ + 1) % static_cast<int>(reps_.size());
      timer(kLeak, 0, kernel_.now() + leak_->every);
      break;
    case kDefectFixed:
      impair_.p = 0;
      kernel_.note("fault", name_, "fixed", "the latent defect is fixed");
      break;
    case kDeployNext:
      if (!deploy_ || deploy_next_ >= static_cast<int>(reps_.size())) break;
      for (int b = 0; b < deploy_->batch && deploy_next_ < static_cast<int>(reps_.size()); ++b)
        restart(deploy_next_++, deploy_->restart_time);
      timer(kDeployNext, 0, kernel_.now() + deploy_->restart_time);
      break;
  }
}

void Service::set_up(int i, bool up) {
  Replica& r = reps_[i];
  if (up) {
    if (r.state == State::Down) {
      r.state = State::Up;
      ++version;
      serving_changed();
    }
    return;
  }
  if (r.state == State::Down || r.state == State::Removed) return;
  account(kernel_.now());
  r.state = State::Down;
  ++version;
  serving_changed();
  kill_visits(r);
}

void Service::kill_visits(Replica& r) {
  while (Job* j = r.running) {
    r.running = j->run_next;
    ++j->token;  // its pending work or calls are void
    --r.busy;
    add_busy(-1);
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
  }
  while (!r.queue.empty()) {
    Job* j = r.queue.front();
    r.queue.pop_front();
    add_queued(-1);
    record_wait(kernel_.now() -
                j->arrived);  // it left the queue: wait counts every leaver, as queue_mean does
    record_error(ErrorKind::Killed);
    record_end(j, ErrorKind::Killed);
    kernel_.finish(j, ErrorKind::Killed);
  }
  for (auto& u : r.permits_used) u = 0;
}

void Service::restart(int i, double down_for) {
  set_up(i, false);
  ++reps_[i].restart_pending;
  timer(kRevive, i, kernel_.now() + down_for);
}

void Service::autoscale() {
  const double now = kernel_.now();
  account(now);
  const int up = reps_.count(State::Up), coming = reps_.count(State::Provisioning);
  const std::optional<int> desired =
      autoscaler_->decide(now, up, coming, static_cast<int>(workers_), busy_total(), queue_total());
  if (!desired) return;
  const int current = up + coming;
  if (*desired > current) {
    for (int i : reps_.grow(*desired - current, State::Provisioning))
      timer(kProvisioned, i, now + autoscaler_->spec().provision);
  } else {
    reps_.shrink(current - *desired, /*provisioning_too=*/true);
  }
  ++version;
  serving_changed();
  kernel_.note("autoscale", name_, "scale", fmt::format("{} -> {} replicas", current, *desired));
}

bool Service::kill(const FaultSpec& f, bool end) {
  if (end) {
    for (int r : killed_[&f]) set_up(r, true);
    killed_.erase(&f);
    return true;
  }
  const int n = static_cast<int>(reps_.size());
  int want = f.replicas.value_or(n);
  std::vector<int>& list = killed_[&f];
  for (int r = 0; r < n && want > 0; ++r)
    if (reps_[r].state == State::Up || reps_[r].state == State::Draining) {
      set_up(r, false);
      list.push_back(r);
      --want;
    }
  return true;
}

bool Service::scale(const FaultSpec& f) {
  const int want = f.replicas.value_or(static_cast<int>(reps_.size()));
  const int up = serving();
  if (want > up) reps_.grow(want - up, State::Up);
  else if (want < up) reps_.shrink(up - want, /*provisioning_too=*/false);
  ++version;
  serving_changed();
  return true;
}

bool Service::resize(const FaultSpec& f) {
  size_ = resized(spec, size_, f.workers, f.instance);
  account(kernel_.now());
  workers_ = static_cast<std::uint32_t>(std::max(1, size_.workers));
  serving_changed();  // before the added workers take waiting visits
  // Added workers serve the waiting line now, on every replica that serves.
  for (int i = 0; i < static_cast<int>(reps_.size()); ++i) {
    Replica& r = reps_[i];
    if (r.state != State::Up && r.state != State::Draining) continue;
    while (r.busy < workers_) {
      Job* j = next_waiting(r);
      if (!j) break;
      start(j);
    }
  }
  ++version;
  return true;
}

void Service::set_retries(bool on) {
  if (on == !retries_off_) return;
  if (!on) design_retries_.clear();
  std::size_t i = 0;
  program_.for_each_site([&](CallSite& s) {
    if (on) {
      s.retry = design_retries_[i++];
    } else {
      design_retries_.push_back(s.retry);
      s.retry.reset();
    }
  });
  retries_off_ = !on;
}

void Service::set_breakers(bool on) {
  if (on == !breakers_off_) return;
  std::size_t i = 0;
  program_.for_each_site([&](CallSite& s) {
    if (on) s.breaker = std::move(design_breakers_[i++]);
    else design_breakers_.push_back(std::move(s.breaker));
  });
  if (on) design_breakers_.clear();
  breakers_off_ = !on;
}

void Service::set_timeouts(bool on) {
  if (on == !timeouts_off_) return;
  std::size_t i = 0;
  program_.for_each_site([&](CallSite& s) {
    if (on) {
      s.timeout = design_timeouts_[i++];
    } else {
      design_timeouts_.push_back(s.timeout);
      s.timeout = 0;
    }
  });
  if (on) design_timeouts_.clear();
  timeouts_off_ = !on;
}

void Service::toggle(const FaultSpec& f) {
  using Ft = FaultSpec::Feature;
  switch (f.feature) {
    case Ft::Retries: set_retries(f.enabled); break;
    case Ft::Breaker: set_breakers(f.enabled); break;
    case Ft::Timeout: set_timeouts(f.enabled); break;
    case Ft::ConcurrencyLimit: admission_.set_limit(f.enabled); break;
    case Ft::QueueDeadline: deadline_off_ = !f.enabled; break;
    case Ft::HealthCheck: break;  // a balancer's (the parser refuses it here)
  }
}

void Service::retune_breakers(const FaultSpec& f) {
  // Turned off: the new breakers wait in their place until `enable: breaker`.
  // A site with a breaker keeps its counts; one without gets a new breaker.
  auto retune = [&](std::unique_ptr<Breaker>& b) {
    if (b) b->retune(*f.breaker);
    else b = std::make_unique<Breaker>(*f.breaker);
  };
  if (breakers_off_) {
    for (auto& b : design_breakers_) retune(b);
    return;
  }
  program_.for_each_site([&](CallSite& s) { retune(s.breaker); });
}

void Service::show_defect() {
  const FaultSpec& f = *latent_;
  latent_ = nullptr;
  impair_.p = f.p;
  kernel_.note(
      "fault", name_, "defect",
      fmt::format(
          "its first request shows a latent defect: {:g}% of requests fail{}", f.p * 100,
          f.duration ? fmt::format(" until the fix, {} from now", format_duration(*f.duration)) : ""));
  if (f.duration) timer(kDefectFixed, 0, kernel_.now() + *f.duration);
}

bool Service::apply(const FaultSpec& f, bool end) {
  if (f.kind == FaultSpec::Kind::Errors && f.latent) {
    if (!end) latent_ = &f;  // shown by the next request (Service::arrive)
    return true;
  }
  if (impair_.apply(f, end)) return true;
  using K = FaultSpec::Kind;
  switch (f.kind) {
    case K::Kill: return kill(f, end);
    case K::Restart: {
      if (end) return true;
      int want = f.replicas.value_or(static_cast<int>(reps_.size()));
      for (int r = 0; r < static_cast<int>(reps_.size()) && want > 0; ++r)
        if (reps_[r].state == State::Up) {
          restart(r, f.restart_time);
          --want;
        }
      return true;
    }
    case K::Leak:
      leak_ = end ? nullptr : &f;
      if (!end) timer(kLeak, 0, kernel_.now() + f.every);
      if (end) gc_.stop();
      else if (f.gc_pause > 0)
        gc_.start(kernel_.now(), static_cast<int>(reps_.size()), f.every, f.restart_time, f.gc_pause,
                  f.gc_interval);
      return true;
    case K::Deploy:
      if (end) return true;
      deploy_ = &f;
      deploy_next_ = 0;
      timer(kDeployNext, 0, kernel_.now());
      return true;
    case K::Scale: return scale(f);
    case K::Resize: return end || resize(f);
    case K::Retries:
      if (!end) set_retries(f.enabled);
      return true;
    case K::Disable:
    case K::Enable:
      if (!end) toggle(f);
      return true;
    case K::RateLimit: admission_.retune(f, end); return true;
    case K::Breaker:
      if (!end && f.breaker) retune_breakers(f);
      return true;
    default: return false;
  }
}

}  // namespace archsim
