import { Code, ConnectError } from "@connectrpc/connect";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { InputError } from "../core/errors.js";
import { MemoryQuotaLimiter } from "../core/memory-quota-limiter.js";
import { sentMarginMs } from "../core/internal/pacing.js";
import type { Permit, QuotaKind, QuotaLimiter, QuotaScope, Rate } from "../core/quota.js";
import { sleep } from "../core/internal/sleep.js";
import { localShare } from "./local-share.js";
import { redactUrl, resolveRedisQuotaOptions, type RedisQuotaOptions, type ResolvedRedisQuotaOptions } from "./options.js";
import { QuotaScripts, quotaKeys, type AcquireReply, type QuotaKeys } from "./quota-scripts.js";

/** The same margin as the in-memory limiter's: millisecond granularity between our clock and the server's. */
const marginMs = 5;
/** A waiter asks again at least this often, so a long wait still shows it is alive. */
const refreshMs = 1_000;
/** A waiter or worker silent for this long has gone (crashed), and leaves the queue. */
const staleMs = 5 * refreshMs;

/**
 * Paces every worker of a team through one Redis: `new Client({ quotaLimiter: redisQuotaLimiter({ url }) })`
 * in each. Admission is one Lua script over an exact sliding log, so however many processes share the
 * team, no rolling window admits more calls than the limit.
 */
export function redisQuotaLimiter(options: RedisQuotaOptions): RedisQuotaLimiter {
  return new RedisQuotaLimiter(options);
}

/**
 * A quota limiter shared through Redis. A Client given it paces its API key's team at its `limits`; one
 * limiter can serve several clients (of one team or several). Call `close()` when done, which closes a
 * connection it opened from `url`.
 */
export class RedisQuotaLimiter implements QuotaLimiter {
  readonly #link: RedisLink;
  readonly #options: ResolvedRedisQuotaOptions;
  readonly #views = new Map<string, TeamQuota>();

  constructor(options: RedisQuotaOptions) {
    this.#options = resolveRedisQuotaOptions(options);
    this.#link = new RedisLink(this.#options);
  }

  /**
   * The view that paces `scope`'s team; a Client calls it with its API key's team and its limits. Clients
   * of one team and limits share one view, so while Redis is away they share one local share, not one each.
   */
  forScope(scope: QuotaScope): QuotaLimiter {
    this.#link.connect();
    const team = this.#options.team ?? scope.team;
    const key = JSON.stringify([team, scope.rates.create, scope.rates.add]);
    let view = this.#views.get(key);
    if (view === undefined) {
      view = new TeamQuota(this.#link, this.#options, { ...scope, team });
      this.#views.set(key, view);
    }
    return view;
  }

  acquire(): Promise<Permit> {
    return Promise.reject(notScoped());
  }

  pause(): void {
    throw notScoped();
  }

  /** Closes the connection opened from `url` (a `client` given in the options is left open). */
  async close(): Promise<void> {
    await this.#link.close();
  }
}

function notScoped(): InputError {
  return new InputError(
    "A Redis quota limiter learns its team from the client: pass it as new Client({ quotaLimiter }), or call forScope(scope) first.",
  );
}

/** One connection to Redis, with what the workers of one process learn through it. */
class RedisLink {
  readonly redis: Redis;
  readonly scripts: QuotaScripts;
  /** This process's id among the workers of a team. */
  readonly workerId = randomUUID();
  /** The most workers seen sharing a quota, the divisor of the local share while Redis is away. */
  peakWorkers = 1;
  /** When Redis was last found unreachable, while it still is. */
  downSinceMs: number | undefined;
  private readonly owned: boolean;
  private readonly createdMs = Date.now();
  private everReady = false;

  constructor(private readonly options: ResolvedRedisQuotaOptions) {
    this.owned = options.client === undefined;
    this.redis =
      options.client ??
      new Redis(options.url!, {
        lazyConnect: true,
        // A command never waits in a queue for a Redis that is gone: it fails at once, and the policy applies.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: options.commandTimeoutMs,
        retryStrategy: (attempt) => Math.min(50 * attempt, 500),
      });
    // ioredis reports connection errors as events; the policy handles them, so they must not crash the process.
    if (this.owned) this.redis.on("error", () => {});
    this.scripts = new QuotaScripts(this.redis);
  }

  connect(): void {
    if (this.redis.status === "wait") this.redis.connect().catch(() => {});
  }

