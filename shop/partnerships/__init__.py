"""Brands and creators: open collaborations (a product any creator may sell for a commission), and
the selling rights that follow from them."""
