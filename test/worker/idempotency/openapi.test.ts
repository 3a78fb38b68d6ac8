import { describe, expect, it } from "vitest";
import { testApp } from "../support.ts";

const t = testApp("idem-openapi");

type Operation = {
  parameters?: { $ref?: string }[];
  responses: Record<string, { headers?: Record<string, unknown> }>;
};
const documented = async () =>
  (await (await t.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
    components: { parameters: Record<string, { name: string; in: string }>; headers: Record<string, unknown> };
  };

describe("the OpenAPI document", () => {
  it("lists Idempotency-Key on every POST, PATCH and DELETE under /api, and on no other operation", async () => {
    const doc = await documented();
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: "Idempotency-Key", in: "header" });
    const ref = { $ref: "#/components/parameters/IdempotencyKey" };
    let unsafe = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const takesKey = path.startsWith("/api/") && ["post", "patch", "delete"].includes(method);
        const listed = (operation.parameters ?? []).some((parameter) => parameter.$ref === ref.$ref);
        expect(listed, `${method} ${path}`).toBe(takesKey);
        if (takesKey) unsafe++;
      }
    }
    expect(unsafe).toBeGreaterThan(10);
  });

  it("documents Idempotent-Replayed on success responses and the problems the key can answer", async () => {
    const doc = await documented();
    const create = doc.paths["/api/links"]?.post;
    expect(create?.responses["201"]?.headers).toEqual({
      "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" },
    });
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(["400", "409", "410", "422", "503"]));
    expect(doc.paths["/api/locks/{name}"]?.post?.responses["423"]).toBeDefined();
  });
});

describe("GET /openapi.json", () => {
  it("is served whole as JSON after the additions", async () => {
    const res = await t.request("/openapi.json");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await res.text();
    const length = res.headers.get("content-length");
    if (length !== null) expect(Number(length)).toBe(new TextEncoder().encode(text).byteLength);
    expect(JSON.parse(text)).toMatchObject({ openapi: "3.1.0" });
  });
});
