// Pay by card, with real Stripe.js or the local sandbox's stand-in. The card is collected with
// createToken (no authentication of its own), charged on our server, and 3D Secure runs once, only
// when the bank asks for it on this payment. (A SetupIntent would be authenticated too, and a 3DS
// card would then be challenged a second time for the on-session payment.)
import { t } from "/static/js/i18n.js";
import { api } from "/static/js/app.js";

// One flow for orders and offer fees: POST the token to `payPath`, finish 3DS if asked, then read
// `readPath` (the server checks the PaymentIntent itself) until `isPaid` says so.
export async function payByCard(stripe, card, { payPath, readPath, isPaid }) {
  const collected = await stripe.createToken(card);
  if (collected.error || !collected.token) {
    throw new Error((collected.error && collected.error.message) || t("Check the card details."));
  }
  let paid = await api("POST", payPath, { card_token: collected.token.id });
  if (!isPaid(paid) && paid.payment && paid.payment.status === "requires_action") {
    const challenge = await stripe.confirmCardPayment(paid.payment.client_secret);
    if (challenge.error) throw new Error(challenge.error.message || t("Authentication failed. Try another card."));
    paid = await api("GET", readPath);
  }
  if (isPaid(paid)) return paid;
  throw new Error((paid.payment && paid.payment.error) || t("The payment did not complete. Try again or use another card."));
}

export function payOrder(stripe, card, orderId) {
  return payByCard(stripe, card, {
    payPath: `/api/v1/orders/${orderId}/pay`,
    readPath: `/api/v1/orders/${orderId}`,
    isPaid: (order) => order.status === "paid",
  });
}

export function payOfferFee(stripe, card, offerId) {
  return payByCard(stripe, card, {
    payPath: `/api/v1/offers/${offerId}/pay`,
    readPath: `/api/v1/offers/${offerId}`,
    isPaid: (offer) => offer.status !== "awaiting_payment",
  });
}
