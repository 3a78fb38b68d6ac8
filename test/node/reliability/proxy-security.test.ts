import { spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { resolve } from "node:path";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aclUserName } from "../../../proxy/acl.ts";
import { type RunningProxy, startProxy } from "../../../proxy/server.ts";
import { freePort, type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "../../..");
const TOKEN = "proxy-security-token";
/** Read-only on database 0, and full and read-only on database 3, of the same Redis. */
const RO = "proxy-security-read-only";
const FULL3 = "proxy-security-db3";
const RO3 = "proxy-security-read-only-db3";
const SCRIPT_LIMIT_MS = 300;

let redis: RunningRedisServer;
let proxy: RunningProxy;
/** Redis's default user, straight to the server: what the tokens must not be able to touch. */
let admin: IORedis;
beforeAll(async () => {
  // Redis hears SCRIPT KILL once a script has run its busy-reply-threshold (5 s by default).
  redis = await startRedisServer({ args: ["--busy-reply-threshold", "100"] });
  proxy = await startProxy({
    tokens: [
      { token: TOKEN, redisUrl: redis.url },
      { token: RO, redisUrl: redis.url, readOnly: true },
      { token: FULL3, redisUrl: `${redis.url}/3` },
      { token: RO3, redisUrl: `${redis.url}/3`, readOnly: true },
    ],
    scriptTimeoutMs: SCRIPT_LIMIT_MS,
    maxSubscriptions: 3,
    maxBlocking: 2,
  });
  admin = new IORedis(redis.url);
});
afterAll(async () => {
  admin?.disconnect();
  await proxy?.close();
  await redis?.stop();
});

/** One command through the proxy as `token`: its status and JSON body. */
async function run(token: string, command: unknown[]): Promise<{ status: number; body: unknown }> {
  const res = await fetch(proxy.url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(command),
  });
  return { status: res.status, body: await res.json() };
}

const evalOf = (script: string) => ["EVAL", script, "0"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
      // Wait for it to exit: on SIGTERM it takes its password off the token's Redis user.
      const exited = new Promise((done) => cli.once("exit", done));
      cli.kill("SIGTERM");
      if (cli.exitCode === null && cli.signalCode === null) await exited;
    }
  });
});

