// Pay an order by card, with real Stripe.js or the local sandbox's stand-in. The card is collected
// with createToken (no authentication of its own), charged on our server, and 3D Secure runs once,
// only when the bank asks for it on this payment. (A SetupIntent would be authenticated too, and a
// 3DS card would then be challenged a second time for the on-session payment.)
import { api } from "/static/js/app.js";

export async function payOrder(stripe, card, orderId) {
  const collected = await stripe.createToken(card);
  if (collected.error || !collected.token) {
    throw new Error((collected.error && collected.error.message) || "Check the card details.");
  }
  let order = await api("POST", `/api/v1/orders/${orderId}/pay`, { card_token: collected.token.id });
  if (order.status === "pending_payment" && order.payment && order.payment.status === "requires_action") {
    const challenge = await stripe.confirmCardPayment(order.payment.client_secret);
    if (challenge.error) throw new Error(challenge.error.message || "Authentication failed. Try another card.");
    order = await api("GET", `/api/v1/orders/${orderId}`);
  }
  if (order.status === "paid") return order;
  throw new Error((order.payment && order.payment.error) || "The payment did not complete. Try again or use another card.");
}
