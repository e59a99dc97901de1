import { sleep } from "../../core/internal/sleep.js";
import type { Backoff } from "../../core/retry-options.js";
import type { CallHooks } from "../call/call.js";
import { backoffDelayMs } from "../call/retry.js";
import type { EncodedRequest } from "../wire/encoded-request.js";
import { callBytes, type PlanSettings, type PlannedCall } from "./plan-calls.js";
import type { PresentIds } from "./present-ids.js";
import { reconcile, startCall, type CallAction, type CallOutcome, type Stopped } from "./reconcile.js";

/** The AddBatchRequests call, as an add makes it. */
export interface CallTransport {
  /** Whether `send` calls `hooks.onSent` once the request is written; then calls are written one at a time. */
  readonly reportsWrites?: boolean;
  /** One AddBatchRequests call with already-encoded requests. */
  send(requests: readonly Uint8Array[], hooks: CallHooks): Promise<void>;
}

/** How an add sends its calls; see AddOptions (src/resources/batches/options.ts) for the public documentation. */
export interface SendSettings extends Pick<PlanSettings, "maxAddBytes"> {
  readonly concurrency: number;
  /** Encoded bytes of the calls in flight and the one being planned; below `maxAddBytes`, one call at a time. Undefined: no bound but `concurrency`. */
  readonly maxBytesInFlight?: number;
  readonly signal: AbortSignal | undefined;
  /** The pause between rounds of one call grows on this schedule. */
  readonly roundBackoff: Backoff;
  /** Randomness for the round pauses' jitter. */
  readonly random: () => number;
}

/** The counts of an add that sending moves. */
export interface SendCounts {
  requestsAdded: number;
  alreadyPresent: number;
  bytesSent: number;
  calls: number;
}

/**
 * Sends the planned calls as they come, up to `concurrency` at a time, taking the next from `calls` only
 * while a full call fits within `maxBytesInFlight` beside those in flight, so the input is read only as
 * fast as calls complete. Resolves once every call in flight has ended: with why the add stopped (the
 * first failure, of planning or of a call), or undefined when every call is confirmed.
 */
export async function sendCalls(
  calls: AsyncIterable<PlannedCall>,
  sender: CallSender,
  settings: SendSettings,
  reportsWrites: boolean,
): Promise<Stopped | undefined> {
  const inFlight = new Set<Promise<void>>();
  // Settles once the call sent last has been written (or has ended). Calls are written one at a time: only
  // one holds a frame of its requests (on the library's own connection one buffer, used again by the next
  // call; on a caller's transport Connect's two copies), and the server counts each
  // soon after its write ends, rather than several together, in turn, long after (see Permit.sent).
  let written: Promise<void> = Promise.resolve();
  let bytesInFlight = 0;
  const maxBytesInFlight = settings.maxBytesInFlight ?? Number.POSITIVE_INFINITY;
  let stopped: Stopped | undefined;
  try {
    for await (const call of calls) {
      await written;
      if (stopped !== undefined) break;
      if (settings.signal?.aborted) throw settings.signal.reason;
      bytesInFlight += call.bytes;
      let onSent!: () => void;
      const callWritten = new Promise<void>((resolve) => (onSent = resolve));
      const sending: Promise<void> = sender.send(call, onSent).then((callStopped) => {
        stopped ??= callStopped;
        inFlight.delete(sending);
        bytesInFlight -= call.bytes;
      });
      inFlight.add(sending);
      if (reportsWrites) written = Promise.race([callWritten, sending]);
      // The next call is planned only when it fits beside those in flight, full size: each in flight holds
      // its requests and, until written, its frame.
      while (inFlight.size >= settings.concurrency || (inFlight.size > 0 && bytesInFlight + settings.maxAddBytes > maxBytesInFlight))
        await Promise.race(inFlight);
    }
  } catch (error) {
    stopped ??= { error };
  } finally {
    await Promise.all(inFlight);
  }
  return stopped;
}

/**
 * Takes one call at a time to its end, round after round: does what reconcile.ts decides after each
 * outcome (send, list, pause, count) and tells it what happened.
 */
export class CallSender {
  constructor(
    private readonly transport: CallTransport,
    private readonly present: PresentIds,
    /** What every call of the add shares: its overall deadline (which no pause between rounds may outlast), patience, counters. */
    private readonly hooks: CallHooks,
    private readonly progress: SendCounts,
    private readonly report: () => void,
    private readonly batchId: string,
    /** See CallState.notFoundUntilMs. */
    private readonly notFoundUntilMs: number,
    private readonly settings: SendSettings,
  ) {}

  /** Sends `call` until each of its requests is confirmed in the batch; resolves with why it stopped otherwise. */
  async send(call: PlannedCall, onSent: () => void): Promise<Stopped | undefined> {
    let { state, actions } = startCall(call.requests, this.notFoundUntilMs);
    const hooks: CallHooks = {
      ...this.hooks,
      onAttempt: (error) => {
        state = reconcile(state, { kind: "attempt", error }).state;
      },
      onSent,
    };
    try {
      for (;;) {
        let outcome: CallOutcome | undefined;
        for (const action of actions) {
          switch (action.do) {
            case "send":
              outcome = await this.round(call, state.pending, hooks);
              break;
            case "list":
              outcome = await this.list(action);
              break;
            case "pause":
              await this.pause(action);
              break;
            case "confirm":
              this.progress.requestsAdded += action.added;
              this.progress.alreadyPresent += action.alreadyPresent;
              break;
            case "done":
              this.report();
              return undefined;
            case "fail":
              return { error: action.error, streak: state.streak };
          }
        }
        ({ state, actions } = reconcile(state, outcome!));
      }
    } catch (error) {
      return { error, streak: state.streak };
    }
  }

  /** One send of what is left of `call`. */
  private async round(call: PlannedCall, pending: readonly EncodedRequest[], hooks: CallHooks): Promise<CallOutcome> {
    try {
      await this.transport.send(
        pending.map((r) => r.bytes),
        hooks,
      );
    } catch (error) {
      return { kind: "failed", error, atMs: Date.now(), aborted: this.settings.signal?.aborted ?? false };
    }
    this.progress.bytesSent += pending.length === call.requests.length ? call.bytes : callBytes(this.batchId, pending);
    this.progress.calls++;
    return applied;
  }

  private async list(action: Extract<CallAction, { do: "list" }>): Promise<CallOutcome> {
    try {
      return { kind: "listed", found: await this.present.which(action.ids, action.notBeforeMs, action.fromStart) };
    } catch (error) {
      return { kind: "listFailed", error };
    }
  }

  /** Rounds of one call back off like attempts do, and none starts that the add's deadline would cut off. */
  private async pause(action: Extract<CallAction, { do: "pause" }>): Promise<void> {
    const delayMs = Math.min(action.atMostMs, backoffDelayMs(action.round, this.settings.roundBackoff, this.settings.random));
    const leftMs = this.hooks.overall?.remainingMs();
    if (leftMs !== undefined && delayMs >= leftMs) throw action.error;
    await sleep(delayMs, this.settings.signal);
  }
}

const applied: CallOutcome = { kind: "applied" };
