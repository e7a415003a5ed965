// The Lua behind admission.ts. Redis runs a script alone, so each one is a single atomic step
// across every instance. Bucket maths mirrors lib/gateway/rate-limit.ts exactly: a level in units
// of 1/60 000 token, refilling `limit` units per ms, so integer limits stay integer (Lua numbers
// are doubles: exact far beyond any real limit or budget in micro-USD).

// Shared prelude: refill a bucket hash to `now` (time only moves forward) and apply a changed
// limit keeping the fill ratio, as TokenBucket.setLimits does. Returns level, updated.
const BUCKET = `
local UNITS = 60000
local function bucket(key, limit, now)
  local h = redis.call('HMGET', key, 'level', 'updated', 'limit')
  local level, updated, old = tonumber(h[1]), tonumber(h[2]), tonumber(h[3])
  if level == nil then return limit * UNITS, now end
  if now > updated then
    local max = old * UNITS
    if level < max then level = math.min(max, level + (now - updated) * old) end
    updated = now
  end
  if old ~= limit then
    local oldMax, newMax = old * UNITS, limit * UNITS
    if oldMax > 0 then level = math.floor(level / oldMax * newMax) else level = newMax end
  end
  return level, updated
end
local function wait_ms(level, limit, cost)
  local target = math.min(cost, limit) * UNITS
  if level >= target then return 0 end
  return math.ceil((target - level) / limit)
end
local function store(key, level, updated, limit, idle_ms)
  redis.call('HSET', key, 'level', level, 'updated', updated, 'limit', limit)
  -- A full bucket equals a fresh one, so the key may vanish once it has refilled and sat idle.
  local to_full = math.ceil((limit * UNITS - level) / limit)
  redis.call('PEXPIRE', key, to_full + idle_ms)
end
-- Ends holds whose time is up (a crashed instance never settles). The request may have spent up
-- to its whole hold, so the hold's amount moves from reserved to spent: a cap errs on refusing
-- early, never on letting spend past it. The hold stays, marked, so a late settle corrects the
-- booking to the real cost.
local function purge(holds, prefix, now)
  local ids = redis.call('ZRANGEBYSCORE', holds, '-inf', now)
  for _, id in ipairs(ids) do
    local hk = prefix .. id
    local h = redis.call('HMGET', hk, 'status', 'amount', 'day', 'month')
    if h[1] == 'held' then
      local amount = tonumber(h[2])
      for p = 3, 4 do
        redis.call('HINCRBY', h[p], 'reserved', -amount)
        if redis.call('HEXISTS', h[p], 'spent') == 1 then redis.call('HINCRBY', h[p], 'spent', amount) end
      end
      redis.call('HSET', hk, 'status', 'expired')
    end
    redis.call('ZREM', holds, id)
  end
end
`;

/**
 * KEYS: n bucket keys, then (with a budget) day hash, month hash, holds zset, new hold key.
 * ARGV: now, n, idleMs, then limit and cost per bucket, then hasBudget, amount, dayCap, monthCap
 * (-1 = none), holdId, holdExpiresAt, holdKeyPrefix, seedDay, seedMonth (-1 = not loaded),
 * periodTtlMs, holdTtlMs.
 * Replies: {1, level...} admitted; {0, index, tooLarge, waitMs, level...} a limit refused;
 * {2, needDay, needMonth} spend must be loaded first; {3, period, cap, spent, reserved} over budget.
 */
