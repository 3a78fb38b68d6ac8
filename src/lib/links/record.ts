import type { Link } from "./schema.ts";

/**
 * The link record as stored in its Redis hash: every value a string, optional settings absent.
 *
 *   url, createdAt, updatedAt (ms), redirectStatus, forwardQuery ("1"/"0"), tags (JSON array)
 *   expiresAt (ms), maxClicks, password (PBKDF2 hash), expiredUrl   — only when set
 */
export type RecordFields = Record<string, string>;

/** What the read scripts return: the hash plus its click counts. */
export interface StoredLink {
  fields: RecordFields;
  humans: number;
  bots: number;
}

/** The settings a record holds, before they become strings. */
export interface LinkSettings {
  url?: string;
  expiresAt?: number | null;
  maxClicks?: number | null;
  redirectStatus?: number;
  password?: string | null;
  expiredUrl?: string | null;
  forwardQuery?: boolean;
  tags?: string[];
}

/** Splits settings into fields to set and fields to delete (a `null` removes the setting). */
export function toFieldChanges(settings: LinkSettings): { set: RecordFields; unset: string[] } {
  const set: RecordFields = {};
  const unset: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined) continue;
    if (value === null) unset.push(name);
    else if (typeof value === "boolean") set[name] = value ? "1" : "0";
    else if (Array.isArray(value)) set[name] = JSON.stringify(value);
    else set[name] = String(value);
  }
  return { set, unset };
}

const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);

/** The API's view of a stored link. The password hash never leaves this function. */
export function toLink(slug: string, stored: StoredLink, origin: string): Link {
  const f = stored.fields;
  return {
    slug,
    url: f.url ?? "",
    shortUrl: `${origin}/${slug}`,
    createdAt: iso(f.createdAt) ?? "",
    updatedAt: iso(f.updatedAt) ?? "",
    expiresAt: iso(f.expiresAt),
    maxClicks: f.maxClicks ? Number(f.maxClicks) : null,
    clicks: stored.humans + stored.bots,
    redirectStatus: Number(f.redirectStatus ?? 302),
    hasPassword: Boolean(f.password),
    expiredUrl: f.expiredUrl ?? null,
    forwardQuery: f.forwardQuery === "1",
    tags: f.tags ? (JSON.parse(f.tags) as string[]) : [],
  };
}

/** Decodes the one JSON string read-link.lua and update-link.lua answer with; null for "no such link". */
export function decodeStoredLink(reply: unknown): StoredLink | null {
  if (typeof reply !== "string") throw new Error(`links: expected a JSON reply, got ${typeof reply}`);
  const parsed = JSON.parse(reply) as { found: number; fields: RecordFields | unknown[]; humans: number; bots: number };
  if (parsed.found !== 1) return null;
  // cjson encodes an empty table as [], never as {}.
  const fields = Array.isArray(parsed.fields) ? {} : parsed.fields;
  return { fields, humans: Number(parsed.humans), bots: Number(parsed.bots) };
}
