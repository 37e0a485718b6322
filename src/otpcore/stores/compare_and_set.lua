-- Replace a value only if it is still the one the caller read.
--
-- KEYS[1]  the record's key
-- ARGV[1]  "1" if the caller read a value, "0" if the key was absent
-- ARGV[2]  the value the caller read (ignored when ARGV[1] is "0")
-- ARGV[3]  "1" to store ARGV[4], "0" to delete the key
-- ARGV[4]  the new value
-- ARGV[5]  milliseconds until the new value expires; "0" for never
--
-- Returns 1 when the change was applied, 0 when another writer got in
-- first. Comparing whole values makes an A-B-A sequence harmless: the
-- caller's change is a pure function of the value, so applying it to an
-- equal value gives the same result.

local current = redis.call('GET', KEYS[1])
if ARGV[1] == '0' then
    if current then
        return 0
    end
elseif current ~= ARGV[2] then
    return 0
end

if ARGV[3] == '0' then
    redis.call('DEL', KEYS[1])
elseif ARGV[5] == '0' then
    redis.call('SET', KEYS[1], ARGV[4])
else
    redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
end
return 1
