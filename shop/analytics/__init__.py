"""Engagement events, their daily rollups and the funnel the merchant dashboard draws from them."""
