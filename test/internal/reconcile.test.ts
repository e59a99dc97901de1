import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { ApiError, InputError } from "../../src/core/errors.js";
import {
  addError,
  maxRounds,
  reconcile,
  startCall,
  type CallAction,
  type CallOutcome,
  type CallState,
  type Stopped,
} from "../../src/internal/add/reconcile.js";
import type { EncodedRequest } from "../../src/internal/wire/encoded-request.js";

// What each outcome of one AddBatchRequests call means for its requests, one row per situation an add
// relies on. The machine is pure, so a row is the outcomes fed in and every action it answered with, in
// order; the I/O around it is covered in add-pipeline.test.ts and against real servers in test/resilience.

const failure = (code: Code) => new ApiError({ code, rawMessage: `scripted ${Code[code]}`, method: "AddBatchRequests" });
const requests = (...ids: (string | undefined)[]): EncodedRequest[] => ids.map((id, index) => ({ index, id, bytes: new Uint8Array(8) }));

const attempt = (code?: Code): CallOutcome => ({ kind: "attempt", error: code === undefined ? undefined : failure(code) });
const applied: CallOutcome = { kind: "applied" };
const failed = (code: Code, atMs = 0, aborted = false): CallOutcome => ({ kind: "failed", error: failure(code), atMs, aborted });
const listed = (...found: string[]): CallOutcome => ({ kind: "listed", found: new Set(found) });
const listFailed = (code: Code): CallOutcome => ({ kind: "listFailed", error: failure(code) });

/** An action as a row reads it; a send names the requests it sends. */
function summary(action: CallAction, state: CallState): string {
  switch (action.do) {
    case "send":
      return `send ${state.pending.map((r) => r.id ?? "(no id)").join(",")}`;
    case "pause":
      return `pause ${action.round}${Number.isFinite(action.atMostMs) ? ` ≤${action.atMostMs}ms` : ""}`;
    case "list":
      return `list ${[...action.ids].join(",")}${action.fromStart ? " from start" : ""}`;
    case "confirm":
      return action.added > 0 ? `added ${action.added}` : `already there ${action.alreadyPresent}`;
    case "done":
      return "done";
    case "fail":
      return `fail ${action.error instanceof ApiError ? Code[action.error.code] : String(action.error)}`;
  }
}

/** Feeds `outcomes` to a call of `pending`, as send-calls.ts does; every action taken, and where it ends. */
function play(pending: EncodedRequest[], outcomes: readonly CallOutcome[], notFoundUntilMs = 0) {
  let { state, actions } = startCall(pending, notFoundUntilMs);
  const taken = actions.map((a) => summary(a, state));
  for (const outcome of outcomes) {
    expect(taken.at(-1), "no outcome follows the end of a call").not.toMatch(/^(done|fail)/);
    ({ state, actions } = reconcile(state, outcome));
    taken.push(...actions.map((a) => summary(a, state)));
  }
  return { state, taken, last: actions.at(-1) };
}

/** `rounds` sends refused with `code`, the answer each time. */
const everyRound = (code: Code, rounds: number): CallOutcome[] => Array.from({ length: rounds }, () => failed(code));
/** The actions of `rounds` rounds that each pause and send `ids` again, after the first. */
const sentAgain = (ids: string, rounds: number): string[] =>
  Array.from({ length: rounds - 1 }, (_, i) => [`pause ${i + 1}`, `send ${ids}`]).flat();

interface Row {
  situation: string;
  pending?: EncodedRequest[];
  notFoundUntilMs?: number;
  outcomes: CallOutcome[];
  actions: string[];
  /** The streak of failed attempts the call ends with, which names the cause if the add gives up. */
  streak?: number;
}

