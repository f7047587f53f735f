// The flash-sale card (countdown, stock bar, "Grab it") and the in-room checkout sheet that pays
// for the hold without leaving the room. A signed-in viewer's own count (held + bought) against the
// per-customer limit comes with the page, each reservation's answer and GET …/mine; at the limit
// the button says "Limit reached".
import { api, el, formatMoney, toast } from "/static/js/app.js";
import { t } from "/static/js/i18n.js";
import { clock } from "/static/js/live-socket.js";
import { payOrder } from "/static/js/pay.js";
import { mountShipTo, shipToBody, shipToProblem } from "/static/js/ship-to.js";

export class FlashSaleCard {
  constructor(root, { now, sheet, signedIn, streamId, stripe }) {
    Object.assign(this, { root, now, sheet, signedIn, streamId, stripe });
    this.sale = null;
    this.mine = null;  // {flash_sale_id, per_customer_limit, held, bought, left}
    setInterval(() => this.tick(), 250);
  }

  async loadMine(saleId) {
    if (!this.signedIn) return;
    try {
      this.mine = await api("GET", `/api/v1/flash-sales/${saleId}/mine`);
    } catch { /* the server still enforces the limit; the button just stays as it was */ }
    this.tick();
  }

  sells(productId) {
    return Boolean(this.sale && this.sale.product && this.sale.product.id === productId && this.phase() === "open");
  }

  show(sale) {
    this.sale = sale;
    if (!sale) { this.root.hidden = true; return; }
    if (sale.mine) this.mine = sale.mine;
    else if (!this.mine || this.mine.flash_sale_id !== sale.id) this.loadMine(sale.id);
    const fragment = document.getElementById("flash-template").content.cloneNode(true);
    const image = fragment.querySelector(".flash-image");
    if (sale.product && sale.product.image_url) image.src = sale.product.image_url; else image.remove();
    fragment.querySelector(".flash-name").textContent = sale.product ? `${sale.product.name} · ${sale.variant_name}` : "";
    fragment.querySelector(".flash-price").textContent = formatMoney(sale.price);
    if (sale.list_price) fragment.querySelector(".flash-list-price").textContent = formatMoney(sale.list_price);
    fragment.querySelector(".flash-limit").textContent = t("· limit %(limit)s", { limit: sale.per_customer_limit });
    fragment.querySelector("[data-grab]").addEventListener("click", () => this.grab());
    this.root.replaceChildren(fragment);
    this.root.dataset.flashSaleId = String(sale.id);
    this.root.hidden = false;
    this.setRemaining(sale.remaining);
  }

  setRemaining(remaining) {
    if (!this.sale) return;
    this.sale.remaining = remaining;
    const bar = this.root.querySelector(".stock-bar");
    bar.querySelector("span").style.width = `${(100 * remaining) / this.sale.quantity}%`;
    bar.setAttribute("aria-valuenow", String(remaining));
    bar.setAttribute("aria-valuemax", String(this.sale.quantity));
    this.root.querySelector("[data-remaining]").textContent = String(remaining);
    this.root.querySelector("[data-remaining-label]").textContent = t("of %(quantity)s left", { quantity: this.sale.quantity });
    this.tick();
  }

  phase() {
    const at = this.now();
    if (this.sale.ended || at >= Date.parse(this.sale.ends_at)) return "ended";
    if (at < Date.parse(this.sale.starts_at)) return "soon";
    if (this.sale.remaining <= 0) return "sold_out";
    const mine = this.mine && this.mine.flash_sale_id === this.sale.id ? this.mine : null;
    return mine && mine.left <= 0 ? "limit" : "open";
  }

  tick() {
    if (!this.sale || this.root.hidden) return;
    const phase = this.phase();
    const countdown = this.root.querySelector("[data-countdown]");
    const grab = this.root.querySelector("[data-grab]");
    const at = this.now();
    countdown.textContent = {
      soon: t("Starts in %(time)s", { time: clock(Date.parse(this.sale.starts_at) - at) }),
      open: t("Ends in %(time)s", { time: clock(Date.parse(this.sale.ends_at) - at) }),
      limit: t("Ends in %(time)s", { time: clock(Date.parse(this.sale.ends_at) - at) }),
      sold_out: t("Sold out", null, "live"), ended: t("Ended"),
    }[phase];
    this.root.dataset.phase = phase;
    grab.disabled = phase !== "open" || this.busy;
    grab.textContent = { soon: t("Soon"), open: t("Grab it"), limit: t("Limit reached"), sold_out: t("Sold out", null, "live"), ended: t("Ended") }[phase];
  }

