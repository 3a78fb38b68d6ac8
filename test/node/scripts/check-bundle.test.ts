import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const work = mkdtempSync(join(tmpdir(), "check-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const check = (file: string, ...budget: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/check-bundle.ts", file, ...budget], {
    cwd: root,
    encoding: "utf8",
  });

describe("the CI bundle budget (scripts/check-bundle.ts, called by .ci/run)", () => {
  it("fails a bundle over 264 KiB gzipped, saying by how much", () => {
    const file = join(work, "big.js");
    writeFileSync(file, randomBytes(300 * 1024)); // random bytes do not compress
    const run = check(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/gzipped \(budget 270336\)\nbundle over the gzip budget by \d+ bytes/);
  });

  it("passes one under it, and takes another budget", () => {
    const file = join(work, "small.js");
    writeFileSync(file, "export default {};\n".repeat(1000));
    expect(check(file).status).toBe(0);
    expect(check(file, "10").status).toBe(1);
  });

  it("is what .ci/run calls on the built Worker", () => {
    expect(readFileSync(join(root, ".ci/run"), "utf8")).toContain("npx tsx scripts/check-bundle.ts dist/index.js");
  });
});
