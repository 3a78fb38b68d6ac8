import { defineScript, type RedisClient } from "../redis.ts";
import { channelKey } from "./keys.ts";
import source from "./replay.lua";
import type { ChannelConfig } from "./settings.ts";

/** One event of a channel's history. */
export interface ChannelEvent {
  id: string;
  event: string;
  /** The data as published (parsed JSON). */
  data: unknown;
}

export interface Replay {
  /** The history no longer reaches back to the given id: the client must refetch its state. */
  gap: boolean;
  /** The channel's newest id ("0-0" for none): where a stream starts after a gap or fresh. */
  newest: string;
  events: ChannelEvent[];
}

const replayScript = defineScript(source, (reply): Replay => {
  const items = Array.isArray(reply) ? reply.map(String) : [];
  const events: ChannelEvent[] = [];
  for (let i = 2; i + 2 < items.length; i += 3) {
    const [id, event, data] = [items[i] ?? "", items[i + 1] ?? "message", items[i + 2] ?? "null"];
    events.push({ id, event, data: parseData(data) });
  }
  return { gap: items[0] === "1", newest: items[1] ?? "0-0", events };
});

function parseData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * What a subscriber missed on one channel since `after` (a stream id; "" = start now), in one
 * read-only script. Several channels' calls made in the same tick share one /pipeline request.
 */
export function replayChannel(
  redis: RedisClient,
  config: ChannelConfig,
  input: { channel: string; after: string; limit: number },
): Promise<Replay> {
  return replayScript.run(
    redis,
    [channelKey(config, input.channel)],
    [input.after, input.limit, config.CHANNELS_HISTORY],
  );
}
