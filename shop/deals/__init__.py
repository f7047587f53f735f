"""Paid partnerships: targeted offers, the deals they become, and the flat fee held while a deal runs."""
