// The console's viewer chart. It starts from the samples stored so far (embedded in the page), then
// grows from the room socket without a reload: a point per `viewers` message, at most one every
// 5 s (a burst's last count still lands, as a trailing point), and, while the count holds still, a
// point every 10 s so the line keeps time. The table under it lists the latest points.
import { el } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";

const EVERY_MS = 5000;
const IDLE_MS = 10000;
const MAX_POINTS = 720;  // an hour at the idle pace; older points scroll off
const TABLE_ROWS = 6;

const utcTime = (ms) => new Date(ms).toISOString().slice(11, 19);

export class ViewerChart {
  constructor(box, seed, { now = () => Date.now(), live = true } = {}) {
    this.box = box;
    this.now = now;
    this.points = seed.map((s) => ({ label: s.label, viewers: s.viewers }));
    this.latest = null;
    this.lastPushAt = 0;
    this.pending = null;
    const canvas = box.querySelector("canvas");
    if (canvas && window.Chart) {
      this.chart = new window.Chart(canvas, {
        type: "line",
        data: {
          labels: this.points.map((p) => p.label),
          datasets: [{ label: t("Viewers"), data: this.points.map((p) => p.viewers), borderColor: "#7c3aed", pointRadius: 2, tension: 0.2 }],
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        },
      });
    }
    this.renderTable();
    this.idle = live ? setInterval(() => { if (Date.now() - this.lastPushAt >= IDLE_MS) this.push(); }, 1000) : null;
  }

  // A count from the socket (a `viewers` message or a snapshot).
  update(count) {
    this.latest = count;
    const since = Date.now() - this.lastPushAt;
    if (since >= EVERY_MS) this.push();
    else if (!this.pending) this.pending = setTimeout(() => this.push(), EVERY_MS - since);
  }

  push() {
    clearTimeout(this.pending);
    this.pending = null;
    if (this.latest === null || this.idle === null) return;
    this.lastPushAt = Date.now();
    this.points.push({ label: utcTime(this.now()), viewers: this.latest });
    if (this.points.length > MAX_POINTS) this.points.shift();
    if (this.chart) {
      this.chart.data.labels = this.points.map((p) => p.label);
      this.chart.data.datasets[0].data = this.points.map((p) => p.viewers);
      this.chart.update("none");
      this.chart.canvas.dataset.points = String(this.points.length);
    }
    this.renderTable();
  }

  stop() {
    clearInterval(this.idle);
    clearTimeout(this.pending);
    this.idle = null;
  }

  renderTable() {
    const body = this.box.querySelector("[data-viewer-points] tbody");
    if (!body) return;
    const rows = this.points.slice(-TABLE_ROWS).reverse().map((p) => {
      const row = el("tr");
      row.append(el("td", {}, p.label), el("td", {}, String(p.viewers)));
      return row;
    });
    body.replaceChildren(...rows);
    this.box.dataset.points = String(this.points.length);
  }
}
