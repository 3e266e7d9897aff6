-- Presence: update one source layer of a user, recompute the effective presence, and publish it only when it
-- changed. Atomic, so two gateway instances applying the same change publish it once.
--
-- KEYS[1]  <prefix>presence:{<user>}        hash: effective state + one group of fields per source layer
-- KEYS[2]  <prefix>presence:{<user>}:calls  zset: active call ids scored by their expiry (ms)
-- ARGV[1]  op: set | clear | call-start | call-end | recompute
-- ARGV[2]  layer (set/clear): manual | call | poll
-- ARGV[3]  availability   ARGV[4] activity   (set, call-start)
-- ARGV[5]  expiresAt ms, 0 = never (set); the call's expiry (call-start)
-- ARGV[6]  now ms         ARGV[7] debounce window ms
-- ARGV[8]  layer priority, comma separated, highest first
-- ARGV[9]  fallback availability   ARGV[10] fallback activity
-- ARGV[11] channel        ARGV[12] PUBLISH | SPUBLISH
-- ARGV[13] user id        ARGV[14] call id (call-start, call-end)
--
-- Hash fields: a, act, v, src, ts = the published state and its version and time; pub = last publication (ms);
-- pend = 1 while a change waits for the debounce window; <layer>:a, <layer>:act, <layer>:exp = a layer.
--
-- Returns {status, version, dueAt, nextExpiry}: status 0 = unchanged, 1 = published, 2 = deferred until dueAt
-- (debounce); nextExpiry = the earliest future layer expiry (0 = none), for the caller's sweep schedule.
local state, calls = KEYS[1], KEYS[2]
local op, layer = ARGV[1], ARGV[2]
local now = tonumber(ARGV[6])
local debounce = tonumber(ARGV[7])

local function clear_layer(name)
  redis.call('HDEL', state, name .. ':a', name .. ':act', name .. ':exp')
end

if op == 'set' then
  redis.call('HSET', state, layer .. ':a', ARGV[3], layer .. ':act', ARGV[4], layer .. ':exp', ARGV[5])
elseif op == 'clear' then
  clear_layer(layer)
elseif op == 'call-start' then
  redis.call('ZADD', calls, ARGV[5], ARGV[14])
elseif op == 'call-end' then
  redis.call('ZREM', calls, ARGV[14])
end

-- The call layer mirrors the set of live calls: present while at least one call has not ended or expired.
if op == 'call-start' or op == 'call-end' or op == 'recompute' then
  redis.call('ZREMRANGEBYSCORE', calls, '-inf', now)
  local last = redis.call('ZRANGE', calls, -1, -1, 'WITHSCORES')
  if #last == 0 then
    clear_layer('call')
  elseif op == 'call-start' then
    redis.call('HSET', state, 'call:a', ARGV[3], 'call:act', ARGV[4], 'call:exp', last[2])
  else
    redis.call('HSET', state, 'call:exp', last[2])
  end
end

-- Effective presence: the first live layer in priority order, else the fallback.
local eff_a, eff_act, eff_src = ARGV[9], ARGV[10], 'fallback'
local found = false
local next_expiry = 0
for name in string.gmatch(ARGV[8], '[^,]+') do
  local fields = redis.call('HMGET', state, name .. ':a', name .. ':act', name .. ':exp')
  if fields[1] then
    local exp = tonumber(fields[3]) or 0
    if exp ~= 0 and exp <= now then
      clear_layer(name)
    else
      if not found then
        eff_a, eff_act, eff_src, found = fields[1], fields[2], name, true
      end
      if exp ~= 0 and (next_expiry == 0 or exp < next_expiry) then
        next_expiry = exp
      end
    end
  end
end

local current = redis.call('HMGET', state, 'a', 'act', 'v', 'pub')
local version = tonumber(current[3]) or 0
if current[1] == eff_a and current[2] == eff_act then
  redis.call('HDEL', state, 'pend')
  return {0, version, 0, next_expiry}
end

local last_pub = tonumber(current[4]) or 0
if debounce > 0 and last_pub > 0 and now - last_pub < debounce then
  redis.call('HSET', state, 'pend', '1')
  return {2, version, last_pub + debounce, next_expiry}
end

version = redis.call('HINCRBY', state, 'v', 1)
redis.call('HSET', state, 'a', eff_a, 'act', eff_act, 'src', eff_src, 'ts', ARGV[6], 'pub', ARGV[6])
redis.call('HDEL', state, 'pend')
local payload = cjson.encode({user = ARGV[13], availability = eff_a, activity = eff_act, version = version,
  source = eff_src, publishedAt = now})
redis.call(ARGV[12], ARGV[11], payload)
return {1, version, 0, next_expiry}