export const ADMIT = `${BUCKET}
local now = tonumber(ARGV[1])
local n = tonumber(ARGV[2])
local idle_ms = tonumber(ARGV[3])
local levels, updateds = {}, {}
local failed, too_large, wait = -1, 0, 0
-- Pass 1 only looks, so a refusal leaves every bucket untouched (all or nothing).
for i = 1, n do
  local limit, cost = tonumber(ARGV[2 + i * 2]), tonumber(ARGV[3 + i * 2])
  local level, updated = bucket(KEYS[i], limit, now)
  levels[i], updateds[i] = level, updated
  local w = wait_ms(level, limit, cost)
  local never = 0
  if cost > limit then never = 1 end
  if w > 0 or never == 1 then
    if failed < 0 or (never == 1 and too_large == 0) or (never == too_large and w > wait) then
      failed, too_large = i, never
    end
    if w > wait then wait = w end
  end
end
if failed >= 0 then
  local reply = {0, failed - 1, too_large, wait}
  for i = 1, n do reply[4 + i] = levels[i] end
  return reply
end

local b = 4 + n * 2
if tonumber(ARGV[b]) == 1 then
  local amount = tonumber(ARGV[b + 1])
  local caps = {tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])}
  local hold_id, hold_expires, prefix = ARGV[b + 4], tonumber(ARGV[b + 5]), ARGV[b + 6]
  local seeds = {tonumber(ARGV[b + 7]), tonumber(ARGV[b + 8])}
  local period_ttl, hold_ttl = tonumber(ARGV[b + 9]), tonumber(ARGV[b + 10])
  local periods = {KEYS[n + 1], KEYS[n + 2]}
  local holds = KEYS[n + 3]
  purge(holds, prefix, now)
  local need = {0, 0}
  for p = 1, 2 do
    if redis.call('HEXISTS', periods[p], 'spent') == 0 then
      if seeds[p] >= 0 then
        redis.call('HSETNX', periods[p], 'spent', seeds[p])
        redis.call('PEXPIRE', periods[p], period_ttl)
      else
        need[p] = 1
      end
    end
  end
  if need[1] == 1 or need[2] == 1 then return {2, need[1], need[2]} end
  -- The month is checked first: when both are exhausted its reset is the one worth waiting for.
  for _, p in ipairs({2, 1}) do
    if caps[p] >= 0 then
      local h = redis.call('HMGET', periods[p], 'spent', 'reserved')
      local spent, reserved = tonumber(h[1]), tonumber(h[2] or '0')
      if spent + reserved + amount > caps[p] then return {3, p, caps[p], spent, reserved} end
    end
  end
  for p = 1, 2 do redis.call('HINCRBY', periods[p], 'reserved', amount) end
  local hk = KEYS[n + 4]
  redis.call('HSET', hk, 'status', 'held', 'amount', amount, 'day', periods[1], 'month', periods[2])
  redis.call('PEXPIRE', hk, hold_ttl)
  redis.call('ZADD', holds, hold_expires, hold_id)
  redis.call('PEXPIRE', holds, period_ttl)
end

local reply = {1}
for i = 1, n do
  local limit, cost = tonumber(ARGV[2 + i * 2]), tonumber(ARGV[3 + i * 2])
  local level = levels[i] - cost * UNITS
  store(KEYS[i], level, updateds[i], limit, idle_ms)
  reply[1 + i] = level
end
return reply
`;

/**
 * Corrects TPM charges to the real token count: a positive diff refunds (never above the limit), a
 * negative one charges (flooring at empty, no debt). KEYS: buckets. ARGV: now, idleMs, diff...
 */
export const ADJUST = `${BUCKET}
local now, idle_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  local limit = tonumber(redis.call('HGET', key, 'limit'))
  if limit then
    local level, updated = bucket(key, limit, now)
    local diff = tonumber(ARGV[2 + i]) * UNITS
    level = math.max(0, math.min(limit * UNITS, level + diff))
    store(key, level, updated, limit, idle_ms)
  end
end
return 1
`;

// Books the spend of a settled hold into a period and reports a crossed alert threshold, using
// integers (spent·100 ≥ cap·pct) as BudgetLedger does.
const BOOK = `
local function book(period, cost, cap, pct)
  local spent = redis.call('HINCRBY', period, 'spent', cost)
  if cap > 0 and pct > 0 and spent * 100 >= cap * pct and redis.call('HSETNX', period, 'alerted', 1) == 1 then
    return spent
  end
  return -1
end
`;

/**
 * Ends a hold. KEYS: hold, day hash, month hash. ARGV: cost (-1 = release, nothing spent), dayCap,
 * monthCap, thresholdPct. A hold that already expired was booked as spent in full, so only the
 * difference to the real cost is booked; one already ended is ignored. Reply: {ended,
 * dayAlertSpent, monthAlertSpent} (-1 = none).
 */
export const SETTLE = `${BOOK}
local cost = tonumber(ARGV[1])
local caps = {tonumber(ARGV[2]), tonumber(ARGV[3])}
local pct = tonumber(ARGV[4])
local h = redis.call('HMGET', KEYS[1], 'status', 'amount')
local status = h[1]
if status == 'settled' or status == 'released' then return {0, -1, -1} end
if status == 'held' then
  for p = 2, 3 do redis.call('HINCRBY', KEYS[p], 'reserved', -tonumber(h[2])) end
end
local alerts = {-1, -1}
local booked = nil
if cost >= 0 then booked = cost end
if status == 'expired' then booked = math.max(cost, 0) - tonumber(h[2]) end
if booked then
  for p = 2, 3 do
    if redis.call('HEXISTS', KEYS[p], 'spent') == 1 then alerts[p - 1] = book(KEYS[p], booked, caps[p - 1], pct) end
  end
end
local ended = 'settled'
if cost < 0 then ended = 'released' end
if status then redis.call('HSET', KEYS[1], 'status', ended) end
return {1, alerts[1], alerts[2]}
`;

/** KEYS: day hash, month hash, holds. ARGV: now, holdKeyPrefix. Reply: day and month fields. */
export const SNAPSHOT = `${BUCKET}
purge(KEYS[3], ARGV[2], tonumber(ARGV[1]))
local d = redis.call('HMGET', KEYS[1], 'spent', 'reserved', 'alerted')
local m = redis.call('HMGET', KEYS[2], 'spent', 'reserved', 'alerted')
return {d[1] or false, d[2] or false, d[3] or false, m[1] or false, m[2] or false, m[3] or false}
`;
