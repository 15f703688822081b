// Interactive charts drawn with Plotly from the page's <script id="chart-data"> payload
// (see pairwatch/web/charts.py for its layout). Every [data-chart] element names the chart
// it holds: levels, relative, correlation (pair pages) or metric (metric pages).
(function () {
  "use strict";

  var source = document.getElementById("chart-data");
  if (!source || !window.Plotly) {
    return;
  }
  var payload = JSON.parse(source.textContent);

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function colours() {
    return {
      fg: css("--fg"), muted: css("--muted"), line: css("--line"),
      a: css("--leg-a"), b: css("--leg-b"), mean: css("--mean"), band: css("--band"),
      r20: css("--r20"), r60: css("--r60")
    };
  }

  function baseLayout(c, yTitle) {
    return {
      margin: { l: 52, r: 16, t: 8, b: 32 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: c.fg, size: 12 },
      hovermode: "x unified",
      showlegend: true,
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      xaxis: { type: "date", gridcolor: c.line, linecolor: c.line, zeroline: false },
      yaxis: { title: { text: yTitle }, gridcolor: c.line, linecolor: c.line, zeroline: false }
    };
  }

  function line(name, y, colour, extra, x) {
    var trace = {
      type: "scatter", mode: "lines", name: name, x: x || payload.dates, y: y,
      line: { color: colour, width: 1.6 }, connectgaps: false
    };
    return Object.assign(trace, extra || {});
  }

  function legName(leg) {
    return leg.mode === "rebased" ? leg.label + " (rebased to 100)" : leg.label + " (" + leg.unit + ")";
  }

  function levels(c) {
    var layout = baseLayout(c, payload.levels.axes === "shared" && payload.a.mode === "rebased" ? "rebased to 100" : legName(payload.a));
    var b = line(legName(payload.b), payload.levels.b, c.b, { line: { color: c.b, width: 1.6, dash: "dot" } });
    if (payload.levels.axes === "dual") {
      b.yaxis = "y2";
      layout.yaxis2 = { title: { text: legName(payload.b) }, overlaying: "y", side: "right", showgrid: false, linecolor: c.line };
      layout.margin.r = 56;
    }
    return { data: [line(legName(payload.a), payload.levels.a, c.a), b], layout: layout };
  }

  function constant(value) {
    return payload.dates.map(function () { return value; });
  }

  function relative(c) {
    var rel = payload.relative;
    var band = rel.upper === null ? [] : [
      line("−2σ", constant(rel.lower), c.band, { line: { color: c.band, width: 0.8 }, hoverinfo: "skip", showlegend: false }),
      line("±2σ band", constant(rel.upper), c.band, { line: { color: c.band, width: 0.8 }, fill: "tonexty", fillcolor: "rgba(204,121,167,0.15)", hoverinfo: "skip" })
    ];
    var mean = line("mean", constant(rel.mean), c.mean, { line: { color: c.mean, width: 1.2, dash: "dash" }, hoverinfo: "skip" });
    var data = band.concat([mean, line(rel.label, rel.values, c.a)]);
    return { data: data, layout: baseLayout(c, rel.kind) };
  }

  function correlation(c) {
    var layout = baseLayout(c, "correlation");
    layout.yaxis.range = [-1, 1];
    layout.yaxis.zeroline = true;
    layout.yaxis.zerolinecolor = c.muted;
    return {
      data: [
        line("20 observations", payload.correlation.r20, c.r20),
        line("60 observations", payload.correlation.r60, c.r60, { line: { color: c.r60, width: 1.6, dash: "dot" } })
      ],
      layout: layout
    };
  }

  function stability(c) {
    var st = payload.stability;
    var layout = baseLayout(c, "correlation");
    layout.yaxis.range = [-1, 1];
    layout.yaxis.zeroline = true;
    layout.yaxis.zerolinecolor = c.muted;
    var longRun = st.dates.map(function () { return st.long_run; });
    return {
      data: [
        line("rolling " + st.length, st.values, c.a, null, st.dates),
        line("whole history", longRun, c.mean, { line: { color: c.mean, width: 1.2, dash: "dash" }, hoverinfo: "skip" }, st.dates)
      ],
      layout: layout
    };
  }

  function backtest(c) {
    var bt = payload.backtest;
    var layout = baseLayout(c, "growth of 1");
    layout.yaxis.type = "log";
    return {
      data: [
        line(bt.strategy_label, bt.strategy, c.a, null, bt.dates),
        line(bt.hold_label, bt.buy_and_hold, c.b, { line: { color: c.b, width: 1.4, dash: "dot" } }, bt.dates)
      ],
      layout: layout
    };
  }

  function metric(c) {
    return { data: [line(payload.metric.label, payload.close, c.a)], layout: baseLayout(c, payload.metric.unit) };
  }

  var builders = {
    levels: levels, relative: relative, correlation: correlation,
    stability: stability, backtest: backtest, metric: metric
  };
  // On narrow screens the mode bar would sit over the legends: keep zoom by touch, hide the bar.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  var config = {
    responsive: true, displaylogo: false, displayModeBar: narrow ? false : "hover",
    modeBarButtonsToRemove: ["select2d", "lasso2d"]
  };

  function drawAll() {
    var c = colours();
    var nodes = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    var drawn = nodes.map(function (node) {
      var name = node.getAttribute("data-chart");
      var build = builders[name];
      if (!build || payload[name] === null) {
        return Promise.resolve(null);
      }
      var figure = build(c);
      if (!node.classList.contains("js-plotly-plot")) {
        node.textContent = "";  // drop the static preview before the first draw
      }
      return window.Plotly.react(node, figure.data, figure.layout, config).then(function () { return node.id; });
    });
    return Promise.all(drawn).then(function (ids) {
      window.pairwatchCharts = { ready: true, ids: ids.filter(Boolean) };
      document.dispatchEvent(new CustomEvent("pairwatch:charts", { detail: window.pairwatchCharts }));
    });
  }

  drawAll();
  document.addEventListener("pairwatch:theme", drawAll);
  if (window.matchMedia) {
    var query = window.matchMedia("(prefers-color-scheme: dark)");
    if (query.addEventListener) {
      query.addEventListener("change", drawAll);
    }
  }
})();
