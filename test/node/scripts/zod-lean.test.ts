import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as zod from "zod";
import * as lean from "../../../src/lib/zod/index.ts";

const root = resolve(import.meta.dirname, "../../..");
const LEFT_OUT = [
  "INVALID",
  "ZodCompileAsyncError",
  "ZodCompileUnsupportedError",
  "compile",
  "fromJSONSchema",
  "locales",
  "withParser",
];
const LEFT_OUT_OF_CORE = [
  "INVALID",
  "JSONSchema",
  "JSONSchemaGenerator",
  "ZodCompileAsyncError",
  "ZodCompileUnsupportedError",
  "compile",
  "compileFn",
  "locales",
  "withParser",
];

const missing = (full: object, part: object) =>
  Object.keys(full)
    .filter((name) => !(name in part))
    .sort();
const extra = (full: object, part: object) => Object.keys(part).filter((name) => !(name in full));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path.endsWith("lib/zod") ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("the lean zod the bundle uses (src/lib/zod, wrangler.toml [alias])", () => {
  it("exports everything zod exports but the documented few, and nothing else", () => {
    expect(missing(zod.z, lean.z)).toEqual(LEFT_OUT);
    expect(missing(zod.z.core, lean.z.core)).toEqual(LEFT_OUT_OF_CORE);
    expect([...extra(zod.z, lean.z), ...extra(zod.z.core, lean.z.core)]).toEqual([]);
    expect(lean.z.string).toBe(zod.z.string); // the same functions, not copies
  });

  it("is enough for src/: nothing there calls what is left out", () => {
    const pattern = new RegExp(`\\bz\\.(core\\.)?(${LEFT_OUT_OF_CORE.join("|")}|${LEFT_OUT.join("|")})\\b`);
    const callers = sources(join(root, "src")).filter((file) => pattern.test(readFileSync(file, "utf8")));
    expect(callers).toEqual([]);
  });
});
