import { defineScript, type RedisClient } from "../redis.ts";
import source from "./history.lua";
import { channelKey } from "./keys.ts";
import type { ChannelEvent } from "./replay.ts";
import type { ChannelConfig } from "./settings.ts";

export interface HistoryPage {
  events: ChannelEvent[];
  /** Entries after `after` may have been trimmed away: refetch state rather than trust the page. */
  gap: boolean;
  /** The `after` of the next page, or null when this page reached the newest event. */
  next: string | null;
}

const historyScript = defineScript(source, (reply) => {
  const items = Array.isArray(reply) ? reply.map(String) : [];
  const events: ChannelEvent[] = [];
  for (let i = 2; i + 2 < items.length; i += 3) {
    events.push({ id: items[i] ?? "", event: items[i + 1] ?? "message", data: JSON.parse(items[i + 2] ?? "null") });
  }
  return { gap: items[0] === "1", more: items[1] === "1", events };
});

/** A page of a channel's history as JSON, oldest first, after a stream id (one round trip). */
export async function readHistory(
  redis: RedisClient,
  config: ChannelConfig,
  input: { channel: string; after?: string; limit: number },
): Promise<HistoryPage> {
  const page = await historyScript.run(redis, [channelKey(config, input.channel)], [input.after ?? "", input.limit]);
  const last = page.events.at(-1);
  return { events: page.events, gap: page.gap, next: page.more && last ? last.id : null };
}
