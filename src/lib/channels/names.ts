import { SESSION_LIMITS } from "../sessions/session.ts";

/**
 * A channel name: `user:{userId}` (a signed-in user's own channel; any id the sessions accept),
 * `presence:{room}` (a room's joins and leaves), `public:{name}` (anyone may read), or any other
 * name of 1-128 of `A-Z a-z 0-9 _ . : -` (private: the admin token only).
 */
export const CHANNEL_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** What CHANNEL_NAME and user channels allow, in words, for error messages. */
export const CHANNEL_RULE = "1-128 of A-Z a-z 0-9 _ . : -, or user:{userId} with any user id the sessions accept";

export const USER_CHANNEL_PREFIX = "user:";
export const PRESENCE_CHANNEL_PREFIX = "presence:";
export const PUBLIC_CHANNEL_PREFIX = "public:";

/** True for a channel name the API accepts. */
export function isChannelName(name: string): boolean {
  if (name.startsWith(USER_CHANNEL_PREFIX)) return SESSION_LIMITS.userId.test(name.slice(USER_CHANNEL_PREFIX.length));
  return CHANNEL_NAME.test(name);
}

/** The channel of a user's own events (their inbox counts, anything a backend sends them). */
export const userChannel = (userId: string) => `${USER_CHANNEL_PREFIX}${userId}`;

/** The channel a presence room's joins and leaves go to. */
export const presenceChannel = (room: string) => `${PRESENCE_CHANNEL_PREFIX}${room}`;

/** An event name: what `EventSource.addEventListener(name)` listens to. */
export const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** What EVENT_NAME allows, and the names it may not take, in words, for error messages. */
export const EVENT_NAME_RULE = "1-64 of A-Z a-z 0-9 _ . : -";
export const RESERVED_EVENTS_RULE = "gap, ready, error, reconnect and message are reserved";

/** Event names the stream itself sends; a publisher may not use them. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set(["gap", "ready", "error", "reconnect", "message"]);
