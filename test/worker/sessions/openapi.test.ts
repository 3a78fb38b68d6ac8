import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";

describe("the sessions' OpenAPI entries", () => {
  it("documents every session route, with bearer auth on the admin ones only", async () => {
    const res = await createApp().request("http://edgekit.test/openapi.json", {}, {});
    const spec = (await res.json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.includes("sessions"))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method} ${path}`, Boolean(op.security)]));
    expect(Object.fromEntries(routes)).toEqual({
      "post /api/sessions": true,
      "get /api/sessions/current": false,
      "patch /api/sessions/current": false,
      "delete /api/sessions/current": false,
      "post /api/sessions/current/rotate": false,
      "get /api/users/{userId}/sessions": true,
      "delete /api/users/{userId}/sessions": true,
    });
  });
});
