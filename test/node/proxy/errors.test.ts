import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READ_ONLY_TOKEN, type Stack, startStack, TOKEN } from "./helpers.ts";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ maxBodyBytes: 1024 });
});
afterAll(() => stack.stop());

interface Case {
  name: string;
  method?: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  error: string | RegExp;
}

const auth = { authorization: `Bearer ${TOKEN}` };

const cases: Case[] = [
  { name: "no token", path: "/", body: '["PING"]', headers: {}, status: 401, error: /^Unauthorized/ },
  {
    name: "a wrong token",
    path: "/",
    body: '["PING"]',
    headers: { authorization: "Bearer nope" },
    status: 401,
    error: /^Unauthorized/,
  },
  { name: "a wrong ?_token", path: "/ping?_token=nope", headers: {}, status: 401, error: /^Unauthorized/ },
  { name: "bad JSON", path: "/", body: '["GET",', status: 400, error: /^ERR the request body is not valid JSON/ },
  { name: "an empty body", path: "/", body: "", status: 400, error: /^ERR empty request body/ },
  { name: "an object body", path: "/", body: '{"GET":"k"}', status: 400, error: /must be a JSON array/ },
  { name: "an empty command", path: "/", body: "[]", status: 400, error: /empty command/ },
  {
    name: "a nested argument",
    path: "/",
    body: '["SET","k",{"a":1}]',
    status: 400,
    error: /argument 2 .* is a object/,
  },
  {
    name: "a pipeline that is not an array of arrays",
    path: "/pipeline",
    body: '["GET","k"]',
    status: 400,
    error: /command 0 must be a JSON array/,
  },
  { name: "an empty pipeline", path: "/pipeline", body: "[]", status: 400, error: /holds no commands/ },
  {
    name: "a Redis error",
    path: "/",
    body: '["INCR"]',
    status: 400,
    error: "ERR wrong number of arguments for 'incr' command",
  },
  { name: "an unknown command", path: "/", body: '["NOPE"]', status: 400, error: /^ERR unknown command 'NOPE'/ },
  { name: "SELECT", path: "/", body: '["SELECT",1]', status: 400, error: /^ERR SELECT is not supported/ },
  { name: "MULTI on its own", path: "/", body: '["MULTI"]', status: 400, error: /POST \/multi-exec/ },
  { name: "EXEC on its own", path: "/", body: '["EXEC"]', status: 400, error: /POST \/multi-exec/ },
  { name: "WATCH on its own", path: "/", body: '["WATCH","k"]', status: 400, error: /POST \/multi-exec/ },
  {
    name: "SUBSCRIBE on POST /",
    path: "/",
    body: '["SUBSCRIBE","c"]',
    status: 400,
    error: /GET \/subscribe\/\{channel\}/,
  },
  { name: "QUIT", path: "/", body: '["QUIT"]', status: 400, error: /^ERR QUIT is not supported/ },
  { name: "MONITOR", path: "/", body: '["MONITOR"]', status: 400, error: /^ERR MONITOR is not supported/ },
  { name: "SHUTDOWN", path: "/", body: '["SHUTDOWN"]', status: 403, error: /refused by the proxy by default/ },
  { name: "DEBUG", path: "/", body: '["DEBUG","SLEEP","0"]', status: 403, error: /refused by the proxy by default/ },
  {
    name: "CONFIG SET",
    path: "/",
    body: '["config","set","maxmemory","1"]',
    status: 403,
    error: /CONFIG SET is refused/,
  },
  { name: "REPLICAOF", path: "/", body: '["REPLICAOF","127.0.0.1","1"]', status: 403, error: /refused/ },
  { name: "an unknown route", path: "/__nothing", status: 404, error: /no such route/ },
  { name: "GET /", method: "GET", path: "/", status: 405, error: /answers POST/ },
  { name: "GET /pipeline", method: "GET", path: "/pipeline", status: 405, error: /answers POST/ },
  { name: "DELETE", method: "DELETE", path: "/get/k", status: 405, error: /method DELETE is not allowed/ },
  {
    name: "a body over the limit",
    path: "/",
    body: JSON.stringify(["SET", "k", "x".repeat(2000)]),
    status: 413,
    error: /larger than the proxy's limit of 1024 bytes/,
  },
];

