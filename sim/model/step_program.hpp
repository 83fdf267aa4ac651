// A service's steps compiled once into a small program of jumps: work,
// calls (with cache-aside and fallbacks), fire-and-forget calls, fan-outs,
// loops and branches. A visit runs it with Job::pc as its position.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "archsim/spec.hpp"
#include "engine/sampler.hpp"
#include "model/kernel.hpp"

namespace archsim {

class Builder;

/// One instruction of the compiled steps.
struct Op {
  static constexpr std::uint32_t kFail = 0xffffffffu;  ///< "fail the visit" as a jump target
  enum class Kind : std::uint8_t {
    Work,         ///< hold the worker for a sampled time
    Call,         ///< call and wait; then `next` (hit/ok), `next_miss` or `next_err`
    Async,        ///< call without waiting
    Parallel,     ///< fan out to `sites`, wait for `count` successes
    RepeatBegin,  ///< loop[slot] = count; if 0 go to `next`
    RepeatEnd,    ///< if --loop[slot] > 0 go to `next` (the body's start)
    Branch,       ///< pick an arm by probability, else go to `next`
    Jump,         ///< go to `next`
  } kind = Kind::Jump;
  std::uint8_t slot = 0;
  std::uint32_t count = 0;
  std::uint32_t next = 0, next_miss = 0, next_err = kFail;
  Sampler work;
  CallSite* site = nullptr;
  std::vector<CallSite*> sites;
  double timeout = 0;                                  ///< s, a fan-out's deadline; 0 = none
  std::vector<std::pair<double, std::uint32_t>> arms;  ///< cumulative probability, first op
  int bulkhead = -1;                                   ///< Call: index into the bulkheads, or -1
  /// RepeatBegin by followers: (cumulative share of posts, batches); the
  /// count is drawn per visit (empty: `count`).
  std::vector<std::pair<double, std::uint32_t>> counts;
  /// The count of this visit: `count`, or an author's batches drawn by `u` in [0, 1).
  std::uint32_t draw_count(double u) const {
    for (const auto& c : counts)
      if (u < c.first) return c.second;
    return counts.empty() ? count : counts.back().second;
  }
};

class StepProgram {
 public:
  /// Compiles `steps` of component `from` (its index); a call to the
  /// target of bulkheads[k] takes a permit of bulkhead k.
  void compile(Builder& b, int from, const std::vector<StepSpec>& steps,
               const std::vector<BulkheadSpec>& bulkheads);

  std::size_t size() const { return ops_.size(); }
  const Op& operator[](std::uint32_t pc) const { return ops_[pc]; }
  const std::vector<Op>& ops() const { return ops_; }
  /// Every call site of the program, fan-outs included.
  void for_each_site(const std::function<void(CallSite&)>& f) const;

 private:
  std::uint32_t emit(Op op) {
    ops_.push_back(std::move(op));
    return here() - 1;
  }
  std::uint32_t here() const { return static_cast<std::uint32_t>(ops_.size()); }
  void steps(const std::vector<StepSpec>& list, int depth);
  void work(const StepSpec& st);
  void async(const StepSpec& st);
  void parallel(const StepSpec& st);
  void repeat(const StepSpec& st, int depth);
  void branch(const StepSpec& st, int depth);
  void call(const StepSpec& st, int depth);
  /// The call sites of one call: one, or one per shard for a scatter query.
  std::vector<CallSite*> sites_of(const CallSpec& c);
  /// Cache-aside: on a miss run the steps, then store the value (same key).
  void on_miss(const StepSpec& st, std::uint32_t call, int depth);

  std::vector<Op> ops_;   ///< first: read by every visit
  Builder* b_ = nullptr;  ///< while compiling
  int from_ = 0;
  const std::vector<BulkheadSpec>* bulkheads_ = nullptr;
};

}  // namespace archsim
