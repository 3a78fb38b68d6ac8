import type { Config } from "../../env.ts";
import { validationError } from "../errors.ts";
import { defineScript, type RedisClient } from "../redis.ts";
import { type LinkContext, publicOrigin } from "./context.ts";
import { linkNotFound } from "./get-link.ts";
import { linkKeys } from "./keys.ts";
import { checkSettings } from "./prepare-link.ts";
import { decodeStoredLink, toFieldChanges, toLink } from "./record.ts";
import type { Link, LinkPatch } from "./schema.ts";
import source from "./update-link.lua";

const updateLinkScript = defineScript(source, decodeStoredLink);

/**
 * Changes a link's settings in one script call (one round trip): all of the patch or none of it.
 * `null` removes a setting (`{ password: null }` makes the link public again).
 */
export async function updateLink(
  redis: RedisClient,
  config: Config,
  slug: string,
  patch: LinkPatch,
  context: LinkContext,
): Promise<Link> {
  const checked = await checkSettings(config, context, patch);
  if (!checked.ok) throw validationError(checked.errors);
  const { set, unset } = toFieldChanges(checked.value);
  set.updatedAt = String(context.now);
  const keys = linkKeys(config, slug);
  const stored = await updateLinkScript.run(
    redis,
    [keys.record, keys.counts],
    [JSON.stringify(set), JSON.stringify(unset)],
  );
  if (!stored) throw linkNotFound(slug);
  return toLink(slug, stored, publicOrigin(config, context));
}
