import { linkApiRoutes } from "./api.ts";
import { redirectRoutes } from "./redirect.ts";

/**
 * The links primitive: management API under /api/links, then the public single-segment redirect.
 * Mount LAST in app.ts so every other route is matched before the `/{slug}` catch-all.
 */
export const linksRoutes = linkApiRoutes.route("/", redirectRoutes);
