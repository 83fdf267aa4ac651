#include "spec/validate.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/call_graph.hpp"
#include "spec/limits.hpp"
#include "spec/parse_resilience.hpp"

namespace archsim {

namespace {

// The key a call step was written with, for messages.
std::string_view step_verb(const StepSpec& s) {
  if (s.kind == StepSpec::Kind::Async) return "async";
  if (s.call.op == "publish" || s.call.op == "write" || s.call.op == "invalidate") return s.call.op;
  return "call";
}

class Checker {
 public:
  Checker(const ScenarioSpec& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {}

  void error(Mark m, std::string message) { diags_.error(spec_.file_of(m), m, std::move(message)); }

  // `what` says where the reference is: "'to'", "'call'".
  void reference(const std::string& target, Mark at, std::string_view what) {
    if (spec_.find(target) < 0) error(at, unknown_component_message(spec_, target, what));
  }

  // A queue without 'consumers:' delivers to every worker of its consumer at
  // once: that many must stay within limits::kConsumers.
  void default_consumers(const std::string& queue, const QueueSpec& q) {
    const int t = q.consumer.empty() || q.consumers > 0 ? -1 : spec_.find(q.consumer);
    const ServiceSpec* s = t < 0 ? nullptr : spec_.components[static_cast<std::size_t>(t)].service();
    if (!s) return;
    const double n = static_cast<double>(std::max(1, s->replicas)) * std::max(1, s->workers);
    if (n > limits::kConsumers.max)
      error(q.consumer_mark,
            fmt::format("queue '{}' would deliver {:.0f} messages at once (the {} replicas x {} "
                        "workers of '{}'), more than the limit of {:.0f} consumers (see Limits in "
                        "the README): give 'consumers: N'",
                        queue, n, s->replicas, s->workers, q.consumer, limits::kConsumers.max));
  }

  /// A keyed cache fills only through a store: a service's on_miss (the
  /// value is stored after the fetch) or a call with op 'write' or 'store'.
  /// A plain read that misses stores nothing, so a keyed cache that is read
  /// and never stored to would report 0% hits for ever: the topology is
  /// refused at its first read.
  void never_filled() {
    const auto keyed = [&](const std::string& name) {
      const int i = spec_.find(name);
      const CacheSpec* c = i < 0 ? nullptr : spec_.components[static_cast<std::size_t>(i)].cache();
      return c && !c->hit_ratio ? i : -1;
    };
    struct Read {
      Mark at;
      std::string who;
    };
    std::map<int, Read> first_read;  // by cache index
    std::set<int> filled;
    for (const TrafficSpec& t : spec_.traffic)
      if (const int i = keyed(t.to); i >= 0)
        first_read.emplace(i, Read{t.to_mark, fmt::format("traffic '{}' reads it directly", t.name)});
    for (const ComponentSpec& c : spec_.components) {
      const ServiceSpec* svc = c.service();
      if (!svc) continue;
      const std::string name = c.name;
      for_each_call(svc->steps, [&](const StepSpec& step, double) {
        const bool call = step.kind == StepSpec::Kind::Call || step.kind == StepSpec::Kind::Async;
        const int i = call ? keyed(step.call.target) : -1;
        if (i < 0) return;
        const std::string& op = step.call.op;
        if (op == "write" || op == "store" || (op.empty() && !step.on_miss.empty())) filled.insert(i);
        else if (op.empty())
          first_read.emplace(i, Read{step.call.mark, fmt::format("service '{}' reads it", name)});
      });
    }
    for (const auto& entry : first_read) {
      if (filled.count(entry.first)) continue;
      error(entry.second.at,
            fmt::format(
                "'{}' is a keyed cache, and {} without 'on_miss', and nothing stores to it: a miss stores "
                "nothing, so it would never fill (0% hits). Read it from a service step with 'on_miss:' "
                "(the fetch; the value is stored in the cache after it), or give the cache a 'hit_ratio'",
                spec_.components[static_cast<std::size_t>(entry.first)].name, entry.second.who));
    }
  }

  void run() {
    check_traffic();
    for (const ComponentSpec& c : spec_.components) {
      if (const LoadBalancerSpec* lb = c.load_balancer()) check_balancer(c, lb);
      if (const ServiceSpec* s = c.service()) check_calls(c, s);
      if (const QueueSpec* q = c.queue()) check_queue(c, q);
      if (const DatabaseSpec* d = c.database()) check_mirror(c, *d);
      if (const CdnSpec* d = c.cdn()) check_cdn(c, d);
    }
    never_filled();
    check_cycles();
  }

 private:
  void check_traffic() {
    // Traffic sources and components share one namespace: each name keys a
    // stream of random numbers, and the view draws them side by side.
    for (std::size_t i = 0; i < spec_.traffic.size(); ++i) {
      const TrafficSpec& t = spec_.traffic[i];
      for (std::size_t j = 0; j < i; ++j) {
        if (spec_.traffic[j].name == t.name) {
          error(t.mark, fmt::format("duplicate traffic name '{}' (first at line {})", t.name,
                                    spec_.traffic[j].mark.line));
          break;
        }
      }
      if (spec_.find(t.name) >= 0)
        error(t.mark, fmt::format("traffic '{}' has the name of a component: give it its own name", t.name));
      if (!t.to.empty()) reference(t.to, t.to_mark, fmt::format("'to' of traffic '{}'", t.name));
    }
  }

  void check_balancer(const ComponentSpec& c, const LoadBalancerSpec* lb) {
    // Weighted targets (`to: {v1: 90, v2: 10}`), or the one target.
    std::vector<std::pair<std::string, Mark>> targets;
    for (std::size_t i = 0; i < lb->targets.size(); ++i)
      targets.emplace_back(lb->targets[i].first,
                           i < lb->target_marks.size() ? lb->target_marks[i] : lb->to_mark);
    if (targets.empty() && !lb->to.empty()) targets.emplace_back(lb->to, lb->to_mark);
    for (const auto& [to, mark] : targets) {
      if (to == c.name)
        error(mark, fmt::format("load balancer '{}' sends to itself: 'to' names the service it spreads "
                                "requests over",
                                c.name));
      else reference(to, mark, fmt::format("'to' of load balancer '{}'", c.name));
    }
  }

  void check_calls(const ComponentSpec& c, const ServiceSpec* s) {
    for_each_call(s->steps, [&](const StepSpec& step, double) {
      if (!step.call.target.empty())
        reference(step.call.target, step.call.mark,
                  fmt::format("'{}' of service '{}'", step_verb(step), c.name));
      if (!step.call.outbox.empty()) check_outbox(c, step.call);
    });
  }

  // `write: DB, outbox: QUEUE`: the outbox row commits with the write, so
  // the write goes to a database, and the row is published to a queue.
  void check_outbox(const ComponentSpec& c, const CallSpec& call) {
    const int t = spec_.find(call.target);
    if (t >= 0 && !spec_.components[static_cast<std::size_t>(t)].database())
      error(call.outbox_mark,
            fmt::format("'outbox' of service '{}' commits with a database write, but '{}' is a {}: write to "
                        "a database",
                        c.name, call.target, name_of(spec_.components[static_cast<std::size_t>(t)].kind())));
    const int q = spec_.find(call.outbox);
    if (q < 0) reference(call.outbox, call.outbox_mark, fmt::format("'outbox' of service '{}'", c.name));
    else if (!spec_.components[static_cast<std::size_t>(q)].queue())
      error(call.outbox_mark,
            fmt::format("'outbox' of service '{}' names '{}', a {}: the outbox's rows are published to a "
                        "queue (its consumer applies them)",
                        c.name, call.outbox, name_of(spec_.components[static_cast<std::size_t>(q)].kind())));
  }

  // `mirror: DB`: another database, whose writes the ledger watches.
  void check_mirror(const ComponentSpec& c, const DatabaseSpec& d) {
    if (d.mirror.empty()) return;
    const int m = spec_.find(d.mirror);
    if (d.mirror == c.name)
      error(d.mirror_mark, fmt::format("database '{}' cannot be its own mirror: 'mirror' names the other "
                                       "store its writes must reach",
                                       c.name));
    else if (m < 0) reference(d.mirror, d.mirror_mark, fmt::format("'mirror' of database '{}'", c.name));
    else if (!spec_.components[static_cast<std::size_t>(m)].database())
      error(d.mirror_mark,
            fmt::format("'mirror' of database '{}' names '{}', a {}: a mirror is another database", c.name,
                        d.mirror, name_of(spec_.components[static_cast<std::size_t>(m)].kind())));
  }

  void check_queue(const ComponentSpec& c, const QueueSpec* q) {
    if (q->consumer == c.name)
      error(q->consumer_mark, fmt::format("queue '{}' delivers to itself: 'consumer' names the service that "
                                          "processes its messages",
                                          c.name));
    else if (!q->consumer.empty())
      reference(q->consumer, q->consumer_mark, fmt::format("'consumer' of queue '{}'", c.name));
    default_consumers(c.name, *q);
    const int dl = q->dead_letter.empty() ? -1 : spec_.find(q->dead_letter);
    if (q->dead_letter == c.name)
      error(q->dead_letter_mark, fmt::format("queue '{}' cannot be its own dead-letter queue", c.name));
    else if (!q->dead_letter.empty() && dl < 0)
      reference(q->dead_letter, q->dead_letter_mark, fmt::format("'dead_letter' of queue '{}'", c.name));
    else if (dl >= 0 && !spec_.components[static_cast<std::size_t>(dl)].queue())
      error(q->dead_letter_mark,
            fmt::format("'dead_letter' of queue '{}' names '{}', a {}: dead letters go to a "
                        "queue",
                        c.name, q->dead_letter,
                        name_of(spec_.components[static_cast<std::size_t>(dl)].kind())));
  }

  void check_cdn(const ComponentSpec& c, const CdnSpec* d) {
    if (d->origin == c.name)
      error(d->origin_mark,
            fmt::format("cdn '{}' is its own origin: 'origin' names what serves its misses", c.name));
    else if (!d->origin.empty())
      reference(d->origin, d->origin_mark, fmt::format("'origin' of cdn '{}'", c.name));
    if (d->include == c.name)
      error(
          d->include_mark,
          fmt::format("cdn '{}' includes itself: 'include' names what renders the per-request part", c.name));
    else if (!d->include.empty())
      reference(d->include, d->include_mark, fmt::format("'include' of cdn '{}'", c.name));
  }

  void check_cycles() {
    // A balancer sending to itself is reported above, in clearer words than
    // "edge -> edge".
    for (const CallGraph::Cycle& cycle : CallGraph(spec_).find_cycles()) {
      if (cycle.names.size() == 2) {
        const int i = spec_.find(cycle.names[0]);
        if (i >= 0 && spec_.components[i].load_balancer()) continue;
      }
      error(cycle.mark, fmt::format("cycle of synchronous calls: {} (a request would wait for its own reply)",
                                    cycle.str()));
    }
    for (const CallGraph::Cycle& cycle : CallGraph(spec_).find_endless_cycles()) {
      if (cycle.names.size() == 2) {  // a queue delivering to itself is reported above
        const int i = spec_.find(cycle.names[0]);
        if (i >= 0 && spec_.components[static_cast<std::size_t>(i)].queue()) continue;
      }
      error(cycle.mark,
            fmt::format("endless cycle: {}: every visit starts another through an async call or a queue, so "
                        "each request starts work that never ends: give the cycle an exit (a 'branch' with "
                        "p below 100%)",
                        cycle.str()));
    }
  }

  const ScenarioSpec& spec_;
  Diagnostics& diags_;
};

}  // namespace

void check_references(const ScenarioSpec& spec, Diagnostics& diags) {
  Checker(spec, diags).run();
  check_resilience(spec, diags);  // bulkheads, the fault timeline (parse_resilience.cpp)
}

}  // namespace archsim
