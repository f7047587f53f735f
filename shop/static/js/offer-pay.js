// An offer left awaiting payment (a declined card, an abandoned 3DS): pay its fee to send it.
import { payOfferFee } from "/static/js/pay.js";

const root = document.querySelector("[data-offer-pay]");
const button = root.querySelector("[data-pay-button]");
const errorBox = root.querySelector("[data-pay-error]");
const stripe = window.Stripe(root.dataset.publishableKey);
const card = stripe.elements().create("card");
card.mount(root.querySelector("[data-card-element]"));

button.addEventListener("click", async () => {
  button.disabled = true;
  errorBox.hidden = true;
  try {
    await payOfferFee(stripe, card, root.dataset.offerId);
    window.location.reload();
  } catch (error) {
    errorBox.textContent = error.message;
    errorBox.hidden = false;
    button.disabled = false;
  }
});
