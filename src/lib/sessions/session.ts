import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";

/** A JSON value a session's data field may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A live session, as loaded by `readSession` and put on `c.var.session` by `loadSession()`. */
export interface Session {
  userId: string;
  /**
   * SHA-256 of the session's token (base64url): names the session in listings without being a
   * credential. The token itself is never stored.
   */
  handle: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastSeenAt: number;
  /** The absolute timeout: the session ends then, however active it is. */
  expiresAt: number;
  /** The idle timeout as of `lastSeenAt`; the earlier of the two ends the session. */
  idleExpiresAt: number;
  userAgent: string;
  /**
   * True for a session the dashboard's sign-in started: its token carries the dashboard's tag,
   * which no user id hashes to, so no POST /api/sessions can make one.
   */
  dashboard: boolean;
  data: Record<string, JsonValue>;
}

/** A session as an admin lists it: no data, which belongs to the user's requests. */
export type SessionSummary = Omit<Session, "data" | "dashboard">;

/** Limits on what a session holds; the routes' schemas and the scripts enforce the same numbers. */
export const SESSION_LIMITS = {
  /** Data fields one session may hold. */
  maxFields: 32,
  /** A field name: letters, digits, `_ . -`. */
  fieldName: /^[A-Za-z0-9_.-]{1,64}$/,
  /** Bytes of one field's value as JSON text. */
  maxValueBytes: 2048,
  userAgentChars: 512,
  /** A user id enters Redis keys only through a hash, but is still kept to printable ASCII. */
  userId: /^[\x21-\x7a|~]{1,128}$/,
} as const;

/** What SESSION_LIMITS.userId allows, in words, for error messages. */
export const USER_ID_RULE = "1-128 printable ASCII characters, no spaces or braces";

/** User ids edgekit keeps for itself (the dashboard's); the API refuses them. */
export const RESERVED_USER_ID_PREFIX = "edgekit:";

/** Why a user id is refused, or undefined when it is fine. */
export function userIdProblem(userId: string): string | undefined {
  if (!SESSION_LIMITS.userId.test(userId)) return USER_ID_RULE;
  if (userId.startsWith(RESERVED_USER_ID_PREFIX)) return `Ids starting "${RESERVED_USER_ID_PREFIX}" are reserved`;
  return undefined;
}

/** Throws a 422 naming `userId` unless the id is one the API accepts. */
export function assertUserId(userId: string): void {
  const problem = userIdProblem(userId);
  if (problem) throw validationError([{ path: "userId", message: problem }]);
}

/** Timeouts in milliseconds, from SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS. */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
  /** Last-seen is written only when older than this, so reads rarely write. */
  touchMs: number;
}

export type SessionConfig = Pick<
  Config,
  "KEY_PREFIX" | "HASH_SECRET" | "SESSION_IDLE_MINUTES" | "SESSION_ABSOLUTE_HOURS"
>;

export function sessionTimeouts(config: SessionConfig): SessionTimeouts {
  const absoluteMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
  // An idle timeout longer than the absolute one would never fire.
  const idleMs = Math.min(config.SESSION_IDLE_MINUTES * 60_000, absoluteMs);
  return { idleMs, absoluteMs, touchMs: Math.min(60_000, Math.floor(idleMs / 2)) };
}
