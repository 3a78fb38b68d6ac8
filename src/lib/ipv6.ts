/**
 * The eight 16-bit groups of an IPv6 address in colon-hex form (any case, `::` compression; no
 * embedded dotted IPv4: the URL parser has already written that as hex), or undefined if it is
 * not one. For the rate limiter's /64 identifiers and the links' loopback check.
 */
export function ipv6Groups(address: string): number[] | undefined {
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => Number.parseInt(group, 16));
}
