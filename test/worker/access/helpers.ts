import type { TestApp } from "../reliability/helpers.ts";
import { adminHeaders, jsonHeaders } from "../support.ts";

export interface CreatedKey {
  id: string;
  name: string;
  secret: string;
  scopes: string[];
}

/** Creates a key with the admin token (or `as`, a key secret) and returns it with its secret. */
export async function makeKey(
  t: TestApp,
  scopes: string[],
  options: { name?: string; expiresAt?: number; as?: string } = {},
): Promise<CreatedKey> {
  const res = await t.request("/api/keys", {
    method: "POST",
    headers: options.as ? jsonHeaders({ authorization: `Bearer ${options.as}` }) : jsonHeaders(adminHeaders()),
    body: JSON.stringify({ name: options.name ?? "test-key", scopes, expiresAt: options.expiresAt }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /api/keys answered ${res.status} ${text}`);
  return JSON.parse(text) as CreatedKey;
}

export const bearer = (secret: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${secret}`,
  ...extra,
});