const rows: Row[] = [
  {
    situation: "an applied call: each request confirmed as added, nothing listed",
    outcomes: [attempt(), applied],
    actions: ["send r0,r1", "added 2", "done"],
    streak: 0,
  },
  {
    situation: "RESOURCE_EXHAUSTED, retried inside the call until it is applied: confirmed once, and the success ends the streak",
    outcomes: [attempt(Code.ResourceExhausted), attempt(Code.ResourceExhausted), attempt(), applied],
    actions: ["send r0,r1", "added 2", "done"],
    streak: 0,
  },
  {
    situation: "RESOURCE_EXHAUSTED until the call gives up: the call fails, its streak naming the cause",
    outcomes: [
      attempt(Code.ResourceExhausted),
      attempt(Code.ResourceExhausted),
      attempt(Code.ResourceExhausted),
      failed(Code.ResourceExhausted),
    ],
    actions: ["send r0,r1", "fail ResourceExhausted"],
    streak: 3,
  },
  {
    situation: "UNAVAILABLE before the server saw it: sent again after a pause, and the resend's success confirms it",
    outcomes: [attempt(Code.Unavailable), failed(Code.Unavailable), attempt(), applied],
    actions: ["send r0,r1", "pause 1", "send r0,r1", "added 2", "done"],
  },
  {
    situation:
      "applied, then UNAVAILABLE (the answer lost): the resend's ALREADY_EXISTS is checked in the listing and counted as this add's, never sent a third time",
    outcomes: [
      attempt(Code.Unavailable),
      failed(Code.Unavailable),
      attempt(Code.AlreadyExists),
      failed(Code.AlreadyExists),
      listed("r0", "r1"),
    ],
    actions: ["send r0,r1", "pause 1", "send r0,r1", "list r0,r1", "added 2", "done"],
  },
  {
    situation:
      "an UNAVAILABLE retried inside the call, then ALREADY_EXISTS: the attempt may have landed, so what the listing shows is this add's",
    outcomes: [attempt(Code.Unavailable), attempt(Code.AlreadyExists), failed(Code.AlreadyExists), listed("r0", "r1")],
    actions: ["send r0,r1", "list r0,r1", "added 2", "done"],
  },
  {
    situation: "ALREADY_EXISTS on a first send that cannot have landed: the ids listed were there before this add",
    outcomes: [failed(Code.AlreadyExists), listed("r0", "r1")],
    actions: ["send r0,r1", "list r0,r1", "already there 2", "done"],
  },
  {
    situation: "partially applied (the batch holds some of the call's ids): those are confirmed, only the rest is sent again",
    pending: requests("r0", "r1", "r2"),
    outcomes: [failed(Code.AlreadyExists), listed("r1"), applied],
    actions: ["send r0,r1,r2", "list r0,r1,r2", "already there 1", "send r0,r2", "added 2", "done"],
  },
  {
    situation: "an ALREADY_EXISTS the listing does not explain: sent again after a pause, and the next listing reads from the start",
    outcomes: [failed(Code.AlreadyExists), listed(), failed(Code.AlreadyExists), listed("r0", "r1")],
    actions: ["send r0,r1", "list r0,r1", "pause 1", "send r0,r1", "list r0,r1 from start", "already there 2", "done"],
  },
  {
    situation: "the listing fails transiently: sent again after a pause (safe: the batch refuses ids it holds), then checked again",
    outcomes: [failed(Code.AlreadyExists), listFailed(Code.Unavailable), failed(Code.AlreadyExists), listed("r0", "r1")],
    actions: ["send r0,r1", "list r0,r1", "pause 1", "send r0,r1", "list r0,r1", "already there 2", "done"],
  },
  {
    situation: "the listing fails for good: the call fails with the listing's error",
    outcomes: [failed(Code.AlreadyExists), listFailed(Code.PermissionDenied)],
    actions: ["send r0,r1", "list r0,r1", "fail PermissionDenied"],
  },
  {
    // The server refuses a call whole; a request the add's own validation refuses never reaches a call
    // (it is skipped or stops the add per the `invalid` option: plan-calls.test.ts).
    situation: "INVALID_ARGUMENT from the server: the call fails at once, nothing sent again or listed",
    outcomes: [attempt(Code.InvalidArgument), failed(Code.InvalidArgument)],
    actions: ["send r0,r1", "fail InvalidArgument"],
    streak: 0,
  },
  {
    situation: `UNAVAILABLE on every round: sent ${maxRounds} times, backing off, then the call fails`,
    outcomes: everyRound(Code.Unavailable, maxRounds),
    actions: ["send r0,r1", ...sentAgain("r0,r1", maxRounds), "fail Unavailable"],
  },
  {
    situation: `ALREADY_EXISTS that no listing explains, round after round: fails after ${maxRounds} sends as an unexplained conflict`,
    outcomes: [...Array.from({ length: maxRounds - 1 }, () => [failed(Code.AlreadyExists), listed()]).flat(), failed(Code.AlreadyExists)],
    actions: [
      "send r0,r1",
      "list r0,r1",
      ...Array.from({ length: maxRounds - 1 }, (_, i) => [`pause ${i + 1}`, "send r0,r1", "list r0,r1 from start"])
        .flat()
        .slice(0, -1),
      "fail AlreadyExists",
    ],
  },
  {
    situation: "NOT_FOUND while the batch may still be appearing: sent again after a pause no longer than the grace left",
    notFoundUntilMs: 1_000,
    outcomes: [failed(Code.NotFound, 400), applied],
    actions: ["send r0,r1", "pause 1 ≤600ms", "send r0,r1", "added 2", "done"],
  },
  {
    situation: "NOT_FOUND once the grace is over: the call fails",
    notFoundUntilMs: 1_000,
    outcomes: [failed(Code.NotFound, 1_000)],
    actions: ["send r0,r1", "fail NotFound"],
  },
  {
    situation: "an unknown outcome for requests without ids: nothing can be checked, so the call fails rather than risk adding twice",
    pending: requests("r0", undefined),
    outcomes: [failed(Code.Unavailable)],
    actions: ["send r0,(no id)", "fail Unavailable"],
  },
  {
    situation: "aborted by the caller: the call fails with the error as it is, not sent again",
    outcomes: [failed(Code.Unavailable, 0, true)],
    actions: ["send r0,r1", "fail Unavailable"],
  },
  {
    situation: "a transport error that is not an ApiError: the call fails with it",
    outcomes: [{ kind: "failed", error: new TypeError("broken transport"), atMs: 0, aborted: false }],
    actions: ["send r0,r1", "fail TypeError: broken transport"],
  },
];

