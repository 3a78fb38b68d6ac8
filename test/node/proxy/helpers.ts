import { spawn } from "node:child_process";
import { Redis } from "@upstash/redis";
import { type RunningProxy, startProxy } from "../../../proxy/index.ts";
import type { ProxyOptions } from "../../../proxy/options.ts";
import { type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

export const TOKEN = "proxy-test-token";
export const READ_ONLY_TOKEN = "proxy-test-read-only";

export interface Stack {
  redis: RunningRedisServer;
  proxy: RunningProxy;
  /** An @upstash/redis client with its default base64 replies and no retries. */
  client(options?: { base64?: boolean; token?: string }): Redis;
  /** A raw request to the proxy with the main token, for what the client cannot send. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** HTTP requests the proxy has served so far. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server and a proxy in front of it, for one test file. With EDGEKIT_PROXY_BIN
 * set, the proxy is that executable (the `edgekit-proxy` bin installed from the packed tarball,
 * test/node/package/) started with the same settings as flags, instead of `startProxy` in-process.
 */
export async function startStack(extra: Partial<ProxyOptions> = {}): Promise<Stack> {
  const redis = await startRedisServer();
  const bin = process.env.EDGEKIT_PROXY_BIN;
  const proxy = bin
    ? await startBin(bin, redis.url, extra)
    : await startProxy({
        tokens: [
          { token: TOKEN, redisUrl: redis.url },
          { token: READ_ONLY_TOKEN, redisUrl: redis.url, readOnly: true },
        ],
        ...extra,
      });
  return {
    redis,
    proxy,
    client: ({ base64 = true, token = TOKEN } = {}) =>
      new Redis({
        url: proxy.url,
        token,
        retry: false,
        responseEncoding: base64 ? "base64" : false,
        enableTelemetry: false,
      }),
    post: (path, body, headers = {}) =>
      fetch(proxy.url + path, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    requests: async () => {
      const res = await fetch(`${proxy.url}/__stats`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await res.json()) as { requests: number }).requests;
    },
    stop: async () => {
      await proxy.close();
      await redis.stop();
    },
  };
}

/** The CLI's flag for each option a protocol test passes to startStack. */
const FLAGS: Partial<Record<keyof ProxyOptions, (value: never) => string[]>> = {
  maxBodyBytes: (value: number) => ["--max-body", String(value)],
  strict: (value: boolean) => (value ? ["--strict"] : []),
  scriptTimeoutMs: (value: number) => ["--script-timeout", String(value)],
  maxSubscriptions: (value: number) => ["--max-subscriptions", String(value)],
  maxBlocking: (value: number) => ["--max-blocking", String(value)],
  blockingTimeoutMs: (value: number) => ["--blocking-timeout", String(value)],
};

async function startBin(bin: string, redisUrl: string, extra: Partial<ProxyOptions>): Promise<RunningProxy> {
  const args = ["--redis", redisUrl, "--token", TOKEN, "--read-only-token", READ_ONLY_TOKEN, "--port", "0", "--quiet"];
  for (const [name, value] of Object.entries(extra)) {
    const flag = FLAGS[name as keyof ProxyOptions];
    if (!flag) throw new Error(`EDGEKIT_PROXY_BIN: no CLI flag for the option ${name}`);
    args.push(...flag(value as never));
  }
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PROXY_TOKEN: "" } });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((ready, fail) => {
    child.stdout.once("data", (chunk) => ready(String(chunk).trim()));
    child.once("exit", (code) => fail(new Error(`${bin} exited with ${code}: ${stderr}`)));
    child.once("error", fail);
  });
  return {
    url,
    port: Number(new URL(url).port),
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
