import { createRouter } from "../router.ts";
import { linkApiRoutes } from "./api.ts";
import { redirectRoutes } from "./redirect.ts";

/**
 * The links primitive: management API under /api/links, then the public single-segment redirect.
 * Mount LAST in app.ts so every other route is matched before the `/{slug}` catch-all. A router of
 * its own, so the API's router stays as api.ts built it (src/lazy-app.ts mounts the two apart).
 */
export const linksRoutes = createRouter().route("/", linkApiRoutes).route("/", redirectRoutes);
