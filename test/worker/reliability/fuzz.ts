import fc from "fast-check";
import { MAX_BODY_BYTES } from "../../../src/app.ts";

/** A route of the OpenAPI document that takes a JSON body. */
export interface JsonRoute {
  method: string;
  path: string;
  /** Top-level property names of its body schema (fuzzed with values of any type). */
  fields: string[];
}

type OpenApiDoc = {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
  components?: { schemas?: Record<string, unknown> };
};

/** Follows one `$ref` into components.schemas. */
function resolve(doc: OpenApiDoc, schema: unknown): { properties?: Record<string, unknown> } {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref)
    return (doc.components?.schemas?.[ref.split("/").pop() ?? ""] ?? {}) as { properties?: Record<string, unknown> };
  return (schema ?? {}) as { properties?: Record<string, unknown> };
}

/** Every POST/PUT/PATCH route with an application/json body, in document order. */
export function jsonRoutes(doc: OpenApiDoc): JsonRoute[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, op]) => {
      const json = op.requestBody?.content?.["application/json"];
      if (!["post", "put", "patch"].includes(method) || !json) return [];
      return [{ method: method.toUpperCase(), path, fields: Object.keys(resolve(doc, json.schema).properties ?? {}) }];
    }),
  );
}

/** Text nested `depth` levels deep: arrays, objects, or both. */
const nested = (depth: number, kind: number) =>
  kind === 0
    ? `${"[".repeat(depth)}${"]".repeat(depth)}`
    : kind === 1
      ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`
      : `{"data":${'[{"x":'.repeat(depth)}0${"}]".repeat(depth)}}`;

/** Strings people do not expect: emoji, RTL, combining marks, NUL, lone surrogates, prototype names. */
const oddString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("👩‍👩‍👧‍👦", "\u202Eevil", "e\u0301", "\u0000", "\ud800", "__proto__", "constructor", "{x}", "*", ""),
);

/** A value of any JSON type, odd strings included. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddString,
  fc.constantFrom(null, true, -1, 0, 1e308, -0, 2 ** 53 + 1, 1.5),
  fc.array(oddString, { maxLength: 5 }),
);

/**
 * Request bodies for a route: random JSON text, malformed text, objects with the route's own field
 * names holding values of any type, deeply nested documents, huge strings (one over the body limit).
 */
export function bodyFor(route: JsonRoute): fc.Arbitrary<string> {
  const fields = route.fields.length > 0 ? route.fields : ["x"];
  const withFields = fc
    .dictionary(fc.constantFrom(...fields, "unknown", "__proto__"), anyValue, { maxKeys: fields.length + 1 })
    .map((body) => JSON.stringify(body));
  return fc.oneof(
    { arbitrary: withFields, weight: 6 },
    { arbitrary: fc.json({ maxDepth: 4 }), weight: 2 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 60 }), weight: 2 },
    {
      arbitrary: fc.constantFrom("", "{", "[", '{"a":', "nul", "{}", "[]", "null", '"x"', "1", '{"a":1}}', "\u0000"),
      weight: 2,
    },
    { arbitrary: fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.nat(2)).map(([d, k]) => nested(d, k)), weight: 1 },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom(...fields),
          fc.constantFrom(10_000, 200_000, MAX_BODY_BYTES + 1),
          fc.constantFrom("a", "é", "😀"),
        )
        .map(([field, length, char]) => JSON.stringify({ [field]: char.repeat(length) })),
      weight: 1,
    },
  );
}

/** A route of the OpenAPI document with its query parameter names. */
export interface AnyRoute {
  method: string;
  path: string;
  query: string[];
}

type ParamDoc = { paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> };

/** Every operation of the document, with the names of its query parameters. */
export function allRoutes(doc: ParamDoc): AnyRoute[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name),
    })),
  );
}

/** Path segments and query values people do not expect, already percent-encoded where needed. */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc
    .string({ unit: "binary", minLength: 1, maxLength: 40 })
    .map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "x"))),
  fc.constantFrom(
    "%ZZ",
    "%00",
    "%2F..%2F",
    "..",
    "%7B%7D",
    "*",
    "%2A",
    "a%0D%0Aset-cookie:x",
    "-1",
    "1e309",
    "0x10",
    "NaN",
  ),
  fc.constantFrom(10_000, 70_000).map((n) => "a".repeat(n)),
);
