import { isbot } from "isbot";

/**
 * What the Worker knows about the client, from headers Cloudflare sets. `CF-Connecting-IP` is the
 * only trustworthy address on Workers; `X-Forwarded-For` is whatever the client typed.
 */
export interface ClientInfo {
  ip: string;
  userAgent: string;
  /** ISO 3166 alpha-2 country from `request.cf.country`, or "XX" when unknown (local dev). */
  country: string;
  referrer: string | undefined;
  bot: boolean;
}

export function clientInfo(request: Request): ClientInfo {
  const userAgent = (request.headers.get("user-agent") ?? "").slice(0, 512);
  let country: string | undefined;
  return {
    ip: request.headers.get("cf-connecting-ip") ?? "0.0.0.0",
    userAgent,
    // Read on first use: the runtime builds `request.cf` (a few dozen fields) when it is first
    // touched, a measurable share of a request's CPU, and only some callers need the country.
    get country() {
      country ??= countryOf(request);
      return country;
    },
    referrer: request.headers.get("referer") ?? undefined,
    // No user agent at all is a script, not a person.
    bot: userAgent === "" || isBot(userAgent),
  };
}

/**
 * The same, from what a caller passes (service-binding RPC, which has no request of the visitor's):
 * the visitor's address and user agent as the calling Worker saw them.
 */
export function clientFrom(visitor: {
  ip?: string;
  userAgent?: string;
  country?: string;
  referrer?: string;
}): ClientInfo {
  const userAgent = (visitor.userAgent ?? "").slice(0, 512);
  return {
    ip: visitor.ip ?? "0.0.0.0",
    userAgent,
    country: visitor.country && /^[A-Z]{2}$/.test(visitor.country) ? visitor.country : "XX",
    referrer: visitor.referrer,
    bot: userAgent === "" || isBot(userAgent),
  };
}

/**
 * `isbot`, remembered per isolate for the last few hundred user agents: its one large regex is a
 * measurable share of a redirect's CPU, and most traffic comes from a handful of browser versions.
 */
const botVerdicts = new Map<string, boolean>();
const MAX_VERDICTS = 256;

function isBot(userAgent: string): boolean {
  let verdict = botVerdicts.get(userAgent);
  if (verdict === undefined) {
    verdict = isbot(userAgent);
    if (botVerdicts.size >= MAX_VERDICTS) botVerdicts.clear(); // bounded; a full memo starts over
    botVerdicts.set(userAgent, verdict);
  }
  return verdict;
}

function countryOf(request: Request): string {
  const cf = (request as { cf?: { country?: unknown } }).cf;
  return typeof cf?.country === "string" && /^[A-Z]{2}$/.test(cf.country) ? cf.country : "XX";
}
