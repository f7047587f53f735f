// The host console: start and end, the shelf, pins, and a flash-sale launcher whose ledger is
// read back from the server every second while a sale runs (the books are the truth, not this page),
// and a viewer chart that grows from the socket.
import { api, toMinor, toast } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";
import { ViewerChart } from "/static/js/live-console-chart.js";
import { ChatModeration } from "/static/js/live-moderation.js";
import { clock, RoomSocket } from "/static/js/live-socket.js";
import { broadcasting, endBroadcast } from "/static/js/video-console.js";

const root = document.querySelector("[data-console]");
const streamId = Number(root.dataset.streamId);
const state = JSON.parse(document.getElementById("room-state").textContent);
const ledgerBox = root.querySelector("[data-ledger]");
let sale = state.flash_sale;
const chartBox = root.querySelector("[data-viewer-chart]");
let viewerChart = null;

function showErrors(form, error) {
  form.querySelectorAll("[data-error-for]").forEach((node) => { node.hidden = true; });
  if (!error) return;
  const fields = (error.data && error.data.fields) || {};
  const shown = Object.entries(fields).map(([field, message]) => {
    const node = form.querySelector(`[data-error-for="${field.split(".")[0]}"]`);
    if (node) { node.textContent = message; node.hidden = false; }
    return Boolean(node);
  });
  if (!shown.some(Boolean)) {
    const node = form.querySelector('[data-error-for="form"]') || form.querySelector("[data-error-for]");
    node.textContent = error.message;
    node.hidden = false;
  }
}

function markPinned(productId) {
  root.querySelectorAll("[data-pin-list] .pin-item").forEach((item) => {
    const on = Number(item.dataset.productId) === productId;
    item.classList.toggle("pinned", on);
    item.querySelector("[data-pin]").textContent = on ? t("Unpin") : t("Pin");
  });
}

root.querySelectorAll("[data-pin]").forEach((button) => button.addEventListener("click", async () => {
  const productId = Number(button.dataset.pin);
  const pinned = button.closest(".pin-item").classList.contains("pinned");
  try {
    const stream = await api(pinned ? "DELETE" : "POST", `/api/v1/streams/${streamId}/pin`, pinned ? undefined : { product_id: productId });
    markPinned(stream.pinned ? stream.pinned.id : null);
  } catch (error) { toast(error.message); }
}));

root.querySelectorAll("[data-move]").forEach((button) => button.addEventListener("click", async () => {
  const move = button.dataset.move;
  if (move === "end" && !window.confirm(t("End the stream for everyone?"))) return;
  try {
    if (move === "end") await endBroadcast();  // the recording closes where the stream ends
    await api("POST", `/api/v1/streams/${streamId}/${move}`);
    if (move === "start" && broadcasting()) {  // keep the camera running: no reload
      root.querySelector("[data-status]").textContent = t("live");
      Object.assign(button.dataset, { move: "end" });
      button.textContent = t("End stream");
      return;
    }
    location.reload();
  } catch (error) { toast(error.message); }
}));

root.querySelector("[data-shelf-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const ids = [...event.target.querySelectorAll("input[name=product_ids]:checked")].map((box) => Number(box.value));
  try {
    await api("PUT", `/api/v1/streams/${streamId}/products`, { product_ids: ids });
    location.reload();
  } catch (error) { showErrors(event.target, error); }
});

root.querySelector("[data-sale-form]").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const option = form.elements.variant_id.selectedOptions[0];
  const currency = option ? option.dataset.currency : "USD";
  const amount = toMinor(form.elements.price.value, currency);
  if (amount === null) return showErrors(form, { data: { fields: { price: t("Enter an amount like 9.99.") } } });
  const number = (name) => Number(form.elements[name].value);
  const body = {
    variant_id: number("variant_id"), quantity: number("quantity"), price: { amount, currency },
    per_customer_limit: number("per_customer_limit"), countdown_s: number("countdown_s"), duration_s: number("duration_s"),
  };
  form.querySelector("button[type=submit]").disabled = true;
  try {
    await api("POST", `/api/v1/streams/${streamId}/flash-sales`, body);
    showErrors(form, null);
    toast(t("Flash sale launched"));
  } catch (error) { showErrors(form, error); }
  finally { form.querySelector("button[type=submit]").disabled = false; }
});

async function refreshLedger() {
  if (!sale) { ledgerBox.hidden = true; return; }
  try {
    const books = await api("GET", `/api/v1/flash-sales/${sale.id}/ledger`);
    for (const [key, value] of Object.entries(books)) {
      const node = ledgerBox.querySelector(`[data-book="${key}"]`);
      if (node) node.textContent = key === "invariant_ok" ? (value ? t("balanced ✓") : t("MISMATCH")) : String(value);
    }
    ledgerBox.querySelector(".stock-bar span").style.width = `${(100 * books.available) / books.quantity}%`;
    ledgerBox.dataset.invariant = String(books.invariant_ok);
  } catch (error) { /* the next tick tries again */ }
}

function tickClock() {
  if (!sale) return;
  const at = socket.now();
  const starts = Date.parse(sale.starts_at), ends = Date.parse(sale.ends_at);
  const [status, text] = sale.ended || at >= ends ? [t("ended"), ""]
    : at < starts ? [t("scheduled"), t("opens in %(time)s", { time: clock(starts - at) })]
      : [t("live"), t("ends in %(time)s", { time: clock(ends - at) })];
  ledgerBox.querySelector("[data-ledger-status]").textContent = status;
  ledgerBox.querySelector("[data-ledger-clock]").textContent = text;
}

function showSale(next) {
  sale = next;
  ledgerBox.hidden = !sale;
  if (!sale) return;
  ledgerBox.querySelector("[data-ledger-name]").textContent = sale.product ? `${sale.product.name} · ${sale.variant_name}` : t("Sale #%(id)s", { id: sale.id });
  refreshLedger();
}

const samples = JSON.parse(document.getElementById("viewer-samples").textContent);
viewerChart = new ViewerChart(chartBox, samples, { now: () => socket.now(), live: chartBox.dataset.live === "true" });
const socket = new RoomSocket(streamId, {
  onMessage(message) {
    moderation.handle(message);
    if (message.type === "snapshot") { showSale(message.stream.flash_sale); markPinned(message.stream.pinned ? message.stream.pinned.id : null); }
    if (message.type === "viewers" || message.type === "likes") root.querySelector(`[data-${message.type}]`).textContent = String(message.count);
    if (message.type === "snapshot") { root.querySelector("[data-viewers]").textContent = String(message.stream.viewers || 0); root.querySelector("[data-likes]").textContent = String(message.stream.likes || 0); }
    if (message.type === "pin") markPinned(message.product.id);
    if (message.type === "unpin") markPinned(null);
    if (message.type === "flash_sale") { showSale(message.flash_sale); if (message.state === "ended") sale.ended = true; }
    if (message.type === "viewers") viewerChart.update(message.count);
    if (message.type === "snapshot") viewerChart.update(message.stream.viewers || 0);
    if (message.type === "stream_ended") viewerChart.stop();
    if (message.type === "stock") refreshLedger();
  },
});
const moderation = new ChatModeration(root.querySelector("[data-moderation]"), { streamId, send: (m) => socket.send(m) });
showSale(sale);
setInterval(() => { tickClock(); }, 250);
setInterval(() => { if (sale && !sale.ended) refreshLedger(); }, 1000);
