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

/** A throwaway redis-server and a proxy in front of it, for one test file. */
export async function startStack(extra: Partial<ProxyOptions> = {}): Promise<Stack> {
  const redis = await startRedisServer();
  const proxy = await startProxy({
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