  /** Whether Redis can be asked now; before it has ever answered, waits for it up to `connectTimeoutMs`. */
  async usable(): Promise<boolean> {
    if (this.redis.status !== "ready" && !this.everReady) {
      const left = this.createdMs + this.options.connectTimeoutMs - Date.now();
      if (left > 0) await this.readyWithin(left);
    }
    if (this.redis.status === "ready") {
      this.everReady = true;
      this.downSinceMs = undefined;
      return true;
    }
    this.markDown();
    return false;
  }

  /** Resolves when the connection is ready or `ms` have passed; connection errors on the way are retried by ioredis. */
  private readyWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off("ready", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.redis.once("ready", done);
    });
  }

  markDown(): void {
    this.downSinceMs ??= Date.now();
  }

  sawWorkers(live: number): void {
    this.peakWorkers = Math.max(this.peakWorkers, live);
  }

  unreachable(): ConnectError {
    const where = this.options.url === undefined ? "the given client" : redactUrl(this.options.url);
    return new ConnectError(
      `the Redis quota store (${where}) is unreachable and whenUnreachable is "fail"; calls resume when it is back`,
      Code.Unavailable,
    );
  }

  async close(): Promise<void> {
    if (!this.owned) return;
    if (this.redis.status === "ready") await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}

/** One team's quota of one kind, as this process sees it. */
interface Lane {
  readonly kind: QuotaKind;
  readonly keys: QuotaKeys;
  readonly rate: Rate;
  /** Ids of this process's admitted calls still in flight, renewed until they complete. */
  readonly inFlight: Set<string>;
  /** When the calls paced locally during an outage have all left the window (ms, local clock). */
  localUntilMs: number;
  /** Calls paced locally still in flight. */
  localInFlight: number;
}

/** The view of one team: shared pacing through Redis, or this worker's share while Redis is away. */
class TeamQuota implements QuotaLimiter {
  private readonly lanes: Record<QuotaKind, Lane>;
  private readonly ttlMs: number;
  private local: { readonly limiter: MemoryQuotaLimiter; readonly outageMs: number } | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  /** Cleared by the first rejection, as in the in-memory limiter: the server counts later than the margin assumes. */
  private anchorAtWrite = true;

  constructor(
    private readonly link: RedisLink,
    private readonly options: ResolvedRedisQuotaOptions,
    scope: QuotaScope,
  ) {
    const lane = (kind: QuotaKind): Lane => ({
      kind,
      keys: quotaKeys(options.keyPrefix, scope.team, kind),
      rate: scope.rates[kind],
      inFlight: new Set(),
      localUntilMs: 0,
      localInFlight: 0,
    });
    this.lanes = { create: lane("create"), add: lane("add") };
    const longestWindowMs = Math.max(scope.rates.create.windowMs, scope.rates.add.windowMs);
    // Keys outlive everything they can hold: an in-flight lease, then a window, with room to spare.
    this.ttlMs = options.leaseMs + longestWindowMs + 60_000;
  }

