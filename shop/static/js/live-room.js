// The live room: follows the socket (pins, flash sales, stock, chat, likes, viewers) and sells
// without leaving the page. Every piece of user text is set with textContent, never as HTML.
import { el, formatMoney, toast } from "/static/js/app.js";
import { track } from "/static/js/events.js";
import { t } from "/static/js/i18n.js";
import { openBuySheet } from "/static/js/live-buy.js";
import { FlashSaleCard } from "/static/js/live-flash.js";
import { RoomSocket } from "/static/js/live-socket.js";
import { Upcoming } from "/static/js/live-upcoming.js";

const room = document.querySelector("[data-room]");
const streamId = Number(room.dataset.streamId);
const signedIn = room.dataset.signedIn === "true";
const chatList = room.querySelector("[data-chat]");
const pinnedCard = room.querySelector("[data-pinned]");
const MAX_CHAT = 60;
track("room_join", { stream_id: streamId });

const sheet = (() => {
  const root = document.querySelector("[data-sheet]");
  const backdrop = document.querySelector("[data-sheet-backdrop]");
  let closers = [];
  function close() { root.hidden = true; backdrop.hidden = true; closers.forEach((f) => f()); closers = []; }
  backdrop.addEventListener("click", close);
  root.querySelector("[data-sheet-close]").addEventListener("click", close);
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
  return {
    open(label) { closers.forEach((f) => f()); closers = []; root.setAttribute("aria-label", label); root.hidden = false; backdrop.hidden = false; return { body: root.querySelector("[data-sheet-body]") }; },
    onClose(f) { closers.push(f); },
    close,
  };
})();

let stripeClient = null;
const stripe = () => { stripeClient = stripeClient || window.Stripe(room.dataset.publishableKey); return stripeClient; };
const initial = JSON.parse(document.getElementById("room-state").textContent);
const socket = new RoomSocket(streamId, { onMessage: handle, onStatus: (up) => { room.querySelector("[data-connection]").hidden = up; room.dataset.connected = String(up); } });
const flash = new FlashSaleCard(room.querySelector("[data-flash-card]"), { now: () => socket.now(), sheet, signedIn, streamId, stripe });
const upcoming = new Upcoming(room.querySelector("[data-upcoming]"), {
  streamId, now: () => socket.now(), badge: room.querySelector("[data-status-badge]"),
});

// Buy opens the sheet over the room: a running flash deal goes through its reservation, any other
// shelf product is bought straight (variant, quantity, card) without leaving the room.
function openBuy(product) {
  track("product_view", { product_id: product.id, stream_id: streamId });
  if (!signedIn) { location.href = `/login?next=/live/${streamId}`; return; }
  if (flash.sells(product.id)) { flash.grab(); return; }
  openBuySheet({ sheet, stripe: stripe(), streamId, product });
}

function showPinned(product) {
  if (!product) { pinnedCard.hidden = true; delete pinnedCard.dataset.productId; return; }
  const fragment = document.getElementById("pinned-template").content.cloneNode(true);
  const image = fragment.querySelector(".pinned-image");
  if (product.image_url) image.src = product.image_url; else image.remove();
  fragment.querySelector(".pinned-name").textContent = product.name;
  fragment.querySelector(".pinned-price").textContent = product.price ? formatMoney(product.price) : "";
  fragment.querySelector("[data-buy-pinned]").addEventListener("click", () => openBuy(product));
  pinnedCard.replaceChildren(fragment);
  pinnedCard.dataset.productId = String(product.id);
  pinnedCard.hidden = false;
  pinnedCard.classList.remove("pop"); void pinnedCard.offsetWidth; pinnedCard.classList.add("pop");
}

function showShelf(products) {
  room.querySelectorAll("[data-shelf-count]").forEach((node) => { node.textContent = String(products.length); });
  room.querySelector("[data-shelf-list]").replaceChildren(...products.map((product) => {
    const item = el("li", { class: "shelf-item", "data-product-id": String(product.id) });
    if (product.image_url) item.append(el("img", { src: product.image_url, alt: "", width: "64", height: "64" }));
    item.append(el("a", { class: "shelf-name", href: `/products/${product.id}?stream=${streamId}` }, product.name),
      el("span", { class: "price" }, product.price ? formatMoney(product.price) : ""));
    const buy = item.appendChild(el("button", { type: "button", class: "button button-small" }, t("Buy")));
    buy.addEventListener("click", () => openBuy(product));
    return item;
  }));
}

function addChat({ seq, user, text, only_visible_to_you: onlyMine }) {
  const item = el("li", { class: onlyMine ? "chat-line chat-only-mine" : "chat-line" });
  if (seq) item.dataset.seq = String(seq);
  item.append(el("span", { class: "chat-author" }, user.display_name), el("span", { class: "chat-text" }, text));
  // A line the host's word list held back reaches only its author's socket: say so, as TikTok does.
  if (onlyMine) item.append(el("span", { class: "chat-note" }, t("Only visible to you")));
  chatList.append(item);
  while (chatList.children.length > MAX_CHAT) chatList.firstElementChild.remove();
  chatList.scrollTop = chatList.scrollHeight;
}

