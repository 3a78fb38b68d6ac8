/** Cache namespaces: safe inside a hash tag and a key. */
export const NAMESPACE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The keys of one namespace. Every key carries the hash tag `{ns}`, so every script is one slot. */
export interface NamespaceKeys {
  epoch: string;
  seq: string;
  /** The entry hash for an entry id (`entryId`). */
  entry(id: string): string;
  lease(id: string): string;
  /** A tag's invalidation marker and its index, for a tag id (`tagId`). */
  tagMarker(id: string): string;
  tagIndex(id: string): string;
}

/**
 * Every Redis key of the cache is built here and nowhere else. Entry and tag ids are hashes
 * (`hashId`), so no user-given key, URL or tag ever forms a key pattern:
 *
 *   {prefix}cache:{ns}:ep          string  namespace epoch (INCR = purge all)
 *   {prefix}cache:{ns}:seq         string  invalidation counter (INCR per tag purge)
 *   {prefix}cache:{ns}:e:<id>      hash    an entry (or a Vary marker)
 *   {prefix}cache:{ns}:e:<id>:L    string  its fill lease
 *   {prefix}cache:{ns}:te:<tag>    string  counter value at the tag's last purge (lives > any lease)
 *   {prefix}cache:{ns}:ti:<tag>    zset    the tag's entries, scored by their kept-until time
 */
export function namespaceKeys(prefix: string, ns: string): NamespaceKeys {
  if (!NAMESPACE_PATTERN.test(ns)) throw new TypeError(`cache namespace "${ns}": use 1-64 of A-Z a-z 0-9 _ . : -`);
  const base = `${prefix}cache:{${ns}}:`;
  return {
    epoch: `${base}ep`,
    seq: `${base}seq`,
    entry: (id) => `${base}e:${id}`,
    lease: (id) => `${base}e:${id}:L`,
    tagMarker: (id) => `${base}te:${id}`,
    tagIndex: (id) => `${base}ti:${id}`,
  };
}

/** A key, URL or tag as a 32-hex-digit id (SHA-256, truncated): bounded, and never a pattern. */
export async function hashId(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  let hex = "";
  for (const byte of new Uint8Array(digest, 0, 16)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
