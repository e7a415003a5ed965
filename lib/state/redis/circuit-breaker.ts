/**
 * Circuit breakers shared by every instance: one Redis hash per upstream model, changed only by
 * Lua so each step is atomic. States, the rolling window (a ring of 10 slots) and the transitions
 * are those of lib/gateway/circuit-breaker.ts; one instance's failures open it for all.
 */
import type { Redis } from "ioredis";
import {
  DEFAULT_BREAKER_OPTIONS,
  type Acquisition,
  type BreakerOptions,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
} from "@/lib/gateway/circuit-breaker";
import { defineScripts } from "./scripts";

const BREAKER = `
local SLOTS = 10
local key, op, now = KEYS[1], ARGV[1], tonumber(ARGV[2])
local ok, was_probe = ARGV[3] == '1', ARGV[4] == '1'
local window_ms, threshold, min_requests = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local open_ms, max_probes, ttl = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local slot_ms = window_ms / SLOTS
local exists = redis.call('EXISTS', key) == 1
if not exists and op ~= 'record' then
  if op == 'state' then return {'closed', 0, 0, -1} end
  return {'pass'}
end
local b = {}
local raw = redis.call('HGETALL', key)
for i = 1, #raw, 2 do b[raw[i]] = raw[i + 1] end
local state = b.state or 'closed'
local opened_at = tonumber(b.opened_at or '-1')
local probes, successes = tonumber(b.probes or '0'), tonumber(b.successes or '0')
local last_probe = tonumber(b.last_probe or '0')
local head = tonumber(b.head or '-1')
local requests, failures = tonumber(b.requests or '0'), tonumber(b.failures or '0')
local r, f = {}, {}
for i = 0, SLOTS - 1 do r[i] = tonumber(b['r' .. i] or '0'); f[i] = tonumber(b['f' .. i] or '0') end
local transitions = {}
-- Most calls (a closed breaker's acquire) change nothing and write nothing.
local dirty = false

local function reset_window()
  for i = 0, SLOTS - 1 do r[i] = 0; f[i] = 0 end
  requests, failures = 0, 0
end
local function advance()
  local slot = math.floor(now / slot_ms)
  if slot <= head then return end
  if head < 0 or slot - head >= SLOTS then reset_window()
  else
    for s = head + 1, slot do
      local i = s % SLOTS
      requests = requests - r[i]; failures = failures - f[i]
      r[i] = 0; f[i] = 0
    end
  end
  head = slot
end
local function transition(to)
  dirty = true
  table.insert(transitions, {state, to, requests, failures})
  state = to
  probes, successes = 0, 0
  if to == 'open' then opened_at = now end
  if to == 'closed' then opened_at = -1; reset_window() end
end
local function maybe_half_open()
  if state == 'open' and opened_at >= 0 and now - opened_at >= open_ms then transition('half_open') end
end
local function save()
  local fields = {'state', state, 'opened_at', opened_at, 'probes', probes, 'successes', successes,
    'last_probe', last_probe, 'head', head, 'requests', requests, 'failures', failures}
  for i = 0, SLOTS - 1 do
    table.insert(fields, 'r' .. i); table.insert(fields, r[i])
    table.insert(fields, 'f' .. i); table.insert(fields, f[i])
  end
  redis.call('HSET', key, unpack(fields))
  redis.call('PEXPIRE', key, ttl)
end
local function reply(first, rest)
  local out = {first}
  for _, x in ipairs(rest or {}) do table.insert(out, x) end
  for _, t in ipairs(transitions) do for _, x in ipairs(t) do table.insert(out, x) end end
  return out
end

if op == 'acquire' then
  maybe_half_open()
  local result
  if state == 'closed' then result = 'pass'
  elseif state == 'open' then result = 'blocked'
  else
    -- A probe whose result never came back must not hold its slot forever.
    if probes >= max_probes and now - last_probe >= open_ms then probes = 0 end
    if probes >= max_probes then result = 'blocked'
    else probes = probes + 1; last_probe = now; result = 'probe'; dirty = true end
  end
  if dirty then save() end
  return reply(result .. ':' .. state)
elseif op == 'is_open' then
  maybe_half_open()
  if dirty then save() end
  return reply(state)
elseif op == 'record' then
  if was_probe then
    -- A probe from an earlier half-open episode says nothing about the current state.
    if state == 'half_open' then
      if probes > 0 then probes = probes - 1 end
      if not ok then transition('open')
      else
        successes = successes + 1
        if successes >= max_probes then transition('closed') end
      end
    end
  elseif state == 'closed' then
    advance()
    local i = head % SLOTS
    r[i] = r[i] + 1; requests = requests + 1
    if not ok then f[i] = f[i] + 1; failures = failures + 1 end
    if requests >= min_requests and failures >= threshold * requests then transition('open') end
  end
  save()
  return reply(state)
end
maybe_half_open()
advance()
save()
return reply(state, {requests, failures, opened_at})
`;

