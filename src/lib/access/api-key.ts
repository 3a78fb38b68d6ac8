import { z } from "zod";
import { validationError } from "../errors.ts";
import { type Principal, ROOT } from "./principal.ts";
import { grantProblem, MAX_SCOPES } from "./scopes.ts";

/** An API key as stored: everything but its secret, which Redis never sees (only its SHA-256). */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  /** The actor that created it (`admin`, `key:<name>:<id>`, `user:<name>`). */
  createdBy: string;
  createdAt: number;
  /** Milliseconds since the epoch, or null for a key that does not expire. */
  expiresAt: number | null;
}

export interface Revocation {
  at: number;
  by: string;
}

/** A key as listed: its record, its state, when it was last used. Never the secret nor its hash. */
export interface ApiKey extends ApiKeyRecord {
  status: "active" | "expired" | "revoked";
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** A key's name: shown in listings and audit trails (`key:<name>:<id>`), so kept plain. */
export const KEY_NAME = /^[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,39}$/;
export const KEY_NAME_HINT = "1-40 of A-Z a-z 0-9 space . _ - (not starting with a space)";

const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
});
const revocationSchema = z.object({ at: z.number(), by: z.string() });

export function decodeRecord(text: unknown): ApiKeyRecord {
  return recordSchema.parse(JSON.parse(String(text)));
}

export function decodeRevocation(text: unknown): Revocation | null {
  return text === "" || text === null || text === undefined ? null : revocationSchema.parse(JSON.parse(String(text)));
}

/** The listed form of a stored key at `now`. */
export function describeKey(
  record: ApiKeyRecord,
  revocation: Revocation | null,
  lastUsedAt: number | null,
  now: number,
): ApiKey {
  const status = revocation ? "revoked" : record.expiresAt !== null && record.expiresAt <= now ? "expired" : "active";
  return {
    ...record,
    status,
    lastUsedAt,
    revokedAt: revocation?.at ?? null,
    revokedBy: revocation?.by ?? null,
  };
}

/** The principal a valid key authenticates as. */
export const keyPrincipal = (record: ApiKeyRecord): Principal => ({
  kind: "key",
  id: record.id,
  name: record.name,
  scopes: record.scopes,
});

/** The scopes a principal holds: the root and dashboard admins hold all of them. */
export function scopesOf(principal: Principal): readonly string[] | "all" {
  if (principal === ROOT || principal.kind === "admin") return "all";
  if (principal.kind === "key") return principal.scopes;
  return principal.role === "admin" ? "all" : [];
}

/** Throws a 422 listing every scope that cannot be granted as written. */
export function checkScopes(scopes: readonly string[]): string[] {
  const errors = scopes.flatMap((scope, i) => {
    const problem = grantProblem(scope);
    return problem ? [{ path: `scopes.${i}`, message: problem }] : [];
  });
  if (scopes.length === 0) errors.push({ path: "scopes", message: "a key needs at least one scope" });
  if (scopes.length > MAX_SCOPES) errors.push({ path: "scopes", message: `at most ${MAX_SCOPES} scopes` });
  if (errors.length > 0) throw validationError(errors);
  return [...new Set(scopes)];
}
