// The room's Buy sheet for a shelf product: variant chips, quantity, the card, and payment over the
// still-playing room. The order is made by POST /api/v1/streams/{id}/checkout (price and stock from
// the server; a retry gets the same pending order) and paid with the shared card flow in pay.js.
import { api, el, formatMoney } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";
import { payOrder } from "/static/js/pay.js";
import { mountShipTo, shipToBody, shipToProblem } from "/static/js/ship-to.js";

const MAX_QUANTITY = 99;

export function openBuySheet({ sheet, stripe, streamId, product }) {
  const { body } = sheet.open(t("Buy %(name)s", { name: product.name }));
  const fragment = document.getElementById("buy-template").content.cloneNode(true);
  const image = fragment.querySelector(".sheet-image");
  if (product.image_url) image.src = product.image_url; else image.remove();
  fragment.querySelector(".sheet-name").textContent = product.name;
  body.replaceChildren(fragment);
  const ui = {
    price: body.querySelector(".sheet-price"), stock: body.querySelector(".sheet-stock"),
    options: body.querySelector(".variant-options"), qty: body.querySelector("[data-qty]"),
    pay: body.querySelector("[data-pay-button]"), error: body.querySelector("[data-pay-error]"),
    ship: mountShipTo(body.querySelector("[data-ship-slot]")),
  };
  const variants = product.variants || [];
  const state = { variant: variants.find((v) => v.available > 0) || variants[0], quantity: 1 };

  function render() {
    const { variant } = state;
    const most = variant ? Math.min(variant.available, MAX_QUANTITY) : 0;
    state.quantity = Math.max(1, Math.min(state.quantity, most || 1));
    ui.qty.textContent = String(state.quantity);
    body.querySelector("[data-qty-down]").disabled = state.quantity <= 1;
    body.querySelector("[data-qty-up]").disabled = state.quantity >= most;
    ui.stock.textContent = variant && variant.available > 0 ? t("%(count)s in stock", { count: variant.available }) : t("Sold out", null, "live");
    ui.price.textContent = variant ? formatMoney(variant.price) : "";
    const total = variant ? { amount: variant.price.amount * state.quantity, currency: variant.price.currency } : null;
    ui.pay.textContent = total ? t("Pay %(total)s", { total: formatMoney(total) }) : t("Pay");
    ui.pay.disabled = !variant || variant.available === 0;
    ui.options.querySelectorAll(".variant-chip").forEach((chip) => {
      const on = variant && Number(chip.dataset.variantId) === variant.id;
      chip.classList.toggle("selected", Boolean(on));
      chip.setAttribute("aria-checked", String(Boolean(on)));
    });
  }
  for (const variant of variants) {
    const chip = ui.options.appendChild(el("button", {
      type: "button", class: "variant-chip", role: "radio", "data-variant-id": String(variant.id),
    }, variant.name));
    chip.disabled = variant.available === 0;
    chip.addEventListener("click", () => { state.variant = variant; render(); });
  }
  body.querySelector("[data-qty-down]").addEventListener("click", () => { state.quantity -= 1; render(); });
  body.querySelector("[data-qty-up]").addEventListener("click", () => { state.quantity += 1; render(); });
  const card = stripe.elements().create("card");
  card.mount(body.querySelector("[data-card-element]"));
  ui.pay.addEventListener("click", () => pay(body, ui, state, { stripe, card, streamId }));
  render();
}

async function pay(body, ui, state, { stripe, card, streamId }) {
  ui.pay.disabled = true;
  ui.error.hidden = true;
  try {
    const where = ui.ship ? shipToBody(ui.ship) : {};
    const order = await api("POST", `/api/v1/streams/${streamId}/checkout`,
      { variant_id: state.variant.id, quantity: state.quantity, ...where });
    await payOrder(stripe, card, order.order_id);
    const done = el("div", { class: "paid-box", "data-paid": "" });
    done.append(el("p", { class: "paid-title" }, t("Paid — it's yours!")),
      el("a", { class: "button button-ghost button-block", href: `/orders/${order.order_id}` }, t("View order #%(id)s", { id: order.order_id })));
    body.replaceChildren(done);
  } catch (error) {
    ui.error.textContent = shipToProblem(error);  // textContent: bank and server messages are text, never markup
    ui.error.hidden = false;
    ui.pay.disabled = false;
  }
}
