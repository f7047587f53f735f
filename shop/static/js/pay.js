// Pay an order by card, with real Stripe.js or the local sandbox's stand-in: collect the card with a
// SetupIntent, charge it on our server, and run 3D Secure only when the bank asks for it.
import { api } from "/static/js/app.js";

export async function payOrder(stripe, card, orderId) {
  const setup = await api("POST", `/api/v1/orders/${orderId}/setup-intent`);
  const collected = await stripe.confirmCardSetup(setup.client_secret, { payment_method: { card } });
  if (collected.error) throw new Error(collected.error.message || "Check the card details.");
  let order = await api("POST", `/api/v1/orders/${orderId}/pay`, { setup_intent_id: setup.setup_intent_id });
  if (order.status === "pending_payment" && order.payment && order.payment.status === "requires_action") {
    const challenge = await stripe.confirmCardPayment(order.payment.client_secret);
    if (challenge.error) throw new Error(challenge.error.message || "Authentication failed. Try another card.");
    order = await api("GET", `/api/v1/orders/${orderId}`);
  }
  if (order.status === "paid") return order;
  throw new Error((order.payment && order.payment.error) || "The payment did not complete. Try again or use another card.");
}
