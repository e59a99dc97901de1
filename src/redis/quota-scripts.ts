import type { Redis } from "ioredis";
import type { QuotaKind } from "../core/quota.js";

/**
 * The Redis keys of one team's quota of one kind. The team sits in a hash tag (`{...}`), so on a Redis
 * Cluster every key a script touches lives in one slot.
 */
export interface QuotaKeys {
  /** Sorted set: slot id → the latest time the server can have counted that call (ms, Redis clock). */
  readonly log: string;
  /** Sorted set: waiter id → ticket, the order waiters are admitted in. */
  readonly queue: string;
  /** Sorted set: waiter id → when it last asked; a waiter silent for longer than the staleness bound has left. */
  readonly seen: string;
  /** String: until when (ms, Redis clock) the server said the quota is spent. */
  readonly pause: string;
  /** Counter handing out tickets. */
  readonly ticket: string;
  /** Sorted set: worker id → when it last asked, to count the workers sharing the quota. */
  readonly workers: string;
}

/** The keys of `team`'s quota of `kind`; `team` is a hash, never an API key. */
export function quotaKeys(prefix: string, team: string, kind: QuotaKind): QuotaKeys {
  const base = `${prefix}:{${team}}`;
  return {
    log: `${base}:${kind}:log`,
    queue: `${base}:${kind}:queue`,
    seen: `${base}:${kind}:seen`,
    pause: `${base}:${kind}:pause`,
    ticket: `${base}:${kind}:ticket`,
    workers: `${base}:workers`,
  };
}

/** One request for a slot. */
export interface AcquireArgs {
  readonly limit: number;
  readonly windowMs: number;
  /** Added to the window for clock granularity between the server's accounting and ours. */
  readonly marginMs: number;
  /** How long a slot in flight counts as ending after its last renewal. */
  readonly leaseMs: number;
  /** The waiter's id, which becomes the slot's id once admitted. */
  readonly id: string;
  /** A waiter that has not asked for this long has left the queue. */
  readonly staleMs: number;
  readonly workerId: string;
  /** Every key expires this long after its last use. */
  readonly ttlMs: number;
}

/** The script's answer: admitted, or how long to wait before asking again. */
export interface AcquireReply {
  readonly admitted: boolean;
  /** When not admitted: ms until the slot this waiter needs leaves the window (or the pause ends). */
  readonly waitMs: number;
  /** The wait is only a bound: a call in flight holds the slot, and it frees when that call completes. */
  readonly blockedInFlight: boolean;
  /** Workers that asked for this kind of slot within the staleness bound. */
  readonly liveWorkers: number;
}

// Every script reads the time from Redis's TIME, so the clocks of the workers do not matter; a test passes
// the time in the last argument instead, to run the window logic against a reference model.
const clock = `
local function clock(override)
  if override ~= nil and override ~= '' then return tonumber(override) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
`;

// The exact sliding log. A slot counts from admission until `end + window + margin`, where `end` is the
// response time once the call completed, and `admission + lease` (renewed while it runs) before that:
// the latest time the server can have counted the call. Waiters are admitted in ticket order: the one of
// rank r is admitted when at least r + 1 slots are free, so a worker that asks late cannot be overtaken
// for ever by others that ask often.
const acquireLua = `${clock}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local margin = tonumber(ARGV[3])
local lease = tonumber(ARGV[4])
local id = ARGV[5]
local stale = tonumber(ARGV[6])
local worker = ARGV[7]
local ttl = tonumber(ARGV[8])
local now = clock(ARGV[9])

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window - margin)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. (now - stale))
for _, w in ipairs(gone) do
  redis.call('ZREM', KEYS[2], w)
  redis.call('ZREM', KEYS[3], w)
end
redis.call('ZADD', KEYS[6], now, worker)
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. (now - stale))
local live = redis.call('ZCARD', KEYS[6])

if not redis.call('ZSCORE', KEYS[2], id) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[5]), id)
end
redis.call('ZADD', KEYS[3], now, id)
local rank = redis.call('ZRANK', KEYS[2], id)
local count = redis.call('ZCARD', KEYS[1])
local paused = tonumber(redis.call('GET', KEYS[4]) or '0')

local admitted, wait, inflight = 0, 0, 0
if rank < limit - count and now >= paused then
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[1], now + lease, id)
  admitted = 1
else
  local at = paused
  -- The slots are sorted by end, so this waiter needs the (count - limit + rank)-th to leave first.
  local index = count - limit + rank
  if index >= 0 then
    if index >= count then
      -- Further back than one window's worth of slots: the one it needs is not taken yet.
      inflight = 1
      index = count - 1
    end
    if index >= 0 then
      local ends = tonumber(redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')[2])
      if ends > now then inflight = 1 end
      at = math.max(at, ends + window + margin)
    end
  end
  wait = math.max(1, math.ceil(at - now))
end
for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ttl) end
return {admitted, wait, inflight, live}
`;

