import type { Clock } from "../../../src/lib/clock.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

/** Generous limits: these tests are about boards, not about the rate limiter in front of them. */
export const RATE_LIMITS = JSON.stringify({
  default: { limit: 1_000_000 },
  "leaderboard-submit": { limit: 1_000_000 },
  "trending-hit": { limit: 1_000_000 },
  "create-session": { limit: 1_000_000 },
});

/** A test app for leaderboards and trending, with shorthands for the API. */
export function boardsApp(name: string, options: { clock?: Clock } = {}) {
  // A long Redis timeout: these tests are about exact results, and must not fail on a busy machine.
  const t = testApp(`lb-${name}`, { clock: options.clock, bindings: { RATE_LIMITS, REDIS_TIMEOUT_MS: "10000" } });
  const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = adminHeaders()) =>
    t.request(path, {
      method,
      headers: body === undefined ? headers : jsonHeaders(headers),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Calls the API and returns the JSON body; fails the test on any other status than `status`. */
  const ok = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    status = 200,
  ): Promise<T> => {
    const res = await api(method, path, body);
    const text = await res.text();
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, not ${status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const createBoard = (board: string, settings: Record<string, unknown> = {}) =>
    ok("PUT", `/api/leaderboards/${board}`, settings, 201);
  const submit = (board: string, member: string, score: number) =>
    ok<Submitted>("POST", `/api/leaderboards/${board}/scores`, { member, score });
  return { ...t, api, ok, createBoard, submit };
}

export interface WindowReply {
  period: string;
  score: number;
  changed: boolean;
  rank: number;
  previousRank: number | null;
  total: number;
  endsAt: string | null;
}

export interface Submitted {
  board: string;
  member: string;
  windows: Record<string, WindowReply>;
}

export interface Row {
  member: string;
  score: number;
  rank: number;
}

export interface PageReply {
  window: string;
  period: string;
  endsAt: string | null;
  total: number;
  entries: Row[];
  member: Row | null;
}
