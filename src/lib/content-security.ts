/**
 * Content-Security-Policy for each kind of HTML (or SVG) the Worker serves. None runs an inline
 * script or loads anything from elsewhere (the dashboard runs script files of its own only:
 * /admin/assets/dashboard.js, and the realtime demo's); styles are inlined (`<style>` and a few `style=`
 * attributes), hence `style-src 'unsafe-inline'` and nothing else.
 */
const BASE = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

export const CSP = {
  /**
   * The dashboard: its forms post to itself and land on its own pages. QR codes and charts are
   * inline SVG; `img-src` allows the badge and data: images. One small script file of its own
   * (/admin/assets/dashboard.js, progressive only); no inline script.
   */
  dashboard: `${BASE}; img-src 'self' data:; script-src 'self'; form-action 'self'`,
  /**
   * The dashboard's realtime demo, the one page that runs a script: its own files only (/client.js
   * and /admin/realtime.js, no inline script), talking to this origin only (EventSource, fetch).
   */
  realtimeDemo: `${BASE}; img-src 'self' data:; form-action 'self'; script-src 'self'; connect-src 'self'`,
  /**
   * The redirect's pages (password form, not found, gone). No `form-action`: browsers apply it to
   * the redirect that follows a form post too, and the right password redirects to the target.
   */
  linkPage: BASE,
  /** The view badge, which other sites embed as an image; opened on its own it runs nothing. */
  badge: "default-src 'none'; style-src 'unsafe-inline'",
} as const;
