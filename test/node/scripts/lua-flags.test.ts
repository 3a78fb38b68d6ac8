import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");

/** Every .lua file under src/, as a path relative to the repository. */
function luaFiles(dir = join(root, "src")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return luaFiles(path);
    return entry.name.endsWith(".lua") ? [relative(root, path)] : [];
  });
}

const FLAGS = ["#!lua flags=allow-key-locking", "#!lua flags=no-writes,allow-key-locking"];

describe("Lua scripts in src/", () => {
  const files = luaFiles();

  it("exist (the walk found them)", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("all declare allow-key-locking (and no-writes when read-only) on their first line", () => {
    const lacking = files.filter(
      (file) => !FLAGS.includes(readFileSync(join(root, file), "utf8").split("\n")[0] ?? ""),
    );
    expect(lacking).toEqual([]);
  });
});
