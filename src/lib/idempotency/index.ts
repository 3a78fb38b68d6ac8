/** Idempotency keys: the lib API behind the `idempotency()` middleware, for reuse elsewhere. */
export { type BeginOutcome, beginRequest } from "./begin-request.ts";
export { commitResponse, TOMBSTONE_MS } from "./commit-response.ts";
export { extendClaim } from "./extend-claim.ts";
export { fingerprint } from "./fingerprint.ts";
export { idempotencyKeys } from "./keys.ts";
export { MAX_KEY_LENGTH, parseIdempotencyKey } from "./parse-key.ts";
export { releaseRequest } from "./release-request.ts";
export {
  isStorable,
  MAX_STORED_BODY,
  REPLAYED_HEADERS,
  replayableHeaders,
  replayResponse,
  type StoredResponse,
  toBase64,
} from "./stored-response.ts";
