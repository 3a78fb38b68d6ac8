import type { Config } from "../../env.ts";
import { historyTtlMs } from "../channels/settings.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { inboxKeys } from "./keys.ts";
import listSource from "./list.lua";
import markSource from "./mark.lua";
import notifySource from "./notify.lua";

export type InboxConfig = Pick<Config, "KEY_PREFIX" | "INBOX_CAP" | "CHANNELS_HISTORY" | "CHANNELS_HISTORY_HOURS">;

/** Badge numbers; archived items count in `archived` only. */
export interface InboxCounts {
  unread: number;
  unseen: number;
  /** Items in the box (not archived). */
  total: number;
  archived: number;
}

export interface Notification {
  id: number;
  title: string;
  body: string;
  data: unknown;
  key: string | null;
  createdAt: number;
}

export interface ListedNotification extends Notification {
  unread: boolean;
  seen: boolean;
  archived: boolean;
}

export const STATUSES = ["all", "unread", "unseen", "archived"] as const;
export type InboxStatus = (typeof STATUSES)[number];
export const MARKS = ["read", "seen", "archive"] as const;
export type InboxMark = (typeof MARKS)[number];

const parse = (reply: unknown) => JSON.parse(String(reply));
const notifyScript = defineScript(
  notifySource,
  (reply) => parse(reply) as { id: number; duplicate: boolean; counts: InboxCounts; evicted: number[] },
);
const markScript = defineScript(markSource, (reply) => parse(reply) as { changed: number[]; counts: InboxCounts });
const listScript = defineScript(
  listSource,
  (reply) =>
    parse(reply) as {
      items: { item: Notification; unread: boolean; seen: boolean; archived: boolean }[];
      counts: InboxCounts;
      next: number | null;
    },
);

const channelArgs = (config: InboxConfig) => [config.CHANNELS_HISTORY, historyTtlMs(config)];

/**
 * Adds a notification (deduplicated by `key`), evicts past INBOX_CAP (archived, then read, oldest
 * first; unread only when nothing else is left) and publishes the new counts to `user:{userId}`,
 * in one script.
 *
 * @example
 * const { id, counts, evicted } = await notify(redis, config, { userId: "ana", title: "New reply", now });
 */
export function notify(
  redis: RedisClient,
  config: InboxConfig,
  input: { userId: string; title: string; body?: string; data?: unknown; key?: string; now: number },
) {
  const k = inboxKeys(config, input.userId);
  return notifyScript.run(
    redis,
    [k.box, k.unread, k.unseen, k.archived, k.items, k.dedup, k.seq, k.channel],
    [
      input.title,
      input.body ?? "",
      JSON.stringify(input.data ?? null),
      input.key ?? "",
      input.now,
      config.INBOX_CAP,
      ...channelArgs(config),
    ],
  );
}

/**
 * Marks items read, seen or archived, by ids or every one up to `upTo` (the newest id the user
 * saw: one arriving mid-click stays unread), and publishes the counts when anything changed.
 */
export function mark(
  redis: RedisClient,
  config: InboxConfig,
  input: { userId: string; action: InboxMark; ids?: number[]; upTo?: number },
) {
  const k = inboxKeys(config, input.userId);
  const target = input.upTo !== undefined ? ["upTo", input.upTo] : ["ids", ...(input.ids ?? [])];
  return markScript.run(
    redis,
    [k.box, k.unread, k.unseen, k.archived, k.channel],
    [input.action, ...channelArgs(config), ...target],
  );
}

const SETS: Record<InboxStatus, number> = { all: 1, unread: 2, unseen: 3, archived: 4 };

/** A page of notifications, newest first, with the counts (one read-only script). */
export async function listNotifications(
  redis: RedisClient,
  config: InboxConfig,
  input: { userId: string; status: InboxStatus; before?: number; limit: number },
): Promise<{ notifications: ListedNotification[]; counts: InboxCounts; next: number | null }> {
  const k = inboxKeys(config, input.userId);
  const page = await listScript.run(
    redis,
    [k.box, k.unread, k.unseen, k.archived, k.items],
    [SETS[input.status], input.before ?? "", input.limit],
  );
  return {
    notifications: page.items.map(({ item, unread, seen, archived }) => ({ ...item, unread, seen, archived })),
    counts: page.counts,
    next: page.next,
  };
}

/** The badge numbers alone. */
export async function inboxCounts(redis: RedisClient, config: InboxConfig, userId: string): Promise<InboxCounts> {
  return (await listNotifications(redis, config, { userId, status: "all", limit: 0 })).counts;
}
