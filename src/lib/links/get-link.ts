import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { readLink } from "./read-link.ts";
import { toLink } from "./record.ts";
import type { Link } from "./schema.ts";

/** One link as the API shows it; a 404 problem when there is none. */
export async function getLink(redis: RedisClient, config: Config, slug: string, context: LinkContext): Promise<Link> {
  const stored = await readLink(redis, config, slug);
  if (!stored) throw linkNotFound(slug);
  return toLink(slug, stored, publicOrigin(config, context));
}

export function linkNotFound(slug: string): AppError {
  return new AppError("not_found", `There is no link "${slug}".`);
}
