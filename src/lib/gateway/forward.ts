import { AppError } from "../errors.ts";
import type { GatewayRoute } from "./config.ts";

/** Hop-by-hop fields (RFC 9110 7.6.1), never forwarded either way. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];
/** Fields the gateway sets itself from what it knows, never from the client. */
const REPLACED = ["host", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"];
/** Origin fields for the cache only, stripped before the client sees them. */
export const CACHE_ONLY = ["cache-tag", "surrogate-key", "surrogate-control"];

function dropHopByHop(headers: Headers): void {
  const listed = headers.get("connection");
  for (const name of HOP_BY_HOP) headers.delete(name);
  if (listed) for (const name of listed.split(",")) headers.delete(name.trim());
}

/** The origin URL for a request URL: the origin's path prefix, then the request's path and query. */
export function originUrl(route: GatewayRoute, url: URL): string {
  return `${route.origin}${url.pathname}${url.search}`;
}

export interface ForwardInput {
  request: Request;
  url: URL;
  route: GatewayRoute;
  /** CF-Connecting-IP (the only client address trusted), if any. */
  clientIp: string | undefined;
  /** Override the method (a HEAD filled as a GET) and add conditional headers. */
  method?: string;
  conditional?: { etag?: string; lastModified?: string };
  /** Forward no body (cache fills). */
  withoutBody?: boolean;
}

/**
 * The request to send to the origin: same method, path, query and headers, minus hop-by-hop;
 * `Forwarded` and `X-Forwarded-*` set from what the Worker saw (a client's X-Forwarded-For is
 * dropped, never extended); the body streamed, refused past the route's limit.
 */
export function originRequest(input: ForwardInput): Request {
  const { request, url, route } = input;
  const headers = new Headers(request.headers);
  dropHopByHop(headers);
  for (const name of REPLACED) headers.delete(name);
  const proto = url.protocol.replace(":", "");
  const ip = input.clientIp;
  const forwardedFor = ip ? (ip.includes(":") ? `"[${ip}]"` : ip) : "unknown";
  headers.set("forwarded", `for=${forwardedFor};host="${url.host}";proto=${proto}`);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", proto);
  if (ip) {
    headers.set("x-forwarded-for", ip);
    headers.set("cf-connecting-ip", ip);
  }
  if (input.conditional) {
    headers.delete("if-none-match");
    headers.delete("if-modified-since");
    if (input.conditional.etag) headers.set("if-none-match", input.conditional.etag);
    else if (input.conditional.lastModified) headers.set("if-modified-since", input.conditional.lastModified);
  }
  const method = input.method ?? request.method;
  let body: ReadableStream<Uint8Array> | null = null;
  if (!input.withoutBody && request.body && method !== "GET" && method !== "HEAD") {
    const declared = Number.parseInt(request.headers.get("content-length") ?? "", 10);
    if (declared > route.maxBodyBytes) throw tooLarge(route);
    const limited = limitStream(route.maxBodyBytes);
    // pipeTo, not pipeThrough: a body cut at the limit must not surface as an unhandled rejection.
    request.body.pipeTo(limited.stream.writable).catch(() => {});
    body = limited.stream.readable;
    const sent = new Request(originUrl(route, url), { method, headers, body, redirect: "manual" });
    overLimit.set(sent, limited.over);
    return sent;
  }
  // A fill asks for the whole representation: a client's Range would bring back a 206 to store.
  if (input.withoutBody) {
    headers.delete("range");
    headers.delete("if-range");
  }
  if (input.withoutBody || method === "GET" || method === "HEAD") {
    headers.delete("content-length");
    headers.delete("content-type");
  }
  return new Request(originUrl(route, url), { method, headers, body, redirect: "manual" });
}

const tooLarge = (route: GatewayRoute) =>
  new AppError("payload_too_large", `The body is over this route's limit of ${route.maxBodyBytes} bytes.`);

/** For a streamed body: whether it went over the limit (the origin may answer before noticing). */
const overLimit = new WeakMap<Request, () => boolean>();

function limitStream(max: number) {
  let size = 0;
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > max) controller.error(new Error(`request body over ${max} bytes`));
      else controller.enqueue(chunk);
    },
  });
  return { stream, over: () => size > max };
}

/**
 * Fetches from the origin with the route's timeout (until the response headers; a cache fill
 * also bounds reading the body with `signal`). Timeout: a 504 problem; unreachable: a 502.
 */
export async function fetchOrigin(request: Request, route: GatewayRoute, signal?: AbortSignal): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("origin timeout", "TimeoutError")), route.timeoutMs);
  const abort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", abort);
  try {
    const response = await fetch(request, { signal: controller.signal, redirect: "manual" });
    if (overLimit.get(request)?.()) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge(route);
    }
    return response;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (overLimit.get(request)?.()) throw tooLarge(route);
    if (controller.signal.aborted && !signal?.aborted) {
      throw new AppError("gateway_timeout", `The origin did not answer within ${route.timeoutMs} ms.`, {
        cause: error,
      });
    }
    if (error instanceof Error && /body over/.test(String(error.message))) throw tooLarge(route);
    throw new AppError("bad_gateway", "The origin could not be reached.", { cause: error });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
  }
}

/** The origin's response as the client gets it: hop-by-hop and cache-only fields removed. */
export function clientHeaders(source: Headers): Headers {
  const headers = new Headers(source);
  dropHopByHop(headers);
  for (const name of CACHE_ONLY) headers.delete(name);
  return headers;
}

/** The origin's tags: Cache-Tag (comma-separated) and Surrogate-Key (space-separated), at most 64. */
export function originTags(headers: Headers): string[] {
  const tags = [...(headers.get("cache-tag") ?? "").split(","), ...(headers.get("surrogate-key") ?? "").split(/\s+/)]
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0 && tag.length <= 256);
  return [...new Set(tags)].slice(0, 64);
}
