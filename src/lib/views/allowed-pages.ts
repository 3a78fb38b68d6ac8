/**
 * VIEWS_ALLOWED_PAGES: patterns a page id must match in whole to be counted, `*` standing for
 * any run of characters (`/` included) and everything else literal. An empty list counts every
 * page. A site that counts by URL lists its origins (`https://example.com/*`); one that counts by
 * id lists its id shapes (`blog/*`, `/pricing`).
 */
const compiled = new WeakMap<readonly string[], RegExp>();

function matcher(patterns: readonly string[]): RegExp {
  let regex = compiled.get(patterns);
  if (!regex) {
    const alternatives = patterns.map((pattern) =>
      pattern
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*"),
    );
    regex = new RegExp(`^(?:${alternatives.join("|")})$`, "su");
    compiled.set(patterns, regex);
  }
  return regex;
}

/** True when `page` may be counted under the allow-list (always, when the list is empty). */
export function pageAllowed(patterns: readonly string[], page: string): boolean {
  return patterns.length === 0 || matcher(patterns).test(page);
}
