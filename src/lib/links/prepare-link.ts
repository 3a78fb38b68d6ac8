import type { Config } from "../../env.ts";
import type { FieldError } from "../errors.ts";
import { isSelfTarget, type LinkContext } from "./context.ts";
import { hashPassword } from "./password.ts";
import { type LinkSettings, type RecordFields, toFieldChanges } from "./record.ts";
import type { LinkInput, LinkPatch } from "./schema.ts";
import { randomSlug } from "./slug.ts";

/** A link ready to be written: every check passed, URLs normalised, the password hashed. */
export interface PreparedLink {
  slug: string;
  /** The slug was drawn at random, so a collision is retried with a new one instead of a 409. */
  random: boolean;
  fields: RecordFields;
}

type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * The checks a schema cannot make: targets on our own host, expiry in the past. Returns the
 * settings with URLs normalised (`new URL(x).href`, so what is stored is what is sent in Location).
 */
export async function checkSettings(
  config: Pick<Config, "PUBLIC_URL" | "SERVICE_HOSTS">,
  context: LinkContext,
  input: LinkPatch,
): Promise<Checked<LinkSettings>> {
  const errors: FieldError[] = [];
  const target = (path: "url" | "expiredUrl", value: string) => {
    if (isSelfTarget(config, context, value))
      errors.push({ path, message: "must not point at this service's own host" });
    return new URL(value).href;
  };
  const settings: LinkSettings = {
    redirectStatus: input.redirectStatus,
    maxClicks: input.maxClicks,
    forwardQuery: input.forwardQuery,
    tags: input.tags,
  };
  if (input.url !== undefined) settings.url = target("url", input.url);
  if (input.expiredUrl !== undefined) settings.expiredUrl = input.expiredUrl && target("expiredUrl", input.expiredUrl);
  if (input.expiresAt !== undefined) {
    const at = input.expiresAt === null ? null : Date.parse(input.expiresAt);
    if (at !== null && at <= context.now) errors.push({ path: "expiresAt", message: "must be in the future" });
    settings.expiresAt = at;
  }
  if (errors.length > 0) return { ok: false, errors };
  // Hashing costs ~100k PBKDF2 rounds: only for input that is otherwise valid.
  if (input.password !== undefined) settings.password = input.password && (await hashPassword(input.password));
  return { ok: true, value: settings };
}

/** Validates a new link beyond its schema and turns it into the record to write. */
export async function prepareLink(
  config: Pick<Config, "PUBLIC_URL" | "SERVICE_HOSTS">,
  context: LinkContext,
  input: LinkInput,
): Promise<Checked<PreparedLink>> {
  const checked = await checkSettings(config, context, input);
  if (!checked.ok) return checked;
  const { set } = toFieldChanges({
    redirectStatus: 302,
    forwardQuery: false,
    tags: [],
    ...Object.fromEntries(Object.entries(checked.value).filter(([, value]) => value !== undefined)),
  });
  const now = String(context.now);
  return {
    ok: true,
    value: {
      slug: input.slug ?? randomSlug(),
      random: input.slug === undefined,
      fields: { ...set, createdAt: now, updatedAt: now },
    },
  };
}
