import type { Config } from "../../env.ts";
import { channelKey, channelTag } from "../channels/keys.ts";
import { userChannel } from "../channels/names.ts";
import { namespace } from "../keys.ts";

export interface InboxKeys {
  box: string;
  unread: string;
  unseen: string;
  archived: string;
  items: string;
  dedup: string;
  seq: string;
  channel: string;
}

/**
 * `{ns}ib:{tag}:box|unread|unseen|arch|items|dedup|seq`, where tag is the slot tag of the user's
 * channel `user:{userId}`, so each inbox script, which also writes that channel's history, stays in
 * one slot.
 */
export function inboxKeys(config: Pick<Config, "KEY_PREFIX">, userId: string): InboxKeys {
  const channel = userChannel(userId);
  const base = `${namespace(config)}ib:{${channelTag(channel)}}`;
  return {
    box: `${base}:box`,
    unread: `${base}:unread`,
    unseen: `${base}:unseen`,
    archived: `${base}:arch`,
    items: `${base}:items`,
    dedup: `${base}:dedup`,
    seq: `${base}:seq`,
    channel: channelKey(config, channel),
  };
}
