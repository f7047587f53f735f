// Engagement events (note_view, tag_tap, product_view, room_join, add_to_cart) for the merchant
// dashboard: queued, and sent in batches of at most 50 to POST /api/v1/events every few seconds,
// and when the page is hidden or left (visibilitychange, pagehide), so a tap that navigates away
// still counts. The server drops what does not fit, caps repeats, and never answers with anything
// the page needs: failures are ignored.
//
// fetch with `keepalive: true`, not navigator.sendBeacon: a beacon cannot carry the X-CSRFToken
// header every cookie-authenticated call must send (CSRF applies to this endpoint like any other),
// while a keepalive fetch can, and it outlives the page the same way (bodies up to 64 KiB; 50
// events are ~4 KiB).
import { csrfToken } from "/static/js/app.js";

const BATCH = 50;
const IDS = ["note_id", "stream_id", "product_id"];  // the server refuses any other field
const FLUSH_MS = 4000;
const queue = [];
let timer = null;

function send(events) {
  try {
    fetch("/api/v1/events", {
      method: "POST",
      keepalive: true,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ events }),
    }).catch(() => {});
  } catch {
    // A browser that refuses keepalive (too many bytes in flight) loses the batch, never the page.
  }
}

export function flush() {
  clearTimeout(timer);
  timer = null;
  while (queue.length) send(queue.splice(0, BATCH));
}

// `ids`: note_id, stream_id, product_id (numbers); missing or empty ones are left out.
export function track(type, ids = {}) {
  const event = { type };
  for (const key of IDS) {
    const id = Number(ids[key]);
    if (Number.isInteger(id) && id > 0) event[key] = id;
  }
  queue.push(event);
  if (queue.length >= BATCH) flush();
  else if (!timer) timer = setTimeout(flush, FLUSH_MS);
}

document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flush(); });
window.addEventListener("pagehide", flush);
