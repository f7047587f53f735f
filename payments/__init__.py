"""Stripe payments. The only package that imports `stripe` (in `gateway`); it imports only `shop.core`."""
