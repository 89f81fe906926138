/**
 * The two algorithms in Lua, run atomically inside Redis so that several kernels share one
 * counter. The arithmetic mirrors algorithms.ts line for line. Both return
 * `{allowed, remaining, resetMs, retryAfterMs}` as integers.
 * KEYS[1]: the counter. ARGV: capacity, limit, window (ms), cost, now (ms).
 */

/** Token bucket; the hash holds `t` (tokens) and `a` (time of the last update). */
export const TOKEN_BUCKET_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2]) / tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local saved = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = capacity
local at = now
if saved[1] then
  local last = tonumber(saved[2])
  at = math.max(now, last)
  tokens = math.min(capacity, tonumber(saved[1]) + math.max(0, now - last) * rate)
end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
local reset = math.ceil((capacity - tokens) / rate)
local retry = 0
if allowed == 0 then retry = math.max(1, math.ceil((cost - tokens) / rate)) end
redis.call('HSET', KEYS[1], 't', string.format('%.17g', tokens), 'a', string.format('%.17g', at))
redis.call('PEXPIRE', KEYS[1], math.max(1, reset) + 1000)
return {allowed, math.floor(tokens), reset, retry}
`;

/** Sliding window counter; the hash holds `s` (window start), `c` (current) and `p` (previous). */
export const SLIDING_WINDOW_SCRIPT = `
local limit = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local start = math.floor(now / size) * size
local saved = redis.call('HMGET', KEYS[1], 's', 'c', 'p')
local current = 0
local previous = 0
if saved[1] then
  local savedStart = tonumber(saved[1])
  if savedStart == start then
    current = tonumber(saved[2])
    previous = tonumber(saved[3])
  elseif savedStart == start - size then
    previous = tonumber(saved[2])
  end
end
local elapsed = now - start
local weight = (size - elapsed) / size
local allowed = 0
if previous * weight + current + cost <= limit then
  allowed = 1
  current = current + cost
end
local retry = 0
if allowed == 0 then
  if current + cost <= limit then
    retry = size * (1 - (limit - current - cost) / previous) - elapsed
  else
    retry = size - elapsed + size * (1 - (limit - cost) / current)
  end
  retry = math.max(1, math.ceil(retry))
end
local remaining = math.max(0, math.floor(limit - (previous * weight + current)))
redis.call('HSET', KEYS[1], 's', string.format('%.17g', start), 'c', current, 'p', previous)
redis.call('PEXPIRE', KEYS[1], 2 * size)
return {allowed, remaining, math.ceil(size - elapsed), retry}
`;
