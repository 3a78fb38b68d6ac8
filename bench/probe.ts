import { Agent, request } from "node:http";
import { type LoadCase, nextRequestNumber, type ProxyCounter } from "./load.ts";

export interface ProbeResult {
  name: string;
  requests: number;
  errors: number;
  /** Milliseconds, to the microsecond (autocannon rounds to whole milliseconds). */
  p50: number;
  p99: number;
  /** Redis round trips per request (the proxy's counter). */
  roundTrips: number;
}

/**
 * Latency of one case, request after request on `connections` keep-alive connections, each timed
 * with `performance.now()` from the request's start to its last byte. For latency, not load:
 * autocannon's whole-millisecond percentiles cannot tell 11.4 ms from 11.6 ms, which is the
 * difference a 1.15x target is about when a round trip costs 10 ms.
 */
export async function probe(
  url: string,
  c: LoadCase,
  opts: { seconds: number; connections: number; warmupSeconds: number },
  counter: ProxyCounter,
): Promise<ProbeResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL((c.baseUrl ?? url) + c.path);
  const ok = new Set(c.okStatus ?? [200, 201, 204]);
  let n = nextRequestNumber(c.name);
  const once = () =>
    new Promise<{ ms: number; ok: boolean }>((resolve) => {
      const varied = c.vary?.(n++) ?? {};
      const body = varied.body ?? c.body;
      const headers: Record<string, string> = { ...c.headers, ...varied.headers };
      if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
      const started = performance.now();
      const req = request(target, { method: c.method ?? "GET", headers, agent }, (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve({ ms: performance.now() - started, ok: ok.has(res.statusCode ?? 0) }));
      });
      req.on("error", () => resolve({ ms: performance.now() - started, ok: false }));
      req.end(body);
    });
  const runFor = async (seconds: number, record: boolean) => {
    const until = performance.now() + seconds * 1000;
    const times: number[] = [];
    let errors = 0;
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (performance.now() < until) {
          const r = await once();
          if (!record) continue;
          times.push(r.ms);
          if (!r.ok) errors++;
        }
      }),
    );
    return { times, errors };
  };
  try {
    if (opts.warmupSeconds > 0) await runFor(opts.warmupSeconds, false);
    const before = await counter();
    const { times, errors } = await runFor(opts.seconds, true);
    const after = await counter();
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 100) / 100;
    return {
      name: c.name,
      requests: times.length,
      errors,
      p50: at(0.5),
      p99: at(0.99),
      roundTrips: times.length > 0 ? Math.round(((after.requests - before.requests) / times.length) * 100) / 100 : 0,
    };
  } finally {
    agent.destroy();
  }
}
