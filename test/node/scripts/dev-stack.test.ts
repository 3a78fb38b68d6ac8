import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { ensureSecret, readDevVars } from "../../../scripts/dev-vars.ts";
import { INSTALL_HINT, startRedisServer } from "../../../scripts/redis-server.ts";

const root = resolve(import.meta.dirname, "../../..");
const scratch = mkdtempSync(join(tmpdir(), "edgekit-dev-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("startRedisServer", () => {
  it("keeps dev data across a restart when given a data directory", async () => {
    const dataDir = join(scratch, "redis");
    const first = await startRedisServer({ dataDir });
    const client = new Redis(first.url, { lazyConnect: true });
    await client.connect();
    await client.set("dev:kept", "yes");
    client.disconnect();
    await first.stop();

    const second = await startRedisServer({ dataDir, port: first.port });
    const again = new Redis(second.url, { lazyConnect: true });
    await again.connect();
    expect(await again.get("dev:kept")).toBe("yes");
    again.disconnect();
    await second.stop();
  });
});

describe(".dev.vars secrets", () => {
  it("generates a missing secret once and keeps it for the next start", () => {
    const path = join(scratch, ".dev.vars");
    const vars = readDevVars(path);
    const token = ensureSecret(path, "ADMIN_TOKEN_TEST", vars);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ensureSecret(path, "ADMIN_TOKEN_TEST", readDevVars(path))).toBe(token);
    expect(readFileSync(path, "utf8")).toContain(`ADMIN_TOKEN_TEST=${token}`);
  });
});

describe("npm run dev without redis-server", () => {
  it("says in one line how to install it and exits non-zero", () => {
    // A PATH holding only node: no redis-server to be found.
    const bin = join(scratch, "bin");
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
      cwd: root,
      env: { PATH: bin, HOME: scratch },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(INSTALL_HINT);
  });
});
