/**
 * Where a webhook may be sent. Checked on the URL as written, without resolving anything:
 * literal private, loopback, link-local and other non-public addresses and obvious local names
 * are refused. A public name that resolves to a private address (DNS rebinding) is not caught:
 * a Worker cannot resolve names itself, and its fetch() does not reach private networks anyway.
 */
export interface TargetPolicy {
  /** JOBS_ALLOW_PRIVATE_TARGETS: tests and local development deliver to 127.0.0.1. */
  allowPrivate: boolean;
  /** Our own hosts, with the port when not the default (the request's, PUBLIC_URL's): a webhook to ourselves is a loop. */
  ownHosts: string[];
}

const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/i;

function ipv4Private(host: string): boolean {
  const parts = host.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return false;
  const [a, b] = parts as [number, number, number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function ipv6Private(host: string): boolean {
  const ip = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (ip === "::" || ip === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return ipv4Private(mapped[1]);
  // The URL parser writes a mapped IPv4 address in hex: ::ffff:7f00:1.
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (hexMapped?.[1] && hexMapped[2]) {
    const high = Number.parseInt(hexMapped[1], 16);
    const low = Number.parseInt(hexMapped[2], 16);
    return ipv4Private(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return /^(f[cd]|fe[89ab]|ff)/.test(ip);
}

/** The problem with a target URL, or undefined when it may be called. */
export function targetProblem(target: string, policy: TargetPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not carry credentials; put them in headers";
  const host = url.hostname.toLowerCase();
  if (policy.ownHosts.some((own) => own.toLowerCase() === url.host.toLowerCase())) {
    return "must not point at this service itself";
  }
  if (policy.allowPrivate) return undefined;
  if (host.startsWith("[") ? ipv6Private(host) : ipv4Private(host) || LOCAL_NAME.test(host) || !host.includes(".")) {
    return "must be a public address (private, loopback and local names are refused; JOBS_ALLOW_PRIVATE_TARGETS=true allows them)";
  }
  return undefined;
}

/** The unit of flow control and disabling: scheme, host and port. */
export const endpointOf = (target: string): string => new URL(target).origin;
