import { spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startProxy } from "../../../proxy/server.ts";
import { freePort, type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "../../..");
const TOKEN = "proxy-security-token";

let redis: RunningRedisServer;
let proxy: RunningProxy;
beforeAll(async () => {
  redis = await startRedisServer();
  proxy = await startProxy({ tokens: [{ token: TOKEN, redisUrl: redis.url }] });
});
afterAll(async () => {
  await proxy?.close();
  await redis?.stop();
});

/** This machine's addresses other than loopback (none in some sandboxes). */
const outsideAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && i.family === "IPv4")
    .map((i) => i?.address ?? "");

/** Whether a TCP connection to host:port is accepted. */
const accepts = (host: string, port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
    socket.once("timeout", () => {
      socket.destroy();
      done(false);
    });
  });

describe("the proxy's token", () => {
  it.each([
    ["no token", {}, ""],
    ["a wrong token", { authorization: "Bearer not-the-token" }, ""],
    ["the token with another scheme", { authorization: `Basic ${TOKEN}` }, ""],
    ["the token with a suffix", { authorization: `Bearer ${TOKEN}x` }, ""],
    ["a wrong token in the query", {}, "?_token=not-the-token"],
  ])("refuses %s on every endpoint, running nothing", async (_name, headers: Record<string, string>, query) => {
    const attempts: [string, string, string | undefined][] = [
      ["POST", "/", JSON.stringify(["SET", "sec:k", "written"])],
      ["POST", "/pipeline", JSON.stringify([["SET", "sec:k", "written"]])],
      ["POST", "/multi-exec", JSON.stringify([["SET", "sec:k", "written"]])],
      ["GET", "/set/sec:k/written", undefined],
      ["GET", "/get/sec:k", undefined],
      ["GET", "/__stats", undefined],
      ["GET", "/subscribe/sec", undefined],
    ];
    const statuses = [];
    for (const [method, path, body] of attempts) {
      const res = await fetch(`${proxy.url}${path}${query}`, { method, headers, body });
      statuses.push(`${method} ${path} ${res.status}`);
      await res.body?.cancel();
    }
    expect(statuses).toEqual(attempts.map(([method, path]) => `${method} ${path} 401`));
    const check = await fetch(proxy.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(["GET", "sec:k"]),
    });
    expect(await check.json()).toEqual({ result: null });
  });
});

describe("where the proxy listens", () => {
  it("binds to loopback by default, so no other machine can reach it", async () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await accepts("127.0.0.1", proxy.port)).toBe(true);
    for (const address of outsideAddresses()) expect(await accepts(address, proxy.port), address).toBe(false);
  });

  it("binds the CLI to loopback by default too, and refuses to start without a token", async () => {
    const noToken = spawnSync(process.execPath, ["--import", "tsx", "proxy/cli.ts", "--redis", redis.url], {
      cwd: root,
      env: { ...process.env, PROXY_TOKEN: "" },
      encoding: "utf8",
    });
    expect(noToken.status).not.toBe(0);
    expect(noToken.stderr).toContain("a token is required");

    const port = await freePort();
    const cli = spawn(
      process.execPath,
      ["--import", "tsx", "proxy/cli.ts", "--redis", redis.url, "--port", String(port), "--token", TOKEN],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      await new Promise<void>((ready, fail) => {
        cli.stdout.once("data", () => ready());
        cli.once("exit", (code) => fail(new Error(`the CLI exited with ${code}`)));
      });
      expect(await accepts("127.0.0.1", port)).toBe(true);
      for (const address of outsideAddresses()) expect(await accepts(address, port), address).toBe(false);
    } finally {
      cli.kill("SIGTERM");
    }
  });
});
