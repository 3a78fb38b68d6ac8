import type { Bindings } from "../../../src/env.ts";
import { testApp } from "../support.ts";

/**
 * A test app whose policies come from `policies` (RATE_LIMITS), with a route that never touches
 * Redis (`GET /_test/rl/ping`), so a request's round trips are the rate limit's alone. Paths have
 * three segments so that no primitive's route (such as `GET /{slug}`) answers them first.
 */
export function limitedApp(name: string, policies: Record<string, unknown>, bindings: Partial<Bindings> = {}) {
  const t = testApp(name, { bindings: { RATE_LIMITS: JSON.stringify(policies), ...bindings } });
  t.app.get("/_test/rl/ping", (c) => c.text("pong"));
  // A route that asks to fold its check into a script, though its rule already spent before it ran.
  t.app.get("/_test/rl/fold", async (c) => c.json({ limit: (await c.var.rateLimit.forScript()) ?? null }));
  // A route that loads a session (as loadSession() does for a valid cookie), then spends 2 units.
  t.app.get(
    "/_test/rl/me",
    async (c, next) => {
      c.set("session", { userId: c.req.header("x-test-user") ?? "" } as never);
      await next();
    },
    async (c) => {
      await c.var.rateLimit.spend(2);
      return c.text("me");
    },
  );
  return t;
}

/** Headers of a client at `ip` (CF-Connecting-IP, as Cloudflare sets it). */
export const fromIp = (ip: string, extra: Record<string, string> = {}) => ({ "cf-connecting-ip": ip, ...extra });

/** One parsed structured-field item: `"name";key=value;...` (RFC 9651, the subset the draft uses). */
export interface SfItem {
  name: string;
  params: Record<string, number | string>;
}

/** Parses a RateLimit / RateLimit-Policy field value holding one item; throws if it is not one. */
export function parseSfItem(value: string | null): SfItem {
  const match = /^"((?:[^"\\]|\\.)*)"((?:;[a-z*][a-z0-9_.*-]*=(?:-?\d{1,15}|"(?:[^"\\]|\\.)*"))*)$/.exec(value ?? "");
  if (!match) throw new Error(`not a structured-field item: ${value}`);
  const params: Record<string, number | string> = {};
  for (const part of (match[2] ?? "").split(";").slice(1)) {
    const [key = "", raw = ""] = part.split("=");
    params[key] = raw.startsWith('"') ? raw.slice(1, -1) : Number(raw);
  }
  return { name: match[1] ?? "", params };
}

/** Counts of each status in a list of responses. */
export function statusCounts(responses: Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
}
