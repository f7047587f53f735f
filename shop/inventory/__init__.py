"""Stock, in one place: row locks in id order, live holds, and `move_stock`, the one writer."""
