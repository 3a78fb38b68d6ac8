/**
 * The target with the short URL's query string appended (`forwardQuery`): `?utm_source=x` on
 * `sho.rt/abc` sends the visitor to `https://example.com/page?ref=1&utm_source=x#top`. The target's
 * own query and fragment are kept byte for byte.
 */
export function withForwardedQuery(target: string, query: string): string {
  if (!query) return target;
  const hashAt = target.indexOf("#");
  const base = hashAt === -1 ? target : target.slice(0, hashAt);
  const fragment = hashAt === -1 ? "" : target.slice(hashAt);
  const separator = base.includes("?") ? (base.endsWith("?") || base.endsWith("&") ? "" : "&") : "?";
  return `${base}${separator}${query}${fragment}`;
}

/** The host of a Referer header, lower-case; "(direct)" without one, "(unknown)" when unparsable. */
export function referrerHost(referrer: string | undefined): string {
  if (!referrer) return "(direct)";
  try {
    const host = new URL(referrer).hostname.toLowerCase();
    return host && host.length <= 253 ? host : "(unknown)";
  } catch {
    return "(unknown)";
  }
}
