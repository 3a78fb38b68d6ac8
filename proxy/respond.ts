import type { ServerResponse } from "node:http";

/**
 * Writes a JSON reply with the read-your-writes token @upstash/redis sends back on its next
 * request. One Redis server is always consistent with itself, so any token works; it is the
 * proxy's command count, which only grows.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  syncToken: number,
  extra?: Record<string, string>,
): void {
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "upstash-sync-token": String(syncToken),
  };
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(body);
}

export function errorBody(message: string): string {
  return JSON.stringify({ error: message });
}