describe("a token's database (M1)", () => {
  let admin3: IORedis;
  beforeAll(() => {
    admin3 = new IORedis(`${redis.url}/3`);
  });
  afterAll(() => admin3.disconnect());
  const seed = async () => {
    await admin.set("sec:secret0", "zero");
    await admin3.set("sec:k3", "three");
  };

  it("keeps a read-only db-3 token out of db 0, inside EVAL too (the report's reproduction)", async () => {
    await seed();
    const read = await run(RO3, evalOf('redis.call("SELECT",0) return redis.call("GET","sec:secret0")'));
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).not.toContain("zero");
    expect((read.body as { error: string }).error).toMatch(/^NOPERM /);
  });

  it("refuses a full db-3 token every way into another database, at the top level and inside EVAL", async () => {
    await seed();
    const attempts: [string, unknown[]][] = [
      ["COPY ... DB 0", ["COPY", "sec:k3", "sec:k3", "DB", "0"]],
      ["MOVE", ["MOVE", "sec:k3", "0"]],
      ["SWAPDB", ["SWAPDB", "3", "0"]],
      ["SELECT", ["SELECT", "0"]],
      ["EVAL COPY ... DB 0", evalOf("return redis.call('COPY','sec:k3','sec:k3','DB','0')")],
      ["EVAL MOVE", evalOf("return redis.call('MOVE','sec:k3','0')")],
      ["EVAL SWAPDB", evalOf("return redis.call('SWAPDB','3','0')")],
      ["EVAL SELECT then SET", evalOf("redis.call('SELECT','0') return redis.call('SET','sec:secret0','gone')")],
      ["EVAL FLUSHALL", evalOf("return redis.call('FLUSHALL')")],
    ];
    const results = [];
    for (const [name, command] of attempts) {
      const { status, body } = await run(FULL3, command);
      results.push([name, status, (body as { error?: string }).error?.split(" ")[0]]);
    }
    expect(results).toEqual([
      ["COPY ... DB 0", 403, "ERR"],
      ["MOVE", 403, "ERR"],
      ["SWAPDB", 403, "ERR"],
      ["SELECT", 400, "ERR"],
      ["EVAL COPY ... DB 0", 403, "NOPERM"],
      ["EVAL MOVE", 403, "NOPERM"],
      ["EVAL SWAPDB", 403, "NOPERM"],
      ["EVAL SELECT then SET", 403, "NOPERM"],
      ["EVAL FLUSHALL", 403, "NOPERM"],
    ]);
    expect(await admin.get("sec:secret0")).toBe("zero");
    expect(await admin.exists("sec:k3")).toBe(0);
    expect(await admin3.get("sec:k3")).toBe("three");
  });

  it("lets FLUSHALL from a db-3 token empty db 3 only, as on Upstash", async () => {
    await seed();
    expect(await run(FULL3, ["FLUSHALL"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await run(FULL3, ["FLUSHALL", "ASYNC"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await admin3.dbsize()).toBe(0);
    expect(await admin.get("sec:secret0")).toBe("zero");
  });

  it("keeps COPY within the database working, alone, in a pipeline and in a transaction", async () => {
    await run(FULL3, ["SET", "sec:a", "1"]);
    const copies = [];
    for (const command of [
      ["COPY", "sec:a", "sec:b"],
      ["COPY", "sec:a", "sec:b"],
      ["COPY", "sec:a", "sec:b", "REPLACE"],
      ["COPY", "sec:a", "sec:c", "DB", "3"],
    ])
      copies.push(await run(FULL3, command));
    expect(copies.map((c) => c.body)).toEqual([{ result: 1 }, { result: 0 }, { result: 1 }, { result: 1 }]);
    const post = async (path: string, body: unknown) =>
      (
        await fetch(proxy.url + path, {
          method: "POST",
          headers: { authorization: `Bearer ${FULL3}` },
          body: JSON.stringify(body),
        })
      ).json();
    const items = [
      ["SET", "sec:p", "2"],
      ["COPY", "sec:p", "sec:q"],
      ["GET", "sec:q"],
      ["EVAL", "return 7", "0"],
    ];
    expect(await post("/pipeline", items)).toEqual([{ result: "OK" }, { result: 1 }, { result: "2" }, { result: 7 }]);
    const tx = [
      ["SET", "sec:t", "3"],
      ["COPY", "sec:t", "sec:u"],
      ["GET", "sec:u"],
    ];
    expect(await post("/multi-exec", tx)).toEqual([{ result: "OK" }, { result: 1 }, { result: "3" }]);
    // Back as the token's own user afterwards: scripts run again, COPY ... DB 0 still cannot.
    expect(await run(FULL3, evalOf("return 1"))).toEqual({ status: 200, body: { result: 1 } });
    expect((await run(FULL3, evalOf("return redis.call('COPY','sec:a','sec:z','DB','0')"))).status).toBe(403);
    expect(await admin.exists("sec:b", "sec:c", "sec:q", "sec:u", "sec:z")).toBe(0);
  });
});

describe("commands Upstash refuses (M2, L2)", () => {
  it("refuses MIGRATE at the top level and inside EVAL, and Redis never connects out", async () => {
    await admin.set("sec:secret0", "zero");
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => listener.listen(0, "127.0.0.1", done));
    const port = String((listener.address() as { port: number }).port);
    try {
      const top = await run(TOKEN, ["MIGRATE", "127.0.0.1", port, "sec:secret0", "0", "1000", "COPY"]);
      const script = `return redis.call("MIGRATE","127.0.0.1","${port}","sec:secret0","0","1000","COPY")`;
      const inside = await run(TOKEN, evalOf(script));
      expect([top.status, inside.status]).toEqual([403, 403]);
      expect((inside.body as { error: string }).error).toMatch(/^NOPERM /);
      await sleep(200);
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });

  it("refuses a full token ACL, CLIENT PAUSE/KILL/LIST, BGSAVE, CONFIG and the rest", async () => {
    const before = await admin.call("ACL", "GETUSER", "default");
    const attempts = [
      ["ACL", "SETUSER", "probe", "on", ">pw", "~*", "+@all"],
      ["ACL", "SETUSER", "default", "resetpass"],
      ["CLIENT", "PAUSE", "1500", "ALL"],
      ["CLIENT", "KILL", "TYPE", "normal"],
      ["CLIENT", "LIST"],
      ["BGSAVE"],
      ["SAVE"],
      ["CONFIG", "GET", "maxmemory"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["DEBUG", "SLEEP", "0"],
      ["SHUTDOWN"],
      ["SCRIPT", "DEBUG", "YES"],
      ["SLOWLOG", "RESET"],
      ["REPLICAOF", "127.0.0.1", "1"],
    ];
    const statuses = [];
    for (const command of attempts)
      statuses.push(`${command.slice(0, 2).join(" ")} ${(await run(TOKEN, command)).status}`);
    expect(statuses).toEqual(attempts.map((command) => `${command.slice(0, 2).join(" ")} 403`));
    expect(await admin.call("ACL", "USERS")).not.toContain("probe");
    expect(await admin.call("ACL", "GETUSER", "default")).toEqual(before);
    expect(await admin.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
  });

  it.each([
    ["full", TOKEN],
    ["read-only", RO],
    ["full db-3", FULL3],
    ["read-only db-3", RO3],
  ])("refuses dangerous commands inside EVAL to a %s token, changing nothing", async (_kind, token) => {
    await admin.set("sec:keep", "kept");
    const scripts = [
      "return redis.call('CONFIG','SET','maxmemory','1')",
      "return redis.call('DEBUG','SLEEP','0')",
      "return redis.call('SHUTDOWN','NOSAVE')",
      "return redis.call('FLUSHALL')",
      "return redis.call('ACL','SETUSER','probe','on')",
      "return redis.call('CLIENT','PAUSE','1000')",
      "return redis.call('BGSAVE')",
      "return redis.call('SWAPDB','0','3')",
    ];
    const results = [];
    for (const script of scripts) {
      const { status, body } = await run(token, evalOf(script));
      results.push(
        `${status} ${/^(NOPERM|ERR This Redis command is not allowed from script)/.test((body as { error: string }).error)}`,
      );
    }
    expect(results).toEqual(
      scripts.map((script) => (/CONFIG|DEBUG|SHUTDOWN|ACL|CLIENT|BGSAVE/.test(script) ? "400 true" : "403 true")),
    );
    expect(await admin.config("GET", "maxmemory")).toEqual(["maxmemory", "0"]);
    expect(await admin.get("sec:keep")).toBe("kept");
  });

  it("refuses a read-only token FLUSHDB and writes inside EVAL, PUBLISH and SCRIPT FLUSH", async () => {
    await admin.set("sec:keep", "kept");
    const attempts: [string, unknown[]][] = [
      ["EVAL FLUSHDB", evalOf("return redis.call('FLUSHDB')")],
      ["EVAL SET", evalOf("return redis.call('SET','sec:keep','x')")],
      ["EVAL PUBLISH", evalOf("return redis.call('PUBLISH','sec:c','m')")],
      ["PUBLISH", ["PUBLISH", "sec:c", "m"]],
      ["SCRIPT FLUSH", ["SCRIPT", "FLUSH"]],
      ["SCRIPT KILL", ["SCRIPT", "KILL"]],
      ["FUNCTION FLUSH", ["FUNCTION", "FLUSH"]],
    ];
    const results = [];
    for (const [name, command] of attempts) results.push([name, (await run(RO, command)).status]);
    expect(results).toEqual(attempts.map(([name]) => [name, 403]));
    expect(await run(RO, ["PUBLISH", "sec:c", "m"])).toEqual({
      status: 403,
      body: { error: "NOPERM this token is read-only and may not run 'publish'" },
    });
    expect(await admin.get("sec:keep")).toBe("kept");
  });

  it("keeps FUNCTION available to full tokens, and no-writes functions to read-only ones", async () => {
    const library = `#!lua name=seclib
redis.register_function('sec_write', function(keys) return redis.call('SET', keys[1], 'f') end)
redis.register_function{function_name='sec_read', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}`;
    expect(await run(TOKEN, ["FUNCTION", "LOAD", "REPLACE", library])).toEqual({
      status: 200,
      body: { result: "seclib" },
    });
    expect(await run(TOKEN, ["FCALL", "sec_write", "1", "sec:f"])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await run(RO, ["FCALL", "sec_read", "1", "sec:f"])).toEqual({ status: 200, body: { result: "f" } });
    expect((await run(RO, ["FCALL", "sec_write", "1", "sec:f"])).status).toBe(400);
    expect((await run(RO, ["FUNCTION", "DELETE", "seclib"])).status).toBe(403);
    expect(await run(TOKEN, ["FUNCTION", "DELETE", "seclib"])).toEqual({ status: 200, body: { result: "OK" } });
  });
});

describe("a script that runs too long (M3)", () => {
  const stopped = (kind: string) =>
    `ERR the script ran past this token's time limit of ${SCRIPT_LIMIT_MS} ms, so the proxy stopped it with ${kind} KILL (see --script-timeout)`;
  const servedOrBusy = (result: { status: number; body: unknown }) =>
    (result.status === 200 && JSON.stringify(result.body) === '{"result":"PONG"}') ||
    (result.status === 503 && /busy running a script/.test((result.body as { error: string }).error));

  it.each([
    ["read-only", RO, FULL3],
    ["full", TOKEN, RO3],
    ["read-only db-3", RO3, TOKEN],
    ["full db-3", FULL3, RO],
  ])(
    "is stopped for a %s token at its limit, while other tokens are served or told why",
    async (_kind, token, other) => {
      const started = Date.now();
      const busy = run(token, evalOf("while true do end"));
      await sleep(50);
      const meanwhile = await run(other, ["PING"]);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(servedOrBusy(meanwhile)).toBe(true);
      expect(await busy).toEqual({ status: 400, body: { error: stopped("SCRIPT") } });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await run(token, ["PING"])).toEqual({ status: 200, body: { result: "PONG" } });
    },
  );

  it("is stopped with FUNCTION KILL when it is a function", async () => {
    const library = "#!lua name=secspin\nredis.register_function('sec_spin', function() while true do end end)";
    await run(TOKEN, ["FUNCTION", "LOAD", "REPLACE", library]);
    const started = Date.now();
    expect(await run(TOKEN, ["FCALL", "sec_spin", "0"])).toEqual({ status: 400, body: { error: stopped("FUNCTION") } });
    expect(Date.now() - started).toBeLessThan(2000);
    await run(TOKEN, ["FUNCTION", "DELETE", "secspin"]);
  });

  it("is stopped inside a transaction too", async () => {
    const started = Date.now();
    const res = await fetch(`${proxy.url}/multi-exec`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify([["EVAL", "while true do end", "0"]]),
    });
    expect(await res.json()).toEqual([{ error: expect.stringMatching(/Script killed by user/) }]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("gets other tokens a fast 503 saying why while a script that has written cannot be stopped", async () => {
    const server = await startRedisServer({ args: ["--busy-reply-threshold", "100"] });
    const lines: string[] = [];
    const own = await startProxy({
      tokens: [
        { token: "writer", redisUrl: server.url },
        { token: "reader", redisUrl: server.url, readOnly: true },
      ],
      scriptTimeoutMs: SCRIPT_LIMIT_MS,
      log: (line) => lines.push(line),
    });
    const controller = new AbortController();
    try {
      fetch(own.url, {
        method: "POST",
        headers: { authorization: "Bearer writer" },
        body: JSON.stringify(evalOf("redis.call('SET','sec:w','1') while true do end")),
        signal: controller.signal,
      }).catch(() => {});
      await sleep(SCRIPT_LIMIT_MS + 300);
      const started = Date.now();
      const res = await fetch(own.url, {
        method: "POST",
        headers: { authorization: "Bearer reader" },
        body: JSON.stringify(["GET", "sec:w"]),
      });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(((await res.json()) as { error: string }).error).toMatch(/^Redis is busy running a script/);
      expect(lines.join("\n")).toMatch(/has written, so Redis cannot kill it/);
    } finally {
      controller.abort();
      server.process.kill("SIGKILL");
      await server.stop();
      await own.close();
    }
  });
});

describe("per-token limits on connections (L4)", () => {
  const open = (token: string, channel: string, signal: AbortSignal) =>
    fetch(`${proxy.url}/subscribe/${channel}`, { headers: { authorization: `Bearer ${token}` }, signal });

  it("answers 429 past a token's subscription limit, and other tokens still subscribe", async () => {
    const controllers = [0, 1, 2, 3].map(() => new AbortController());
    const all = controllers[0] as AbortController;
    try {
      const streams = [];
      for (let i = 0; i < 3; i++)
        streams.push(await open(RO, `sec:ch${i}`, (controllers[i] as AbortController).signal));
      expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
      const refused = await open(RO, "sec:ch3", all.signal);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(await refused.json()).toEqual({
        error: "ERR this token already has 3 subscriptions open, its limit; close one first",
      });
      const otherToken = await open(TOKEN, "sec:ch3", (controllers[3] as AbortController).signal);
      expect(otherToken.status).toBe(200);
      (controllers[1] as AbortController).abort();
      let again = 0;
      const deadline = Date.now() + 2000;
      while (again !== 200 && Date.now() < deadline) {
        const controller = new AbortController();
        controllers.push(controller);
        const res = await open(RO, "sec:ch1", controller.signal);
        again = res.status;
        if (again !== 200) await res.body?.cancel();
        await sleep(50);
      }
      expect(again).toBe(200);
    } finally {
      for (const controller of controllers) controller.abort();
    }
  });

  it("answers 429 past a token's blocking-command limit", async () => {
    const results = await Promise.all([1, 2, 3].map(() => run(TOKEN, ["BLPOP", "sec:empty", "1"])));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    expect(results.find((r) => r.status === 429)?.body).toEqual({
      error: "ERR this token already has 2 blocking commands waiting, its limit; retry when one returns",
    });
  });
});

/** Events as an SSE parser that follows the spec (lines end at CRLF, CR or LF) reads them. */
function parseSse(text: string): { type: string; data: string }[] {
  const events: { type: string; data: string }[] = [];
  let data: string[] = [];
  let type = "";
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data.length > 0) events.push({ type: type || "message", data: data.join("\n") });
      data = [];
      type = "";
      continue;
    }
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "event") type = value;
  }
  return events;
}

describe("server-sent events (L3)", () => {
  it.each([
    ["a CR", "\r"],
    ["a CRLF", "\r\n"],
    ["an LF", "\n"],
  ])("never let %s in a message or a channel name forge an event", async (_name, eol) => {
    const channels = ["sec:orders", `sec:or${eol}ders`];
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/subscribe/${channels.map(encodeURIComponent).join("/")}`, {
      headers: { authorization: `Bearer ${RO}` },
      signal: controller.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const readUntil = async (count: number) => {
      while (parseSse(text).length < count) text += decoder.decode((await reader.read()).value);
    };
    try {
      await readUntil(2);
      const payload = `ok${eol}event: spoofed${eol}data: INJECTED${eol}${eol}`;
      for (const channel of channels) await run(TOKEN, ["PUBLISH", channel, payload]);
      await readUntil(4);
    } finally {
      controller.abort();
    }
    const forged = "ok\nevent: spoofed\ndata: INJECTED\n\n";
    expect(parseSse(text)).toEqual([
      { type: "message", data: "subscribe,sec:orders,1" },
      { type: "message", data: "subscribe,sec:or\nders,2" },
      { type: "message", data: `message,sec:orders,${forged}` },
      { type: "message", data: `message,sec:or\nders,${forged}` },
    ]);
  });
});

describe("the tokens' Redis users", () => {
  it("are named from a hash of the token, get a new password each start, and leave the default user alone", async () => {
    const users = (await admin.call("ACL", "USERS")) as string[];
    for (const token of [TOKEN, RO, FULL3, RO3]) expect(users).toContain(aclUserName(token));
    expect(users).toContain(`${aclUserName(TOKEN)}-copy`);
    const list = ((await admin.call("ACL", "LIST")) as string[]).join("\n");
    for (const token of [TOKEN, RO, FULL3, RO3]) expect(list).not.toContain(token);
    expect(list).toMatch(/^user default on nopass /m);

    const passwords = async () => {
      const user = (await admin.call("ACL", "GETUSER", aclUserName(TOKEN))) as unknown[];
      return user[user.indexOf("passwords") + 1] as string[];
    };
    const first = await passwords();
    expect(first.length).toBeGreaterThan(0);
    const second = await startProxy({ tokens: [{ token: TOKEN, redisUrl: redis.url }] });
    const both = await passwords();
    expect(both).toHaveLength(first.length + 1);
    expect(both).toEqual(expect.arrayContaining(first));
    await second.close();
    expect(await passwords()).toEqual(first);
    expect(await run(TOKEN, ["PING"])).toEqual({ status: 200, body: { result: "PONG" } });
  });

  it("need only an admin user allowed ACL SETUSER, SCRIPT KILL and FUNCTION KILL, as docs/proxy.md says", async () => {
    await admin.call(
      "ACL",
      "SETUSER",
      "sec-admin",
      "on",
      ">sec-admin-pw",
      "resetchannels",
      "-@all",
      "+acl|setuser",
      "+script|kill",
      "+function|kill",
    );
    const url = `redis://sec-admin:sec-admin-pw@127.0.0.1:${redis.port}/3`;
    const own = await startProxy({ tokens: [{ token: "sec-own", redisUrl: url }], scriptTimeoutMs: SCRIPT_LIMIT_MS });
    try {
      const call = async (command: unknown[]) =>
        (
          await fetch(own.url, {
            method: "POST",
            headers: { authorization: "Bearer sec-own" },
            body: JSON.stringify(command),
          })
        ).json();
      expect(await call(["SET", "sec:own", "1"])).toEqual({ result: "OK" });
      expect(await call(["EVAL", "while true do end", "0"])).toEqual({
        error: expect.stringMatching(/stopped it with SCRIPT KILL/),
      });
    } finally {
      await own.close();
    }
  });

  it("refuse to start where the URL's user may not create ACL users, unless told it is unsafe", async () => {
    await admin.call("ACL", "SETUSER", "sec-limited", "on", ">pw", "~*", "&*", "+@all", "-acl");
    const tokens = [{ token: "sec-limited", redisUrl: `redis://sec-limited:pw@127.0.0.1:${redis.port}` }];
    await expect(startProxy({ tokens })).rejects.toThrow(/may not create ACL users .*--unsafe-shared-redis/);
    const unsafe = await startProxy({ tokens, unsafeSharedRedis: true });
    try {
      expect((await fetch(`${unsafe.url}/ping?_token=sec-limited`)).status).toBe(200);
    } finally {
      await unsafe.close();
    }
  });

  it("refuse to start on a Redis without ACLs, library and CLI, unless --unsafe-shared-redis", async () => {
    const server = await startRedisServer({ args: ["--rename-command", "ACL", ""] });
    try {
      const tokens = [{ token: "sec-noacl", redisUrl: server.url }];
      await expect(startProxy({ tokens })).rejects.toThrow(/has no ACLs \(Redis 6 or later needed\)/);
      const cli = spawnSync(
        process.execPath,
        ["--import", "tsx", "proxy/cli.ts", "--redis", server.url, "--port", "0", "--token", "sec-noacl"],
        { cwd: root, encoding: "utf8", timeout: 20_000 },
      );
      expect(cli.status).toBe(2);
      expect(cli.stderr).toMatch(/has no ACLs .*--unsafe-shared-redis/);
      const unsafe = await startProxy({ tokens, unsafeSharedRedis: true });
      expect((await fetch(`${unsafe.url}/ping?_token=sec-noacl`)).status).toBe(200);
      await unsafe.close();
    } finally {
      await server.stop();
    }
  });
});
