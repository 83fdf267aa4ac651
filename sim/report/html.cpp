#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "archsim/output.hpp"
#include "report/assets.hpp"

namespace archsim::report {

namespace {

using json = nlohmann::ordered_json;

double r4(double x) {
  if (!std::isfinite(x)) return 0;
  return std::round(x * 1e4) / 1e4;
}

std::string pct(double x) { return fmt::format("{:.1f}%", x * 100); }

/// JSON inside a <script> element: neither "</script", "<!--" nor "<script"
/// may appear in it (each changes how the HTML parser reads the element).
/// '<', '>' and '&' occur only inside JSON strings, where \u003c and the
/// like mean the same characters: every one is escaped.
std::string script_json(const json& j) {
  const std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

/// The time series of one run, as report.js reads them.
json series_json(const std::string& label, const Analysis& a) {
  json j;
  j["label"] = label;
  j["warmup"] = a.result.warmup_s;
  std::vector<double> t, dt, p50, p99;
  std::vector<std::uint32_t> started, completed, failed;
  std::vector<json> p50j, p99j;
  std::set<std::string> kinds;
  for (const Tick& k : a.ticks)
    for (const auto& [kind, n] : k.errors) kinds.insert(kind);
  json errors = json::object();
  for (const std::string& kind : kinds) {
    std::vector<std::uint32_t> v;
    for (const Tick& k : a.ticks) {
      auto it = k.errors.find(kind);
      v.push_back(it == k.errors.end() ? 0 : it->second);
    }
    errors[kind] = v;
  }
  json p50s = json::array(), p99s = json::array();
  for (const Tick& k : a.ticks) {
    t.push_back(r4(k.t));
    dt.push_back(r4(k.dt));
    started.push_back(k.started);
    completed.push_back(k.completed);
    failed.push_back(k.failed);
    p50s.push_back(k.completed ? json(r4(k.p50 * 1e3)) : json(nullptr));
    p99s.push_back(k.completed ? json(r4(k.p99 * 1e3)) : json(nullptr));
  }
  j["t"] = t;
  j["dt"] = dt;
  j["started"] = started;
  j["completed"] = completed;
  j["failed"] = failed;
  j["p50"] = p50s;
  j["p99"] = p99s;
  j["errors"] = errors;
  json comps = json::array();
  for (std::size_t i = 0; i < a.result.components.size(); ++i) {
    const ComponentResult& c = a.result.components[i];
    json cj;
    cj["name"] = c.name;
    std::vector<double> util, queue;
    for (const Tick& k : a.ticks) {
      if (k.components.size() <= i) continue;
      util.push_back(r4(k.components[i].utilization * 100));
      queue.push_back(k.components[i].queue);
    }
    cj["util"] = c.workers > 0 ? json(util) : json(nullptr);
    cj["queue"] = queue;
    comps.push_back(cj);
  }
  j["components"] = comps;
  json faults = json::array();
  for (const FaultMark& f : a.faults) faults.push_back({{"at", f.at}, {"until", f.until}, {"what", f.what}});
  j["faults"] = faults;
  // Every SLO's target, for the target lines (seconds, fractions, req/s).
  json slo = json::object();
  for (const SloSpec& s : a.spec.slo) slo[s.key] = s.target;
  j["slo"] = slo;
  for (const SloSpec& s : a.spec.slo)
    if (s.kind == SloSpec::Kind::LatencyP99 || s.kind == SloSpec::Kind::LatencyP50) {
      j["latency_target_ms"] = r4(s.target * 1e3);
      j["latency_target_name"] = s.key;
      break;
    }
  return j;
}

std::string page(const std::string& title, const std::string& body, const json& data) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>" + escape_html(title) + "</title>\n";
  h += "<style>\n" + std::string(assets::uplot_css) + "\n</style>\n";
  h += "<style>\n" + std::string(assets::report_css) + "\n</style>\n</head>\n<body>\n";
  h += body;
  h += "<footer>Written by archsim 0.1.0. Charts drawn with uPlot (MIT licence, below), embedded: this page "
       "needs "
       "no network.<details><summary>uPlot licence</summary><pre>" +
       escape_html(assets::uplot_license) + "</pre></details></footer>\n";
  h += "<script type=\"application/json\" id=\"archsim-data\">" + script_json(data) + "</script>\n";
  h += "<script>\n" + std::string(assets::uplot_js) + "\n</script>\n";
  h += "<script>\n" + std::string(assets::report_js) + "\n</script>\n";
  h += "</body>\n</html>\n";
  return h;
}

std::string verdict_badge(bool pass, const std::string& what) {
  return fmt::format("<div class=\"verdict {}\">{}</div>\n", pass ? "pass" : "fail", escape_html(what));
}

std::string slo_table(const Analysis& a) {
  std::string h =
      "<table>\n<tr><th class=\"l\">objective</th><th>target</th><th>actual</th><th>margin</th><th>"
      "verdict</th></tr>\n";
  for (const SloCheck& c : a.result.slo) {
    // The run's own margin (its sign is the verdict); none without a successful request.
    const std::string actual = c.measured ? slo_text(c.name, c.actual) : "none (no successful request)";
    const std::string margin = c.has_margin ? fmt::format("{:+.1f}%", c.margin * 100) : "-";
    h += fmt::format(
        "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
        escape_html(c.name), slo_text(c.name, c.target), actual, margin, c.pass ? "ok" : "bad",
        c.pass ? "pass" : "FAIL");
  }
  const Cost& cost = a.cost;
  h += fmt::format(
      "<tr><td class=\"l\">cost per hour</td><td>{}</td><td>{}</td><td></td><td class=\"{}\">{}</td></tr>\n",
      cost.budget ? format_price(*cost.budget) : "no budget", format_price(cost.per_hour),
      cost.within_budget() ? "ok" : "bad", cost.budget ? (cost.within_budget() ? "within" : "OVER") : "");
  h += "</table>\n";
  return h;
}

std::string why_block(const Analysis& a) {
  std::string h = fmt::format("<div class=\"why {}\"><p>{}</p>\n<ul>\n", a.pass() ? "pass" : "fail",
                              escape_html(a.why.headline));
  for (const std::string& d : a.why.details) h += "<li>" + escape_html(d) + "</li>\n";
  h += "</ul></div>\n";
  return h;
}

std::string numbers_table(const std::vector<const Analysis*>& runs, const std::vector<std::string>& labels) {
  std::string h = "<table>\n<tr><th class=\"l\"></th>";
  for (const auto& l : labels) h += "<th>" + escape_html(l) + "</th>";
  h += "</tr>\n";
  auto row = [&](const std::string& name, auto f) {
    h += "<tr><td class=\"l\">" + escape_html(name) + "</td>";
    for (const Analysis* a : runs) h += "<td>" + escape_html(f(*a)) + "</td>";
    h += "</tr>\n";
  };
  row("requests started", [](const Analysis& a) { return human_count(a.result.started); });
  row("completed", [](const Analysis& a) { return human_count(a.result.completed); });
  row("failed", [](const Analysis& a) {
    const double done = static_cast<double>(a.result.completed + a.result.failed);
    return fmt::format("{} ({})", human_count(a.result.failed), pct(done ? a.result.failed / done : 0.0));
  });
  row("throughput", [](const Analysis& a) { return fmt::format("{:.1f} req/s", a.result.throughput_rps); });
  row("latency mean", [](const Analysis& a) { return human_duration(a.result.latency.mean); });
  row("latency p50", [](const Analysis& a) { return human_duration(a.result.latency.p50); });
  row("latency p90", [](const Analysis& a) { return human_duration(a.result.latency.p90); });
  row("latency p99", [](const Analysis& a) { return human_duration(a.result.latency.p99); });
  row("latency p99.9", [](const Analysis& a) { return human_duration(a.result.latency.p999); });
  row("latency max", [](const Analysis& a) { return human_duration(a.result.latency.max); });
  std::set<std::string> kinds;
  for (const Analysis* a : runs)
    for (const auto& [k, v] : a->result.errors) kinds.insert(k);
  for (const std::string& k : kinds)
    row("errors: " + k, [&](const Analysis& a) {
      auto it = a.result.errors.find(k);
      return human_count(it == a.result.errors.end() ? 0 : it->second);
    });
  row("cost", [](const Analysis& a) { return format_price(a.cost.per_hour); });
  h += "</table>\n";
  return h;
}

std::string components_table(const Analysis& a) {
  std::string h =
      "<table>\n<tr><th class=\"l\">component</th><th class=\"l\">kind</th><th>replicas</th><th>util</th>"
      "<th>req/s</th><th>queue mean</th><th>queue max</th><th>wait mean</th><th>p99</th><th>errors</th>"
      "<th>cost</th></tr>\n";
  for (std::size_t i = 0; i < a.result.components.size(); ++i) {
    const ComponentResult& c = a.result.components[i];
    std::uint64_t errs = 0;
    for (const auto& [k, v] : c.errors) errs += v;
    const std::string shape =
        c.workers > 0 ? fmt::format("{}x{}", c.replicas, c.workers) : std::to_string(c.replicas);
    const double cost = i < a.cost.lines.size() ? a.cost.lines[i].per_hour : 0;
    h += fmt::format(
        "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:.1f}</td>"
        "<td>{:.2f}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        escape_html(c.name), name_of(c.kind), shape, c.workers > 0 ? pct(c.utilization) : "-",
        c.throughput_rps, c.queue_mean, human_count(static_cast<std::uint64_t>(c.queue_max)),
        c.workers > 0 ? human_duration(c.wait.mean) : "-", human_duration(c.latency.p99), human_count(errs),
        format_price(cost));
  }
  h += "</table>\n";
  return h;
}

std::string faults_table(const Analysis& a) {
  if (a.faults.empty()) return "";
  std::string h = "<table>\n<tr><th>at</th><th>until</th><th class=\"l\">fault or action</th></tr>\n";
  for (const FaultMark& f : a.faults)
    h += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>\n", clock(f.at),
                     f.until > f.at ? clock(f.until) : "", escape_html(f.what));
  h += "</table>\n";
  return h;
}

std::string picture_block(const Picture& p, const std::string& label) {
  if (p.shots.empty()) return "<p class=\"note\">" + escape_html(p.note) + "</p>\n";
  std::string h;
  for (const Picture::Shot& s : p.shots)
    h += fmt::format(
        "<figure><img class=\"arch\" alt=\"architecture of {}, {}\" src=\"data:image/png;base64,{}\">"
        "<figcaption>{}</figcaption></figure>\n",
        escape_html(label), escape_html(s.caption), base64(s.png), escape_html(s.caption));
  return h;
}

std::string config_block(const std::vector<ConfigFile>& files) {
  std::string h;
  for (const ConfigFile& f : files)
    h += "<details open><summary>" + escape_html(f.path) + "</summary><pre>" + escape_html(f.text) +
         "</pre></details>\n";
  return h;
}

std::string header(const Analysis& a, const std::string& title) {
  const RunResult& r = a.result;
  std::string sub = fmt::format("seed {}, {} simulated", r.seed, human_duration(r.sim_time_s));
  if (r.warmup_s > 0) sub += fmt::format(" (warm-up {})", human_duration(r.warmup_s));
  sub += fmt::format(", {} backend", r.backend);
  std::string h = "<h1>" + escape_html(title) + "</h1>\n<p class=\"sub\">" + escape_html(sub) + "</p>\n";
  if (!a.spec.description.empty()) h += "<p>" + escape_html(a.spec.description) + "</p>\n";
  return h;
}

std::string time_charts() {
  return "<div class=\"chart\" id=\"chart-throughput\"></div>\n<div class=\"chart\" "
         "id=\"chart-latency\"></div>\n"
         "<div class=\"chart\" id=\"chart-errors\"></div>\n<div class=\"chart\" id=\"chart-util\"></div>\n"
         "<div class=\"chart\" id=\"chart-queue\"></div>\n";
}

}  // namespace

