"""Search across domains: people search (JSON) and the /search page with notes, products and people tabs."""
