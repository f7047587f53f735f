// Shared helpers: JSON calls with the CSRF header, the toast, and the cart badge.
import { locale, t } from "./i18n.js";

export { t };

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
    const error = new Error(data.message || t("Request failed (%(status)s)", { status: response.status }));
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

function setBadges(selector, count) {
  for (const badge of document.querySelectorAll(selector)) {
    badge.textContent = count > 99 ? "99+" : String(count);
    badge.hidden = count === 0;
  }
}

export function setCartCount(count) {
  setBadges("[data-cart-count], [data-tab-cart-count]", count);
}

export function setUnreadCount(count) {
  setBadges("[data-unread-count], [data-tab-unread-count]", count);
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
  return new Intl.NumberFormat(locale(), {
    style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(amount / 10 ** digits);
}

export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// New notifications arrive over the signed-in user's own socket: bump the badges, show a toast.
const NOTICE = {
  like: t("liked your note"), comment: t("commented on your note"), reply: t("replied to your comment"),
  comment_like: t("liked your comment"), follow: t("started following you"), live: t("is live now"),
  shipped: t("Your order shipped"), refund: t("You were refunded"),
  rate_change: t("A commission in your showcase is dropping"),
  shop_verified: t("Your shop is verified"), shop_suspended: t("Your shop was suspended"),
  shop_reinstated: t("Your shop was reinstated"),
};

function noticeText(message) {
  // A partnership step says what happened in its subject ("accepted your offer · Glow Lab").
  if (message.kind === "deal" && message.subject) return message.actor ? `${message.actor} ${message.subject}` : message.subject;
  const what = NOTICE[message.kind] || t("New notification");
  return message.actor ? `${message.actor} ${what}` : what;
}

function listenForNotifications(attempt = 0) {
  if (!document.body.hasAttribute("data-signed-in") || location.pathname === "/notifications") return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/notifications/ws`);
  socket.addEventListener("open", () => { attempt = 0; });
  socket.addEventListener("message", (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type !== "notification") return;
    const badge = document.querySelector("[data-unread-count]");
    const current = badge && !badge.hidden ? parseInt(badge.textContent, 10) || 0 : 0;
    setUnreadCount(current + 1);
    toast(noticeText(message));
    document.dispatchEvent(new CustomEvent("zc:notification", { detail: message }));
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401 || event.code === 4403) return;  // signed out or refused: don't hammer
    const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2);
    setTimeout(() => listenForNotifications(attempt + 1), delay);
  });
}

// The header's language switcher is a form (it works without JS): submit it when the choice changes.
function wireLanguageSwitch() {
  for (const select of document.querySelectorAll("[data-lang-switch]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
}

function start() {
  wireLanguageSwitch();
  listenForNotifications();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
