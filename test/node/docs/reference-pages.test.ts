import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROBLEMS, problemType } from "../../../src/lib/errors.ts";
import { OPENAPI_DOCUMENT } from "../../../src/openapi-document.ts";

const root = join(import.meta.dirname, "../../..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** The variable names of `interface Bindings` in src/env.ts, read from the source (it is a type). */
function bindings(): string[] {
  const body = /export interface Bindings \{([\s\S]*?)\n\}/.exec(read("src/env.ts"))?.[1] ?? "";
  return [...body.matchAll(/^\s+([A-Z][A-Z0-9_]*)\?:/gm)].map((match) => match[1] as string);
}

/** `METHOD path` of every row of docs/api.md's route table (`GET`/`POST /x` gives both). */
function documentedOperations(): Set<string> {
  const documented = new Set<string>();
  for (const line of read("docs/api.md").split("\n")) {
    if (!line.startsWith("| `")) continue;
    const route = (line.split(" | ")[0] ?? "").replaceAll("`", "");
    for (const match of route.matchAll(
      /((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*) (\/\S*)/g,
    )) {
      const path = (match[2] as string).replace(/,$/, "").split("?")[0];
      for (const method of (match[1] as string).split("/")) documented.add(`${method} ${path}`);
    }
  }
  return documented;
}

describe("docs/configuration.md", () => {
  it("has a row for every variable of src/env.ts's Bindings", () => {
    const doc = read("docs/configuration.md");
    const names = bindings();
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((name) => !doc.includes(`| \`${name}\` |`))).toEqual([]);
  });

  it("documents no variable the Worker does not read", () => {
    const names = new Set(bindings());
    const rows = [...read("docs/configuration.md").matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]);
    expect(rows.filter((row) => !names.has(row as string))).toEqual([]);
  });
});

describe("docs/api.md", () => {
  it("has a row for every operation of the OpenAPI document", () => {
    const paths = (JSON.parse(OPENAPI_DOCUMENT) as { paths: Record<string, Record<string, unknown>> }).paths;
    const operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBeGreaterThan(90);
    const documented = documentedOperations();
    expect(operations.filter((operation) => !documented.has(operation))).toEqual([]);
  });

  it("names the scope of every secured operation on its row", () => {
    const paths = (
      JSON.parse(OPENAPI_DOCUMENT) as {
        paths: Record<string, Record<string, { security?: { bearerAuth: string[] }[] }>>;
      }
    ).paths;
    const rows = read("docs/api.md")
      .split("\n")
      .filter((line) => line.startsWith("| `"));
    const missing: string[] = [];
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const scope = operation.security?.[0]?.bearerAuth[0];
        if (!scope) continue;
        const row = rows.find(
          (line) =>
            (line.split(" | ")[0] ?? "").replaceAll("`", "").replace(/^\| /, "") === `${method.toUpperCase()} ${path}`,
        );
        if (!row?.includes(`\`${scope}\``)) missing.push(`${method.toUpperCase()} ${path}: ${scope}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("lists every problem type of src/lib/errors.ts with its status", () => {
    const doc = read("docs/api.md");
    const missing = (Object.keys(PROBLEMS) as (keyof typeof PROBLEMS)[]).filter(
      (code) => !doc.includes(`| ${PROBLEMS[code].status} | \`${problemType(code)}\` |`),
    );
    expect(missing).toEqual([]);
  });
});
