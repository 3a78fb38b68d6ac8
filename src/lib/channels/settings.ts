import type { Config } from "../../env.ts";

/** The channel settings lib code reads (CHANNELS_* variables). */
export type ChannelConfig = Pick<
  Config,
  | "KEY_PREFIX"
  | "CHANNELS_HISTORY"
  | "CHANNELS_HISTORY_HOURS"
  | "CHANNELS_STREAM_SECONDS"
  | "CHANNELS_KEEPALIVE_SECONDS"
>;

/** Largest event data, as JSON text (bytes). */
export const MAX_EVENT_BYTES = 32 * 1024;

export const historyTtlMs = (config: Pick<ChannelConfig, "CHANNELS_HISTORY_HOURS">) =>
  config.CHANNELS_HISTORY_HOURS * 3_600_000;
