#include "model/replica_set.hpp"

namespace archsim {

ReplicaSet::ReplicaSet(int count, double initial_limit, std::size_t bulkheads)
    : initial_limit_(initial_limit), bulkheads_(bulkheads) {
  for (int i = 0; i < count; ++i) reps_.push_back(fresh(Replica::State::Up));
}

Replica ReplicaSet::fresh(Replica::State s) const {
  Replica r;
  r.state = s;
  r.limit = initial_limit_;
  r.permits_used.assign(bulkheads_, 0);
  return r;
}

int ReplicaSet::count(Replica::State s) const {
  int n = 0;
  for (const Replica& r : reps_) n += r.state == s;
  return n;
}

std::vector<int> ReplicaSet::grow(int n, Replica::State s) {
  std::vector<int> added;
  for (std::size_t i = 0; i < reps_.size() && n > 0; ++i)
    if (reps_[i].state == Replica::State::Removed) {
      reps_[i] = fresh(s);
      added.push_back(static_cast<int>(i));
      --n;
    }
  for (; n > 0; --n) {
    reps_.push_back(fresh(s));
    added.push_back(static_cast<int>(reps_.size() - 1));
  }
  return added;
}

void ReplicaSet::shrink(int n, bool provisioning_too) {
  using S = Replica::State;
  for (std::size_t i = reps_.size(); i-- > 0 && n > 0;) {
    Replica& r = reps_[i];
    if (r.state != S::Up && !(provisioning_too && r.state == S::Provisioning)) continue;
    r.state = r.state == S::Up && r.occupied() ? S::Draining : S::Removed;
    --n;
  }
}

}  // namespace archsim
