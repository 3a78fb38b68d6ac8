import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

/**
 * What a team gets from `npm pack`: the tarball installed into a fresh copy of examples/hono-worker
 * (npm from its cache; the example's dev tools, vitest and the workers pool, linked from this
 * repository's node_modules instead of installed again), that project's own test run inside
 * workerd against redis-server through the tarball's `edgekit-proxy` bin, and the proxy's
 * protocol tests run against that same bin.
 */
const root = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "edgekit-package-"));
const app = join(work, "app");
const LINKED_DEV_TOOLS = ["vitest", "@cloudflare/vitest-pool-workers", "wrangler", "typescript"];
let tarball: string;
let redis: RunningRedisServer | undefined;
let proxy: ChildProcess | undefined;
let proxyUrl: string;

beforeAll(async () => {
  execFileSync("npm", ["pack", "--pack-destination", work, "--loglevel=error"], { cwd: root, stdio: "ignore" });
  tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz")) as string);

  cpSync(join(root, "examples/hono-worker"), app, {
    recursive: true,
    filter: (path) => !/node_modules|\.wrangler/.test(path),
  });
  const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
  pkg.dependencies.edgekit = `file:${tarball}`;
  delete pkg.devDependencies;
  writeFileSync(join(app, "package.json"), JSON.stringify(pkg, null, 2));
  execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: app,
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (const name of LINKED_DEV_TOOLS) {
    mkdirSync(dirname(join(app, "node_modules", name)), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(app, "node_modules", name), "dir");
  }

  redis = await startRedisServer();
  proxy = spawn(
    join(app, "node_modules/.bin/edgekit-proxy"),
    ["--redis", redis.url, "--token", "example-token", "--port", "0", "--strict"],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, PROXY_TOKEN: "" } },
  );
  proxyUrl = await new Promise<string>((ready, fail) => {
    proxy?.stdout?.once("data", (chunk) => ready(String(chunk).trim()));
    proxy?.once("exit", (code) => fail(new Error(`edgekit-proxy exited with ${code}`)));
    proxy?.once("error", fail);
  });
}, 400_000);

afterAll(async () => {
  if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
    const exited = new Promise((done) => proxy?.once("exit", done));
    proxy.kill("SIGTERM");
    await exited;
  }
  await redis?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds JavaScript, declarations, the bin and no TypeScript sources or tests", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const file of [
      "package/dist/index.js",
      "package/dist/hono.js",
      "package/dist/proxy/index.js",
      "package/dist/proxy/cli.js",
      "package/dist/types/src/package.d.ts",
      "package/dist/types/src/hono/index.d.ts",
      "package/dist/types/proxy/index.d.ts",
      "package/README.md",
      "package/CHANGELOG.md",
    ]) {
      expect(files).toContain(file);
    }
    expect(files.filter((file) => /\.(ts|tsx|lua)$/.test(file) && !file.endsWith(".d.ts"))).toEqual([]);
    expect(files.some((file) => file.startsWith("package/test/"))).toBe(false);
  });

  it("resolves edgekit, edgekit/hono and edgekit/proxy by its exports map", () => {
    const installed = join(app, "node_modules/edgekit");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    for (const entry of [".", "./hono", "./proxy"]) {
      expect(existsSync(join(installed, manifest.exports[entry].default)), entry).toBe(true);
      expect(existsSync(join(installed, manifest.exports[entry].types)), entry).toBe(true);
    }
    // The proxy entry loads in Node as a consumer imports it.
    const loaded = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", 'import("edgekit/proxy").then((m) => console.log(typeof m.startProxy))'],
      {
        cwd: app,
        encoding: "utf8",
      },
    );
    expect(loaded.stdout.trim()).toBe("function");
  });

  it("type-checks the example against the tarball's declarations (wrangler types, then tsc)", () => {
    const node = (script: string, ...args: string[]) =>
      spawnSync(process.execPath, [join(app, "node_modules", script), ...args], {
        cwd: app,
        encoding: "utf8",
        timeout: 120_000,
      });
    const types = node("wrangler/bin/wrangler.js", "types");
    expect(types.status, types.stdout + types.stderr).toBe(0);
    const tsc = node("typescript/bin/tsc", "-p", ".");
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  }, 180_000);

  it("runs the example Worker's own tests inside workerd, with four middlewares from the tarball", () => {
    const run = spawnSync(process.execPath, [join(app, "node_modules/vitest/vitest.mjs"), "run"], {
      cwd: app,
      encoding: "utf8",
      env: { ...process.env, UPSTASH_REDIS_REST_URL: proxyUrl, UPSTASH_REDIS_REST_TOKEN: "example-token", CI: "true" },
      timeout: 240_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Tests\s+.*4 passed/);
  }, 300_000);

  it("gives an edgekit-proxy bin that npx runs and that passes the proxy's protocol tests", () => {
    const help = spawnSync("npx", ["--no-install", "edgekit-proxy", "--help"], { cwd: app, encoding: "utf8" });
    expect(help.stdout).toMatch(/^Usage: npx edgekit-proxy/);
    const files = ["data-types", "errors", "scripts", "strict", "subscribe"].map((f) => `test/node/proxy/${f}.test.ts`);
    const run = spawnSync(
      process.execPath,
      [join(root, "node_modules/vitest/vitest.mjs"), "run", "--project", "node", ...files],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, EDGEKIT_PROXY_BIN: join(app, "node_modules/.bin/edgekit-proxy"), CI: "true" },
        timeout: 240_000,
      },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Test Files\s+.*5 passed/);
  }, 300_000);
});