// A call's slot is anchored at the earlier of its write plus a margin (ARGV[4]) and its response: each is
// a latest time the server can have counted it (see Permit.sent), so an anchor only ever moves earlier;
// an in-flight slot's lease lies beyond both. Added when missing, not skipped: after a Redis restart
// the slot is gone, yet the server did count the call.
const releaseLua = `${clock}
local at = clock(ARGV[2]) + tonumber(ARGV[4])
local current = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not current or at < tonumber(current) then redis.call('ZADD', KEYS[1], at, ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

// Slots of calls still in flight move their end on, so only a worker that stopped renewing (crashed)
// leaves its slots to expire a lease after its last renewal.
const renewLua = `${clock}
local ends = clock(ARGV[3]) + tonumber(ARGV[1])
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], ends, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
`;

// The server's "retry after": every worker of the team holds its calls until then.
const pauseLua = `${clock}
local now = clock(ARGV[3])
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[1], tostring(untilMs), 'PX', math.ceil(untilMs - now) + tonumber(ARGV[2]))
end
return 1
`;

const leaveLua = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

const commands = {
  xaiBatchQuotaAcquire: { numberOfKeys: 6, lua: acquireLua },
  xaiBatchQuotaRelease: { numberOfKeys: 1, lua: releaseLua },
  xaiBatchQuotaRenew: { numberOfKeys: 1, lua: renewLua },
  xaiBatchQuotaPause: { numberOfKeys: 1, lua: pauseLua },
  xaiBatchQuotaLeave: { numberOfKeys: 2, lua: leaveLua },
} as const;

/**
 * The quota scripts on one Redis connection. ioredis sends each by EVALSHA and falls back to EVAL when
 * Redis does not know it (after a restart). `nowMs` replaces Redis's clock; only tests pass it.
 */
export class QuotaScripts {
  private readonly fns: Record<keyof typeof commands, ScriptFn>;

  constructor(redis: Redis) {
    for (const [name, definition] of Object.entries(commands)) redis.defineCommand(name, definition);
    const scripted = redis as unknown as Record<keyof typeof commands, ScriptFn>;
    this.fns = Object.fromEntries(
      Object.keys(commands).map((name) => [name, scripted[name as keyof typeof commands].bind(redis)]),
    ) as Record<keyof typeof commands, ScriptFn>;
  }

  async acquire(keys: QuotaKeys, a: AcquireArgs, nowMs?: number): Promise<AcquireReply> {
    const reply = (await this.fns.xaiBatchQuotaAcquire(
      keys.log,
      keys.queue,
      keys.seen,
      keys.pause,
      keys.ticket,
      keys.workers,
      a.limit,
      a.windowMs,
      a.marginMs,
      a.leaseMs,
      a.id,
      a.staleMs,
      a.workerId,
      a.ttlMs,
      nowMs ?? "",
    )) as number[];
    return { admitted: reply[0] === 1, waitMs: reply[1]!, blockedInFlight: reply[2] === 1, liveWorkers: reply[3]! };
  }

  /** Anchors a completed call's slot at its response (now), unless it is anchored earlier already. */
  async release(keys: QuotaKeys, id: string, ttlMs: number, nowMs?: number): Promise<void> {
    await this.fns.xaiBatchQuotaRelease(keys.log, id, nowMs ?? "", ttlMs, 0);
  }

  /** Anchors the slot of a call whose request was written now at `marginMs` from now. */
  async sent(keys: QuotaKeys, id: string, marginMs: number, ttlMs: number, nowMs?: number): Promise<void> {
    await this.fns.xaiBatchQuotaRelease(keys.log, id, nowMs ?? "", ttlMs, marginMs);
  }

  async renew(keys: QuotaKeys, ids: readonly string[], leaseMs: number, ttlMs: number, nowMs?: number): Promise<void> {
    await this.fns.xaiBatchQuotaRenew(keys.log, leaseMs, ttlMs, nowMs ?? "", ...ids);
  }

  async pause(keys: QuotaKeys, durationMs: number, ttlMs: number, nowMs?: number): Promise<void> {
    await this.fns.xaiBatchQuotaPause(keys.pause, durationMs, ttlMs, nowMs ?? "");
  }

  async leave(keys: QuotaKeys, id: string): Promise<void> {
    await this.fns.xaiBatchQuotaLeave(keys.queue, keys.seen, id);
  }
}
