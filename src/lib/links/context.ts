import type { Config } from "../../env.ts";

/** What link operations need to know about the request they serve. Routes build it; lib never sees Context. */
export interface LinkContext {
  /** ms since the epoch, from the app's clock. */
  now: number;
  /** The request's URL (its origin makes short URLs when PUBLIC_URL is not set; its host is "self"). */
  requestUrl: string;
}

/** The origin short URLs start with: PUBLIC_URL when set, else the request's own origin. */
export function publicOrigin(config: Pick<Config, "PUBLIC_URL">, context: LinkContext): string {
  return config.PUBLIC_URL ?? new URL(context.requestUrl).origin;
}

const bareHost = (hostname: string) => hostname.toLowerCase().replace(/\.$/, "");

/**
 * True when `target` points at this service itself, any port: such links would loop, or lend the
 * short domain to whatever path they name. The service's hosts are PUBLIC_URL's and those listed
 * in SERVICE_HOSTS, which a request cannot change; the request's own host is added to them (it
 * is one of ours too), but is never the only one asked when either setting is there.
 */
export function isSelfTarget(
  config: Pick<Config, "PUBLIC_URL" | "SERVICE_HOSTS">,
  context: LinkContext,
  target: string,
): boolean {
  const host = bareHost(new URL(target).hostname);
  const own = [
    new URL(context.requestUrl).hostname,
    ...(config.PUBLIC_URL ? [new URL(config.PUBLIC_URL).hostname] : []),
    ...config.SERVICE_HOSTS,
  ];
  return own.some((hostname) => bareHost(hostname) === host);
}
