// A stream's analytics charts, from the JSON the page embeds (each table beside a chart holds the
// same numbers): viewers every 10 s, likes and chat per minute, and sales per minute with the pins
// and flash sales drawn as dashed lines where they happened.
import { t } from "/static/js/i18n.js";
import { formatMoney } from "/static/js/app.js";

const boot = JSON.parse(document.getElementById("live-analytics").textContent);
const { viewers, minutes, markers, currency } = boot;
const digits = { JPY: 0, KRW: 0, KWD: 3, BHD: 3 }[currency] ?? 2;
const MARKER_COLOURS = { pin: "#7c3aed", sale_start: "#ff2442", sale_end: "#94a3b8" };
const MARKER_WORDS = { pin: t("Pin"), sale_start: t("Sale"), sale_end: t("Sale ends") };

// Vertical dashed lines at the minute of each marker; labels are canvas text, never HTML.
const markerLines = {
  id: "markers",
  afterDatasetsDraw(chart, _args, options) {
    const { ctx, chartArea, scales } = chart;
    (options.items || []).forEach((marker, i) => {
      if (marker.index === null || marker.index === undefined) return;
      const x = scales.x.getPixelForValue(marker.index);
      ctx.save();
      ctx.strokeStyle = MARKER_COLOURS[marker.kind] || "#111";
      ctx.fillStyle = ctx.strokeStyle;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(MARKER_WORDS[marker.kind] || "", x + 3, chartArea.top + 12 + (i % 3) * 12);
      ctx.restore();
    });
  },
};

function draw(id, config) {
  const canvas = document.getElementById(id);
  if (!canvas || !window.Chart) return;
  const chart = new window.Chart(canvas, {
    ...config,
    options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options },
  });
  canvas.dataset.drawn = String(chart.data.datasets.length);
}

draw("viewers-chart", {
  type: "line",
  data: {
    labels: viewers.map((v) => v.label),
    datasets: [{ label: t("Viewers"), data: viewers.map((v) => v.viewers), borderColor: "#7c3aed", pointRadius: viewers.length > 60 ? 0 : 2, tension: 0.2 }],
  },
  options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
});

const labels = minutes.map((m) => m.label);
draw("engagement-chart", {
  type: "bar",
  data: {
    labels,
    datasets: [
      { label: t("Likes"), data: minutes.map((m) => m.likes), backgroundColor: "#ff2442" },
      { label: t("Chat"), data: minutes.map((m) => m.chat), backgroundColor: "#94a3b8" },
    ],
  },
  options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
});

draw("sales-chart", {
  type: "bar",
  data: {
    labels,
    datasets: [
      { label: t("GMV"), data: minutes.map((m) => m.gmv.amount / 10 ** digits), backgroundColor: "#7c3aed", yAxisID: "y" },
      { label: t("Units"), type: "line", data: minutes.map((m) => m.units), borderColor: "#ff2442", pointRadius: 2, yAxisID: "units" },
    ],
  },
  options: {
    scales: {
      y: { beginAtZero: true, position: "left" },
      units: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 } },
    },
    plugins: {
      markers: { items: markers },
      tooltip: {
        callbacks: {
          label: (item) => (item.dataset.yAxisID === "y"
            ? t("GMV: %(amount)s", { amount: formatMoney({ amount: Math.round(item.raw * 10 ** digits), currency }) })
            : t("Units: %(n)s", { n: item.raw })),
        },
      },
    },
  },
  plugins: [markerLines],
});
