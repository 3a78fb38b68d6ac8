import { AppError } from "../errors.ts";

/** The longest key accepted, in characters (Stripe's limit). */
export const MAX_KEY_LENGTH = 255;

const BARE = /^[!#$%&'*+.^_`|~0-9A-Za-z:/-]+$/;

const invalid = (detail: string) =>
  new AppError(
    "idempotency_key_invalid",
    `${detail} Send one key of 1 to ${MAX_KEY_LENGTH} printable characters, as a Structured-Field string ("…") or a bare token, e.g. Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324".`,
  );

/**
 * The key an `Idempotency-Key` header carries: an RFC 8941 sf-string (`"..."`, with `\"` and
 * `\\` escapes) or, as many clients send it, a bare token (`8e03978e-...`, no comma, no space).
 * Two keys (a repeated header arrives joined by a comma), parameters, an empty or over-long key,
 * or a character outside printable ASCII: a 400 problem.
 *
 * @example
 * parseIdempotencyKey('"a\\"b"') // 'a"b'
 * parseIdempotencyKey("8e03978e-40d5") // "8e03978e-40d5"
 */
export function parseIdempotencyKey(header: string): string {
  const value = header.trim();
  let key: string;
  if (value.startsWith('"')) {
    key = "";
    let i = 1;
    for (; i < value.length; i++) {
      const char = value.charCodeAt(i);
      if (char === 0x5c) {
        const next = value[i + 1];
        if (next !== '"' && next !== "\\") throw invalid("The key has a backslash that escapes nothing.");
        key += next;
        i++;
      } else if (char === 0x22) {
        break;
      } else if (char < 0x20 || char > 0x7e) {
        throw invalid("The key holds a character outside printable ASCII.");
      } else {
        key += value[i];
      }
    }
    if (i >= value.length) throw invalid("The key's string is not closed.");
    if (value.slice(i + 1).trim() !== "") {
      throw invalid(
        value.slice(i + 1).includes(",") ? "The request carries more than one key." : "The key has trailing text.",
      );
    }
  } else {
    if (value.includes(",")) throw invalid("The request carries more than one key.");
    if (!BARE.test(value)) throw invalid("The key is neither a quoted string nor a bare token.");
    key = value;
  }
  if (key.length === 0) throw invalid("The key is empty.");
  if (key.length > MAX_KEY_LENGTH) throw invalid(`The key is ${key.length} characters long.`);
  return key;
}