describe("reconcile", () => {
  it.each(rows.map((row) => [row.situation, row] as const))("%s", (_situation, row) => {
    const { state, taken } = play(row.pending ?? requests("r0", "r1"), row.outcomes, row.notFoundUntilMs);
    expect(taken).toEqual(row.actions);
    if (row.streak !== undefined) expect(state.streak.attempts).toBe(row.streak);
  });

  it("names a conflict no listing explained as such, with how many ids are still refused", () => {
    const outcomes = [
      ...Array.from({ length: maxRounds - 1 }, () => [failed(Code.AlreadyExists), listed()]).flat(),
      failed(Code.AlreadyExists),
    ];
    const { last } = play(requests("r0", "r1"), outcomes);
    expect(last).toMatchObject({ do: "fail" });
    const error = (last as Extract<CallAction, { do: "fail" }>).error as ApiError;
    expect(error.rawMessage).toMatch(
      /^scripted AlreadyExists \(the batch's listing, read from the start after each refusal, shows none of the 2 ids still refused/,
    );
  });
});

describe("the error a stopped add throws", () => {
  const progress = {
    requestsRead: 9,
    requestsAdded: 4,
    alreadyPresent: 2,
    skipped: 0,
    invalid: 0,
    bytesSent: 0,
    calls: 2,
    retries: 0,
    quotaWaitMs: 0,
    listCalls: 0,
  };
  const stopsWith = (stopped: Stopped, aborted = false) => addError(stopped, aborted, progress, "b") as ApiError;

  it("names the streak of failures that stopped it, not the ALREADY_EXISTS met on the way, and what is confirmed", () => {
    const error = stopsWith({ error: failure(Code.AlreadyExists), streak: { attempts: 5, last: failure(Code.Unavailable) } });
    expect(error.code).toBe(Code.Unavailable);
    expect(error.attempts).toBe(5);
    expect(error.rawMessage).toBe(
      "scripted Unavailable (the add stopped after UNAVAILABLE on 5 attempts in a row; 6 requests are confirmed in batch b: 4 added by this add, 2 there before. Running the same add again sends only the rest.)",
    );
  });

  it("names a refusal that says its own cause, whatever failed before it", () => {
    const error = stopsWith({ error: failure(Code.InvalidArgument), streak: { attempts: 3, last: failure(Code.Unavailable) } });
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/^scripted InvalidArgument \(the add stopped after INVALID_ARGUMENT on 1 attempt; 6 requests/);
  });

  it("reads an abort met between calls as the CANCELED an aborted call gives, in the reason's words", () => {
    const error = stopsWith({ error: new Error("stopped by the caller") }, true);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe(Code.Canceled);
    expect(error.rawMessage).toMatch(/^stopped by the caller \(the add stopped after CANCELED on 1 attempt;/);
  });

  it("leaves an InputError as it is, aborted or not", () => {
    const invalid = new InputError("bad input");
    expect(addError({ error: invalid }, true, progress, "b")).toBe(invalid);
  });
});
