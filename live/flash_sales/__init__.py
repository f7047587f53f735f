"""Flash sales: an allocation of stock sold at a deal price inside a live room, never oversold.

The gate (Redis Lua, or an in-process lock) decides each reservation atomically; the DB ledger
(`flash_sale_holds`) records every hold, sale, release and expiry and is the truth the gate is
rebuilt from.
"""
