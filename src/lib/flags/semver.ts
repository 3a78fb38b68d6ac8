/**
 * A strict Semantic Versioning 2.0.0 parser and comparator for the semver_gt / semver_lt rule
 * operators. Strict means no "v" prefix, no missing parts ("1.2"), no leading zeros: anything else
 * is not a version, and a rule comparing it does not match.
 */

// The regular expression published at semver.org, with named groups removed.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release identifiers ("1.0.0-rc.1" → ["rc", "1"]); empty for a release. */
  prerelease: string[];
}

/** Parses a strict semantic version; undefined when `text` is not one (or is absurdly long). */
export function parseSemver(text: string): SemVer | undefined {
  if (text.length > 256) return undefined;
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (!Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) return undefined;
  return { major, minor, patch, prerelease: match[4] ? match[4].split(".") : [] };
}

const NUMERIC = /^\d+$/;

/** Precedence of two pre-release identifiers (semver.org §11.4). */
function compareIdentifier(a: string, b: string): number {
  const aNumeric = NUMERIC.test(a);
  const bNumeric = NUMERIC.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * -1, 0 or 1 by semver precedence; build metadata is ignored, a pre-release sorts before its release.
 *
 * @example
 * compareSemver(parseSemver("1.0.0-rc.1")!, parseSemver("1.0.0")!) // -1
 */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (const part of ["major", "minor", "patch"] as const) {
    if (a[part] !== b[part]) return a[part] < b[part] ? -1 : 1;
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  const length = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const order = compareIdentifier(a.prerelease[i] as string, b.prerelease[i] as string);
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}
