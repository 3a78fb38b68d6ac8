import { holds } from "../access/scopes.ts";
import { AppError } from "../errors.ts";
import { PRESENCE_CHANNEL_PREFIX, PUBLIC_CHANNEL_PREFIX, USER_CHANNEL_PREFIX } from "./names.ts";

/** Who reads a channel: anyone, one signed-in user, or only the admin token. */
export type ChannelReadAccess = { kind: "public" } | { kind: "session"; userId: string } | { kind: "private" };

/** Who is asking: the admin token, an API key's scopes, and/or the session's user. */
export interface Principal {
  admin: boolean;
  /** The API key's scopes (`channels:publish:{channel}`, `channels:subscribe:{channel}`), if any. */
  scopes?: readonly string[];
  userId?: string;
}

export type ChannelAction = "read" | "publish";

/**
 * Read access follows from the name: `public:*` and `presence:*` are public-read, `user:{id}` is
 * readable by that signed-in user, everything else is private.
 */
export function readAccess(channel: string): ChannelReadAccess {
  if (channel.startsWith(PUBLIC_CHANNEL_PREFIX) || channel.startsWith(PRESENCE_CHANNEL_PREFIX)) {
    return { kind: "public" };
  }
  if (channel.startsWith(USER_CHANNEL_PREFIX))
    return { kind: "session", userId: channel.slice(USER_CHANNEL_PREFIX.length) };
  return { kind: "private" };
}

/**
 * The one place a channel access decision is taken. Publishing needs the admin token (a key
 * scoped to `channels:publish:{channel}` plugs in here); reading follows `readAccess`, and a
 * browser's session can never read another user's channel.
 */
export function mayAccess(principal: Principal, channel: string, action: ChannelAction): boolean {
  if (principal.admin) return true;
  const scoped = `channels:${action === "publish" ? "publish" : "subscribe"}:${channel}`;
  if (principal.scopes && holds(principal.scopes, scoped)) return true;
  if (action === "publish") return false;
  const access = readAccess(channel);
  if (access.kind === "public") return true;
  if (access.kind === "session") return principal.userId !== undefined && principal.userId === access.userId;
  return false;
}

/** Throws 401 (nobody known) or 403 (known, not allowed) unless every channel may be accessed. */
export function requireAccess(principal: Principal, channels: readonly string[], action: ChannelAction): void {
  const refused = channels.find((channel) => !mayAccess(principal, channel, action));
  if (refused === undefined) return;
  if (!principal.admin && !principal.scopes && principal.userId === undefined) {
    throw new AppError(
      "unauthorized",
      action === "publish"
        ? "Publishing needs `Authorization: Bearer <API key or ADMIN_TOKEN>`."
        : `The channel "${refused}" needs a session (user:{id} channels), a key with \`channels:subscribe:${refused}\`, or the admin token.`,
      { headers: { "www-authenticate": 'Bearer realm="edgekit"' } },
    );
  }
  throw new AppError(
    "forbidden",
    `This ${principal.scopes ? "key" : "session"} may not ${action === "publish" ? "publish to" : "read"} "${refused}".`,
  );
}
