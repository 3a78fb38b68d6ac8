import { hashId } from "../cache/keys.ts";
import { commitEntry, type Lookup, releaseLease, type StoredEntry } from "../cache/store.ts";
import { AppError } from "../errors.ts";
import { readUpTo } from "../read-up-to.ts";
import { entryTags } from "./cache-key.ts";
import type { RouteCache } from "./config.ts";
import { decodeBody, encodeBody, encodeMeta, type StoredResponse } from "./entry.ts";
import { clientHeaders, fetchOrigin, originRequest, originTags } from "./forward.ts";
import { gatewayKeys } from "./namespace.ts";
import { failed, passResponse } from "./pass.ts";
import { markPass } from "./pass-marker.ts";
import { cacheStatus, storeDecision, varyNames, varyValues } from "./policy.ts";
import { fromStore, mergeNotModified, storedHeader } from "./respond.ts";
import type { GatewayRequest } from "./serve.ts";
import { count } from "./stats.ts";
import { remember } from "./vary-memo.ts";

interface Filled {
  response: Response;
  /** The origin failed with this response (the lease was given back with a backoff). */
  failed?: Response;
}

/**
 * The lease holder's fill: a GET to the origin (conditional when an entry with validators is
 * kept), then the commit under the lease. A 304 refreshes the metadata only.
 */
