"""The RedisGate's Lua (gate.py): keys sharing the hash tag `{sale:ID}` (remaining, per-user
counts, holds, terms), so each step is atomic in one Redis Cluster slot."""

# The one step of both scripts; `limit`, `starts` and `ends` are set by the script's own head.
_TAKE = """
local remaining = tonumber(redis.call('GET', KEYS[1]))
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then
  return {'ok', remaining, tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')}
end
local now = tonumber(ARGV[5])
if now < starts then return {'not_started', remaining} end
if now >= ends then return {'ended', remaining} end
local qty = tonumber(ARGV[3])
local used = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if used + qty > limit then return {'limit_reached', remaining} end
if remaining < qty then return {'sold_out', remaining} end
redis.call('DECRBY', KEYS[1], qty)
redis.call('HINCRBY', KEYS[2], ARGV[2], qty)
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2] .. ':' .. qty .. ':' .. ARGV[5])
return {'ok', remaining - qty, used + qty}
"""

RESERVE = (
    """
-- KEYS: remaining, per-user counts, holds   ARGV: reservation id, user, quantity, limit, now, starts, ends
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', 0} end
local limit, starts, ends = tonumber(ARGV[4]), tonumber(ARGV[6]), tonumber(ARGV[7])
"""
    + _TAKE
)

# `admit`: the same step under the terms `load` stored (KEYS[4]), so a refusal reads no DB row;
# for every admission asked at once (ARGV: reservation id, user, quantity, now, per admission), in
# order, one answer each: a rush of buyers is one round trip, not one each.
ADMIT = (
    """
local t = redis.call('HMGET', KEYS[4], 'limit', 'starts', 'ends')
local loaded = t[1] and redis.call('EXISTS', KEYS[1]) == 1
local limit, starts, ends = tonumber(t[1]), tonumber(t[2]), tonumber(t[3])
local function take(A)
"""
    + _TAKE.replace("ARGV[", "A[")
    + """
end
local out = {}
for i = 1, #ARGV, 4 do
  local A = {ARGV[i], ARGV[i + 1], ARGV[i + 2], 0, ARGV[i + 3]}
  if not loaded then out[#out + 1] = {'missing', 0}
  elseif tonumber(A[3]) > limit then out[#out + 1] = {'too_many', limit}
  else out[#out + 1] = take(A) end
end
return out
"""
)

RELEASE = """
local hold = redis.call('HGET', KEYS[3], ARGV[1])
if not hold then return 0 end
local user, qty = string.match(hold, '^(%d+):(%d+)')
qty = tonumber(qty)
redis.call('HDEL', KEYS[3], ARGV[1])
if ARGV[2] == 'release' then
  redis.call('INCRBY', KEYS[1], qty)
  redis.call('HINCRBY', KEYS[2], user, -qty)
end
return tonumber(user)
"""


LOAD = """
-- ARGV: terms ('limit,starts,ends' or ''), remaining, then the u: and h: pairs.
-- The terms never change after launch: they are set whatever the state of the books.
if ARGV[1] ~= '' then
  local limit, starts, ends = string.match(ARGV[1], '^([^,]+),([^,]+),([^,]+)$')
  redis.call('HSET', KEYS[4], 'limit', limit, 'starts', starts, 'ends', ends)
end
-- Rebuild only if still missing: a rebuild racing live reservations must not overwrite them.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3])
for i = 3, #ARGV, 2 do
  if string.sub(ARGV[i], 1, 2) == 'u:' then redis.call('HSET', KEYS[2], string.sub(ARGV[i], 3), ARGV[i + 1])
  else redis.call('HSET', KEYS[3], string.sub(ARGV[i], 3), ARGV[i + 1]) end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""
