import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";

/** Reads `.dev.vars` (the file wrangler also reads locally), or nothing when it is absent. */
export function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
}

/**
 * Returns the value of `name` from the environment or `.dev.vars`; when neither has it, generates
 * a random one and appends it to `.dev.vars` so it stays the same across restarts.
 */
export function ensureSecret(path: string, name: string, vars: Record<string, string>): string {
  const existing = process.env[name] ?? vars[name];
  if (existing) return existing;
  const value = randomBytes(24).toString("base64url");
  appendFileSync(path, `${existsSync(path) ? "\n" : ""}${name}=${value}\n`, { mode: 0o600 });
  vars[name] = value;
  return value;
}
