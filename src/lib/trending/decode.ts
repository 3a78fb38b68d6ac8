import { AppError } from "../errors.ts";
import type { TrendingList } from "./schema.ts";

/** The 404 every trending operation answers for a key that names no list. */
export function listNotFound(list: string): AppError {
  return new AppError("not_found", `No trending list "${list}". Create it with PUT /api/trending/${list}.`);
}

/**
 * The trending scripts reply with ONE JSON string, parsed here on purpose. Heat travels as a
 * "%.17g" string inside it (cjson would keep 14 digits); a script's "missing" is the list's 404.
 */
export function decodeReply<T extends { outcome: string }>(reply: unknown, list: string): T {
  if (typeof reply !== "string") throw new Error(`trending: expected a JSON string reply, got ${typeof reply}`);
  const parsed = JSON.parse(reply) as T;
  if (parsed.outcome === "missing") throw listNotFound(list);
  return parsed;
}

/** A list from its hash's `def`, `createdAt` and `landmark` fields. */
export function decodeList(def: unknown, createdAt: unknown, landmark: unknown): TrendingList | null {
  if (typeof def !== "string" || def === "") return null;
  const settings = JSON.parse(def) as Omit<TrendingList, "createdAt" | "landmark">;
  return { ...settings, landmark: Number(landmark), createdAt: Number(createdAt) };
}
