import autocannon from "autocannon";

export interface LoadCase {
  name: string;
  path: string;
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  headers?: Record<string, string>;
  body?: string;
  /** Status codes that count as success (default: 2xx). A redirect path expects 302. */
  okStatus?: number[];
}

export interface LoadResult {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Proxy requests per request served (Redis round trips). */
  roundTrips: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

/** Runs autocannon against one URL; counts non-expected statuses as errors. */
export async function load(url: string, c: LoadCase, opts: LoadOptions, counter: () => Promise<number>) {
  const request = {
    method: c.method ?? "GET",
    headers: c.headers,
    body: c.body,
  };
  if (opts.warmupSeconds > 0) {
    await autocannon({ url: url + c.path, connections: opts.connections, duration: opts.warmupSeconds, ...request });
  }
  const before = await counter();
  let bad = 0;
  const ok = new Set(c.okStatus ?? [200, 201, 204]);
  const result = await autocannon({
    url: url + c.path,
    connections: opts.connections,
    duration: opts.seconds,
    ...request,
    setupClient: (client) => {
      client.on("response", (status: number) => {
        if (!ok.has(status)) bad++;
      });
    },
  });
  const after = await counter();
  const served = result.requests.total;
  return {
    name: c.name,
    requests: served,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: bad + result.errors + result.timeouts,
    roundTrips: served > 0 ? Math.round(((after - before) / served) * 100) / 100 : 0,
  } satisfies LoadResult;
}
