import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import source from "./begin.lua";
import type { IdempotencyKeys } from "./keys.ts";
import type { StoredResponse } from "./stored-response.ts";

/** What `beginRequest` found. */
export type BeginOutcome =
  /** Claimed: run the handler. `attempt` > 1 after a takeover (the request may have run before). */
  | { kind: "run"; attempt: number; takeover: boolean }
  | { kind: "replay"; response: StoredResponse }
  /** The key was used with another request; `done` says whether that one has finished. */
  | { kind: "mismatch"; done: boolean }
  /** Another attempt holds the claim for `retryAfterMs` more. */
  | { kind: "busy"; retryAfterMs: number }
  /** The record's retention ended; its tombstone still stands. */
  | { kind: "expired" };

function decodeBegin(reply: unknown): BeginOutcome {
  const r = JSON.parse(String(reply)) as Record<string, unknown>;
  switch (r.o) {
    case "new":
    case "takeover":
      return { kind: "run", attempt: Number(r.att), takeover: r.o === "takeover" };
    case "replay": {
      const headers = JSON.parse(String(r.hdr ?? "[]")) as [string, string][];
      return { kind: "replay", response: { status: Number(r.code), headers, body: String(r.body ?? "") } };
    }
    case "mismatch":
      return { kind: "mismatch", done: Number(r.done) === 1 };
    case "busy":
      return { kind: "busy", retryAfterMs: Number(r.ms) };
    case "expired":
      return { kind: "expired" };
    default:
      throw new Error(`begin.lua: unexpected reply ${String(reply)}`);
  }
}

const beginScript = limitedScript(source, decodeBegin);

export interface BeginInput {
  fingerprint: string;
  /** This attempt's owner token (random); commit, release and extend must present it. */
  owner: string;
  now: number;
  leaseMs: number;
  retentionMs: number;
}

/**
 * The first step of an idempotent request, in ONE round trip: claims the key for this attempt,
 * or answers what it already holds (a replay, a mismatch, a request in flight, an expired key).
 * `limit`: a rate-limit check folded into the same script (`c.var.rateLimit.forScript()`).
 *
 * @example
 * const outcome = await beginRequest(redis, keys, { fingerprint, owner, now, leaseMs: 30_000, retentionMs });
 * if (outcome.kind === "replay") return replayResponse(outcome.response);
 */
export function beginRequest(
  redis: RedisClient,
  keys: IdempotencyKeys,
  input: BeginInput,
  limit?: ScriptLimit,
): Promise<BeginOutcome> {
  return beginScript.run(
    redis,
    [keys.record, keys.tombstone],
    [input.fingerprint, input.owner, input.now, input.leaseMs, input.retentionMs],
    limit,
  );
}
