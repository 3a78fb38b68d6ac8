import type { Config } from "../../env.ts";
import { historyTtlMs } from "../channels/settings.ts";
import { limitedScript, type ScriptLimit } from "../ratelimit/limited-script.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import beatSource from "./beat.lua";
import { presenceKeys } from "./keys.ts";
import onlineSource from "./online.lua";
import rosterSource from "./roster.lua";

export type PresenceConfig = Pick<
  Config,
  | "KEY_PREFIX"
  | "PRESENCE_TTL_SECONDS"
  | "PRESENCE_BATCH_THRESHOLD"
  | "PRESENCE_BATCH_SECONDS"
  | "CHANNELS_HISTORY"
  | "CHANNELS_HISTORY_HOURS"
>;

/** Most bytes of a member's info, as JSON text (Pusher's limit). */
export const MAX_INFO_BYTES = 1024;

export interface Member {
  member: string;
  info: unknown;
  lastSeenAt: number;
}

export interface BeatResult {
  /** People in the room (not tabs). */
  count: number;
  /** This beat brought the member in (their first live connection). */
  joined: boolean;
  members?: Member[];
}

const beatScript = limitedScript(beatSource, (reply) => {
  const [count, joined, left, roster] = Array.isArray(reply) ? reply : [];
  return {
    count: Number(count ?? 0),
    joined: Number(joined) === 1,
    left: Number(left) === 1,
    members: typeof roster === "string" && roster !== "" ? (JSON.parse(roster) as Member[]) : undefined,
  };
});

const rosterScript = defineScript(rosterSource, (reply) => {
  const [count, roster] = Array.isArray(reply) ? reply : [];
  return { count: Number(count ?? 0), members: JSON.parse(String(roster ?? "[]")) as Member[] };
});

const onlineScript = defineScript(onlineSource, (reply) =>
  Array.isArray(reply) ? reply.map((v) => Number(v) === 1) : [],
);

interface Who {
  room: string;
  member: string;
  connection: string;
  now: number;
}

function run(
  redis: RedisClient,
  config: PresenceConfig,
  input: Who & { info?: unknown; mode: "beat" | "leave"; withMembers?: boolean; limit?: ScriptLimit },
) {
  const keys = presenceKeys(config, input.room);
  return beatScript.run(
    redis,
    [keys.members, keys.connections, keys.info, keys.pending, keys.flushed, keys.channel],
    [
      input.member,
      input.connection,
      input.info === undefined ? "" : JSON.stringify(input.info),
      input.now,
      config.PRESENCE_TTL_SECONDS * 1000,
      config.PRESENCE_BATCH_THRESHOLD,
      config.PRESENCE_BATCH_SECONDS * 1000,
      config.CHANNELS_HISTORY,
      historyTtlMs(config),
      input.mode,
      input.withMembers ? "1" : "0",
    ],
    input.limit,
  );
}

/**
 * A heartbeat: ONE script records the connection, expires members who missed their heartbeats,
 * and publishes joins and leaves to `presence:{room}` only when something changed (batched deltas
 * every PRESENCE_BATCH_SECONDS above PRESENCE_BATCH_THRESHOLD members).
 *
 * @example
 * const { count, joined } = await heartbeat(redis, config, { room: "doc-42", member: "ana", connection: tabId, now });
 */
export async function heartbeat(
  redis: RedisClient,
  config: PresenceConfig,
  input: Who & { info?: unknown; withMembers?: boolean; limit?: ScriptLimit },
): Promise<BeatResult> {
  const { count, joined, members } = await run(redis, config, { ...input, mode: "beat" });
  return members === undefined ? { count, joined } : { count, joined, members };
}

/** A best-effort leave (for `sendBeacon`) of one connection; the member leaves with their last one. */
export async function leave(
  redis: RedisClient,
  config: PresenceConfig,
  input: Who & { limit?: ScriptLimit },
): Promise<{ count: number; left: boolean }> {
  const { count, left } = await run(redis, config, { ...input, mode: "leave" });
  return { count, left };
}

/** The roster (newest heartbeat first, up to `limit`) and the exact count, read-only. */
export function roster(
  redis: RedisClient,
  config: PresenceConfig,
  input: { room: string; now: number; limit: number },
): Promise<{ count: number; members: Member[] }> {
  const keys = presenceKeys(config, input.room);
  return rosterScript.run(
    redis,
    [keys.members, keys.info],
    [input.now, config.PRESENCE_TTL_SECONDS * 1000, input.limit],
  );
}

/** Which of up to 100 members are in the room now. */
export async function onlineMembers(
  redis: RedisClient,
  config: PresenceConfig,
  input: { room: string; members: string[]; now: number },
): Promise<Record<string, boolean>> {
  const keys = presenceKeys(config, input.room);
  const flags = await onlineScript.run(
    redis,
    [keys.members],
    [input.now, config.PRESENCE_TTL_SECONDS * 1000, ...input.members],
  );
  const online: Record<string, boolean> = Object.create(null);
  input.members.forEach((member, i) => {
    online[member] = flags[i] ?? false;
  });
  return online;
}