std::string escape_html(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) | static_cast<unsigned char>(in[i + 2]);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += k[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += k[(v >> 18) & 63];
    out += k[(v >> 12) & 63];
    out += k[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string run_html(const ReportRun& run) {
  const Analysis& a = *run.analysis;
  const std::string title = "archsim: " + a.result.scenario + (run.label.empty() ? "" : " / " + run.label);
  std::string b = header(a, title);
  b += run.lead_html;
  b += verdict_badge(a.pass(), a.pass() ? "PASS: every requirement met" : "FAIL");
  b += "<h2>Verdicts</h2>\n" + slo_table(a);
  b += "<h2>Why</h2>\n" + why_block(a);
  b +=
      "<h2>Over time</h2>\n<p class=\"note\">Grey: warm-up (not measured). Dashed lines: faults and operator "
      "actions. Drag to zoom, double-click to reset.</p>\n" +
      time_charts();
  b += "<div class=\"cols\"><div><h2>Numbers</h2>\n" + numbers_table({&a}, {"measured"}) + "</div>\n";
  b += "<div><h2>Architecture</h2>\n" + picture_block(run.picture, a.result.scenario) + "</div></div>\n";
  b += "<h2>Components</h2>\n" + components_table(a) + faults_table(a);
  b += "<h2>Configuration</h2>\n" + config_block(run.config);
  json data;
  data["kind"] = "run";
  data["runs"] = json::array({series_json(run.label.empty() ? a.result.scenario : run.label, a)});
  return page(title, b, data);
}

std::string compare_html(const ReportRun& ra, const ReportRun& rb) {
  const Analysis& a = *ra.analysis;
  const Analysis& b = *rb.analysis;
  const std::string title = fmt::format("archsim: {} vs {}", ra.label, rb.label);
  std::string h = header(a, title);
  h += verdict_badge(a.pass(), ra.label + ": " + (a.pass() ? "PASS" : "FAIL"));
  h += " " + verdict_badge(b.pass(), rb.label + ": " + (b.pass() ? "PASS" : "FAIL"));
  // SLOs side by side, with the ones that flip.
  h += "<h2>Verdicts</h2>\n<table>\n<tr><th class=\"l\">objective</th><th>target</th><th>" +
       escape_html(ra.label) + "</th><th>" + escape_html(rb.label) +
       "</th><th class=\"l\">change</th></tr>\n";
  for (std::size_t i = 0; i < a.result.slo.size(); ++i) {
    const SloCheck& x = a.result.slo[i];
    const SloCheck* y = nullptr;
    for (const SloCheck& c : b.result.slo)
      if (c.name == x.name) y = &c;
    std::string change = !y                  ? ""
                         : x.pass == y->pass ? "same verdict"
                                             : (x.pass ? "pass -> FAIL" : "FAIL -> pass");
    h += fmt::format(
        "<tr><td class=\"l\">{}</td><td>{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td>"
        "<td class=\"l\">{}</td></tr>\n",
        escape_html(x.name), slo_text(x.name, x.target), x.pass ? "ok" : "bad",
        x.measured ? slo_text(x.name, x.actual) : "none", y && y->pass ? "ok" : "bad",
        !y            ? "-"
        : y->measured ? slo_text(x.name, y->actual)
                      : "none",
        change);
  }
  h += fmt::format("<tr><td class=\"l\">cost per hour</td><td>{}</td><td>{}</td><td>{}</td><td></td></tr>\n",
                   a.cost.budget ? format_price(*a.cost.budget) : "", format_price(a.cost.per_hour),
                   format_price(b.cost.per_hour));
  h += "</table>\n";
  h += "<h2>Why</h2>\n<div class=\"cols\"><div><h3>" + escape_html(ra.label) + "</h3>" + why_block(a) +
       "</div><div><h3>" + escape_html(rb.label) + "</h3>" + why_block(b) + "</div></div>\n";
  h += "<h2>Over time</h2>\n<p class=\"note\">" + escape_html(ra.label) + ": solid lines; " +
       escape_html(rb.label) + ": dashed. Same seed, same workload.</p>\n" + time_charts();
  h += "<h2>Numbers</h2>\n" + numbers_table({&a, &b}, {ra.label, rb.label});
  h += "<h2>Components</h2>\n<div class=\"cols\"><div><h3>" + escape_html(ra.label) + "</h3>" +
       components_table(a) + "</div><div><h3>" + escape_html(rb.label) + "</h3>" + components_table(b) +
       "</div></div>\n";
  h += "<h2>Architecture</h2>\n<div class=\"cols\"><div><h3>" + escape_html(ra.label) + "</h3>" +
       picture_block(ra.picture, ra.label) + "</div><div><h3>" + escape_html(rb.label) + "</h3>" +
       picture_block(rb.picture, rb.label) + "</div></div>\n";
  std::vector<ConfigFile> config = ra.config;
  for (const ConfigFile& f : rb.config)
    if (std::none_of(config.begin(), config.end(), [&](const ConfigFile& g) { return g.path == f.path; }))
      config.push_back(f);
  h += "<h2>Configuration</h2>\n" + config_block(config);
  json data;
  data["kind"] = "compare";
  data["runs"] = json::array({series_json(ra.label, a), series_json(rb.label, b)});
  return page(title, h, data);
}

std::string sweep_html(const SweepResult& s, const std::vector<ConfigFile>& config) {
  std::string params;
  for (const Axis& a : s.axes) params += (params.empty() ? "" : " x ") + a.target.path;
  const std::string title = fmt::format("archsim: {} over {}", s.scenario, params);
  std::string h = "<h1>" + escape_html(title) + "</h1>\n";
  h +=
      "<p class=\"sub\">" +
      escape_html(fmt::format("seed {} for every point (common random numbers), {} points, passing means: {}",
                              s.seed, s.points.size(),
                              s.criterion.what == "slo"   ? "every SLO met"
                              : s.criterion.what == "all" ? "every SLO met and within budget"
                                                          : s.criterion.what + " met")) +
      "</p>\n";
  if (!s.search_note.empty()) h += verdict_badge(s.found.has_value(), s.search_note);
  h += "<h2>Over the parameter</h2>\n<p class=\"note\">Squares under each chart: green passes, red "
       "fails.</p>\n"
       "<div class=\"chart\" id=\"chart-latency\"></div>\n<div class=\"chart\" "
       "id=\"chart-throughput\"></div>\n"
       "<div class=\"chart\" id=\"chart-errors\"></div>\n<div class=\"chart\" id=\"chart-cost\"></div>\n"
       "<div class=\"chart\" id=\"chart-util\"></div>\n";
  h += "<h2>Points</h2>\n<table>\n<tr>";
  for (const Axis& a : s.axes) h += "<th>" + escape_html(a.target.path) + "</th>";
  h += "<th>verdict</th><th>req/s</th><th>p50</th><th>p99</th><th>errors</th><th>cost</th><th "
       "class=\"l\">why</th></tr>\n";
  for (const Point& p : s.points) {
    h += "<tr>";
    for (const auto& t : p.text) h += "<td>" + escape_html(t) + "</td>";
    const double done = static_cast<double>(p.result.completed + p.result.failed);
    h += fmt::format(
        "<td class=\"{}\">{}</td><td>{:.1f}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td class=\"l wrap\">{}</td></tr>\n",
        p.pass ? "ok" : "bad", p.pass ? "pass" : "FAIL", p.result.throughput_rps,
        human_duration(p.result.latency.p50), human_duration(p.result.latency.p99),
        pct(done ? p.result.failed / done : 0.0), format_price(p.cost.per_hour), escape_html(p.headline));
  }
  h += "</table>\n<h2>Configuration</h2>\n";
  std::string sets;
  for (const Axis& a : s.axes) {
    std::string vals;
    for (double v : a.values) vals += (vals.empty() ? "" : ", ") + a.text(v);
    sets += a.target.path + " = " + vals + "\n";
  }
  h += "<pre>" + escape_html(sets) + "</pre>\n" + config_block(config);

  json data;
  data["kind"] = "sweep";
  json axes = json::array();
  for (const Axis& a : s.axes)
    axes.push_back({{"path", a.target.path}, {"unit", a.unit}, {"values", a.values}});
  data["axes"] = axes;
  std::vector<std::string> comps;
  if (!s.points.empty())
    for (const ComponentResult& c : s.points.front().result.components)
      if (c.workers > 0) comps.push_back(c.name);
  data["components"] = comps;
  json pts = json::array();
  for (const Point& p : s.points) {
    const double done = static_cast<double>(p.result.completed + p.result.failed);
    json util = json::object();
    for (const ComponentResult& c : p.result.components)
      if (c.workers > 0) util[c.name] = r4(c.utilization * 100);
    pts.push_back({{"x", p.x},
                   {"pass", p.pass},
                   {"throughput", r4(p.result.throughput_rps)},
                   {"p50", r4(p.result.latency.p50 * 1e3)},
                   {"p99", r4(p.result.latency.p99 * 1e3)},
                   {"error_rate", r4(done ? 100.0 * p.result.failed / done : 0.0)},
                   {"cost", r4(p.cost.per_hour)},
                   {"util", util}});
  }
  data["points"] = pts;
  json slo = json::object();
  if (!s.points.empty()) {
    for (const SloCheck& c : s.points.front().result.slo) slo[c.name] = c.target;
    if (s.points.front().cost.budget) data["budget"] = *s.points.front().cost.budget;
  }
  data["slo"] = slo;
  data["found"] = s.found ? json(*s.found) : json(nullptr);
  return page(title, h, data);
}

}  // namespace archsim::report
