"""Paying people through Stripe Connect: accounts, settlement runs, transfers and reversals."""
