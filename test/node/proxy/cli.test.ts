import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliConfigError, cliConfig, readTokensFile, SRH_TOKENS_FILE } from "../../../proxy/cli-config.ts";
import { freePort, type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "proxy-cli-"));
let redis: RunningRedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the CLI's settings (proxy/cli-config.ts)", () => {
  it("takes its own flags first, then PROXY_*, and stays on loopback port 8079 by default", () => {
    const { options, source } = cliConfig({ token: ["a", "b=redis://10.0.0.2:6379/3"] }, { PROXY_TOKEN: "ignored" });
    expect(source).toBe("flags");
    expect(options.tokens).toEqual([
      { token: "a", redisUrl: "redis://127.0.0.1:6379", readOnly: false },
      { token: "b", redisUrl: "redis://10.0.0.2:6379/3", readOnly: false },
    ]);
    expect(options).toMatchObject({ host: "127.0.0.1", port: 8079 });
    expect(cliConfig({}, { PROXY_TOKEN: "t", PROXY_PORT: "9000" }).options).toMatchObject({
      tokens: [{ token: "t" }],
      port: 9000,
    });
  });

  it("reads SRH's env mode: SRH_TOKEN and SRH_CONNECTION_STRING, on SRH_PORT (80) of every interface", () => {
    const env = { SRH_MODE: "env", SRH_TOKEN: "example_token", SRH_CONNECTION_STRING: "redis://redis:6379" };
    const { options, source } = cliConfig({}, env);
    expect(source).toBe("srh-env");
    expect(options).toMatchObject({
      tokens: [{ token: "example_token", redisUrl: "redis://redis:6379" }],
      host: "0.0.0.0",
      port: 80,
    });
    expect(cliConfig({}, { ...env, SRH_PORT: "8080", SRH_IPV6: "true" }).options).toMatchObject({
      host: "::",
      port: 8080,
    });
    expect(cliConfig({ port: "0", host: "127.0.0.1" }, env).options).toMatchObject({ host: "127.0.0.1", port: 0 });
    // The proxy's own token wins over SRH's, with the proxy's defaults.
    expect(cliConfig({}, { ...env, PROXY_TOKEN: "own" }).options).toMatchObject({
      tokens: [{ token: "own" }],
      port: 8079,
    });
  });

  it("says what is missing or wrong, in one line", () => {
    expect(() => cliConfig({}, {})).toThrow(/a token is required: .*SRH_MODE=env/);
    expect(() => cliConfig({}, { SRH_MODE: "env", SRH_TOKEN: "t" })).toThrow(
      "SRH_MODE=env needs SRH_CONNECTION_STRING",
    );
    expect(() => cliConfig({}, { SRH_MODE: "docker" })).toThrow(CliConfigError);
    expect(() => cliConfig({ token: ["t"], port: "http" }, {})).toThrow('--port must be a whole number, got "http"');
  });

  it("reads SRH's tokens.json, from --tokens-file or, with SRH_MODE=file, SRH's own path", () => {
    const file = join(work, "tokens.json");
    writeFileSync(
      file,
      JSON.stringify({
        example_token: { srh_id: "one", connection_string: "redis://localhost:6379", max_connections: 3 },
        reader: { srh_id: "two", connection_string: "redis://localhost:6379/2", read_only: true },
      }),
    );
    expect(readTokensFile(file)).toEqual([
      { token: "example_token", redisUrl: "redis://localhost:6379", readOnly: false },
      { token: "reader", redisUrl: "redis://localhost:6379/2", readOnly: true },
    ]);
    expect(cliConfig({ "tokens-file": file }, {}).options).toMatchObject({ host: "127.0.0.1", port: 8079 });
    expect(() => cliConfig({}, { SRH_MODE: "file" })).toThrow(`cannot read the tokens file ${SRH_TOKENS_FILE}`);
    // SRH's default mode is file: its mounted tokens.json is read with no SRH_MODE at all.
    expect(cliConfig({}, {}, file)).toMatchObject({ source: "srh-file", options: { host: "0.0.0.0", port: 80 } });
    writeFileSync(file, JSON.stringify({ t: { srh_id: "x" } }));
    expect(() => readTokensFile(file)).toThrow(/needs "connection_string"/);
  });
});

/** Starts the CLI and resolves with the URL it prints once ready. */
async function startCli(args: string[], env: Record<string, string>): Promise<{ url: string; cli: ChildProcess }> {
  const cli = spawn(process.execPath, ["--import", "tsx", "proxy/cli.ts", "--quiet", ...args], {
    cwd: root,
    env: { ...process.env, PROXY_TOKEN: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  cli.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise<string>((ready, fail) => {
    cli.stdout?.once("data", (chunk) => ready(String(chunk).trim()));
    cli.once("exit", (code) => fail(new Error(`the CLI exited with ${code}: ${stderr}`)));
  });
  return { url, cli };
}

async function stopCli(cli: ChildProcess): Promise<void> {
  const exited = new Promise((done) => cli.once("exit", done));
  cli.kill("SIGTERM");
  if (cli.exitCode === null && cli.signalCode === null) await exited;
}

describe("the CLI with an SRH docker-compose file's settings", () => {
  it("serves @upstash/redis with SRH_MODE=env", async () => {
    const port = await freePort();
    const { cli } = await startCli([], {
      SRH_MODE: "env",
      SRH_TOKEN: "example_token",
      SRH_CONNECTION_STRING: redis.url,
      SRH_PORT: String(port),
    });
    try {
      const client = new Redis({ url: `http://127.0.0.1:${port}`, token: "example_token", enableTelemetry: false });
      expect(await client.set("srh:env", "hello")).toBe("OK");
      expect(await client.get("srh:env")).toBe("hello");
      const wrong = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: { authorization: "Bearer nope" },
        body: '["PING"]',
      });
      expect(wrong.status).toBe(401);
    } finally {
      await stopCli(cli);
    }
  });

  it("serves every token of a tokens.json, each to its own database", async () => {
    const file = join(work, "multi.json");
    writeFileSync(
      file,
      JSON.stringify({
        first: { srh_id: "a", connection_string: `${redis.url}/0`, max_connections: 3 },
        second: { srh_id: "b", connection_string: `${redis.url}/1`, max_connections: 3 },
      }),
    );
    const { url, cli } = await startCli(["--tokens-file", file, "--port", "0"], {});
    try {
      const first = new Redis({ url, token: "first", enableTelemetry: false });
      const second = new Redis({ url, token: "second", enableTelemetry: false });
      await first.set("srh:file", "one");
      await second.set("srh:file", "two");
      expect([await first.get("srh:file"), await second.get("srh:file")]).toEqual(["one", "two"]);
    } finally {
      await stopCli(cli);
    }
  });
});
