/** Custom slugs: URL-safe, short enough to type. */
export const SLUG_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The route pattern for the public redirect: only slug characters, so /openapi.json never matches. */
export const SLUG_ROUTE_PATTERN = "[A-Za-z0-9_-]+";

/**
 * Words that name (or may one day name) the service's own pages and APIs. Compared lower-case, so
 * `Docs` is refused as well as `docs`.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "admin",
  "api",
  "app",
  "assets",
  "dashboard",
  "docs",
  "experiments",
  "favicon",
  "flags",
  "health",
  "healthz",
  "links",
  "login",
  "logout",
  "metrics",
  "openapi",
  "qr",
  "ratelimit",
  "robots",
  "session",
  "sessions",
  "static",
  "stats",
  "status",
  "views",
  "well-known",
  "_",
]);

export function isReservedSlug(slug: string): boolean {
  return RESERVED_SLUGS.has(slug.toLowerCase());
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const RANDOM_SLUG_LENGTH = 7;

/**
 * Seven base62 characters from the CSPRNG (62^7 ≈ 3.5e12). Rejection sampling keeps every character
 * equally likely: bytes of 248 and above (248 = 4 × 62) are drawn again.
 */
export function randomSlug(): string {
  let slug = "";
  while (slug.length < RANDOM_SLUG_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      if (byte < 248 && slug.length < RANDOM_SLUG_LENGTH) slug += ALPHABET[byte % 62];
    }
  }
  // A random slug can spell a reserved word only in theory (none has 7 characters); stay safe anyway.
  return isReservedSlug(slug) ? randomSlug() : slug;
}
