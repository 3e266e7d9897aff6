-- Sliding-window log rate limit, checked and recorded atomically: at most ARGV[1] permits in any window of
-- ARGV[2] milliseconds. Time comes from the Redis server (TIME), so instances with skewed clocks agree.
-- Memory per key is bounded by the limit (one sorted-set member per permit in the window).
-- KEYS[1]  the limit's key (a sorted set of permit times)
-- ARGV[1]  permits per window
-- ARGV[2]  window in milliseconds
-- ARGV[3]  a member id unique to this request
-- Returns {allowed (1|0), remaining permits, retry-after in ms (0 when allowed)}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - used - 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = window
if oldest[2] then
  retry = tonumber(oldest[2]) + window - now
end
if retry < 1 then
  retry = 1
end
return {0, 0, retry}
