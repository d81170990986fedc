// The dashboards' charts (counsellors/dashboard.html, province.html): each
// <canvas data-chart="ID"> is drawn with Chart.js from the JSON in <script id="ID"
// type="application/json"> (Django's json_script): {type, title, horizontal, stacked,
// labels, datasets: [{key, label, data}]}. The tables beside the charts give the same
// figures, so nothing is lost without JavaScript or for a screen reader.
(function () {
  "use strict";

  // One colour per match status (and the funnel), distinguishable and dark enough on white.
  const COLOURS = {
    proposed: "#6c757d",
    forwarded: "#0d6efd",
    connected: "#198754",
    won: "#0b4f6c",
    lost: "#212529",
    declined: "#b35c00",
    rejected: "#dc3545",
    withdrawn: "#adb5bd",
    funnel: "#0b4f6c",
  };
  const FALLBACK = ["#0b4f6c", "#0d6efd", "#198754", "#b35c00", "#6f42c1", "#dc3545", "#212529"];

  function readSpec(id) {
    const element = document.getElementById(id);
    if (!element) return null;
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function draw(canvas) {
    const spec = readSpec(canvas.dataset.chart);
    if (!spec || !spec.labels || !spec.labels.length) return;
    const root = document.documentElement;
    const rtl = root.dir === "rtl";
    // Digits as portal/formatting.py writes them: Persian for fa, Arabic-Indic for ar.
    const LOCALES = { fa: "fa-IR", ar: "ar-u-nu-arab" };
    const locale = LOCALES[root.lang || "fa"] || root.lang;
    const horizontal = Boolean(spec.horizontal);
    const stacked = Boolean(spec.stacked);
    const box = canvas.closest("[data-chart-box]");
    if (box) {
      // Room for every label: a bar per row, plus the legend and the axis.
      const rows = spec.labels.length;
      box.style.height = (horizontal ? Math.max(160, rows * 30 + 90) : 320) + "px";
    }
    const datasets = spec.datasets.map(function (dataset, index) {
      const colour = COLOURS[dataset.key] || FALLBACK[index % FALLBACK.length];
      return { label: dataset.label, data: dataset.data, backgroundColor: colour, borderColor: colour };
    });
    const valueAxis = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
    const labelAxis = { stacked: stacked, ticks: { autoSkip: false } };
    if (horizontal) {
      valueAxis.reverse = rtl;
      labelAxis.position = rtl ? "right" : "left";
    } else {
      labelAxis.reverse = rtl;
      valueAxis.position = rtl ? "right" : "left";
    }
    // eslint-disable-next-line no-new
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        locale: locale,
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
        plugins: {
          legend: { display: datasets.length > 1, rtl: rtl, position: "bottom" },
          tooltip: { rtl: rtl },
          title: { display: false },
        },
      },
    });
  }

  function init() {
    if (!window.Chart) return;
    const font = window.getComputedStyle(document.body).fontFamily;
    if (font) window.Chart.defaults.font.family = font;
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
