// A load balancer: forwards each visit to one replica of its target, chosen
// by its policy. It holds no workers; it adds delay only if configured.
#pragma once

#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

namespace archsim {

class LoadBalancer : public Component {
 public:
  LoadBalancer(Kernel& k, const ComponentSpec& spec, int index, std::uint64_t seed);
  const ComponentSpec& spec;
  void link(Builder& b) override;

  void arrive(Job* j) override;
  void handle(const Event&) override {}
  void on_reply(Job* j, ErrorKind err) override;

 private:
  /// Where a load balancer picks a replica.
  int pick();

  LbPolicy policy_;
  CallSite* site_ = nullptr;
  std::vector<std::uint32_t> open_;  ///< connections open to each replica
  std::uint32_t next_ = 0;           ///< round robin position
};

}  // namespace archsim