export async function fill(
  g: GatewayRequest,
  options: RouteCache,
  lookup: Lookup,
  entry: StoredEntry | undefined,
  meta: StoredResponse | undefined,
  background: boolean,
  authorized: boolean,
): Promise<Filled> {
  const { route, redis } = g;
  const keys = gatewayKeys(g.prefix);
  const conditional = meta
    ? { etag: storedHeader(meta, "etag"), lastModified: storedHeader(meta, "last-modified") }
    : {};
  const giveBack = (backoff: number) =>
    releaseLease(redis, keys, lookup.id, lookup.token, g.now(), backoff).catch(() => false);
  const started = g.now();
  let response: Response;
  try {
    const request = originRequest({
      request: g.request,
      url: g.url,
      route,
      clientIp: g.clientIp,
      method: "GET",
      conditional,
      withoutBody: true,
    });
    response = await fetchOrigin(request, route);
  } catch (error) {
    count(route.name, "originErrors");
    await giveBack(error instanceof AppError && error.code === "payload_too_large" ? 0 : options.errorBackoffMs);
    throw error;
  }
  const arrived = g.now();
  const upstreamStatus = response.headers.get("cache-status");
  const status = (params: Parameters<typeof cacheStatus>[0]) => cacheStatus(params, upstreamStatus);
  if (failed(response.status)) {
    count(route.name, "originErrors");
    await giveBack(options.errorBackoffMs);
    return {
      response: passResponse(g.request, response, status({ fwd: "miss", fwdStatus: response.status })),
      failed: response,
    };
  }
  if (response.status === 304 && meta && entry) {
    const merged = mergeNotModified(meta.headers, response.headers);
    const decision = storeDecision(
      new Response(null, { status: meta.status, headers: merged }),
      options,
      authorized,
      arrived,
    );
    const body = await decodeBody(entry.value, meta.gzip);
    const refreshed: StoredResponse = { ...meta, headers: merged, storedAt: arrived, initialAge: decision.initialAge };
    let stored = false;
    if (decision.store) {
      const outcome = await commitEntry(
        redis,
        keys,
        lookup.id,
        lookup,
        {
          ...windows(decision, arrived, true),
          value: "",
          keepValue: true,
          meta: encodeMeta(refreshed),
          duration: arrived - started,
          vary: varyNames(merged.find(([name]) => name === "vary")?.[1] ?? null),
          tags: entry.tags,
          tagIds: await Promise.all(entryTags(g.url, entry.tags).map(hashId)),
        },
        arrived,
      ).catch(() => ({ stored: false }));
      stored = outcome.stored;
      count(route.name, stored ? "fills" : "fencedFills");
    } else {
      await giveBack(0);
    }
    return {
      response: fromStore(g.request, refreshed, body, arrived, {
        fwd: "stale",
        fwdStatus: 304,
        ...(stored ? { stored: true } : {}),
      }),
    };
  }
  const decision = storeDecision(response, options, authorized, arrived);
  const declared = Number.parseInt(response.headers.get("content-length") ?? "", 10);
  const reason = decision.store ? (declared > options.maxEntryBytes ? "too-large" : undefined) : decision.reason;
  if (reason) {
    await (reason === "authorization" ? giveBack(0) : markPass(g, lookup, reason, arrived));
    if (!background) count(route.name, "misses");
    return {
      response: passResponse(g.request, response, status({ fwd: "miss", fwdStatus: response.status, detail: reason })),
    };
  }
  const read = await readUpTo(response.body, options.maxEntryBytes);
  if (!read.body) {
    // Larger than the limit (the length was not declared): served from the same origin request.
    await giveBack(0);
    if (!background) count(route.name, "misses");
    const over = new Response(read.overflow, { status: response.status, headers: response.headers });
    return {
      response: passResponse(g.request, over, status({ fwd: "miss", fwdStatus: response.status, detail: "too-large" })),
    };
  }
  const body = read.body;
  const headers = clientHeaders(response.headers);
  headers.delete("cache-status");
  headers.delete("age");
  headers.delete("content-length");
  if (options.stripSetCookie) headers.delete("set-cookie");
  const tags = originTags(response.headers);
  const vary = varyNames(response.headers.get("vary"));
  const meta2: StoredResponse = {
    status: response.status,
    headers: [...headers],
    storedAt: arrived,
    initialAge: decision.initialAge,
    shareable: decision.shareable,
    gzip: body.byteLength > options.compressAbove,
  };
  // With Vary, the entry goes under the variant's id; the URL's own id keeps a marker.
  const baseId = g.baseId ?? lookup.id;
  const target = vary ? await hashId(`${baseId}\n${vary}\n${varyValues(g.request, vary)}`) : baseId;
  remember(baseId, vary);
  const outcome = await commitEntry(
    redis,
    keys,
    target,
    lookup,
    {
      ...windows(decision, arrived, headers.has("etag") || headers.has("last-modified")),
      value: await encodeBody(body, meta2.gzip),
      meta: encodeMeta(meta2),
      duration: arrived - started,
      vary,
      ...(vary ? { markerId: baseId } : {}),
      tags,
      tagIds: await Promise.all(entryTags(g.url, tags).map(hashId)),
    },
    arrived,
  ).catch(() => ({ stored: false as const, fenced: "lease" as const }));
  count(route.name, outcome.stored ? "fills" : "fencedFills");
  if (!background) count(route.name, "misses");
  // The client that caused the fill gets the origin's answer as it came (Set-Cookie included).
  const clientSide = clientHeaders(response.headers);
  clientSide.delete("content-length");
  clientSide.set(
    "cache-status",
    status({
      fwd: entry ? "stale" : "miss",
      fwdStatus: response.status,
      ...(outcome.stored ? { stored: true } : { detail: "fenced" }),
    }),
  );
  return {
    response: new Response(
      g.request.method === "HEAD" || [204, 304].includes(response.status) ? null : (body as BodyInit),
      {
        status: response.status,
        headers: clientSide,
      },
    ),
  };
}

/** The commit's absolute windows from a decision (ms). Kept longer when it can be revalidated. */
function windows(decision: ReturnType<typeof storeDecision>, now: number, validators: boolean) {
  const freshUntil = now + Math.max(0, decision.lifetime - decision.initialAge * 1000);
  const swrUntil = freshUntil + decision.swr;
  const sieUntil = Math.max(swrUntil, freshUntil + decision.sie);
  // Kept past its windows for conditional revalidation: as long again as it was fresh, at least a minute.
  const keptUntil = validators ? Math.max(sieUntil, freshUntil + Math.max(60_000, decision.lifetime)) : sieUntil;
  return { freshUntil, swrUntil, sieUntil, keptUntil };
}
