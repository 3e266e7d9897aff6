-- Atomically reads a session key and, in one-time mode, deletes it: of two callers racing for one key, exactly one
-- gets the value. Works on any Redis with scripting (GETDEL needs 6.2).
-- KEYS[1]  the session key
-- ARGV[1]  '1' to delete (one-time), '0' to keep until its TTL
local value = redis.call('GET', KEYS[1])
if value and ARGV[1] == '1' then
  redis.call('DEL', KEYS[1])
end
return value
