// The dashboard home's chart: GMV by source per day, stacked, from the JSON the page embeds (the
// table beside it holds the same totals for screen readers and tests).
import { formatMoney } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";

const boot = JSON.parse(document.getElementById("gmv-series").textContent);
const { series, currency } = boot;
const LABELS = { note: t("Notes"), stream: t("Live"), direct: t("Direct") };
const COLOURS = { note: "#ff2442", stream: "#7c3aed", direct: "#94a3b8" };
const digits = { JPY: 0, KRW: 0, KWD: 3, BHD: 3 }[currency] ?? 2;

const canvas = document.getElementById("gmv-chart");
if (canvas && window.Chart) {
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: series.labels,
      datasets: ["note", "stream", "direct"].map((source) => ({
        label: LABELS[source],
        data: series[source].map((minor) => minor / 10 ** digits),
        backgroundColor: COLOURS[source],
        stack: "gmv",
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${formatMoney({ amount: Math.round(item.raw * 10 ** digits), currency })}`,
          },
        },
      },
    },
  });
  canvas.dataset.drawn = String(chart.data.datasets.length);
}
