/** Built and run by scripts/openapi.ts: answers the document the routes' schemas produce, generated live. */
import { createApp } from "../src/app.ts";
import { liveOpenApiDocument } from "../src/openapi.ts";

export default {
  fetch: () => new Response(JSON.stringify(liveOpenApiDocument(createApp()))),
};
