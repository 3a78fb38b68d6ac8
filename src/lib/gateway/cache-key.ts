/**
 * The gateway's cache key and automatic tags. The key is the host and a normalized URL (path
 * as the URL parser normalizes it, query parameters sorted by name, stable for repeated names,
 * an empty query dropped), so `?b=2&a=1` and `?a=1&b=2` share an entry.
 */
export function cacheKeyOf(url: URL): string {
  const params = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  return `${url.host.toLowerCase()}${url.pathname}${query ? `?${query}` : ""}`;
}

/** Deepest path prefix that gets its own tag: a deeper prefix purge purges at this depth (more, never less). */
export const PREFIX_DEPTH = 8;

/** The prefixes of a path a prefix purge can name: "/", "/a", "/a/b", ... (at most PREFIX_DEPTH). */
export function pathPrefixes(pathname: string): string[] {
  const segments = pathname.split("/").filter(Boolean).slice(0, PREFIX_DEPTH);
  const prefixes = ["/"];
  let path = "";
  for (const segment of segments) {
    path += `/${segment}`;
    prefixes.push(path);
  }
  return prefixes;
}

/** The internal tags of an entry: its URL (every Vary variant), its path prefixes, the origin's tags. */
export function entryTags(url: URL, originTags: readonly string[]): string[] {
  const host = url.host.toLowerCase();
  return [
    `u:${cacheKeyOf(url)}`,
    ...pathPrefixes(url.pathname).map((prefix) => `p:${host}${prefix}`),
    ...originTags.map((tag) => `t:${tag}`),
  ];
}

/** The tag a URL purge uses. */
export const urlTag = (url: URL) => `u:${cacheKeyOf(url)}`;

/** The tag a prefix purge uses: "https://shop.example/a/" purges /a and everything under it. */
export function prefixTag(url: URL): string {
  const segments = url.pathname.split("/").filter(Boolean).slice(0, PREFIX_DEPTH);
  return `p:${url.host.toLowerCase()}/${segments.join("/")}`;
}

export const originTag = (tag: string) => `t:${tag}`;
