import { inject } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import type { OriginAnswer } from "../../setup/origin.ts";
import { testApp } from "../support.ts";

export const ORIGIN = inject("originUrl");

/** A fresh origin bucket for one test: its requests are counted apart from every other test's. */
export function originBucket(name: string) {
  const id = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    id,
    /** Appends answers (used once each), and optionally sets the fallback answer. */
    async program(answers: OriginAnswer[], fallback?: OriginAnswer) {
      await fetch(`${ORIGIN}/__program/${id}`, { method: "POST", body: JSON.stringify({ answers, fallback }) });
    },
    async log() {
      const res = await fetch(`${ORIGIN}/__log/${id}`);
      return (await res.json()) as {
        count: number;
        maxInFlight: number;
        requests: { method: string; url: string; headers: Record<string, string>; body: string }[];
      };
    },
  };
}

/** Rate limits out of the way (concurrency tests send hundreds of requests from one address). */
export const NO_LIMITS = JSON.stringify({ gateway: { limit: 1_000_000 }, default: { limit: 1_000_000 } });

/** An app whose GATEWAY_ROUTES are `routes` (objects, serialized here). */
export function gatewayApp(file: string, routes: unknown[], bindings: Record<string, string> = {}) {
  const clock = manualClock(Date.now());
  const t = testApp(`gw-${file}`, {
    clock,
    bindings: {
      GATEWAY_ROUTES: JSON.stringify(routes),
      RATE_LIMITS: NO_LIMITS,
      REDIS_TIMEOUT_MS: "10000",
      ...bindings,
    },
  });
  return { ...t, clock };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds (background fills run after the response). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await sleep(25);
  }
}
