"""Live shopping: streams, the websocket room, pinned products and flash sales.

`live` imports `shop`; `shop` imports `live` only in its composition root (`app.py`, `models.py`).
"""
