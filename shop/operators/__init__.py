"""Operators: the people who run the platform. They verify, suspend and reinstate shops."""
