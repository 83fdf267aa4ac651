// The fault and operator-action timeline: fires each FaultSpec at its time
// (and undoes it after `for:`), by asking the target component to apply it.
// Partitions are the network's business and are handled here.
#pragma once

#include <vector>

#include "archsim/spec.hpp"
#include "model/kernel.hpp"

namespace archsim {

class Client;

class FaultTimeline : public EventTarget {
 public:
  FaultTimeline(Kernel& k, const ScenarioSpec& spec, std::vector<Component*> comps,
                std::vector<Client*> clients);
  /// Schedules the scripted faults.
  void begin();
  void handle(const Event& e) override;
  /// Applies a fault now (the live view's chaos keys), and undoes it after
  /// its `for:`; the caller keeps `f` alive for the run.
  void apply_now(const FaultSpec& f);

  static std::string describe(const FaultSpec& f);

 private:
  void fire(const FaultSpec& f, bool end);
  void partition(const FaultSpec& f, bool on);

  void schedule(const FaultSpec& f, double start);
  Kernel& kernel_;
  const ScenarioSpec& spec_;
  std::vector<const FaultSpec*> all_;  ///< scripted, then live; Event::aux indexes it
  std::vector<Component*> comps_;
  std::vector<Client*> clients_;
};

}  // namespace archsim
