import type { JsonValue, Session, SessionSummary } from "./session.ts";

/** A session as the scripts encode it: the hash's fields as Redis holds them (strings). */
interface RawSession {
  user: string;
  created: string;
  seen: string;
  expires: string;
  ua?: string;
  handle?: string;
  /** Field name -> JSON text. Lua's cjson encodes an empty table as `{}`. */
  data?: Record<string, string>;
}

function parseData(raw: Record<string, string> | undefined): Record<string, JsonValue> {
  // fromEntries defines own properties: a field named like an Object property reads back as itself.
  return Object.fromEntries(Object.entries(raw ?? {}).map(([name, text]) => [name, JSON.parse(text) as JsonValue]));
}

function summary(raw: RawSession, handle: string, idleMs: number): SessionSummary {
  const lastSeenAt = Number(raw.seen);
  const expiresAt = Number(raw.expires);
  return {
    userId: raw.user,
    handle,
    createdAt: Number(raw.created),
    lastSeenAt,
    expiresAt,
    idleExpiresAt: Math.min(expiresAt, lastSeenAt + idleMs),
    userAgent: raw.ua ?? "",
  };
}

/** Decodes a script's session reply (one JSON string, or null for "no live session"). */
export function decodeSession(reply: unknown, handle: string, idleMs: number, dashboard: boolean): Session | undefined {
  if (reply === null || reply === undefined) return undefined;
  const raw = JSON.parse(String(reply)) as RawSession;
  return { ...summary(raw, handle, idleMs), dashboard, data: parseData(raw.data) };
}

/** Decodes list-user.lua's reply: a JSON array of sessions (`{}` when empty, Lua cannot tell). */
export function decodeSummaries(reply: unknown, idleMs: number): SessionSummary[] {
  const list = JSON.parse(String(reply)) as RawSession[] | Record<string, never>;
  if (!Array.isArray(list)) return [];
  return list.map((raw) => summary(raw, raw.handle ?? "", idleMs)).sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
