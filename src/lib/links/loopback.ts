import { ipv6Groups } from "../ipv6.ts";

/**
 * True for a host that names this machine however it is written: `localhost` and `*.localhost`,
 * 127.0.0.0/8 and 0.0.0.0 (the URL parser has already turned `0x7f.1` or `2130706433` into
 * dotted form), `::1`, `::`, and IPv4 loopback inside IPv6 (`::ffff:127.0.0.1`,
 * `::127.0.0.1`, NAT64 `64:ff9b::127.0.0.1`). `hostname` is a parsed URL's `hostname`.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (/^127\.\d+\.\d+\.\d+$/.test(host) || host === "0.0.0.0") return true;
  if (!host.startsWith("[")) return false;
  const groups = ipv6Groups(host.slice(1, -1));
  if (!groups) return false;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = groups;
  if (a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && f === 0 && g === 0) return h <= 1; // :: and ::1
  const mapped = a === 0 && b === 0 && c === 0 && d === 0 && e === 0 && (f === 0 || f === 0xffff);
  const nat64 = a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0;
  return (mapped || nat64) && g >> 8 === 0x7f; // an embedded 127.0.0.0/8 address
}
