import type { Config } from "../../env.ts";
import { channelKey, channelTag } from "../channels/keys.ts";
import { presenceChannel } from "../channels/names.ts";
import { namespace } from "../keys.ts";

/** A room name, and what it allows in words (for error messages). */
export const ROOM_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;
export const ROOM_NAME_RULE = "1-128 of A-Z a-z 0-9 _ . : -";
/** A connection id (one per tab), and what it allows in words. */
export const CONNECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const CONNECTION_ID_RULE = "1-64 of A-Z a-z 0-9 _ -";

export interface PresenceKeys {
  members: string;
  connections: string;
  info: string;
  pending: string;
  flushed: string;
  channel: string;
}

/**
 * `{ns}pr:{tag}:m|c|i|p|t` (members, connections, info, pending batch, last batch time), where
 * tag is the slot tag of the room's channel `presence:{room}`, so the heartbeat script, which also
 * writes that channel's history `{ns}ch:{tag}`, stays in one slot.
 */
export function presenceKeys(config: Pick<Config, "KEY_PREFIX">, room: string): PresenceKeys {
  const channel = presenceChannel(room);
  const base = `${namespace(config)}pr:{${channelTag(channel)}}`;
  return {
    members: `${base}:m`,
    connections: `${base}:c`,
    info: `${base}:i`,
    pending: `${base}:p`,
    flushed: `${base}:t`,
    channel: channelKey(config, channel),
  };
}
