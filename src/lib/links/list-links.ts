import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { indexKey } from "./keys.ts";
import { readLink } from "./read-link.ts";
import { toLink } from "./record.ts";
import type { Link } from "./schema.ts";

/** A cursor is the index member of the last link of the previous page: `${13 digits}:${slug}`. */
export const CURSOR_PATTERN = /^\d{13}:[A-Za-z0-9_-]{1,64}$/;

export interface LinkPage {
  links: Link[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Links newest first, `limit` at a time. Two round trips: the index page, then every record of the
 * page in one pipeline. The cursor names a position, not an offset, so links created or deleted
 * meanwhile never make a page repeat or skip one.
 */
export async function listLinks(
  redis: RedisClient,
  config: Config,
  page: { cursor?: string; limit: number },
  context: LinkContext,
): Promise<LinkPage> {
  const from = page.cursor ? (`(${page.cursor}` as const) : ("-" as const);
  const members = (await redis.zrange(indexKey(config), from, "+", {
    byLex: true,
    offset: 0,
    count: page.limit + 1,
  })) as string[];
  const slice = members.slice(0, page.limit);
  const slugs = slice.map((member) => member.slice(member.indexOf(":") + 1));
  const stored = await Promise.all(slugs.map((slug) => readLink(redis, config, slug)));
  const origin = publicOrigin(config, context);
  const links: Link[] = [];
  stored.forEach((record, i) => {
    // A link deleted between the two reads is simply left out.
    if (record) links.push(toLink(slugs[i] as string, record, origin));
  });
  return { links, nextCursor: members.length > page.limit ? (slice[slice.length - 1] ?? null) : null };
}
