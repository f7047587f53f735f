"""Demo data for `python -m shop seed`: offline, deterministic and safe to run twice.

`content` holds the hand-written catalogue and copy, `plan` turns it into a fixed dataset with a
seeded RNG, `images`/`shapes` draw every picture with Pillow, and `seed` writes it all through the
project's own services so counters, the stock ledger and search text stay consistent.
"""
