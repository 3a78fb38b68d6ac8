import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import type { LinkContext } from "./context.ts";
import { indexMember } from "./keys.ts";
import { listLinks } from "./list-links.ts";
import type { Link } from "./schema.ts";

/** Links read per batch while searching, and at most in one search. */
const BATCH = 100;
export const SEARCH_SCAN_LIMIT = 2000;

export interface LinkSearch {
  links: Link[];
  /** Resume after the last link examined (a `listLinks` cursor); null when the index is done. */
  nextCursor: string | null;
  /** Links examined in this call. */
  scanned: number;
}

/**
 * Links newest first whose slug or target URL contains `query` (case-insensitive) and that carry
 * `tag`, `limit` at a time. There is no search index: batches of `listLinks` are read and
 * filtered, at most SEARCH_SCAN_LIMIT links per call; `nextCursor` resumes where it stopped, so
 * paging through a large index stays correct, just slower. Without query and tag it is one
 * `listLinks` page.
 */
export async function searchLinks(
  redis: RedisClient,
  config: Config,
  search: { query?: string; tag?: string; cursor?: string; limit: number },
  context: LinkContext,
): Promise<LinkSearch> {
  const query = search.query?.trim().toLowerCase() ?? "";
  const tag = search.tag?.trim() ?? "";
  if (!query && !tag) {
    const page = await listLinks(redis, config, { cursor: search.cursor, limit: search.limit }, context);
    return { ...page, scanned: page.links.length };
  }
  const matches = (link: Link) =>
    (!tag || link.tags.includes(tag)) &&
    (!query || link.slug.toLowerCase().includes(query) || link.url.toLowerCase().includes(query));
  const found: Link[] = [];
  let cursor = search.cursor;
  let scanned = 0;
  while (scanned < SEARCH_SCAN_LIMIT) {
    const page = await listLinks(redis, config, { cursor, limit: BATCH }, context);
    for (const link of page.links) {
      scanned++;
      if (!matches(link)) continue;
      found.push(link);
      if (found.length === search.limit) {
        const last = page.links[page.links.length - 1];
        // Stopped inside the batch: resume right after this link (unless it ended the index).
        const atEnd = page.nextCursor === null && link === last;
        return { links: found, nextCursor: atEnd ? null : indexMember(Date.parse(link.createdAt), link.slug), scanned };
      }
    }
    if (page.nextCursor === null) return { links: found, nextCursor: null, scanned };
    cursor = page.nextCursor;
  }
  return { links: found, nextCursor: cursor ?? null, scanned };
}
