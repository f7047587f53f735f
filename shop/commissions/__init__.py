"""Who gets credit for a sale, and the append-only ledger of what each creator earns from it."""