  async grab() {
    if (!this.signedIn) { location.href = `/login?next=/live/${this.streamId}`; return; }
    this.busy = true;
    this.tick();
    try {
      const hold = await api("POST", `/api/v1/flash-sales/${this.sale.id}/reservations`, { quantity: 1 });
      if (hold.mine) this.mine = hold.mine;
      this.setRemaining(Math.min(this.sale.remaining, hold.remaining));
      this.openCheckout(hold);
    } catch (error) {
      this.refused(error);
    } finally {
      this.busy = false;
      this.tick();
    }
  }

  refused(error) {
    const code = error.data && error.data.code;
    if (code === "limit_reached") {
      const limit = this.sale.per_customer_limit;
      this.mine = { ...(this.mine || {}), flash_sale_id: this.sale.id, per_customer_limit: limit, left: 0 };
    } else if (code === "sold_out") {
      this.setRemaining(0);
    } else if (code === "ended") {
      this.sale.ended = true;
    }
    toast(error.message);
  }

  openCheckout(hold) {
    const { body } = this.sheet.open(t("Your flash deal"));
    const sale = this.sale;
    const fragment = document.getElementById("checkout-template").content.cloneNode(true);
    if (sale.product && sale.product.image_url) fragment.querySelector(".sheet-image").src = sale.product.image_url;
    fragment.querySelector(".sheet-name").textContent = sale.product ? sale.product.name : "";
    fragment.querySelector(".sheet-variant").textContent = `${hold.quantity} × ${sale.variant_name}`;
    const total = { amount: sale.price.amount * hold.quantity, currency: sale.price.currency };
    fragment.querySelector(".checkout-total").textContent = formatMoney(total);
    body.replaceChildren(fragment);
    const button = body.querySelector("[data-pay-button]");
    button.textContent = t("Pay %(total)s", { total: formatMoney(total) });
    this.ship = mountShipTo(body.querySelector("[data-ship-slot]"));
    const card = this.stripe().elements().create("card");
    card.mount(body.querySelector("[data-card-element]"));
    const timer = body.querySelector("[data-hold-timer]");
    const countdown = setInterval(() => {
      const left = Date.parse(hold.expires_at) - this.now();
      timer.textContent = left > 0 ? t("Held for you for %(left)s", { left: clock(left) }) : t("Your hold has expired.");
      if (left <= 0) { button.disabled = true; clearInterval(countdown); this.loadMine(hold.flash_sale_id); }
    }, 250);
    this.sheet.onClose(() => clearInterval(countdown));
    button.addEventListener("click", () => this.pay(body, button, hold, card, countdown));
  }

  async pay(body, button, hold, card, countdown) {
    const errorBox = body.querySelector("[data-pay-error]");
    button.disabled = true;
    errorBox.hidden = true;
    try {
      const where = this.ship ? shipToBody(this.ship) : {};
      const order = await api("POST", `/api/v1/flash-sales/${this.sale.id}/reservations/${hold.reservation_id}/checkout`, where);
      await payOrder(this.stripe(), card, order.order_id);
      clearInterval(countdown);
      const done = el("div", { class: "paid-box", "data-paid": "" });
      done.append(el("p", { class: "paid-title" }, t("Paid — it's yours!")),
        el("a", { class: "button button-ghost button-block", href: `/orders/${order.order_id}` }, t("View order #%(id)s", { id: order.order_id })));
      body.replaceChildren(done);
    } catch (error) {
      errorBox.textContent = shipToProblem(error);  // textContent: bank messages are text, never markup
      errorBox.hidden = false;
      button.disabled = false;
    }
  }

  ended(sale) {
    if (!this.sale || this.sale.id !== sale.id) return;
    this.sale.ended = true;
    this.setRemaining(sale.remaining);
    setTimeout(() => { if (this.sale && this.sale.ended) this.show(null); }, 8000);
  }
}
