/**
 * Soak test: mixed traffic at 50 connections through the local stack (redis-server + proxy +
 * the real Worker in workerd via Miniflare, as the bench runs it) for 60 s, then checks that
 * there was not one error and that the totals Redis holds equal what was sent.
 *
 *   npm run soak                      # 60 s
 *   SOAK_SECONDS=15 npm run soak      # shorter
 *   SOAK_CONNECTIONS=20 npm run soak  # fewer connections
 *
 * Exits 1 when anything is off. Not part of `npm test` (it takes a minute and both cores).
 */
import { startStack } from "../bench/stack.ts";
import { POLICY_NAMES } from "../src/lib/ratelimit/policies.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/** What each kind of request sends, and the status that counts as success. */
const KINDS = ["redirect", "view", "evaluate", "assign", "session"] as const;
type Kind = (typeof KINDS)[number];

interface Tally {
  sent: number;
  ok: number;
  /** status -> count, for everything that was not the expected status (or a network failure: 0). */
  errors: Record<number, number>;
  latencies: number[];
}

async function main() {
  // Quotas out of the way: this is about correctness under load, not the limiter.
  const limits = Object.fromEntries(POLICY_NAMES.map((name) => [name, { limit: 1_000_000 }]));
  console.log(`soak: building the Worker and starting redis-server + proxy + workerd...`);
  const stack = await startStack(
    { RATE_LIMITS: JSON.stringify(limits), FLAGS_CACHE_TTL_MS: "1000" },
    { entry: "src/index.ts", outdir: "bench/.build/soak" },
  );
  const admin = { authorization: `Bearer ${stack.adminToken}`, "content-type": "application/json" };
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.workerUrl}${path}`, { redirect: "manual", ...init });

  try {
    const link = (await (
      await call("/api/links", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ url: "https://example.com/soak" }),
      })
    ).json()) as { slug: string };
    await call("/api/flags/soak", {
      method: "PUT",
      headers: admin,
      body: JSON.stringify({
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
        rollout: { percentage: 50, variant: "on" },
      }),
    });
    await call("/api/experiments/soak", {
      method: "PUT",
      headers: admin,
      body: JSON.stringify({
        variants: [
          { name: "a", weight: 1 },
          { name: "b", weight: 1 },
        ],
        status: "running",
        goals: ["buy"],
      }),
    });
    const session = await call("/api/sessions", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ userId: "soak" }),
    });
    const cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";

    const tallies = Object.fromEntries(
      KINDS.map((kind) => [kind, { sent: 0, ok: 0, errors: {}, latencies: [] } as Tally]),
    ) as Record<Kind, Tally>;
    let n = 0;
    const request = (kind: Kind, i: number): [string, RequestInit, number] => {
      // A new client per request: every view and click is a distinct visitor, so each one counts.
      const client = { "user-agent": UA, "cf-connecting-ip": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
      const json = { ...client, "content-type": "application/json" };
      switch (kind) {
        case "redirect":
          return [`/${link.slug}`, { headers: client }, 302];
        case "view":
          return ["/api/views/soak", { method: "POST", headers: client }, 200];
        case "evaluate":
          return [
            "/ofrep/v1/evaluate/flags/soak",
            { method: "POST", headers: json, body: JSON.stringify({ context: { targetingKey: `u${i}` } }) },
            200,
          ];
        case "assign":
          return [
            "/api/experiments/soak/assignment",
            { method: "POST", headers: json, body: JSON.stringify({ unitId: `u${i}` }) },
            200,
          ];
        case "session":
          return ["/api/sessions/current", { headers: { ...client, cookie } }, 200];
      }
    };

    const deadline = Date.now() + SECONDS * 1000;
    const before = await stack.proxyRequests();
    const started = Date.now();
    const connection = async () => {
      while (Date.now() < deadline) {
        const i = n++;
        const kind = KINDS[i % KINDS.length] as Kind;
        const [path, init, expected] = request(kind, i);
        const tally = tallies[kind];
        tally.sent++;
        const t0 = performance.now();
        let status = 0;
        try {
          const res = await call(path, init);
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = 0;
        }
        tally.latencies.push(performance.now() - t0);
        if (status === expected) tally.ok++;
        else tally.errors[status] = (tally.errors[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, connection));
    const elapsed = (Date.now() - started) / 1000;
    const roundTrips = (await stack.proxyRequests()) - before;

    // What Redis holds, read back through the Worker's own admin and public routes.
    const clicks = ((await (await call(`/api/links/${link.slug}`, { headers: admin })).json()) as { clicks: number })
      .clicks;
    const views = ((await (await call("/api/views/soak")).json()) as { views: number }).views;
    const results = (await (await call("/api/experiments/soak/results", { headers: admin })).json()) as {
      variants: { units: number }[];
    };
    const units = results.variants.reduce((sum, v) => sum + v.units, 0);

    const sent = KINDS.reduce((sum, kind) => sum + tallies[kind].sent, 0);
    const errors = KINDS.reduce((sum, kind) => sum + Object.values(tallies[kind].errors).reduce((a, b) => a + b, 0), 0);
    console.log(
      `soak: ${sent} requests in ${elapsed.toFixed(1)} s at ${CONNECTIONS} connections (${(sent / elapsed).toFixed(0)} req/s), ${roundTrips} proxy round trips`,
    );
    for (const kind of KINDS) {
      const t = tallies[kind];
      const sorted = [...t.latencies].sort((a, b) => a - b);
      const p = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
      console.log(
        `  ${kind.padEnd(9)} sent ${String(t.sent).padStart(7)}  ok ${String(t.ok).padStart(7)}  errors ${JSON.stringify(t.errors)}  p50 ${p(0.5)} ms  p99 ${p(0.99)} ms`,
      );
    }
    const checks = [
      { what: "errors", expected: 0, actual: errors },
      { what: "link clicks in Redis = redirects answered", expected: tallies.redirect.ok, actual: clicks },
      { what: "page views in Redis = views answered", expected: tallies.view.ok, actual: views },
      { what: "experiment units in Redis = units assigned", expected: tallies.assign.ok, actual: units },
    ];
    let failed = false;
    for (const check of checks) {
      const ok = check.expected === check.actual;
      failed ||= !ok;
      console.log(`  ${ok ? "ok  " : "FAIL"} ${check.what}: expected ${check.expected}, got ${check.actual}`);
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    await stack.stop();
  }
}

await main();
