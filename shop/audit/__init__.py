"""Books that prove themselves: the audit's invariant checks and the operator's books page."""
