import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import type { RedisClient } from "../redis.ts";
import { channelKey } from "./keys.ts";
import source from "./publish.lua";
import { type ChannelConfig, historyTtlMs } from "./settings.ts";

const publishScript = limitedScript(source, (reply) => String(reply));

export interface PublishInput {
  channel: string;
  /** Validated against EVENT_NAME: it is written into JSON without escaping. */
  event: string;
  data: unknown;
  /** The rate-limit check to fold in (the route's `forScript()`). */
  limit?: ScriptLimit;
}

/**
 * Appends an event to the channel's history and publishes it to live subscribers: ONE script, one
 * round trip. The id is the history's stream id, which subscribers see as the SSE `id:`.
 *
 * @example
 * const { id } = await publishEvent(redis, config, { channel: "public:news", event: "post", data: { title } });
 */
export async function publishEvent(
  redis: RedisClient,
  config: ChannelConfig,
  input: PublishInput,
): Promise<{ id: string }> {
  const id = await publishScript.run(
    redis,
    [channelKey(config, input.channel)],
    [input.event, JSON.stringify(input.data ?? null), config.CHANNELS_HISTORY, historyTtlMs(config)],
    input.limit,
  );
  return { id };
}
