/**
 * API key secrets, in a form secret scanners can match (like GitHub's `ghp_` tokens):
 *
 *   ek_<44 base62: 32 random bytes><6 base62: CRC-32 of those 44 characters>     53 characters
 *
 * The checksum lets a scanner (and this Worker, before asking Redis) tell a real key from a typo
 * or a random string without any lookup. Redis keeps only SHA-256(secret), hex.
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const KEY_PREFIX = "ek_";
const BODY = 44;
const CHECKSUM = 6;
const TOKEN = new RegExp(`^${KEY_PREFIX}([0-9A-Za-z]{${BODY}})([0-9A-Za-z]{${CHECKSUM}})$`);

/** `bytes` as a big-endian number in base62, left-padded with "0" to `width`. */
function base62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, "0");
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(body: string): string {
  const crc = crc32(body);
  return base62(new Uint8Array([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]), CHECKSUM);
}

/** A new secret: 256 random bits and their checksum. */
export function newKeySecret(): string {
  const body = base62(crypto.getRandomValues(new Uint8Array(32)), BODY);
  return `${KEY_PREFIX}${body}${checksum(body)}`;
}

/** True for a string shaped like a key whose checksum holds (no Redis asked). */
export function isKeySecret(text: string): boolean {
  const match = TOKEN.exec(text);
  return Boolean(match?.[1] && match[2] === checksum(match[1]));
}

/** A key's public id: `key_` and 11 base62 characters (64 random bits). */
export function newKeyId(): string {
  return `key_${base62(crypto.getRandomValues(new Uint8Array(8)), 11)}`;
}

export const KEY_ID = /^key_[0-9A-Za-z]{11}$/;

/** SHA-256 of a secret, hex: what Redis stores and looks a key up by. */
export async function secretHash(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
