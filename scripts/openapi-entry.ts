/** Built and run by scripts/openapi.ts: answers the document the routes' schemas produce, generated live. */
import { createApp } from "../src/app.ts";
import { OPENAPI_CONFIG } from "../src/openapi.ts";

export default {
  fetch: () => new Response(JSON.stringify(createApp().getOpenAPI31Document(OPENAPI_CONFIG))),
};
