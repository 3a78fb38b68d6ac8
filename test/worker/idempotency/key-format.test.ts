import { afterAll, describe, expect, it } from "vitest";
import { parseIdempotencyKey } from "../../../src/lib/idempotency/parse-key.ts";
import { cleanup, problemBody } from "../support.ts";
import { idemApp } from "./helpers.ts";

const t = idemApp("format", { bindings: { IDEMPOTENCY_ROUTES: '{"POST /api/_test/idem/things":{"required":true}}' } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const HINT =
  'Send one key of 1 to 255 printable characters, as a Structured-Field string ("…") or a bare token, e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324".';

describe("the Idempotency-Key header", () => {
  it.each([
    ["two keys", '"a", "b"', "The request carries more than one key."],
    ["two bare keys", "a,b", "The request carries more than one key."],
    ["an empty string", '""', "The key is empty."],
    ["an unclosed string", '"abc', "The key's string is not closed."],
    ["parameters", '"abc";p=1', "The key has trailing text."],
    ["a bad escape", '"a\\b"', "The key has a backslash that escapes nothing."],
    ["a space in a bare key", "a b", "The key is neither a quoted string nor a bare token."],
    ["256 characters", `"${"k".repeat(256)}"`, "The key is 256 characters long."],
  ])("with %s is a 400 problem", async (_name, header, detail) => {
    const res = await t.post("/api/_test/idem/status/200", header);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      problemBody(
        400,
        "idempotency-key-invalid",
        "Invalid idempotency key",
        `${detail} ${HINT}`,
        "/api/_test/idem/status/200",
      ),
    );
  });

  it.each([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ["8e03978e-40d5-43e8-bc93-6894a57f9324", "8e03978e-40d5-43e8-bc93-6894a57f9324"],
    ['"a \\"quoted\\" key, with a comma"', 'a "quoted" key, with a comma'],
    [`"${"k".repeat(255)}"`, "k".repeat(255)],
    ["  order:42/retry  ", "order:42/retry"],
  ])("%s is the key %s", (header, key) => {
    expect(parseIdempotencyKey(header)).toBe(key);
  });

  it("is required on a route IDEMPOTENCY_ROUTES marks required, and optional elsewhere", async () => {
    const missing = await t.post("/api/_test/idem/things", undefined);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual(
      problemBody(
        400,
        "idempotency-key-required",
        "Idempotency key required",
        "POST /api/_test/idem/things needs an Idempotency-Key header.",
        "/api/_test/idem/things",
      ),
    );
    expect((await t.post("/api/_test/idem/things", "given")).status).toBe(201);
    expect((await t.post("/api/_test/idem/status/200", undefined)).status).toBe(200);
  });

  it("is refused in IDEMPOTENCY_ROUTES for a method it never applies to", async () => {
    const bad = idemApp("format-bad", { bindings: { IDEMPOTENCY_ROUTES: '{"GET /api/links":{"required":true}}' } });
    const res = await bad.post("/api/_test/idem/status/200", "k");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ variables: ["IDEMPOTENCY_ROUTES"] });
  });
});
