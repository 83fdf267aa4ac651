// A load balancer: forwards each visit to one replica of its target (or of
// one of its weighted targets), chosen by its policy among the replicas it
// believes healthy. It holds no workers; it adds delay only if configured.
#pragma once

#include <deque>
#include <memory>
#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"
#include "model/rate_limiter.hpp"

namespace archsim {

class LoadBalancer : public Component {
 public:
  LoadBalancer(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;
  void link(Builder& b) override;
  void begin() override;

  void handle(const Event& e) override;
  void on_reply(Job* j, ErrorKind err) override;
  bool apply(const FaultSpec& f, bool end) override;
  void report(ComponentResult& r, double window) const override;

 protected:
  /// Component::enter has counted the visit.
  void arrive(Job* j) override;

 private:
  struct Target {
    CallSite* site = nullptr;
    double weight = 1;
    std::vector<std::uint32_t> open;  ///< connections open to each replica
    std::vector<int> candidates;      ///< replicas the balancer sends to now
    std::uint64_t seen_version = ~0ull;
    std::vector<std::uint8_t> ejected;  ///< by health checks
    std::vector<int> fails, passes;     ///< consecutive check results
    std::uint32_t next = 0;             ///< round robin position
  };
  /// Where a load balancer picks a replica: the policy over the candidates.
  int pick(Target& t);
  void refresh(Target& t);
  /// Sends a probe to every registered replica: a serving one passes at once,
  /// one that does not answer fails when the probe's timeout runs out.
  void health_check();
  /// A failed probe's verdict: the replica's failures in a row, and its ejection.
  void probe_failed(std::size_t target, std::size_t replica);
  /// `disable: health_check`: no more probes, every ejected replica is a
  /// candidate again (as with no check); `enable:` starts the check afresh
  /// at its next interval (no failures counted, nothing ejected).
  void set_health_check(bool on);

  LbPolicy policy_;
  std::vector<Target> targets_;
  double total_weight_ = 0;
  std::unique_ptr<RateLimiter> limiter_;
  std::uint64_t ejections_ = 0;
  bool health_off_ = false;  ///< a `disable: health_check` action
  /// Probes that found no answer, as (target, replica), in the order sent; each
  /// is decided `timeout` after it was sent (a Custom event with aux 1).
  std::deque<std::pair<std::uint32_t, std::uint32_t>> unanswered_;
};

}  // namespace archsim