function removeChat({ target_seq: seq }) {
  chatList.querySelector(`[data-seq="${Number(seq)}"]`)?.remove();
}

// Slow mode and comments-off are the room's state: shown in the room, and the box says why it is shut.
function applyChatSettings(settings) {
  const { slow_mode_s: slow = 0, comments_off: off = false } = settings || {};
  const note = room.querySelector("[data-chat-mode]");
  note.textContent = off ? t("Comments are turned off") : slow ? t("Slow mode: one message every %(seconds)s s", { seconds: slow }) : "";
  note.hidden = !off && !slow;
  room.dataset.commentsOff = String(off);
  const input = room.querySelector("[data-chat-form] input[name=text]");
  if (input) { input.disabled = off; input.placeholder = off ? t("Comments are turned off") : t("Say something…"); }
}

function showAnnouncement(announcement) {
  const box = room.querySelector("[data-announcement]");
  box.hidden = !announcement;
  if (announcement) box.querySelector("[data-announcement-text]").textContent = announcement.text;
}

function floatHeart() {
  const hearts = room.querySelector("[data-hearts]");
  if (hearts.childElementCount > 12) return;  // a storm of likes stays a few hearts
  const heart = hearts.appendChild(el("span", { class: "heart", style: `--drift: ${Math.round(Math.random() * 40 - 20)}px; --hue: ${Math.round(Math.random() * 40 + 330)}` }, "♥"));
  heart.addEventListener("animationend", () => heart.remove());
}

let likes = 0;
function setLikes(count) {
  for (let i = 0; i < Math.min(count - likes, 5); i++) setTimeout(floatHeart, i * 120);
  likes = Math.max(likes, count);
  room.querySelector("[data-likes]").textContent = String(likes);
}

function setLive(status) {
  room.dataset.status = status;
  if (status === "scheduled") return;  // the badge keeps the start time Upcoming wrote into it
  const badge = room.querySelector("[data-status-badge]");
  badge.textContent = status === "live" ? t("LIVE") : t("Ended");
  badge.classList.remove("live-badge-soon");
  upcoming.started();
}

function snapshot({ stream }) {
  setLive(stream.status);
  showShelf(stream.products);
  showPinned(stream.pinned);
  flash.show(stream.flash_sale);
  chatList.replaceChildren();
  (stream.chat || []).forEach(addChat);
  applyChatSettings(stream.chat_settings);
  showAnnouncement(stream.announcement);
  room.querySelector("[data-viewers]").textContent = String(stream.viewers || 0);
  setLikes(stream.likes || 0);
  if (stream.status === "ended") streamEnded();
}

function streamEnded() {
  setLive("ended");
  if (room.querySelector(".live-ended")) return;
  const overlay = el("div", { class: "live-ended" });
  overlay.append(el("p", {}, t("This live has ended.")), el("a", { class: "button", href: `/live/${streamId}/replay` }, t("Watch the replay")));
  room.querySelector(".live-stage").append(overlay);
}

const handlers = {
  snapshot,
  pin: (m) => showPinned(m.product),
  unpin: () => showPinned(null),
  shelf: (m) => showShelf(m.products),
  flash_sale: (m) => (m.state === "ended" ? flash.ended(m.flash_sale) : flash.show(m.flash_sale)),
  stock: (m) => { if (flash.sale && flash.sale.id === m.flash_sale_id) flash.setRemaining(m.remaining); },
  chat: addChat,
  chat_deleted: removeChat,
  chat_settings: applyChatSettings,
  announcement: showAnnouncement,
  likes: (m) => setLikes(m.count),
  viewers: (m) => { room.querySelector("[data-viewers]").textContent = String(m.count); },
  stream_started: () => setLive("live"),
  stream_ended: streamEnded,
  error: (m) => toast(m.retry_after ? t("%(message)s (%(seconds)s s)", { message: m.message, seconds: m.retry_after }) : m.message),
};
function handle(message) { (handlers[message.type] || (() => {}))(message); }

room.querySelector("[data-like]").addEventListener("click", () => { floatHeart(); socket.send({ type: "like" }); });
room.querySelector("[data-chat-form]")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = event.target.elements.text;
  const text = input.value.trim();
  if (!text) return;
  if (socket.send({ type: "chat", text })) input.value = ""; else toast(t("Reconnecting… try again in a moment."));
});
room.querySelector("[data-shelf-open]").addEventListener("click", (event) => {
  event.preventDefault();
  const shelf = room.querySelector("[data-shelf]");
  shelf.open = true;
  shelf.scrollIntoView({ behavior: "smooth" });
});

snapshot({ stream: initial });
