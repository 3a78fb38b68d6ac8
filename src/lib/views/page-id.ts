import { type FieldError, validationError } from "../errors.ts";

/** Longest page id kept; a longer normalised URL is refused rather than cut. */
export const MAX_PAGE_ID = 256;
/** Longest `?url=` accepted before normalisation. */
export const MAX_PAGE_URL = 2048;

/**
 * What a page id may hold (after percent-decoding): letters, digits and URL punctuation, so ids read
 * like paths ("blog/hello-world", "/pricing") or URLs. No spaces, controls, quotes, `<>` or braces.
 */
export const PAGE_ID_PATTERN = /^[\p{L}\p{M}\p{N}\-._~:/?#[\]@!$&'()*+,;=%]+$/u;

/** Ids that name routes under /api/views/ and so cannot name a page there. */
const RESERVED = new Set(["top"]);

/** The checked page id: why it is refused, or undefined when it is fine. */
export function pageIdProblem(page: string): string | undefined {
  if (page.length === 0) return "must not be empty";
  if (page.length > MAX_PAGE_ID) return `must be at most ${MAX_PAGE_ID} characters`;
  if (!PAGE_ID_PATTERN.test(page)) {
    return "may hold letters, digits and URL punctuation (- . _ ~ : / ? # [ ] @ ! $ & ' ( ) * + , ; = %), no spaces or braces";
  }
  if (RESERVED.has(page)) return `"${page}" is reserved; use another id`;
  return undefined;
}

/** Throws a 422 naming `field` unless `page` is a valid page id. */
export function assertPageId(page: string, field = "page"): string {
  const problem = pageIdProblem(page);
  if (problem) throw validationError([{ path: field, message: problem }]);
  return page;
}

/**
 * A full URL as a page id: origin + pathname, so query strings, fragments, ports spelled out by
 * default and host case do not split one page into many.
 *
 * @example pageIdFromUrl("https://Example.com:443/a/b?utm=x#top") // "https://example.com/a/b"
 */
export function pageIdFromUrl(input: string): string {
  const fail = (message: string): never => {
    throw validationError([{ path: "query.url", message } satisfies FieldError]);
  };
  if (input.length > MAX_PAGE_URL) fail(`must be at most ${MAX_PAGE_URL} characters`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail("must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") fail("must be an absolute http(s) URL");
  return assertPageId(`${url.origin}${url.pathname}`, "query.url");
}

const encoder = new TextEncoder();

/** The key part of a page: the first 32 hex digits (128 bits) of SHA-256(page id). */
export async function pageKeyOf(page: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(page));
  let hex = "";
  for (const byte of new Uint8Array(digest, 0, 16)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
