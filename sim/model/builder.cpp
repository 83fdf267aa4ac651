#include "model/builder.hpp"

#include <string>

#include "archsim/diagnostics.hpp"

#include "model/cache.hpp"
#include "model/cdn.hpp"
#include "model/client.hpp"
#include "model/database.hpp"
#include "model/load_balancer.hpp"
#include "model/queue.hpp"
#include "model/service.hpp"

namespace archsim {

std::unique_ptr<Component> make_component(Kernel& k, const ComponentSpec& spec, int index,
                                          std::uint64_t seed) {
  switch (spec.kind()) {
    case ComponentKind::Service: return std::make_unique<Service>(k, spec, index, seed);
    case ComponentKind::LoadBalancer: return std::make_unique<LoadBalancer>(k, spec, index, seed);
    case ComponentKind::Cache: return std::make_unique<Cache>(k, spec, index, seed);
    case ComponentKind::Database: return std::make_unique<Database>(k, spec, index, seed);
    case ComponentKind::Queue: return std::make_unique<Queue>(k, spec, index, seed);
    case ComponentKind::Cdn: return std::make_unique<Cdn>(k, spec, index, seed);
  }
  return nullptr;
}

void Builder::build(std::vector<std::unique_ptr<Component>>& comps,
                    std::vector<std::unique_ptr<Client>>& clients, EndToEnd& e2e) {
  for (std::size_t i = 0; i < spec_.components.size(); ++i) {
    comps.push_back(make_component(kernel_, spec_.components[i], static_cast<int>(i), spec_.seed));
    by_index_.push_back(comps.back().get());
  }
  for (std::size_t i = 0; i < spec_.traffic.size(); ++i)
    clients.push_back(
        std::make_unique<Client>(kernel_, spec_.traffic[i], static_cast<int>(i), spec_.seed, e2e, spec_));
  // Sources first, then components: edges are numbered in that order.
  for (auto& c : clients) c->link(*this);
  for (auto& c : comps) c->link(*this);
}

Component* Builder::component(std::string_view name) const {
  const int i = spec_.find(name);
  return i < 0 ? nullptr : by_index_[static_cast<std::size_t>(i)];
}

Edge& Builder::edge(int from, int to) {
  for (auto& e : kernel_.edges)
    if (e->from == from && e->to == to) return *e;
  auto e = std::make_unique<Edge>();
  e->index = static_cast<int>(kernel_.edges.size());
  e->from = from;
  e->to = to;
  const std::string from_name = from >= 0
                                    ? spec_.components[static_cast<std::size_t>(from)].name
                                    : "traffic:" + spec_.traffic[static_cast<std::size_t>(-1 - from)].name;
  e->rng = Rng(spec_.seed, "edge:" + from_name + "->" + spec_.components[static_cast<std::size_t>(to)].name);
  kernel_.edges.push_back(std::move(e));
  return *kernel_.edges.back();
}

CallSite& Builder::call_site(int from, const CallSpec& c) {
  auto s = std::make_unique<CallSite>();
  const int to = spec_.find(c.target);
  s->target = by_index_.at(static_cast<std::size_t>(to));
  s->edge = &edge(from, to);
  const std::optional<DistSpec>& lat = c.latency ? c.latency : spec_.network_latency;
  if (lat && !(lat->kind == DistSpec::Kind::Const && lat->a == 0)) {
    s->has_latency = true;
    s->latency = Sampler(*lat);
  }
  s->timeout = c.timeout.value_or(0.0);
  s->request_bytes = c.request_bytes;
  s->response_bytes = c.response_bytes;
  s->retry = c.retry;
  s->retry_tokens = 10.0;  // a retry budget starts with a little credit
  s->hedge = c.hedge.value_or(0.0);
  s->caller = from >= 0 ? spec_.components[static_cast<std::size_t>(from)].name
                        : spec_.traffic[static_cast<std::size_t>(-1 - from)].name;
  if (c.breaker) s->breaker = std::make_unique<Breaker>(*c.breaker);
  const int op = s->target->op_code(c.op);
  if (op < 0) {
    throw InputError({Diagnostic{
        spec_.file_of(c.op_mark), c.op_mark,
        "'" + c.target + "' (" + std::string(name_of(spec_.components[static_cast<std::size_t>(to)].kind())) +
            ") has no operation '" + c.op + "'"}});
  }
  s->op = static_cast<std::uint16_t>(op);
  s->op_name = c.op;
  s->line = c.mark.line;
  // An invalidation is about the item the request just wrote (its last call's key).
  if (c.op == "invalidate") s->reuse_key = true;
  kernel_.sites.push_back(std::move(s));
  return *kernel_.sites.back();
}

}  // namespace archsim
