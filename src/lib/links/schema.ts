import { z } from "zod";
import { isLoopbackHost } from "./loopback.ts";
import { isReservedSlug, SLUG_PATTERN } from "./slug.ts";

/** Longest target URL accepted (what browsers and most proxies handle without trouble). */
export const MAX_URL_LENGTH = 2048;
export const MAX_TAGS = 10;
export const MAX_CLICKS_LIMIT = 1_000_000_000;

/** Why a target URL is refused, or undefined when it is a safe absolute http(s) URL. */
export function targetProblem(value: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return "must not contain spaces or control characters";
  // WHATWG URL parsers read "\" as "/" (`https:\\evil` is https://evil/), other parsers do not: a
  // target that means one host to us and another to a link scanner is refused (write %5C instead).
  if (value.includes("\\")) return "must not contain backslashes";
  // `//host/path` would be resolved against the short link's own scheme: an open redirect in disguise.
  if (value.startsWith("//")) return "must be an absolute http(s) URL (protocol-relative URLs are refused)";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use http or https";
  if (url.username || url.password) return "must not contain credentials (user:password@)";
  if (!url.hostname) return "must name a host";
  if (isLoopbackHost(url.hostname)) return "must not point at a loopback host (localhost, 127.0.0.0/8, ::1)";
  if (url.href.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters once normalised`;
  return undefined;
}

const targetUrl = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_URL_LENGTH, `must be at most ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    if (value.length > MAX_URL_LENGTH) return; // already reported by max()
    const problem = targetProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const slug = z
  .string()
  .regex(SLUG_PATTERN, "must be 1 to 64 of A-Z a-z 0-9 _ -")
  .refine((value) => !isReservedSlug(value), "is reserved for the service's own pages");

const expiresAt = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z" });

const maxClicks = z
  .number()
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_CLICKS_LIMIT, `must be at most ${MAX_CLICKS_LIMIT}`);

const redirectStatus = z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)], {
  error: "must be one of 301, 302, 307, 308",
});

const password = z.string().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters");

const tags = z
  .array(z.string().regex(/^[A-Za-z0-9 _.:-]{1,32}$/, "must be 1 to 32 of A-Z a-z 0-9 space _ . : -"))
  .max(MAX_TAGS, `must hold at most ${MAX_TAGS} tags`)
  .refine((list) => new Set(list).size === list.length, "must not repeat a tag");

/** The body of `POST /api/links` (and each item of a bulk). Unknown fields are refused. */
export const linkInputSchema = z.strictObject({
  url: targetUrl,
  slug: slug.optional(),
  expiresAt: expiresAt.optional(),
  maxClicks: maxClicks.optional(),
  redirectStatus: redirectStatus.optional(),
  password: password.optional(),
  expiredUrl: targetUrl.optional(),
  forwardQuery: z.boolean().optional(),
  tags: tags.optional(),
});
export type LinkInput = z.infer<typeof linkInputSchema>;

/** The body of `PATCH /api/links/{slug}`: `null` removes an optional setting; the slug never changes. */
export const linkPatchSchema = z
  .strictObject({
    url: targetUrl.optional(),
    expiresAt: expiresAt.nullable().optional(),
    maxClicks: maxClicks.nullable().optional(),
    redirectStatus: redirectStatus.optional(),
    password: password.nullable().optional(),
    expiredUrl: targetUrl.nullable().optional(),
    forwardQuery: z.boolean().optional(),
    tags: tags.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "must change at least one field");
export type LinkPatch = z.infer<typeof linkPatchSchema>;

/** A link as the API returns it. */
export const linkSchema = z.object({
  slug: z.string(),
  url: z.string(),
  shortUrl: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string().nullable(),
  maxClicks: z.number().int().nullable(),
  /** Redirects served so far, humans and bots alike (what maxClicks is checked against). */
  clicks: z.number().int(),
  redirectStatus: z.number().int(),
  hasPassword: z.boolean(),
  expiredUrl: z.string().nullable(),
  forwardQuery: z.boolean(),
  tags: z.array(z.string()),
});
export type Link = z.infer<typeof linkSchema>;

/** A slug in a path: checked before it can reach a key. */
export const slugParamSchema = z.string().regex(SLUG_PATTERN, "must be 1 to 64 of A-Z a-z 0-9 _ -");
