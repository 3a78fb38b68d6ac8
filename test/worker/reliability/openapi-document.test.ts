import { describe, expect, it } from "vitest";
import { createApp } from "../../../src/app.ts";
import { liveOpenApiDocument } from "../../../src/openapi.ts";

describe("GET /openapi.json", () => {
  it("serves exactly the document the routes' schemas produce (else run `npm run openapi`)", async () => {
    const app = createApp();
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const live = JSON.stringify(liveOpenApiDocument(app));
    expect(await res.text(), "src/openapi-document.ts is out of date: run `npm run openapi`").toBe(live);
  });
});
