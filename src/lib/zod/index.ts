/**
 * What `import { z } from "zod"` resolves to in the bundle (wrangler.toml [alias]): zod's classic API
 * without what edgekit never calls and a bundler cannot drop, because @hono/zod-openapi hands the
 * whole `z` namespace to zod-to-openapi (so every export stays reachable):
 * - `locales`: every language's error messages, 259 KB of the 446 KB zod put in the minified
 *   bundle. English, zod's default, stays: schemas.js registers it itself.
 * - `compile` / `withParser` / `INVALID` / `ZodCompile*Error` (zod's schema compiler), `fromJSONSchema`, and
 *   `core.JSONSchemaGenerator` / `core.JSONSchema`: about 50 KB more. (`toJSONSchema` stays: every
 *   schema's `.toJSONSchema()` method uses it.)
 * Everything else is zod's, export for export. TypeScript still sees the real "zod";
 * test/node/scripts/zod-lean.test.ts compares the two export lists and checks that nothing in src/
 * calls what is left out.
 */
import * as z from "./external.ts";

export * from "./external.ts";
export { z, z as default };
