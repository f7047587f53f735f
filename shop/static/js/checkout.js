// The checkout page: one card form, paid through the shared flow in pay.js.
import { payOrder } from "/static/js/pay.js";

const root = document.querySelector("[data-pay]");
const orderId = root.dataset.orderId;
const button = root.querySelector("[data-pay-button]");
const errorBox = root.querySelector("[data-pay-error]");
const stripe = window.Stripe(root.dataset.publishableKey);
const card = stripe.elements().create("card");
card.mount(root.querySelector("[data-card-element]"));

button.addEventListener("click", async () => {
  button.disabled = true;
  errorBox.hidden = true;
  try {
    await payOrder(stripe, card, orderId);
    window.location.href = `/orders/${orderId}`;
  } catch (error) {
    errorBox.textContent = error.message;  // textContent: bank messages are text, never markup
    errorBox.hidden = false;
    button.disabled = false;
  }
});
