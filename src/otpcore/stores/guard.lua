-- The guard's verification policy, applied atomically in one round trip.
--
-- This is the Lua twin of otpcore.guard._decide; the two are tested with
-- one suite. Python has already computed which steps of the widest window
-- the policy could allow carry the submitted code, so no key material
-- reaches Redis: the script sees offsets, never codes or secrets.
--
-- KEYS[1]   the account's record (a JSON object; see otpcore.guard)
-- ARGV[1]   now, Unix milliseconds by the guard's clock
-- ARGV[2]   "totp" or "hotp"
-- ARGV[3]   "1" if the submission reads as a code, "0" if not
-- ARGV[4]   failures allowed before the first delay
-- ARGV[5]   failures that lock the account
-- ARGV[6]   the first delay, ms
-- ARGV[7]   the longest delay, ms
-- ARGV[8]   "1" if a badly formed submission counts as a failure
-- ARGV[9]   TOTP: steps accepted each side of the centre;
--           HOTP: counters accepted after the expected one
-- ARGV[10]  TOTP: the largest drift remembered, in steps
-- ARGV[11]  HOTP: the counter the offsets start from, decimal
-- ARGV[12]  n, the number of matches that follow, ascending by offset
-- then n triples:
--   offset  steps from the current step (TOTP) or from ARGV[11] (HOTP)
--   value   TOTP: the step, decimal; HOTP: the next counter, decimal
--   expiry  TOTP: when a record with nothing else to keep may be
--           forgotten, Unix ms; HOTP: unused
--
-- Returns {reason, retry_ms, failures, value, offset}; retry_ms is -1 when
-- locked. Returns {"stale", counter} when the HOTP counter is not
-- ARGV[11]: the caller recomputes from that counter and calls again.
--
-- Steps and counters reach 2**64 - 1, beyond the integers a Lua number
-- holds exactly, so they stay decimal strings, compared by length first.

local raw = redis.call('GET', KEYS[1])
local s = {}
if raw then
    s = cjson.decode(raw)
end
local now = tonumber(ARGV[1])
local fails = tonumber(s['fails'] or 0)

if s['locked'] then
    return {'locked', '-1', tostring(fails), '', ''}
end
local until_ms = tonumber(s['until'] or 0)
if now < until_ms then
    return {'throttled', tostring(until_ms - now), tostring(fails), '', ''}
end

local function save()
    local expires = s['expires']
    if expires then
        local ttl = tonumber(expires) - now
        if ttl < 1 then
            ttl = 1
        end
        redis.call('SET', KEYS[1], cjson.encode(s), 'PX', ttl)
    else
        redis.call('SET', KEYS[1], cjson.encode(s))
    end
end

local function fail(reason)
    fails = fails + 1
    s['fails'] = fails
    s['expires'] = nil
    local retry = 0
    local free = tonumber(ARGV[4])
    if fails >= tonumber(ARGV[5]) then
        s['locked'] = true
        s['until'] = nil
        retry = -1
    elseif fails > free then
        local doublings = math.min(fails - free - 1, 62)
        retry = math.min(tonumber(ARGV[6]) * 2 ^ doublings,
                         tonumber(ARGV[7]))
        s['until'] = now + retry
    else
        s['until'] = nil
    end
    save()
    return {reason, tostring(retry), tostring(fails), '', ''}
end

local function later(a, b)
    if #a ~= #b then
        return #a > #b
    end
    return a > b
end

if ARGV[3] ~= '1' then
    if ARGV[8] == '1' then
        return fail('bad_format')
    end
    return {'bad_format', '0', tostring(fails), '', ''}
end

local kind = ARGV[2]
local reach = tonumber(ARGV[9])
local low, high = 0, reach
if kind == 'totp' then
    local bound = tonumber(ARGV[10])
    local drift = math.max(-bound, math.min(bound, tonumber(s['drift'] or 0)))
    low, high = drift - reach, drift + reach
else
    local counter = s['counter'] or '0'
    if counter ~= ARGV[11] then
        return {'stale', counter}
    end
end

local found = nil
for i = 0, tonumber(ARGV[12]) - 1 do
    local offset = tonumber(ARGV[13 + 3 * i])
    if offset >= low and offset <= high then
        found = i
    end
end
if found == nil then
    return fail('wrong_code')
end
local offset = ARGV[13 + 3 * found]
local value = ARGV[14 + 3 * found]

if kind == 'totp' then
    if s['last'] and not later(value, s['last']) then
        return fail('replayed')
    end
    s['last'] = value
    local bound = tonumber(ARGV[10])
    local drift = math.max(-bound, math.min(bound, tonumber(offset)))
    if drift == 0 then
        s['drift'] = nil
    else
        s['drift'] = drift
    end
    if s['counter'] then
        s['expires'] = nil
    else
        s['expires'] = tonumber(ARGV[15 + 3 * found])
    end
else
    s['counter'] = value
    s['expires'] = nil
end
s['fails'] = nil
s['until'] = nil
save()
return {'accepted', '0', '0', value, offset}
