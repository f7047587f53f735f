// Shared helpers: JSON calls with the CSRF header, the toast, and the cart badge.
export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || `Request failed (${response.status})`);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

let toastTimer;
export function toast(message) {
  const el = document.querySelector(".toast");
  if (!el) return;
  el.textContent = message;  // textContent: server messages are never parsed as HTML
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 2400);
}

export function setCartCount(count) {
  const badge = document.querySelector("[data-cart-count]");
  if (!badge) return;
  badge.textContent = String(count);
  badge.hidden = count === 0;
}

function minorDigits(currency) {
  return { JPY: 0, KRW: 0, KWD: 3, BHD: 3 }[currency] ?? 2;
}

// "12.5" -> 1250 for USD; null when the text is not a plain amount (no floats cross the wire).
export function toMinor(text, currency) {
  const digits = minorDigits(currency);
  const match = String(text).trim().match(digits ? new RegExp(`^(\\d+)(?:\\.(\\d{1,${digits}}))?$`) : /^(\d+)$/);
  if (!match) return null;
  return Number(match[1]) * 10 ** digits + Number((match[2] || "").padEnd(digits, "0") || 0);
}

export function formatMoney({ amount, currency }) {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(undefined, {
    style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(amount / 10 ** digits);
}

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}
