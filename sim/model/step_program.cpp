#include "model/step_program.hpp"

#include <algorithm>

#include "archsim/diagnostics.hpp"
#include "model/builder.hpp"
#include "spec/parse_followers.hpp"

namespace archsim {

namespace {
constexpr int kMaxRepeatDepth = 4;  // Job::loop has four counters

Op make(Op::Kind k) {
  Op op;
  op.kind = k;
  return op;
}
}  // namespace

void StepProgram::compile(Builder& b, int from, const std::vector<StepSpec>& list,
                          const std::vector<BulkheadSpec>& bulkheads) {
  b_ = &b;
  from_ = from;
  bulkheads_ = &bulkheads;
  steps(list, 0);
  b_ = nullptr;
  bulkheads_ = nullptr;
}

void StepProgram::for_each_site(const std::function<void(CallSite&)>& f) const {
  for (const Op& op : ops_) {
    if (op.site) f(*op.site);
    for (CallSite* s : op.sites) f(*s);
  }
}

void StepProgram::steps(const std::vector<StepSpec>& list, int depth) {
  for (const StepSpec& st : list) {
    switch (st.kind) {
      case StepSpec::Kind::Work: work(st); break;
      case StepSpec::Kind::Call: call(st, depth); break;
      case StepSpec::Kind::Async: async(st); break;
      case StepSpec::Kind::Parallel: parallel(st); break;
      case StepSpec::Kind::Repeat: repeat(st, depth); break;
      case StepSpec::Kind::Branch: branch(st, depth); break;
    }
  }
}

void StepProgram::work(const StepSpec& st) {
  Op op = make(Op::Kind::Work);
  op.work = Sampler(st.work);
  emit(std::move(op));
}

std::vector<CallSite*> StepProgram::sites_of(const CallSpec& c) {
  const int fan = b_->spec().fan_of(c);
  if (fan <= 1) return {&b_->call_site(from_, c)};
  // A scatter query: one call per shard, each pinned to its shard.
  std::vector<CallSite*> out;
  for (int s = 0; s < fan; ++s) {
    CallSite& site = b_->call_site(from_, c);
    site.part = s;
    out.push_back(&site);
  }
  return out;
}

void StepProgram::async(const StepSpec& st) {
  for (CallSite* site : sites_of(st.call)) {
    Op op = make(Op::Kind::Async);
    op.site = site;
    emit(std::move(op));
  }
}

void StepProgram::parallel(const StepSpec& st) {
  Op op = make(Op::Kind::Parallel);
  for (const StepSpec& c : st.steps)
    for (CallSite* site : sites_of(c.call)) op.sites.push_back(site);
  op.count = st.wait > 0 ? static_cast<std::uint32_t>(st.wait) : static_cast<std::uint32_t>(op.sites.size());
  op.timeout = st.timeout.value_or(0.0);
  const std::uint32_t i = emit(std::move(op));
  ops_[i].next = here();
}

void StepProgram::repeat(const StepSpec& st, int depth) {
  if (depth >= kMaxRepeatDepth)
    throw InputError({Diagnostic{b_->spec().file_of(st.mark), st.mark,
                                 "'repeat' nested more than 4 deep: flatten it (repeat: 6 of repeat: 8 is "
                                 "repeat: 48)"}});
  Op begin = make(Op::Kind::RepeatBegin);
  begin.slot = static_cast<std::uint8_t>(depth);
  begin.count = static_cast<std::uint32_t>(st.count);
  if (st.followers) {
    double cum = 0;
    for (const auto& [share, n] : st.followers->shares) {
      cum += share;
      const double batches = std::min(follower_batches(*st.followers, n), 4e9);
      begin.counts.emplace_back(cum, static_cast<std::uint32_t>(batches));
    }
  }
  const std::uint32_t b0 = emit(std::move(begin));
  steps(st.steps, depth + 1);
  Op end = make(Op::Kind::RepeatEnd);
  end.slot = static_cast<std::uint8_t>(depth);
  end.next = b0 + 1;
  emit(std::move(end));
  ops_[b0].next = here();
}

void StepProgram::branch(const StepSpec& st, int depth) {
  const std::uint32_t br = emit(make(Op::Kind::Branch));
  std::vector<std::uint32_t> jumps;
  double cum = 0;
  std::vector<std::pair<double, std::uint32_t>> arms;
  for (const StepSpec::Arm& a : st.arms) {
    cum += a.p;
    arms.emplace_back(cum, here());
    steps(a.steps, depth);
    jumps.push_back(emit(make(Op::Kind::Jump)));
  }
  for (std::uint32_t j : jumps) ops_[j].next = here();
  ops_[br].arms = std::move(arms);
  ops_[br].next = here();  // the probability left over: no arm
}

void StepProgram::call(const StepSpec& st, int depth) {
  std::vector<CallSite*> sites = sites_of(st.call);
  if (!st.call.outbox.empty())
    for (CallSite* s : sites) s->outbox = b_->component(st.call.outbox);
  Op op = make(sites.size() > 1 ? Op::Kind::Parallel : Op::Kind::Call);
  if (sites.size() > 1) {
    // A scatter: the step waits for every shard's answer.
    op.count = static_cast<std::uint32_t>(sites.size());
    op.sites = std::move(sites);
  } else {
    op.site = sites.front();
    for (std::size_t k = 0; k < bulkheads_->size(); ++k)
      if ((*bulkheads_)[k].target == st.call.target) op.bulkhead = static_cast<int>(k);
  }
  const std::uint32_t i = emit(std::move(op));
  if (!st.on_miss.empty()) on_miss(st, i, depth);
  if (!st.fallback.empty()) {
    const std::uint32_t skip = emit(make(Op::Kind::Jump));
    ops_[i].next_err = here();
    steps(st.fallback, depth);
    ops_[skip].next = here();
  }
  // A hit (or any success without on_miss) skips the miss and fallback steps.
  ops_[i].next = here();
  if (st.on_miss.empty()) ops_[i].next_miss = here();
}

void StepProgram::on_miss(const StepSpec& st, std::uint32_t i, int depth) {
  if (!ops_[i].site || ops_[i].site->target->op_code("store") < 0)
    throw InputError(
        {Diagnostic{b_->spec().file_of(st.mark), st.mark,
                    "'on_miss' needs a call to a cache: '" + st.call.target + "' has nothing to miss"}});
  ops_[i].next_miss = here();
  steps(st.on_miss, depth);
  // The fetch is of the item that missed: its calls keep the cache's key
  // (so the store below finds it, and a database shards and tracks
  // staleness by it) instead of drawing their own.
  for (std::uint32_t k = ops_[i].next_miss; k < here(); ++k) {
    if (ops_[k].site) ops_[k].site->reuse_key = true;
    for (CallSite* cs : ops_[k].sites) cs->reuse_key = true;
  }
  CallSpec store;
  store.target = st.call.target;
  store.mark = st.call.mark;
  store.op_mark = st.call.op_mark;
  store.latency = st.call.latency;
  store.op = "store";
  Op put = make(Op::Kind::Call);
  put.site = &b_->call_site(from_, store);
  put.site->reuse_key = true;
  const std::uint32_t s = emit(std::move(put));
  ops_[s].next = ops_[s].next_miss = ops_[s].next_err = s + 1;  // a failed store is not an error
}

}  // namespace archsim
