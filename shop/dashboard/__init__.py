"""The merchant dashboard (/dashboard): the shop's home, orders, catalog, live analytics, exports."""
