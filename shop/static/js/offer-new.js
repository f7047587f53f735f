// Send an offer: the terms are checked by the server (422 fields shown beside their inputs); an
// offer with a fee is created awaiting payment, its fee charged with the same card flow as orders,
// and only then does it reach the creator.
import { t } from "/static/js/i18n.js";
import { api, toMinor } from "/static/js/app.js";
import { payOfferFee } from "/static/js/pay.js";

const form = document.querySelector("[data-offer-form]");
const currency = form.dataset.currency;
const feeCard = form.querySelector("[data-fee-card]");
const flashTerms = form.querySelector("[data-flash-terms]");
const formError = form.querySelector("[data-form-error]");
const button = form.querySelector("[data-send-offer]");
const stripe = window.Stripe(form.dataset.publishableKey);
const card = stripe.elements().create("card");
card.mount(form.querySelector("[data-card-element]"));

function refresh() {
  feeCard.hidden = !form.elements.flat_fee.value.trim();
  flashTerms.hidden = form.elements.deliverable.value !== "stream";
  button.textContent = feeCard.hidden ? t("Send offer") : t("Pay the fee and send");
}
form.addEventListener("input", refresh);
refresh();

function showErrors(fields, message) {
  for (const box of form.querySelectorAll("[data-error-for]")) {
    const text = fields[box.dataset.errorFor];
    box.textContent = text || "";
    box.hidden = !text;
  }
  formError.textContent = message || "";
  formError.hidden = !message;
}

function money(text) {
  const amount = toMinor(text, currency);
  return amount === null ? undefined : { amount, currency };
}

function body() {
  const f = form.elements;
  const offer = {
    creator_id: Number(form.dataset.creatorId),
    product_ids: [...form.querySelectorAll("[name=product_ids]:checked")].map((box) => Number(box.value)),
    deliverable: f.deliverable.value,
    brief: f.brief.value,
    due_at: f.due_at.value ? new Date(`${f.due_at.value}T23:59:00`).toISOString() : "",
    samples: f.samples.checked,
  };
  if (f.flat_fee.value.trim()) offer.flat_fee = money(f.flat_fee.value) || { amount: -1, currency };
  if (f.commission_pct.value.trim()) offer.commission_bps = Math.round(Number(f.commission_pct.value) * 100);
  if (offer.deliverable === "stream" && f.flash_max_quantity.value.trim()) {
    offer.live_flash_sale = {
      max_quantity: Number(f.flash_max_quantity.value),
      min_price: money(f.flash_min_price.value) || { amount: 0, currency },
      per_customer_limit: Number(f.flash_per_customer_limit.value || 1),
    };
  }
  return offer;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  showErrors({}, "");
  let offer;
  try {
    offer = await api("POST", "/api/v1/offers", body());
  } catch (error) {
    const fields = (error.data && error.data.fields) || {};
    const named = Object.keys(fields).some((name) => form.querySelector(`[data-error-for="${name.split(".")[0]}"]`));
    showErrors(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.split(".")[0], v])), named ? "" : error.message);
    button.disabled = false;
    return;
  }
  if (offer.status === "awaiting_payment") {
    try {
      await payOfferFee(stripe, card, offer.id);
    } catch (error) {
      // The offer exists, unpaid and unseen by the creator: its page offers the card again.
      window.location.href = `/offers/${offer.id}?error=${encodeURIComponent(error.message)}`;
      return;
    }
  }
  window.location.href = `/offers/${offer.id}`;
});
