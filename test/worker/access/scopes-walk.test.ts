import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCOPES } from "../../../src/lib/access/scopes.ts";
import { reliabilityApp } from "../reliability/helpers.ts";
import { cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { bearer, makeKey } from "./helpers.ts";

const t = reliabilityApp("access-walk");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

interface Operation {
  method: string;
  path: string;
  scopes: string[];
  hasBody: boolean;
}

async function securedOperations(): Promise<Operation[]> {
  const doc = (await (await t.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, { security?: { bearerAuth?: string[] }[]; requestBody?: unknown }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => (op.security ?? []).length > 0)
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        scopes: (op.security ?? []).flatMap((s) => s.bearerAuth ?? []),
        hasBody: op.requestBody !== undefined,
      })),
  );
}

/** The same concrete URL the security walk uses: every parameter "sec-1". */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "sec-1");
/** A route's scope as this request resolves it. */
const resolved = (scope: string) => scope.replace(/\{[^}]+\}$/, "sec-1");

describe("every secured operation in the OpenAPI document", () => {
  let ops: Operation[] = [];
  beforeAll(async () => {
    ops = await securedOperations();
  });

  it("names exactly one scope, from the scope table", () => {
    expect(ops.length).toBeGreaterThan(50);
    const wrong = ops.filter((op) => op.scopes.length !== 1 || !((op.scopes[0] as string) in SCOPES));
    expect(wrong.map((op) => `${op.method} ${op.path} ${JSON.stringify(op.scopes)}`)).toEqual([]);
  });

  it("refuses a key without its scope with a 403 naming it, and takes one with it", async () => {
    // dashboard:read grants no API route: a key that holds a scope, just not the one needed.
    const unrelated = await makeKey(t, ["dashboard:read"], { name: "unrelated" });
    const keys = new Map<string, string>();
    for (const scope of new Set(ops.map((op) => resolved(op.scopes[0] as string)))) {
      keys.set(scope, (await makeKey(t, [scope], { name: scope.replaceAll(":", "-").replaceAll("*", "x") })).secret);
    }
    const failures: string[] = [];
    for (const op of ops) {
      const scope = resolved(op.scopes[0] as string);
      const send = (secret: string) =>
        t.request(concrete(op.path), {
          method: op.method,
          headers: op.hasBody ? jsonHeaders(bearer(secret)) : bearer(secret),
          body: op.hasBody ? "{}" : undefined,
        });
      const refused = await send(unrelated.secret);
      const body = (await refused.json().catch(() => ({}))) as { detail?: string; scope?: string };
      if (
        refused.status !== 403 ||
        body.scope !== scope ||
        body.detail !== `This API key lacks the scope \`${scope}\`.`
      ) {
        failures.push(`${op.method} ${op.path} without ${scope} -> ${refused.status} ${JSON.stringify(body)}`);
      }
      const accepted = await send(keys.get(scope) as string);
      if (accepted.status === 401 || accepted.status === 403) {
        failures.push(`${op.method} ${op.path} with ${scope} -> ${accepted.status} ${await accepted.text()}`);
      } else {
        await accepted.body?.cancel();
      }
    }
    expect(failures).toEqual([]);
  });

  it("takes a patterned scope for matching values only, and the resource's wildcard for all", async () => {
    const eu = await makeKey(t, ["leaderboards:write:eu-*"]);
    const all = await makeKey(t, ["leaderboards:*"]);
    const board = { rule: "best", order: "desc", windows: ["all"] };
    const put = (name: string, secret: string) =>
      t.request(`/api/leaderboards/${name}`, {
        method: "PUT",
        headers: jsonHeaders(bearer(secret)),
        body: JSON.stringify(board),
      });
    const statuses = [
      (await put("eu-west", eu.secret)).status,
      (await put("us-east", eu.secret)).status,
      (await put("us-east", all.secret)).status,
    ];
    expect(statuses[0]).not.toBe(403);
    expect(statuses[1]).toBe(403);
    expect(statuses[2]).not.toBe(403);
  });
});

describe("hot paths with a key", () => {
  it("cost one round trip each once the key is verified (1.00 per request)", async () => {
    const key = await makeKey(t, ["trending:write", "leaderboards:write"]);
    const admin = { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` };
    expect(
      (await t.request("/api/trending/hot", { method: "PUT", headers: jsonHeaders(admin), body: "{}" })).status,
    ).toBeLessThan(300);
    const hit = () =>
      t.request("/api/trending/hot/hits", {
        method: "POST",
        headers: jsonHeaders(bearer(key.secret)),
        body: JSON.stringify({ item: "item-1" }),
      });
    // Warm the route's own per-isolate state with the admin token, so only the key is new.
    const warm = await t.request("/api/trending/hot/hits", {
      method: "POST",
      headers: jsonHeaders(admin),
      body: JSON.stringify({ item: "item-0" }),
    });
    expect(warm.status).toBeLessThan(300);
    // The first request verifies the key: one more round trip, once per 30 s per isolate.
    const { result: first, roundTrips: firstTrips } = await countRoundTrips(hit);
    expect(first.status, await first.text()).toBeLessThan(300);
    expect(firstTrips).toBe(2);
    const n = 40;
    const { roundTrips } = await countRoundTrips(async () => {
      for (let i = 0; i < n; i++) expect((await hit()).status).toBeLessThan(300);
    });
    expect((roundTrips / n).toFixed(2)).toBe("1.00");
  });
});
