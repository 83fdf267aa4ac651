#include "spec/instances.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "archsim/spec.hpp"
#include "spec/kinds.hpp"

namespace archsim {

namespace {

// Default prices per kind live in the kinds table (sim/spec/kinds.cpp,
// default_price); this file adds the instance sizes. Approximate AWS
// us-east-1 on-demand list prices (Linux, single-AZ;
// aws.amazon.com/ec2/pricing/on-demand, /rds/postgresql/pricing,
// /elasticache/pricing, /msk/pricing, /cloudfront/pricing), rounded: they make
// designs comparable, not bills exact. A problem's `prices:` overrides any row
// by name; a sandbox component's `cost:` replaces its price. Keep README.md's
// table in step.
// Sizes within a family double vCPUs, memory and price (as AWS's do).
constexpr Instance kInstances[] = {
    {"m6i.large", "service", 2, 8, 0.096},
    {"m6i.xlarge", "service", 4, 16, 0.192},
    {"m6i.2xlarge", "service", 8, 32, 0.384},
    {"m6i.4xlarge", "service", 16, 64, 0.768},
    {"m6i.8xlarge", "service", 32, 128, 1.536},
    {"m6i.16xlarge", "service", 64, 256, 3.072},
    {"m6i.32xlarge", "service", 128, 512, 6.144},
    {"db.r6g.large", "database", 2, 16, 0.25},
    {"db.r6g.xlarge", "database", 4, 32, 0.50},
    {"db.r6g.2xlarge", "database", 8, 64, 1.00},
    {"db.r6g.4xlarge", "database", 16, 128, 2.00},
    {"db.r6g.8xlarge", "database", 32, 256, 4.00},
    {"db.r6g.16xlarge", "database", 64, 512, 8.00},
    {"cache.r6g.large", "cache", 2, 13.07, 0.206},
    {"cache.r6g.xlarge", "cache", 4, 26.32, 0.411},
    {"cache.r6g.2xlarge", "cache", 8, 52.82, 0.821},
    {"cache.r6g.4xlarge", "cache", 16, 105.81, 1.642},
    {"cache.r6g.8xlarge", "cache", 32, 209.55, 3.284},
    {"kafka.m5.large", "queue", 2, 8, 0.21},
    {"kafka.m5.xlarge", "queue", 4, 16, 0.42},
    {"kafka.m5.2xlarge", "queue", 8, 32, 0.84},
};

int workers_per_vcpu(std::string_view family) {
  if (family == "service") return 16;  // handlers that mostly wait on their calls
  if (family == "database") return 2;  // a query holds a core or waits on its disk
  return 1 << 20;                      // caches and brokers are sized by memory, not workers
}

// A CDN bills what it sends: CloudFront's list price per GB to viewers in
// North America and Europe is $0.085 for the first 10 TB a month, falling to
// $0.020 above 5 PB; a design at the scale of the library's problems sits in
// the cheapest tier. `cost:` replaces the egress bill with a price per hour.
constexpr double kCdnPerGb = 0.020;

// The usage rows of the default table (README: Cost). Keep README.md in step.
const std::vector<UsagePrice> kUsage = {
    {"cdn_egress_gb", kCdnPerGb, "GB",
     "CloudFront, to viewers in North America and Europe, above 5 PB a month "
     "(aws.amazon.com/cloudfront/pricing)"},
    // SQS standard queues: $0.40 per million requests after the free tier; a
    // message costs three (send, receive, delete), each up to 64 KB.
    {"queue_million_messages", 1.20, "million messages",
     "SQS standard queue, $0.40 per million requests x 3 per message (aws.amazon.com/sqs/pricing)"},
    // Hosted CDNs bill egress and requests, not storage; but an edge's
    // capacity must not be free to choose: what it holds (capacity x the
    // object size) is priced as the SSD an edge keeps it on, EBS gp3's
    // $0.08 per GB-month (730 hours).
    {"cdn_storage_gb_month", 0.08, "GB-month",
     "what a CDN edge holds (capacity x object size), on SSD at EBS gp3's price "
     "(aws.amazon.com/ebs/pricing)"},
    // EC2 data transfer out to the internet, the cheapest listed tier (above
    // 150 TB a month; the first 10 TB cost $0.09): what a balancer or a web
    // tier sends to users, at the volume of the library's problems.
    {"internet_egress_gb", 0.05, "GB",
     "EC2 data transfer out to the internet from us-east-1, above 150 TB a month "
     "(aws.amazon.com/ec2/pricing/on-demand)"},
    // EC2 data transfer from us-east-1 to another AWS region.
    {"transfer_gb", 0.02, "GB",
     "EC2 data transfer between AWS regions, out of us-east-1 (aws.amazon.com/ec2/pricing/on-demand)"},
};

}  // namespace

double cdn_price_per_gb() { return kCdnPerGb; }

const std::vector<UsagePrice>& usage_prices() { return kUsage; }

const UsagePrice* usage_price(std::string_view name) {
  for (const UsagePrice& u : kUsage)
    if (u.name == name) return &u;
  return nullptr;
}

const Instance* instance(std::string_view name) {
  for (const Instance& i : kInstances)
    if (i.name == name) return &i;
  return nullptr;
}

std::string instance_examples() {
  return "m6i.large .. m6i.32xlarge, db.r6g.large .. db.r6g.16xlarge, cache.r6g.*, kafka.m5.*";
}

int max_workers(const Instance& in) { return in.vcpus * workers_per_vcpu(in.family); }

const Instance& smallest_for(std::string_view family, int workers, double memory_gib) {
  const Instance* last = nullptr;
  for (const Instance& i : kInstances) {
    if (i.family != family) continue;
    last = &i;
    if (max_workers(i) >= workers && i.memory_gib >= memory_gib) return i;
  }
  return last ? *last : kInstances[0];
}

std::vector<std::string> instance_names(std::string_view family) {
  std::vector<std::string> out;
  for (const Instance& i : kInstances)
    if (family.empty() || i.family == family) out.emplace_back(i.name);
  return out;
}

const Instance* next_instance(const Instance& in, int step) {
  const Instance* const begin = std::begin(kInstances);
  const std::ptrdiff_t at = &in - begin;
  if (at < 0 || at >= static_cast<std::ptrdiff_t>(std::size(kInstances))) return nullptr;
  const std::ptrdiff_t to = at + (step > 0 ? 1 : -1);
  if (to < 0 || to >= static_cast<std::ptrdiff_t>(std::size(kInstances))) return nullptr;
  return kInstances[to].family == in.family ? &kInstances[to] : nullptr;
}

const Instance* runs_on(const ComponentSpec& c, std::optional<int> workers, std::string_view name) {
  const std::string_view family = c.service() ? "service" : c.database() ? "database" : "";
  if (family.empty()) return nullptr;
  if (name.empty()) name = c.instance;
  if (!name.empty()) return instance(name);
  const int w = workers ? *workers : c.service() ? c.service()->workers : c.database()->workers;
  return &smallest_for(family, w);
}

int workers_on(int workers, const Instance& from, const Instance& to) {
  if (workers <= 0 || from.vcpus <= 0) return workers;
  return std::max(1, static_cast<int>(std::lround(static_cast<double>(workers) * to.vcpus / from.vcpus)));
}

Sizing resized(const ComponentSpec& c, const Sizing& now, std::optional<int> workers, std::string_view name) {
  const Instance* from = runs_on(c, now.workers, now.instance);
  const Instance* to = name.empty() ? from : instance(name);
  Sizing out{now.workers, name.empty() ? now.instance : std::string(name)};
  if (workers) out.workers = *workers;
  else if (from && to && to != from) out.workers = workers_on(now.workers, *from, *to);
  return out;
}

std::optional<double> default_price(std::string_view kind) {
  const auto k = from_name<ComponentKind>(kind);
  return k ? traits(*k).price_per_hour : std::nullopt;
}

}  // namespace archsim
