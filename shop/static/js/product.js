// Product page: the price and stock follow the chosen variant; the visit and the add are reported
// (with the note or room it came from) as engagement events.
import { t } from "/static/js/i18n.js";
import { flush, track } from "/static/js/events.js";

const page = document.querySelector("[data-product-page]");
const origin = page ? {
  product_id: page.dataset.productId, note_id: page.dataset.fromNote, stream_id: page.dataset.fromStream,
} : null;
if (origin) track("product_view", origin);

const form = document.querySelector("[data-buy-form]");
const price = document.querySelector("[data-price]");
const stock = document.querySelector("[data-stock]");

function update() {
  const chosen = form?.querySelector("input[name=variant_id]:checked");
  if (!chosen) return;
  price.textContent = chosen.dataset.price;
  const left = Number(chosen.dataset.available);
  stock.textContent = left > 0 ? t("%(n)s in stock", { n: left }) : t("Sold out");
  form.querySelector("input[name=quantity]").max = String(Math.min(left, 99));
}
form?.addEventListener("change", update);
// The form posts and the page goes: the event leaves at once, in a keepalive request.
form?.addEventListener("submit", () => { if (origin) { track("add_to_cart", origin); flush(); } });
update();
