// archsim report: draws the charts of a run, a comparison or a sweep with
// uPlot from the JSON embedded in the page (#archsim-data). Compiled into the
// archsim binary by embed.cmake. When done, <body> carries data-charts (how
// many charts were drawn) and data-errors (script errors seen), which the
// browser test reads.
(function () {
  "use strict";
  var errors = 0;
  window.addEventListener("error", function () {
    errors += 1;
    document.body.setAttribute("data-errors", String(errors));
  });

  // Okabe-Ito: distinguishable with red-green colour blindness.
  var palette = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442",
                 "#7f7f7f", "#8c564b"];
  var runColors = ["#D55E00", "#0072B2", "#CC79A7"];  // fault marks, one colour per design
  var drawn = 0;

  function clock(s) {
    if (s == null) return "";
    var neg = s < 0;
    s = Math.round(Math.abs(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var t = h > 0 ? h + "h" + (m < 10 ? "0" : "") + m + "m" : (m > 0 ? m + "m" + (sec < 10 ? "0" : "") + sec + "s" : sec + "s");
    return (neg ? "-" : "") + t;
  }
  function num(v, digits) {
    if (v == null || isNaN(v)) return "-";
    var a = Math.abs(v);
    if (a >= 1000) return Math.round(v).toLocaleString("en-US");
    if (a >= 100) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    return v.toFixed(digits == null ? 2 : digits);
  }
  // Axis labels: as many decimals as the step between them needs (10, not
  // 10.0; 0.25, not 0.3), with a currency sign for money.
  function axisValues(unit) {
    return function (u, splits) {
      var step = splits.length > 1 ? Math.abs(splits[1] - splits[0]) : Math.abs(splits[0] || 1);
      var dec = step > 0 ? Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9))) : 0;
      if (unit === "$/h") dec = Math.max(dec, 2);
      return splits.map(function (v) {
        var txt = Math.abs(v) >= 1000 && dec === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(dec);
        return unit === "$/h" ? "$" + txt : txt;
      });
    };
  }
  function width(el) {
    var w = el.clientWidth || (document.body.clientWidth - 40);
    return Math.max(360, Math.min(1100, w));
  }

  // Shades the warm-up, draws a line at each fault (a band while it lasts)
  // and, over a swept parameter, a pass/fail mark under each point.
  function marksPlugin(m) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          if (m.warmup > 0) {
            var x0 = u.valToPos(u.scales.x.min, "x", true), x1 = u.valToPos(Math.min(m.warmup, u.scales.x.max), "x", true);
            ctx.fillStyle = "rgba(120,120,120,0.10)";
            ctx.fillRect(x0, top, x1 - x0, h);
          }
          (m.faults || []).forEach(function (f) {
            var x = u.valToPos(f.at, "x", true);
            var color = runColors[(f.run || 0) % runColors.length];
            if (f.until > f.at) {
              var x2 = u.valToPos(f.until, "x", true);
              ctx.fillStyle = "rgba(120,120,120,0.08)";
              ctx.fillRect(x, top, x2 - x, h);
            }
            ctx.strokeStyle = color;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + h);
            ctx.stroke();
            ctx.setLineDash([]);
            // Each design's labels on their own line, in its colour: two
            // designs' faults at the same moment do not print over each other.
            ctx.fillStyle = color;
            ctx.font = (11 * devicePixelRatio) + "px sans-serif";
            ctx.fillText(f.what, x + 4 * devicePixelRatio, top + (12 + 13 * (f.run || 0)) * devicePixelRatio);
          });
          (m.verdicts || []).forEach(function (p) {
            var x = u.valToPos(p.x, "x", true);
            ctx.fillStyle = p.pass ? "#009E73" : "#D55E00";
            ctx.fillRect(x - 4 * devicePixelRatio, top + h - 8 * devicePixelRatio, 8 * devicePixelRatio, 8 * devicePixelRatio);
          });
          if (m.found != null) {
            var xf = u.valToPos(m.found, "x", true);
            ctx.strokeStyle = "#009E73";
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(xf, top);
            ctx.lineTo(xf, top + h);
            ctx.stroke();
          }
          ctx.restore();
        }]
      }
    };
  }

  // One chart: x values, a list of {label, values, color, dash, width}.
  function chart(id, title, unit, x, series, opts) {
    opts = opts || {};
    var el = document.getElementById(id);
    // A chart with nothing to draw is left out (and not counted).
    series = series.filter(function (s) { return s.values.some(function (v) { return v != null; }); });
    if (!el || series.length === 0 || x.length === 0) {
      if (el) el.parentNode.removeChild(el);
      return;
    }
    var data = [x];
    var conf = [{
      label: opts.xlabel || "time",
      value: function (u, v) { return opts.time ? clock(v) : num(v); }
    }];
    series.forEach(function (s, i) {
      data.push(s.values);
      conf.push({
        label: s.label,
        stroke: s.color || palette[i % palette.length],
        width: s.width || 1.5,
        dash: s.dash,
        spanGaps: false,
        points: { show: !opts.time },
        value: function (u, v) { return v == null ? "-" : num(v) + (unit ? " " + unit : ""); }
      });
    });
    var o = {
      title: title,
      width: width(el),
      height: opts.height || 260,
      scales: { x: { time: false } },
      series: conf,
      axes: [
        { values: opts.time ? function (u, splits) { return splits.map(clock); } : axisValues(opts.xunit),
          label: opts.xlabel || "" },
        { label: unit, size: 64, values: axisValues(unit) }
      ],
      plugins: [marksPlugin(opts.marks || {})],
      cursor: opts.time ? { sync: { key: "archsim-time" } } : {}
    };
    new uPlot(o, data, el);
    drawn += 1;
  }

  function perSecond(arr, dt) {
    return arr.map(function (v, i) { return dt[i] > 0 ? v / dt[i] : null; });
  }

  // A run or a comparison: charts over simulated time.
  function timeCharts(d) {
    var runs = d.runs;
    var longest = runs.reduce(function (a, r) { return r.t.length > a.t.length ? r : a; }, runs[0]);
    var x = longest.t;
    function pad(arr) {
      var out = arr.slice(0, x.length);
      while (out.length < x.length) out.push(null);
      return out;
    }
    var dashes = [undefined, [6, 4], [2, 3]];
    function label(r, what) { return runs.length > 1 ? r.label + ": " + what : what; }
    var marks = { warmup: runs[0].warmup, faults: [] };
    runs.forEach(function (r, k) {
      r.faults.forEach(function (f) {
        marks.faults.push({ at: f.at, until: f.until, run: k, what: (runs.length > 1 ? r.label + ": " : "") + f.what });
      });
    });

    var thr = [], lat = [], err = [], util = [], queue = [];
    runs.forEach(function (r, k) {
      var dash = dashes[k % dashes.length];
      thr.push({ label: label(r, "succeeded"), values: pad(perSecond(r.completed, r.dt)), color: palette[2], dash: dash });
      thr.push({ label: label(r, "arrived"), values: pad(perSecond(r.started, r.dt)), color: palette[0], dash: dash, width: 1 });
      thr.push({ label: label(r, "failed"), values: pad(perSecond(r.failed, r.dt)), color: palette[1], dash: dash });
      lat.push({ label: label(r, "p50"), values: pad(r.p50), color: palette[0], dash: dash });
      lat.push({ label: label(r, "p99"), values: pad(r.p99), color: palette[3], dash: dash });
      Object.keys(r.errors).forEach(function (kind, i) {
        err.push({ label: label(r, kind), values: pad(perSecond(r.errors[kind], r.dt)), color: palette[(i + 1) % palette.length], dash: dash });
      });
      r.components.forEach(function (c, i) {
        if (c.util) util.push({ label: label(r, c.name), values: pad(c.util), color: palette[i % palette.length], dash: dash });
        queue.push({ label: label(r, c.name), values: pad(c.queue), color: palette[i % palette.length], dash: dash });
      });
    });
    // Target lines on every chart an SLO speaks to.
    function target(label, v) { return { label: label, values: x.map(function () { return v; }), color: "#555", dash: [3, 3], width: 1 }; }
    var slo = runs[0].slo || {};
    if (runs[0].latency_target_ms != null) lat.push(target("SLO " + runs[0].latency_target_name, runs[0].latency_target_ms));
    if (slo.throughput_min != null) thr.push(target("SLO throughput_min", slo.throughput_min));
    if (slo.error_rate != null) {
      // Errors are drawn per second: the target is that share of what arrived.
      var r0 = runs[0];
      err.push({ label: "SLO error_rate " + num(slo.error_rate * 100) + "% of arrivals",
                 values: pad(r0.started.map(function (v, i) { return r0.dt[i] > 0 ? slo.error_rate * v / r0.dt[i] : null; })),
                 color: "#555", dash: [3, 3], width: 1 });
    }
    var o = { time: true, marks: marks };
    chart("chart-throughput", "Requests per second", "req/s", x, thr, o);
    chart("chart-latency", "Latency of requests that finished each second", "ms", x, lat, o);
    chart("chart-errors", "Errors by cause", "req/s", x, err, o);
    chart("chart-util", "Utilisation per component", "%", x, util, o);
    chart("chart-queue", "Waiting requests per component", "", x, queue, o);
  }

  // A sweep: charts over the (first) swept parameter, a line per value of the second.
  function sweepCharts(d) {
    var a0 = d.axes[0], a1 = d.axes.length > 1 ? d.axes[1] : null;
    var xs = a0.values.slice().sort(function (p, q) { return p - q; });
    var groups = a1 ? a1.values : [null];
    function line(metric, g) {
      return xs.map(function (x) {
        for (var i = 0; i < d.points.length; ++i) {
          var p = d.points[i];
          if (p.x[0] === x && (g === null || p.x[1] === g)) return metric(p);
        }
        return null;
      });
    }
    function series(what, metric, color) {
      return groups.map(function (g, i) {
        return { label: g === null ? what : what + " @ " + a1.path + "=" + g + a1.unit, values: line(metric, g),
                 color: a1 ? palette[i % palette.length] : color, dash: what === "p50" ? [6, 4] : undefined };
      });
    }
    var verdicts = [];
    d.points.forEach(function (p) { if (!a1 || p.x[1] === groups[0]) verdicts.push({ x: p.x[0], pass: p.pass }); });
    var o = { xlabel: a0.path + (a0.unit ? " (" + a0.unit + ")" : ""), xunit: a0.unit, marks: { verdicts: verdicts, found: d.found } };
    var slo = d.slo || {};
    function target(label, v) {
      return v == null ? [] : [{ label: label, values: xs.map(function () { return v; }), color: "#555", dash: [3, 3], width: 1 }];
    }
    var latTarget = slo.latency_p99 != null ? target("SLO latency_p99", slo.latency_p99 * 1000)
                  : target("SLO latency_p50", slo.latency_p50 != null ? slo.latency_p50 * 1000 : null);
    chart("chart-latency", "Latency", "ms", xs,
          series("p50", function (p) { return p.p50; }, palette[0]).concat(series("p99", function (p) { return p.p99; }, palette[3]), latTarget), o);
    chart("chart-throughput", "Throughput (successful)", "req/s", xs,
          series("throughput", function (p) { return p.throughput; }, palette[2]).concat(target("SLO throughput_min", slo.throughput_min)), o);
    chart("chart-errors", "Error rate", "%", xs,
          series("errors", function (p) { return p.error_rate; }, palette[1]).concat(target("SLO error_rate", slo.error_rate != null ? slo.error_rate * 100 : null)), o);
    chart("chart-cost", "Cost", "$/h", xs,
          series("cost", function (p) { return p.cost; }, palette[4]).concat(target("budget", d.budget)), o);
    var util = [];
    if (!a1) {
      d.components.forEach(function (c, i) {
        util.push({ label: c, values: line(function (p) { return p.util[c]; }, null), color: palette[i % palette.length] });
      });
    }
    chart("chart-util", "Utilisation per component", "%", xs, util, o);
  }

  try {
    var d = JSON.parse(document.getElementById("archsim-data").textContent);
    if (d.kind === "sweep") sweepCharts(d);
    else timeCharts(d);
  } finally {
    document.body.setAttribute("data-charts", String(drawn));
    if (!document.body.hasAttribute("data-errors")) document.body.setAttribute("data-errors", String(errors));
  }
})();