describe("the proxy's errors", () => {
  it.each(cases)("answers $status to $name", async ({ method = "POST", path, body, headers = auth, status, error }) => {
    const res = await fetch(stack.proxy.url + path, { method, headers, body: method === "GET" ? undefined : body });
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string };
    expect(Object.keys(json)).toEqual(["error"]);
    if (typeof error === "string") expect(json.error).toBe(error);
    else expect(json.error).toMatch(error);
  });

  it("keeps a refused command's error to its own pipeline item", async () => {
    const res = await stack.post("/pipeline", [
      ["SET", "e:a", "1"],
      ["SELECT", 2],
      ["GET", "e:a"],
    ]);
    expect(await res.json()).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/^ERR SELECT is not supported/) },
      { result: "1" },
    ]);
  });

  it("aborts a transaction with a queued error as a whole", async () => {
    const res = await stack.post("/multi-exec", [["SET", "e:t", "1"], ["INCR"]]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/^EXECABORT/);
  });

  it("returns upstash-sync-token on every reply, errors included", async () => {
    expect((await stack.post("/", ["PING"])).headers.get("upstash-sync-token")).toMatch(/^\d+$/);
    expect((await stack.post("/", ["INCR"])).headers.get("upstash-sync-token")).toMatch(/^\d+$/);
  });

  it("survives garbage without crashing", async () => {
    const bodies = ["\u0000\u0001", "[[[[[[[", "null", "1", '"GET"', "[null]", "[1e400]", `[${'"a",'.repeat(100)}"b"]`];
    for (const body of bodies) expect((await stack.post("/", body)).status).toBe(400);
    expect((await fetch(`${stack.proxy.url}/get/%E0%A4%A`, { headers: auth })).status).toBe(400);
    expect((await stack.post("/", ["PING"])).status).toBe(200);
  });
});

describe("path-style commands", () => {
  it("runs /set/{key}/{value} with query arguments and /get/{key}", async () => {
    const set = await fetch(`${stack.proxy.url}/set/path%20key/caf%C3%A9?EX=100`, { headers: auth });
    expect(await set.json()).toEqual({ result: "OK" });
    const get = await fetch(`${stack.proxy.url}/get/path%20key`, { headers: auth });
    expect(await get.json()).toEqual({ result: "café" });
    const ttl = await fetch(`${stack.proxy.url}/ttl/path%20key`, { headers: auth });
    expect(await ttl.json()).toEqual({ result: 100 });
  });

  it("appends a POST body as the last argument", async () => {
    await fetch(`${stack.proxy.url}/set/body-key`, { method: "POST", headers: auth, body: "a value / with slashes" });
    expect(await (await fetch(`${stack.proxy.url}/get/body-key`, { headers: auth })).json()).toEqual({
      result: "a value / with slashes",
    });
  });

  it("accepts the token as ?_token=", async () => {
    const res = await fetch(`${stack.proxy.url}/echo/hi?_token=${TOKEN}`);
    expect(await res.json()).toEqual({ result: "hi" });
  });
});

describe("a read-only token", () => {
  const readOnly = () => stack.client({ token: READ_ONLY_TOKEN });

  it("reads", async () => {
    await stack.client().set("ro:k", "v");
    expect(await readOnly().get("ro:k")).toBe("v");
    expect(await readOnly().dbsize()).toBeGreaterThan(0);
  });

  it("is refused writes, as Redis's COMMAND INFO flags them", async () => {
    await expect(readOnly().set("ro:k", "w")).rejects.toThrow(/NOPERM this token is read-only and 'set' writes/);
    await expect(readOnly().del("ro:k")).rejects.toThrow(/NOPERM/);
    await expect(readOnly().flushall()).rejects.toThrow(/NOPERM/);
    // Subcommands are judged on their own flags: OBJECT ENCODING reads, CONFIG GET is admin.
    expect((await fetch(`${stack.proxy.url}/object/encoding/ro:k?_token=${READ_ONLY_TOKEN}`)).status).toBe(200);
    expect((await fetch(`${stack.proxy.url}/config/get/maxmemory?_token=${READ_ONLY_TOKEN}`)).status).toBe(403);
    expect((await fetch(`${stack.proxy.url}/incr/ro:n?_token=${READ_ONLY_TOKEN}`)).status).toBe(403);
  });

  it("runs read-only scripts and refuses scripts that write", async () => {
    expect(await readOnly().eval("return redis.call('GET', KEYS[1])", ["ro:k"], [])).toBe("v");
    await expect(readOnly().eval("return redis.call('SET', KEYS[1], 'x')", ["ro:k"], [])).rejects.toThrow(
      /Write commands are not allowed|NOPERM/,
    );
  });
});

describe("blocking commands", () => {
  it("run on their own connection without stalling other requests", async () => {
    const blpop = stack.post("/", ["BLPOP", "blk:empty", 1]);
    const started = Date.now();
    expect(await (await stack.post("/", ["PING"])).json()).toEqual({ result: "PONG" });
    expect(Date.now() - started).toBeLessThan(500);
    expect(await (await blpop).json()).toEqual({ result: null });
  });
});