  async acquire(kind: QuotaKind, signal?: AbortSignal): Promise<Permit> {
    const lane = this.lanes[kind];
    const id = randomUUID();
    let queued = false;
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (!(await this.link.usable())) {
          if (queued) this.link.scripts.leave(lane.keys, id).catch(() => {});
          queued = false;
          return await this.acquireLocally(lane, signal);
        }
        if (lane.localInFlight > 0) {
          // Back from an outage: calls paced locally must complete (and be reported) before Redis admits more.
          await sleep(this.options.pollMs, signal);
          continue;
        }
        let reply: AcquireReply;
        try {
          await this.reportLocalCalls(lane);
          queued = true;
          reply = await this.link.scripts.acquire(lane.keys, {
            limit: lane.rate.limit,
            windowMs: lane.rate.windowMs,
            marginMs,
            leaseMs: this.options.leaseMs,
            id,
            staleMs,
            workerId: this.link.workerId,
            ttlMs: this.ttlMs,
          });
        } catch {
          // Unreachable or too slow: this call is paced locally rather than waiting on Redis.
          this.link.markDown();
          if (queued) this.link.scripts.leave(lane.keys, id).catch(() => {});
          queued = false;
          return await this.acquireLocally(lane, signal);
        }
        this.link.sawWorkers(reply.liveWorkers);
        if (reply.admitted) {
          queued = false;
          return this.sharedPermit(lane, id);
        }
        await sleep(Math.min(reply.waitMs, reply.blockedInFlight ? this.options.pollMs : refreshMs), signal);
      }
    } finally {
      if (queued) this.link.scripts.leave(lane.keys, id).catch(() => {});
    }
  }

  pause(kind: QuotaKind, untilMs: number): void {
    this.anchorAtWrite = false;
    const lane = this.lanes[kind];
    this.local?.limiter.pause(kind, untilMs);
    const durationMs = Math.ceil(untilMs - Date.now());
    if (durationMs <= 0) return;
    if (this.link.redis.status !== "ready") {
      this.localLimiter().pause(kind, untilMs);
      return;
    }
    this.link.scripts.pause(lane.keys, durationMs, this.ttlMs).catch(() => {
      this.link.markDown();
      this.localLimiter().pause(kind, untilMs);
    });
  }

  private sharedPermit(lane: Lane, id: string): Permit {
    lane.inFlight.add(id);
    this.renewTimer ??= setInterval(() => this.renew(), Math.floor(this.options.leaseMs / 3)).unref();
    // Anchored at the earlier of the two moments the permit learns (see Permit.sent): the write plus the
    // margin, or the response when it comes sooner; a response after that could not move the anchor.
    let sentAtMs: number | undefined;
    let released = false;
    const settle = () => {
      if (!lane.inFlight.delete(id)) return;
      if (this.lanes.create.inFlight.size === 0 && this.lanes.add.inFlight.size === 0) {
        clearInterval(this.renewTimer);
        this.renewTimer = undefined;
      }
    };
    // Unreachable now: the slot expires a lease after its last renewal instead, which counts it longer, never shorter.
    const markDown = () => this.link.markDown();
    return {
      sent: () => {
        if (!this.anchorAtWrite || sentAtMs !== undefined || released) return;
        sentAtMs = Date.now();
        settle();
        this.link.scripts.sent(lane.keys, id, sentMarginMs, this.ttlMs).catch(markDown);
      },
      release: () => {
        if (released) return;
        released = true;
        // Once the margin has passed, the write's anchor is the earlier one: no round trip to Redis.
        if (sentAtMs !== undefined && Date.now() - sentAtMs >= sentMarginMs) return;
        settle();
        this.link.scripts.release(lane.keys, id, this.ttlMs).catch(markDown);
      },
    };
  }

  private renew(): void {
    for (const lane of Object.values(this.lanes)) {
      if (lane.inFlight.size > 0) this.link.scripts.renew(lane.keys, [...lane.inFlight], this.options.leaseMs, this.ttlMs).catch(() => {});
    }
  }

  private async acquireLocally(lane: Lane, signal?: AbortSignal): Promise<Permit> {
    if (this.options.whenUnreachable === "fail") throw this.link.unreachable();
    lane.localInFlight++;
    let permit: Permit;
    try {
      permit = await this.localLimiter().acquire(lane.kind, signal);
    } catch (error) {
      lane.localInFlight--;
      throw error;
    }
    let released = false;
    return {
      ...(permit.sent && { sent: () => permit.sent!() }),
      release: () => {
        if (released) return;
        released = true;
        permit.release();
        lane.localInFlight--;
        lane.localUntilMs = Math.max(lane.localUntilMs, Date.now() + lane.rate.windowMs + marginMs);
      },
    };
  }

  /**
   * The limiter of this worker's share during the current outage. It admits nothing for one window after
   * Redis was lost, since the shared log it can no longer read may be full.
   */
  private localLimiter(): MemoryQuotaLimiter {
    const outageMs = this.link.downSinceMs ?? Date.now();
    if (this.local?.outageMs === outageMs) return this.local.limiter;
    const workers = Math.max(this.options.expectedWorkers, this.link.peakWorkers);
    const limiter = new MemoryQuotaLimiter({
      create: localShare(this.lanes.create.rate, workers),
      add: localShare(this.lanes.add.rate, workers),
    });
    for (const lane of Object.values(this.lanes)) limiter.pause(lane.kind, outageMs + lane.rate.windowMs + marginMs);
    this.local = { limiter, outageMs };
    return limiter;
  }

  /**
   * Calls paced locally during an outage are unknown to Redis (which may have restarted empty), yet the
   * server still counts them: the team pauses until they have left the window.
   */
  private async reportLocalCalls(lane: Lane): Promise<void> {
    const durationMs = Math.ceil(lane.localUntilMs - Date.now());
    if (durationMs > 0) await this.link.scripts.pause(lane.keys, durationMs, this.ttlMs);
    lane.localUntilMs = 0;
  }
}
