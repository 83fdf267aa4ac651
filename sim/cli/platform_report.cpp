#include "cli/platform_report.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "analysis/platform_estimate.hpp"
#include "archsim/output.hpp"
#include "archsim/platform.hpp"

namespace archsim::cli {

namespace {

std::string pct(double x) { return fmt::format("{:.0f}%", x * 100); }

/// Bytes per second as a person reads a link's load: "48 MB/s", "300 KB/s".
std::string byte_rate(double b) {
  if (b <= 0) return "-";
  static constexpr std::pair<double, const char*> kSteps[] = {{1e9, "GB/s"}, {1e6, "MB/s"}, {1e3, "KB/s"}};
  for (const auto& [scale, unit] : kSteps)
    if (b >= scale) return fmt::format("{:.3g} {}", b / scale, unit);
  return fmt::format("{:.3g} B/s", b);
}

std::string joined(const std::vector<std::string>& v, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) out += (i ? ", " : "") + v[i];
  if (v.size() > max) out += fmt::format(" (+{})", v.size() - max);
  return out;
}

}  // namespace

void print_platform_estimate(std::ostream& out, const ScenarioSpec& spec, const Estimate& est) {
  const bool declared = spec.platform && spec.platform->declared;
  if (!declared && spec.backend != "simgrid") return;
  const PlatformEstimate p = estimate_platform(spec, est);
  fmt::print(out, "\nPlatform ({}): {} region{}, {} zone{}, {} host{}; at the base rate:\n",
             declared ? "for --backend simgrid" : "default, for --backend simgrid", p.regions,
             p.regions == 1 ? "" : "s", p.zones, p.zones == 1 ? "" : "s", p.hosts, p.hosts == 1 ? "" : "s");
  std::size_t w = 4, zw = 4;
  for (const HostEstimate& h : p.host_list) {
    w = std::max(w, h.name.size());
    zw = std::max(zw, h.zone.size());
  }
  fmt::print(out, "  {:<{}} {:<{}} {:>6} {:>6} {:>8}  {}\n", "host", w, "zone", zw, "cores", "speed", "cpu",
             "runs");
  for (const HostEstimate& h : p.host_list)
    fmt::print(out, "  {:<{}} {:<{}} {:>6} {:>6} {:>8}  {}{}\n", h.name, w, h.zone, zw, h.cores,
               fmt::format("{:g}x", h.speed), pct(h.utilization), h.runs.empty() ? "-" : joined(h.runs, 6),
               h.utilization >= 1 ? "  OVER 100%" : "");
  if (!p.link_list.empty()) {
    std::size_t lw = 4, dw = 9;
    for (const LinkEstimate& l : p.link_list) {
      lw = std::max(lw, l.name.size());
      dw = std::max({dw, l.up_label.size(), l.down_label.size()});
    }
    fmt::print(out, "  {:<{}} {:>10} {:>9}  {:<{}} {:>10}  {:<{}} {:>10} {:>6}\n", "link", lw, "bandwidth",
               "latency", "direction", dw, "load", "direction", dw, "load", "util");
    for (const LinkEstimate& l : p.link_list) {
      const bool limited = l.bandwidth < kUnlimitedBandwidth;
      fmt::print(out, "  {:<{}} {:>10} {:>9}  {:<{}} {:>10}  {:<{}} {:>10} {:>6}{}\n", l.name, lw,
                 limited ? format_bandwidth(l.bandwidth) : "unlimited", human_duration(l.latency), l.up_label,
                 dw, byte_rate(l.up), l.down_label, dw, byte_rate(l.down), limited ? pct(l.utilization) : "-",
                 limited && l.utilization >= 1 ? "  OVER 100%" : "");
    }
  }
  for (const std::string& n : p.notes) fmt::print(out, "  note: {}\n", n);
}

}  // namespace archsim::cli
