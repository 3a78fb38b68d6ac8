import autocannon from "autocannon";
import { workerdCpuMs } from "./cpu.ts";

export interface LoadCase {
  name: string;
  path: string;
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  /** Status codes that count as success (default: 2xx). A redirect path expects 302. */
  okStatus?: number[];
  /**
   * Makes request number `n` differ from the others (a new visitor, a new unit). It runs in the
   * load generator for every request, so only cases that need it pay for rebuilding the request.
   */
  vary?: (n: number) => { headers?: Record<string, string>; body?: string };
  /** Where to send it, when not to the main Worker (the cache-off instance for cold flags). */
  baseUrl?: string;
  /** What the row measures, for the report (e.g. "a new visitor per request"). */
  note?: string;
}

export interface LoadResult {
  name: string;
  note?: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Proxy requests (Redis round trips) per request sent. */
  roundTrips: number;
  /** Redis commands per request sent (a pipeline of 3 counts 3). */
  commands: number;
  /** CPU time of the workerd processes per request sent, in µs (steady whatever the machine's load). */
  cpuUs: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/**
 * Where a case's request numbers (`vary(n)`) start: after every number an earlier run of the same
 * case used, so that slices and rounds keep sending new visitors and units, never repeats.
 */
export function nextRequestNumber(name: string): number {
  const start = used.get(name) ?? 0;
  used.set(name, start + 1_000_000);
  return start;
}
const used = new Map<string, number>();

/** The proxy's counters: requests (round trips) and commands served so far. */
export type ProxyCounter = () => Promise<{ requests: number; commands: number }>;

/** Lets requests still in flight when autocannon stops reach Redis before the counter is read. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/**
 * Loads one case with autocannon: a warm-up, then the measured run. Statuses outside `okStatus`
 * count as errors. Round trips are the proxy's counter delta over the requests autocannon sent
 * (not the responses it received: the last in-flight ones still reach Redis).
 */
export async function load(url: string, c: LoadCase, opts: LoadOptions, counter: ProxyCounter): Promise<LoadResult> {
  const base = { method: c.method ?? "GET", headers: c.headers ?? {}, body: c.body };
  let n = nextRequestNumber(c.name);
  const requests = c.vary
    ? [
        {
          setupRequest: (request: autocannon.Request) => {
            const varied = c.vary?.(n++) ?? {};
            return { ...request, headers: { ...base.headers, ...varied.headers }, body: varied.body ?? base.body };
          },
        },
      ]
    : undefined;
  const target = (c.baseUrl ?? url) + c.path;
  if (opts.warmupSeconds > 0) {
    await autocannon({ url: target, connections: opts.connections, duration: opts.warmupSeconds, ...base, requests });
    await settle();
  }
  const before = await counter();
  const cpuBefore = workerdCpuMs();
  let bad = 0;
  const ok = new Set(c.okStatus ?? [200, 201, 204]);
  const result = await autocannon({
    url: target,
    connections: opts.connections,
    duration: opts.seconds,
    ...base,
    requests,
    setupClient: (client) => {
      client.on("response", (status: number) => {
        if (!ok.has(status)) bad++;
      });
    },
  });
  await settle();
  const cpuAfter = workerdCpuMs();
  const after = await counter();
  const sent = result.requests.sent;
  const perRequest = (delta: number) => (sent > 0 ? Math.round((delta / sent) * 100) / 100 : 0);
  return {
    name: c.name,
    note: c.note,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad + result.errors + result.timeouts,
    roundTrips: perRequest(after.requests - before.requests),
    commands: perRequest(after.commands - before.commands),
    cpuUs: sent > 0 ? Math.round(((cpuAfter - cpuBefore) * 1000) / sent) : 0,
  };
}
