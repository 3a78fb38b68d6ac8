/**
 * Dashboard passwords: PBKDF2-SHA256 through WebCrypto, 16 random bytes of salt, 32 bytes out,
 * stored as `pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>`. workerd refuses more than
 * 100,000 iterations, so that is the default (PASSWORD_ITERATIONS); a stored hash keeps its own
 * count, so raising it later leaves old passwords valid.
 */
const encoder = new TextEncoder();
const FORMAT = /^pbkdf2-sha256\$(\d{4,6})\$([A-Za-z0-9+/=]{24})\$([A-Za-z0-9+/=]{44})$/;

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2-sha256$${iterations}$${toBase64(salt)}$${toBase64(await derive(password, salt, iterations))}`;
}

/** Equal-length byte arrays compared without an early exit. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * True when `password` matches `stored`. With no stored hash (an unknown user) the same work is
 * done against a throwaway salt, so the answer takes as long whether the user exists or not.
 */
export async function verifyPassword(
  password: string,
  stored: string | undefined,
  iterations: number,
): Promise<boolean> {
  const match = stored ? FORMAT.exec(stored) : null;
  if (!match?.[1] || !match[2] || !match[3]) {
    await derive(password, new Uint8Array(16), iterations);
    return false;
  }
  const actual = await derive(password, fromBase64(match[2]), Number(match[1]));
  return sameBytes(actual, fromBase64(match[3]));
}