const PASS: Acquisition = Object.freeze({ allowed: true, state: "closed", probe: false });
const ACQUISITIONS: Record<string, Acquisition> = {
  "pass:closed": PASS,
  "probe:half_open": Object.freeze({ allowed: true, state: "half_open", probe: true }),
  "blocked:open": Object.freeze({ allowed: false, state: "open", probe: false }),
  "blocked:half_open": Object.freeze({ allowed: false, state: "half_open", probe: false }),
};

type Op = "acquire" | "is_open" | "record" | "state";

export class RedisCircuitBreakers {
  private opts: BreakerOptions;
  private readonly prefix: string;
  private readonly onTransition?: (t: BreakerTransition) => void;
  private readonly scripts = defineScripts({ breaker: BREAKER });

  constructor(
    private readonly redis: Redis,
    opts: Partial<BreakerOptions> & { prefix?: string; onTransition?: (t: BreakerTransition) => void } = {},
  ) {
    this.opts = { ...DEFAULT_BREAKER_OPTIONS, ...opts };
    this.prefix = opts.prefix ?? "switchyard:";
    this.onTransition = opts.onTransition;
  }

  async acquire(key: string, now: number): Promise<Acquisition> {
    const [result] = await this.run("acquire", key, now);
    return ACQUISITIONS[String(result)] ?? PASS;
  }

  /** Open and still cooling down: callers skip this upstream without taking a probe slot. */
  async isOpen(key: string, now: number): Promise<boolean> {
    const [state] = await this.run("is_open", key, now);
    return state === "open";
  }

  async record(key: string, ok: boolean, now: number, wasProbe: boolean): Promise<void> {
    await this.run("record", key, now, ok, wasProbe);
  }

  async state(key: string, now: number): Promise<BreakerSnapshot> {
    const [state, requests, failures, openedAt] = await this.run("state", key, now);
    const s = state as BreakerState;
    const opened = Number(openedAt) >= 0 ? Number(openedAt) : null;
    return {
      state: s,
      failureRate: Number(requests) === 0 ? 0 : Number(failures) / Number(requests),
      requests: Number(requests),
      failures: Number(failures),
      openedAt: opened,
      nextProbeAt: s === "open" && opened !== null ? opened + this.opts.openMs : null,
    };
  }

  /** Options apply from the next call; a changed window starts empty (slots cannot be remapped). */
  setOptions(opts: Partial<BreakerOptions>): void {
    this.opts = { ...this.opts, ...opts };
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(this.redisKey(key));
  }

  private redisKey(key: string): string {
    return `${this.prefix}breaker:${key}:w${this.opts.windowMs}`;
  }

  // Runs one step; the transitions it caused are reported here, by the instance that caused them.
  private async run(op: Op, key: string, now: number, ok = false, wasProbe = false): Promise<unknown[]> {
    const o = this.opts;
    // Kept a day past the last change: a breaker not touched for that long is closed and empty anyway.
    const ttl = Math.max(o.windowMs, o.openMs) + 86_400_000;
    const args = [op, now, ok ? 1 : 0, wasProbe ? 1 : 0, o.windowMs, o.failureRateThreshold, o.minimumRequests, o.openMs, o.halfOpenProbes, ttl];
    const reply = (await this.scripts.run(this.redis, "breaker", [this.redisKey(key)], args)) as unknown[];
    const head = op === "state" ? 4 : 1;
    for (let i = head; i + 4 <= reply.length; i += 4) {
      const [from, to, requests, failures] = reply.slice(i, i + 4) as [BreakerState, BreakerState, number, number];
      this.onTransition?.({ key, from, to, at: now, requests, failureRate: requests === 0 ? 0 : failures / requests });
    }
    return reply;
  }
}
