-- Merges fields into a call record and refreshes its TTL, atomically.
-- KEYS[1]  the record hash, <keyPrefix>call:{<callConnectionId>}
-- ARGV[1]  TTL in milliseconds
-- ARGV[2]  state (connecting | connected | disconnected) or "" to leave it
-- ARGV[3]  createdAt, written only if the record has none yet (or "")
-- ARGV[4..] field, value pairs written as given
-- A state never moves backwards: the answer response ("connecting") may be stored after the CallConnected
-- callback ("connected") was handled, and must not undo it.
local rank = { connecting = 1, connected = 2, disconnected = 3 }
local state = ARGV[2]
if state ~= '' then
  local current = redis.call('HGET', KEYS[1], 'state')
  if not current or (rank[state] or 0) >= (rank[current] or 0) then
    redis.call('HSET', KEYS[1], 'state', state)
  end
end
if ARGV[3] ~= '' then
  redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[3])
end
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
