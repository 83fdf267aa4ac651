// The terminal summary: what a person reads in ten seconds.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "archsim/load.hpp"
#include "archsim/output.hpp"
#include "archsim/platform.hpp"
#include "archsim/text.hpp"

namespace archsim {

namespace {
bool g_colour = false;
/// Green for a pass, red for a failure, when colour is on (set_colour).
std::string paint(const std::string& word, bool good) {
  if (!g_colour) return word;
  return (good ? "\033[32m" : "\033[1;31m") + word + "\033[0m";
}
}  // namespace

void set_colour(bool on) { g_colour = on; }

bool colour_wanted(int fd) {
  const char* no = std::getenv("NO_COLOR");  // https://no-color.org: set and not empty
  return isatty(fd) && !(no && *no);
}

std::string human_duration(double s) {
  if (s == 0) return "0";
  // The bounds allow for rounding to 3 digits: 0.9999 ms is "1 ms", not "1e+03 us".
  if (s < 0.9995e-3) return fmt::format("{:.3g} us", s * 1e6);
  if (s < 0.9995) return fmt::format("{:.3g} ms", s * 1e3);
  if (s < 120.0) return fmt::format("{:.3g} s", s);
  if (s < 7200.0) return fmt::format("{:.3g} min", s / 60);
  return fmt::format("{:.3g} h", s / 3600);
}

std::string human_count(std::uint64_t n) {
  std::string d = std::to_string(n);
  std::string out;
  const int len = static_cast<int>(d.size());
  for (int i = 0; i < len; ++i) {
    if (i > 0 && (len - i) % 3 == 0) out += ',';
    out += d[static_cast<std::size_t>(i)];
  }
  return out;
}

std::string slo_text(const std::string& key, double v) {
  switch (slo_unit(key)) {
    case SloUnit::Fraction: return fmt::format("{:.3g}%", v * 100);
    case SloUnit::PerSecond: return fmt::format("{:.4g}/s", v);
    case SloUnit::Count: return fmt::format("{:.0f}", v);
    case SloUnit::Seconds: break;
  }
  return human_duration(v);
}

namespace {

std::string percent(double x) { return fmt::format("{:.1f}%", x * 100); }

/// A kind's figure for people: its name without the unit suffix, the value
/// in the unit the suffix names ("hit ratio 87.3%", "pool wait 3.2 ms").
std::string figure_text(const Figure& f) {
  const auto ends = [&](std::string_view suffix) {
    return f.name.size() > suffix.size() &&
           f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  const auto label = [&](std::size_t cut) {
    std::string l = f.name.substr(0, f.name.size() - cut);
    std::replace(l.begin(), l.end(), '_', ' ');
    return l;
  };
  if (ends("_ratio") || f.name == "share" || f.name == "utilization")
    return label(0) + " " + percent(f.value);
  if (ends("_ms")) return label(3) + " " + human_duration(f.value / 1e3);
  if (ends("_s")) return label(2) + " " + human_duration(f.value);
  if (ends("_gbps")) return label(5) + " " + fmt::format("{:.3g} Gb/s", f.value);
  if (ends("_rps")) return label(4) + " " + fmt::format("{:.1f}/s", f.value);
  if (f.value == static_cast<double>(static_cast<std::uint64_t>(f.value)) && f.value >= 0)
    return label(0) + " " + human_count(static_cast<std::uint64_t>(f.value));
  if (std::abs(f.value) >= 100)
    return label(0) + " " + human_count(static_cast<std::uint64_t>(std::llround(std::abs(f.value))));
  return label(0) + " " + fmt::format("{:.3g}", f.value);
}

/// Figures after a name, wrapped at about 110 columns, continuation lines indented.
void print_figures(std::ostream& out, const std::string& head, std::size_t indent,
                   const std::vector<Figure>& figs) {
  std::string line = head;
  bool first = true;
  for (const Figure& f : figs) {
    const std::string text = figure_text(f);
    if (!first && line.size() + 2 + text.size() > 110) {
      fmt::print(out, "{}\n", line);
      line = std::string(indent, ' ');
      first = true;
    }
    line += (first ? "" : ", ") + text;
    first = false;
  }
  fmt::print(out, "{}\n", line);
}

/// Components whose p99 visit outlasted every client's timeout: at least 1%
/// of their visits served requests whose clients had already left.
void print_late_work(std::ostream& out, const RunResult& r) {
  double patience = 0;
  for (const SourceResult& s : r.sources) {
    if (s.timeout_s <= 0) return;  // someone waits for ever
    patience = std::max(patience, s.timeout_s);
  }
  if (patience <= 0) return;
  std::string late;
  for (const ComponentResult& c : r.components)
    if (c.latency.count > 0 && c.latency.p99 > patience)
      late += fmt::format("{}{} (p99 {})", late.empty() ? "" : ", ", c.name, human_duration(c.latency.p99));
  if (!late.empty())
    fmt::print(
        out,
        "  Late work: {}: over the clients' {} timeout, so at least 1% of these visits served requests "
        "whose clients had already left\n",
        late, human_duration(patience));
}

/// The width of the component name column.
std::size_t name_width(const RunResult& r) {
  std::size_t w = 9;
  for (const ComponentResult& c : r.components) w = std::max(w, c.name.size());
  return w;
}

}  // namespace

/// The fault and action timeline and what it set off (breakers, scaling).
void print_notes(std::ostream& out, const std::vector<Note>& notes, std::uint64_t dropped) {
  if (notes.empty()) return;
  constexpr std::size_t kShown = 20;
  fmt::print(out, "\nTimeline\n");
  for (std::size_t i = 0; i < notes.size() && i < kShown; ++i) {
    const Note& n = notes[i];
    const int m = static_cast<int>(n.t / 60);
    fmt::print(out, "  {:>3}:{:05.2f}  {:<9} {:<14} {:<12} {}\n", m, n.t - 60 * m, n.kind, n.target, n.what,
               n.detail);
  }
  if (notes.size() > kShown)
    fmt::print(out, "  ... and {} more ({}in --json, under events)\n", notes.size() - kShown,
               dropped ? "" : "all ");
  if (dropped)
    fmt::print(out, "  ... and {} after the first {} (counted, not kept: events_dropped)\n", dropped,
               notes.size());
}

/// SLO verdicts, one line each.
static void print_slos(std::ostream& out, const RunResult& r) {
  if (!r.slo.empty()) {
    fmt::print(out, "SLOs: {}\n", paint(r.slo_pass ? "all met" : "FAILED", r.slo_pass));
    for (const SloCheck& c : r.slo) {
      // Margin: room left as a share of the target (positive = met; check_slos keeps its sign with the
      // verdict). None without a successful request; a count whose target is 0 has no share to speak of:
      // its margin is the count itself.
      const std::string actual = c.measured ? slo_text(c.name, c.actual) : "none";
      std::string m;
      if (c.has_margin) m = fmt::format("{:>+7.1f}%", c.margin * 100);
      else if (!c.measured) m = fmt::format("{:>8}", "-");
      else if (c.actual == 0) m = fmt::format("{:>+7.1f}%", 0.0);
      else m = fmt::format("{:>7} over", slo_text(c.name, c.actual));
      fmt::print(out, "  {} {:<16} target {:>10}  actual {:>10}  margin {}{}\n",
                 paint(c.pass ? "pass" : "FAIL", c.pass), c.name, slo_text(c.name, c.target), actual, m,
                 c.correctness             ? "  (correctness)"
                 : !c.measured             ? "  (no successful request)"
                 : !c.worst_source.empty() ? fmt::format("  (traffic source '{}')", c.worst_source)
                                           : "");
    }
    fmt::print(out, "\n");
  }
}

/// End-to-end figures: requests, in system, throughput, latency, errors, sources.
static void print_requests(std::ostream& out, const RunResult& r) {
  fmt::print(out,
             "Requests    {} started ({:.1f}/s), {} completed, {} failed (error rate {}), {} still in flight "
             "at the end\n",
             human_count(r.started), r.arrival_rps, human_count(r.completed), human_count(r.failed),
             percent(r.error_rate), human_count(r.in_flight));
  fmt::print(out, "In system   {:.2f} requests on average, each {} from start to reply or give-up (mean)\n",
             r.in_flight_mean, human_duration(r.duration_mean_s));
  fmt::print(out, "Throughput  {:.1f} req/s (successful, after warm-up)\n", r.throughput_rps);
  const LatencyStats& l = r.latency;
  if (r.completed == 0) fmt::print(out, "Latency     none: no successful request\n");
  else
    fmt::print(out, "Latency     mean {}  p50 {}  p90 {}  p99 {}  p99.9 {}  max {}\n", human_duration(l.mean),
               human_duration(l.p50), human_duration(l.p90), human_duration(l.p99), human_duration(l.p999),
               human_duration(l.max));
  if (const LatencyStats& t = r.latency_counting_timeouts; t.count > 0)
    fmt::print(out, "            counting the {} timed out at their timeout: p50 {}  p99 {}  p99.9 {}\n",
               human_count(t.count - r.completed), human_duration(t.p50), human_duration(t.p99),
               human_duration(t.p999));
  if (!r.errors.empty()) {
    std::vector<std::pair<std::string, std::uint64_t>> e(r.errors.begin(), r.errors.end());
    std::stable_sort(e.begin(), e.end(), [](auto& a, auto& b) { return a.second > b.second; });
    fmt::print(out, "Errors     ");
    for (const auto& [k, v] : e)
      fmt::print(out, " {} {} ({})", k, human_count(v),
                 percent(static_cast<double>(v) / static_cast<double>(r.failed)));
    fmt::print(out, "\n");
  }
  for (const SourceResult& s : r.sources)
    if (s.retries || s.hedges || s.abandoned)
      fmt::print(out, "Source      {}: {} retries, {} hedges, {} attempts abandoned at its {} timeout\n",
                 s.name, human_count(s.retries), human_count(s.hedges), human_count(s.abandoned),
                 s.timeout_s > 0 ? human_duration(s.timeout_s) : "no");
}

/// The component table, the busiest marked.
static void print_components(std::ostream& out, const RunResult& r) {
  // The busiest component: highest utilisation among those that have workers.
  int busiest = -1;
  for (std::size_t i = 0; i < r.components.size(); ++i)
    if (r.components[i].workers > 0 &&
        (busiest < 0 ||
         r.components[i].utilization > r.components[static_cast<std::size_t>(busiest)].utilization))
      busiest = static_cast<int>(i);

  const std::size_t w = name_width(r);
  fmt::print(out, "\n  {:<{}} {:<14} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>8}\n", "component", w, "kind",
             "replicas", "util", "visits/s", "queue", "wait", "p99", "errors");
  for (std::size_t i = 0; i < r.components.size(); ++i) {
    const ComponentResult& c = r.components[i];
    std::uint64_t errs = 0;
    for (const auto& [k, v] : c.errors) errs += v;
    const std::string shape =
        c.workers > 0 ? fmt::format("{}x{}", c.replicas, c.workers) : std::to_string(c.replicas);
    fmt::print(out, "{} {:<{}} {:<14} {:>9} {:>7} {:>10.1f} {:>9.2f} {:>9} {:>9} {:>8}{}\n",
               static_cast<int>(i) == busiest ? '*' : ' ', c.name, w, name_of(c.kind), shape,
               c.workers > 0 ? percent(c.utilization) : "-", c.throughput_rps, c.queue_mean,
               c.workers > 0 ? human_duration(c.wait.mean) : "-", human_duration(c.latency.p99),
               human_count(errs), static_cast<int>(i) == busiest ? "  <- busiest" : "");
  }
  print_late_work(out, r);
}

/// The kinds' own figures (hit ratios, pool waits, lag), and per shard.
static void print_kind_figures(std::ostream& out, const RunResult& r) {
  const std::size_t w = name_width(r);
  // What the data-tier kinds measure beyond the table: hit ratios, pool
  // waits, stale reads, consumer lag, and per shard.
  bool any = false;
  for (const ComponentResult& c : r.components) any = any || !c.figures.empty();
  if (!any) return;
  fmt::print(out, "\n");
  for (const ComponentResult& c : r.components) {
    if (c.figures.empty()) continue;
    print_figures(out, fmt::format("  {:<{}}  ", c.name, w), w + 4, c.figures);
    for (const std::vector<Figure>& row : c.shards) {
      std::vector<Figure> rest;
      double shard = 0;
      for (const Figure& f : row) {
        if (f.name == "shard") shard = f.value;
        else rest.push_back(f);
      }
      print_figures(out, fmt::format("  {:<{}}    shard {:<3} ", "", w, shard), w + 15, rest);
    }
  }
}

/// The platform backend's network: the links that carried most (the
/// busiest three) and each region's answers to users with their price.
static void print_network(std::ostream& out, const RunResult& r) {
  std::vector<const LinkResult*> busy;
  for (const LinkResult& l : r.links)
    if (l.utilization >= 0.0005 && l.bandwidth < kUnlimitedBandwidth) busy.push_back(&l);
  if (busy.empty() && r.egress.empty()) return;
  std::stable_sort(busy.begin(), busy.end(),
                   [](const LinkResult* a, const LinkResult* b) { return a->utilization > b->utilization; });
  fmt::print(out, "\n");
  for (std::size_t i = 0; i < busy.size() && i < 3; ++i)
    fmt::print(out, "Link        {}: {} of {} each way (the busier direction)\n", busy[i]->name,
               percent(busy[i]->utilization), format_bandwidth(busy[i]->bandwidth));
  for (const RegionEgress& e : r.egress)
    fmt::print(out, "Egress      {}: {} to users ({} of it to other regions), {:.1f} GB/h, ${:.2f}/h\n",
               e.region, format_bandwidth(e.bytes_per_s), percent(e.cross_region_bytes_per_s / e.bytes_per_s),
               e.gb_per_hour, e.per_hour);
}

void print_summary(std::ostream& out, const RunResult& r) {
  // The name is free text from the file: no terminal escapes reach the screen.
  fmt::print(out, "{} (seed {}, {} simulated", printable(r.scenario.empty() ? r.file : r.scenario), r.seed,
             human_duration(r.sim_time_s));
  if (r.warmup_s > 0) fmt::print(out, ", warm-up {}", human_duration(r.warmup_s));
  fmt::print(out, ", {} backend)\n\n", r.backend);

  print_slos(out, r);
  print_requests(out, r);
  print_components(out, r);
  print_network(out, r);
  print_notes(out, r.notes, r.notes_dropped);
  print_kind_figures(out, r);
}

}  // namespace archsim
