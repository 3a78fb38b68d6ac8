import type { Config } from "../../env.ts";
import { namespace } from "../keys.ts";

/**
 * The slot tag of a channel: its name in base64url, so any user id (commas, slashes, braces are
 * not in the alphabet) becomes a safe key part, a safe URL path segment for the upstream
 * subscription and a safe pub/sub channel name. Presence and inbox keys reuse the tag of the
 * channel they publish to, so each of their scripts stays in one slot.
 */
export function channelTag(channel: string): string {
  const bytes = new TextEncoder().encode(channel);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * `{ns}ch:{tag}`: the channel's history (a Redis stream), and also the pub/sub channel its events
 * are published on (pub/sub names are not keys, so the same string cannot clash).
 */
export function channelKey(config: Pick<Config, "KEY_PREFIX">, channel: string): string {
  return `${namespace(config)}ch:{${channelTag(channel)}}`;
}
