// Card payment that works with real Stripe.js and with the local sandbox's stand-in:
// collect the card with a SetupIntent, charge it on our server, and run 3DS only if asked.
import { api } from "/static/js/app.js";

const root = document.querySelector("[data-pay]");
const orderId = root.dataset.orderId;
const button = root.querySelector("[data-pay-button]");
const errorBox = root.querySelector("[data-pay-error]");
const stripe = window.Stripe(root.dataset.publishableKey);
const card = stripe.elements().create("card");
card.mount(root.querySelector("[data-card-element]"));

function fail(message) {
  errorBox.textContent = message;  // textContent: bank messages are text, never markup
  errorBox.hidden = false;
  button.disabled = false;
}

async function pay() {
  button.disabled = true;
  errorBox.hidden = true;
  try {
    const setup = await api("POST", `/api/v1/orders/${orderId}/setup-intent`);
    const collected = await stripe.confirmCardSetup(setup.client_secret, { payment_method: { card } });
    if (collected.error) return fail(collected.error.message || "Check the card details.");
    let order = await api("POST", `/api/v1/orders/${orderId}/pay`, { setup_intent_id: setup.setup_intent_id });
    if (order.status === "pending_payment" && order.payment && order.payment.status === "requires_action") {
      const challenge = await stripe.confirmCardPayment(order.payment.client_secret);
      if (challenge.error) return fail(challenge.error.message || "Authentication failed. Try another card.");
      order = await api("GET", `/api/v1/orders/${orderId}`);
    }
    if (order.status === "paid") {
      window.location.href = `/orders/${orderId}`;
    } else if (order.payment && order.payment.error) {
      fail(order.payment.error);
    } else {
      fail("The payment did not complete. Try again or use another card.");
    }
  } catch (error) {
    fail(error.message);
  }
}

button.addEventListener("click", pay);
