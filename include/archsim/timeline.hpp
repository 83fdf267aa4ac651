// The --timeline file: JSON lines, one object per line.
//   {"type":"header", ...}   scenario, seed, duration, tick, components, edges, slo
//   {"type":"tick", ...}     one per tick of simulated time (see Tick)
//   {"type":"event", ...}    a fault, an action or a state change (see Note), when it happens
//   {"type":"result", ...}   the same object as --json, at the end
// The view and the reports read it back with read_timeline().
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "archsim/simulation.hpp"
#include "archsim/spec.hpp"

namespace archsim {

/// What a reader needs to draw a run without the scenario file.
struct TimelineHeader {
  std::string scenario;
  std::string file;
  std::uint64_t seed = 1;
  double duration = 0;
  double warmup = 0;
  double tick = 1;
  struct Component {
    std::string name;
    std::string kind;  ///< name_of(ComponentKind)
    int replicas = 1;
    int workers = 1;
    std::optional<std::pair<double, double>> pos;  ///< pinned position, if any
  };
  std::vector<Component> components;
  std::vector<std::string> sources;  ///< traffic source names (edge from = -1 - index)
  std::vector<EdgeInfo> edges;
  std::vector<SloSpec> slo;
  /// The platform (simgrid backend with a `platform:`): ticks then carry
  /// each host's CPU and each link's utilisation in its order.
  std::optional<PlatformMap> platform;
};

struct Timeline {
  TimelineHeader header;
  std::vector<Tick> ticks;
  std::vector<Note> notes;                 ///< faults, actions, breaker and replica changes, in time order
  std::optional<std::string> result_json;  ///< the final "result" line, if the run finished
};

/// The header of a simulation about to run (used by the writer and the live view).
TimelineHeader make_header(const Simulation& sim);

/// Writes ticks as they come, then the result; attach with add_observer().
class TimelineWriter : public Observer {
 public:
  TimelineWriter(std::ostream& out, const Simulation& sim);
  void on_tick(const Tick& t) override;
  void on_note(const Note& n) override;
  void on_finish(const RunResult& r) override;

 private:
  std::ostream& out_;
  TimelineHeader header_;
};

/// Latencies of a tick in which nothing finished successfully (end to end,
/// per component, per edge) become NaN: missing, not 0. The file writes them
/// as null; the reader and the view's live feed call this.
void mark_missing_latency(Tick& t);

/// Reads a timeline file; throws InputError with the position of a bad line.
Timeline read_timeline(const std::string& path);

/// True if the file looks like a timeline (its first line is a header object).
bool is_timeline_file(const std::string& path);

}  // namespace archsim
