/**
 * Loads the proxy, webdis and redis-server itself in one run on loopback, and prints req/s,
 * p50 and p99 for `POST / ["GET",k]` and a 10-command `/pipeline`, plus the proxy/webdis ratio.
 *
 *   npm run bench:proxy            # 5 s per case after a 1 s warm-up, 50 connections
 *   BENCH_SECONDS=10 npm run bench:proxy
 *
 * Needs `wrk`, `webdis` and `redis-benchmark` (Debian: apt-get install wrk webdis redis-tools).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startRedisServer } from "../../scripts/redis-server.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const THREADS = 2;
const TOKEN = "bench-proxy-token";
const KEY = "bench:key";

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

for (const tool of ["wrk", "webdis", "redis-benchmark"]) {
  if (spawnSync("which", [tool]).status !== 0) {
    console.error(`${tool} not found: apt-get install wrk webdis redis-tools`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), "bench-proxy-"));
const redis = await startRedisServer();
const children: ChildProcess[] = [];
try {
  spawnSync("redis-cli", ["-p", String(redis.port), "SET", KEY, "x".repeat(64)]);
  const proxyUrl = await startProxyProcess(redis.url, children);
  const webdisUrl = await startWebdis(redis.port, children);

  const pipeline = JSON.stringify(Array.from({ length: 10 }, () => ["GET", KEY]));
  const cases = {
    get: {
      proxy: await wrk(proxyUrl, "/", JSON.stringify(["GET", KEY])),
      webdis: await wrk(webdisUrl, "/", `GET/${KEY}`),
      redis: redisBenchmark(redis.port, 1),
    },
    pipeline: {
      proxy: await wrk(proxyUrl, "/pipeline", pipeline),
      webdis: null, // webdis has no pipeline endpoint
      redis: redisBenchmark(redis.port, 10),
    },
  };
  report(cases);
} finally {
  for (const child of children) child.kill("SIGTERM");
  await redis.stop();
  rmSync(work, { recursive: true, force: true });
}

async function startProxyProcess(redisUrl: string, into: ChildProcess[]): Promise<string> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "proxy/cli.ts", "--redis", redisUrl, "--port", String(port), "--token", TOKEN, "--quiet"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  into.push(child);
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`proxy exited with ${code}`)));
    child.stdout?.once("data", (line: Buffer) => resolve(line.toString().trim()));
  });
}

async function startWebdis(redisPort: number, into: ChildProcess[]): Promise<string> {
  const port = await freePort();
  const config = join(work, "webdis.json");
  writeFileSync(
    config,
    JSON.stringify({
      redis_host: "127.0.0.1",
      redis_port: redisPort,
      http_host: "127.0.0.1",
      http_port: port,
      threads: THREADS,
      pool_size: 20,
      daemonize: false,
      verbosity: 0,
      logfile: join(work, "webdis.log"),
    }),
  );
  const child = spawn("webdis", [config], { stdio: "ignore" });
  into.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/PING`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return url;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("webdis did not start");
}

/** wrk with a Lua script for the POST body; a 1 s warm-up run first, then the measured run. */
async function wrk(base: string, path: string, body: string): Promise<Figures> {
  const script = join(work, "post.lua");
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(body)}`,
      'wrk.headers["Content-Type"] = "application/json"',
      `wrk.headers["Authorization"] = "Bearer ${TOKEN}"`,
    ].join("\n"),
  );
  const args = (seconds: number) => [
    "-t",
    String(THREADS),
    "-c",
    String(CONNECTIONS),
    "-d",
    `${seconds}s`,
    "--latency",
    "-s",
    script,
    base + path,
  ];
  spawnSync("wrk", args(1));
  const out = spawnSync("wrk", args(SECONDS), { encoding: "utf8" }).stdout;
  const failures =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) +
    Number(/Socket errors:.*?(\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: latency(out, "50%"),
    p99: latency(out, "99%"),
    failures,
  };
}

function latency(out: string, label: string): number {
  const match = new RegExp(`\\s${label}\\s+([\\d.]+)(us|ms|s)`).exec(out);
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/** redis-benchmark GET on the same server; -P 10 sends ten commands per round trip like the pipeline case. */
function redisBenchmark(port: number, pipeline: number): Figures {
  const out = spawnSync(
    "redis-benchmark",
    [
      "-p",
      String(port),
      "-c",
      String(CONNECTIONS),
      "-n",
      String(pipeline === 1 ? 300_000 : 1_000_000),
      "-t",
      "get",
      "-P",
      String(pipeline),
      "--csv",
    ],
    { encoding: "utf8" },
  ).stdout;
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const row =
    out
      .trim()
      .split("\n")
      .at(-1)
      ?.split(",")
      .map((cell) => cell.replaceAll('"', "")) ?? [];
  // Requests of ten commands, to compare with one /pipeline request.
  return { rps: Number(row[1]) / pipeline, p50: Number(row[4]), p99: Number(row[6]), failures: 0 };
}

function report(cases: Record<string, { proxy: Figures; webdis: Figures | null; redis: Figures }>) {
  const fmt = (f: Figures | null) =>
    f
      ? `${Math.round(f.rps).toLocaleString("en")} req/s, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms${f.failures ? `, ${f.failures} failed` : ""}`
      : "n/a";
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per case after a 1 s warm-up, wrk -t${THREADS}`);
  for (const [name, c] of Object.entries(cases)) {
    console.log(`\n${name === "get" ? 'POST / ["GET",k]' : "POST /pipeline (10 x GET)"}`);
    console.log(`  proxy            ${fmt(c.proxy)}`);
    console.log(`  webdis           ${fmt(c.webdis)}`);
    console.log(`  redis-benchmark  ${fmt(c.redis)}${name === "pipeline" ? " (-P 10, counted per 10 commands)" : ""}`);
    if (c.webdis) console.log(`  proxy / webdis   ${(c.proxy.rps / c.webdis.rps).toFixed(2)}x`);
    console.log(`  proxy / redis    ${(c.proxy.rps / c.redis.rps).toFixed(2)}x`);
  }
}
