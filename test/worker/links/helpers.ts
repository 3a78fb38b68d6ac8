import type { Clock } from "../../../src/lib/clock.ts";
import { adminHeaders, jsonHeaders, testApp } from "../support.ts";

/** Generous limits: these tests are about links, not about the rate limiter in front of them. */
const RATE_LIMITS = JSON.stringify({
  default: { limit: 100_000 },
  redirect: { limit: 100_000 },
  "unlock-link": { limit: 100_000 },
  "create-link": { limit: 100_000 },
  "bulk-create-links": { limit: 100_000 },
});

/** A test app for links, plus shorthands for the admin API. */
export function linksApp(name: string, options: { clock?: Clock; publicUrl?: string } = {}) {
  const t = testApp(`links-${name}`, {
    clock: options.clock,
    bindings: { RATE_LIMITS, ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}) },
  });
  const api = (method: string, path: string, body?: unknown) =>
    t.request(path, {
      method,
      headers: adminHeaders(body === undefined ? {} : jsonHeaders()),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  /** Creates a link and returns its JSON; fails the test when creation does not answer 201. */
  const create = async (body: Record<string, unknown>) => {
    const res = await api("POST", "/api/links", body);
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown> & { slug: string; shortUrl: string };
  };
  return { ...t, api, create };
}

export const BROWSER =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/** Headers of a person's browser, with an IP so that visitors can be told apart. */
export const browser = (ip = "203.0.113.7", extra: Record<string, string> = {}) => ({
  "user-agent": BROWSER,
  "cf-connecting-ip": ip,
  ...extra,
});
