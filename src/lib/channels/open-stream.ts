import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { compareIds, encodePosition } from "./ids.ts";
import { channelKey } from "./keys.ts";
import { type ChannelEvent, replayChannel } from "./replay.ts";
import type { ChannelConfig } from "./settings.ts";
import { comment, frame, SseParser } from "./sse.ts";

/** Where the upstream subscription goes: the Upstash REST endpoint (or the local proxy). */
export interface Upstream {
  url: string;
  token: string;
  fetch?: typeof fetch;
}

export interface StreamInput {
  /** Distinct, validated channels the principal may read. */
  channels: string[];
  /**
   * Where the client left off, per channel (Last-Event-ID or `?last=`): missing channels start
   * now; "invalid" (an id this stream never wrote) sends a gap for every channel.
   */
  resume?: Map<string, string> | "invalid";
  /** Overrides for tests: the stream's lifetime, keepalive period, the client's retry delay. */
  maxDurationMs?: number;
  keepAliveMs?: number;
  retryMs?: number;
}

/** Most events one reconnect replays per channel; beyond that the client gets a gap. */
const REPLAY_LIMIT = 1000;
/** How long the upstream may take to confirm every SUBSCRIBE. */
const SUBSCRIBE_TIMEOUT_MS = 10_000;
/** Frames queued for a client that stopped reading, before the stream gives up on it. */
const MAX_QUEUED = 1000;

interface LiveMessage {
  channel: string;
  id: string;
  event: string;
  data: unknown;
}

/**
 * Opens the SSE stream of one browser connection over several channels.
 *
 * - ONE upstream subscription (`/subscribe/a/b/c`) for all its channels: a Worker invocation has
 *   six outgoing connections, and each client takes exactly one.
 * - Lossless resume: it subscribes first and buffers live messages, then reads each channel's
 *   history after the client's id (one /pipeline for all channels), writes it, then the buffered
 *   messages with ids above what was replayed; an id older than the history gives a `gap` event.
 * - Keepalives are SSE comments written here: no Redis command.
 * - It ends by itself after `maxDurationMs` (± 10 %) with a `reconnect` event; the `retry:` hint
 *   sent first makes EventSource come back with Last-Event-ID at once, and resume is lossless.
 * - workerd never fires the request's abort signal on disconnect (workerd #4185), so a failed or
 *   cancelled write is the disconnect signal: it aborts the upstream subscription and the timers.
 *   The keepalive writes bound how long an abandoned stream goes unnoticed, the lifetime bounds it
 *   regardless.
 *
 * Answers once the upstream accepted the subscription, so an unreachable Redis is a 503 problem,
 * not a stream that dies.
 */
export async function openChannelStream(
  redis: RedisClient,
  config: ChannelConfig,
  upstream: Upstream,
  input: StreamInput,
): Promise<ReadableStream<Uint8Array>> {
  const channels = input.channels;
  const topics = new Map(channels.map((channel) => [channelKey(config, channel), channel]));
  const abort = new AbortController();
  const path = [...topics.keys()].map(encodeURIComponent).join("/");
  let res: Response;
  try {
    res = await (upstream.fetch ?? fetch)(`${upstream.url}/subscribe/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${upstream.token}`, accept: "text/event-stream" },
      signal: abort.signal,
    });
  } catch (error) {
    throw unavailable(error);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw unavailable(new Error(`subscribe answered ${res.status}`));
  }
  const source = res.body.getReader();

  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const positions = new Map<string, string>();
  const buffered: LiveMessage[] = [];
  let replayed = false;
  let closed = false;
  const retryMs = input.retryMs ?? 1000;
  const lifetime = input.maxDurationMs ?? config.CHANNELS_STREAM_SECONDS * 1000;
  const keepAlive = setInterval(
    () => send(comment("keepalive")),
    input.keepAliveMs ?? config.CHANNELS_KEEPALIVE_SECONDS * 1000,
  );
  const end = setTimeout(() => finish(true), lifetime * (0.9 + Math.random() * 0.2));

  const send = (text: string) => {
    if (closed) return;
    if ((writer.desiredSize ?? 0) < -MAX_QUEUED) return finish(false);
    writer.write(encoder.encode(text)).catch(() => finish(false));
  };
  const position = () => encodePosition(channels, positions);
  const deliver = (message: LiveMessage) => {
    const seen = positions.get(message.channel);
    if (seen !== undefined && compareIds(message.id, seen) <= 0) return;
    positions.set(message.channel, message.id);
    send(
      frame({
        id: position(),
        event: message.event,
        data: JSON.stringify({ channel: message.channel, id: message.id, data: message.data }),
      }),
    );
  };
  function finish(rotate: boolean) {
    if (closed) return;
    if (rotate) send(frame({ event: "reconnect", data: JSON.stringify({ retryMs }) }));
    closed = true;
    clearInterval(keepAlive);
    clearTimeout(end);
    abort.abort();
    source.cancel().catch(() => {});
    writer.close().catch(() => {});
  }
  // The client went away (the response body was cancelled): the disconnect signal workerd gives.
  writer.closed.catch(() => finish(false));

  let confirm: () => void = () => {};
  const subscribed = new Promise<void>((resolve) => {
    confirm = resolve;
  });
  const confirmed = new Set<string>();
  const onData = (data: string) => {
    const [kind = "", rest = ""] = splitOnce(data);
    if (kind === "subscribe") {
      confirmed.add(splitOnce(rest)[0]);
      if (confirmed.size >= topics.size) confirm();
    } else if (kind === "message") {
      const [topic, payload] = splitOnce(rest);
      const channel = topics.get(topic);
      const message = channel === undefined ? undefined : parseMessage(channel, payload);
      if (!message) return;
      if (replayed) deliver(message);
      else buffered.push(message);
    } else if (kind === "error") {
      finish(false);
    }
  };
  const pumpUpstream = async () => {
    const parser = new SseParser();
    try {
      for (;;) {
        const { done, value } = await source.read();
        if (done) break;
        for (const data of parser.push(value)) onData(data);
      }
    } catch {
      // Aborted by finish(), or the upstream failed: either way the stream ends below.
    }
    finish(!closed);
  };

  const start = async () => {
    send(`retry: ${retryMs}\n\n`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), SUBSCRIBE_TIMEOUT_MS);
    });
    const outcome = await Promise.race([subscribed, timedOut]);
    if (timer !== undefined) clearTimeout(timer);
    if (outcome === "timeout" || closed) return finish(false);
    const resume = input.resume;
    const replays = await Promise.all(
      channels.map((channel) => {
        const after = resume === "invalid" ? "" : (resume?.get(channel) ?? "");
        return replayChannel(redis, config, { channel, after, limit: REPLAY_LIMIT });
      }),
    ).catch(() => undefined);
    if (!replays || closed) {
      send(frame({ event: "error", data: JSON.stringify({ error: "history unavailable" }) }));
      return finish(false);
    }
    const gaps: string[] = [];
    const missed: ChannelEvent[][] = [];
    channels.forEach((channel, i) => {
      const replay = replays[i] ?? { gap: true, newest: "0-0", events: [] };
      const gap = resume === "invalid" || replay.gap;
      if (gap) gaps.push(channel);
      positions.set(channel, replay.newest);
      missed.push(gap ? [] : replay.events);
      // Replayed events are written from the client's position up; `newest` only bounds live ones.
      if (!gap && replay.events.length > 0 && resume instanceof Map) {
        positions.set(channel, resume.get(channel) ?? replay.newest);
      }
    });
    send(frame({ id: position(), event: "ready", data: JSON.stringify({ channels, gaps }) }));
    if (gaps.length > 0) send(frame({ id: position(), event: "gap", data: JSON.stringify({ channels: gaps }) }));
    channels.forEach((channel, i) => {
      for (const event of missed[i] ?? []) deliver({ channel, ...event });
    });
    // Synchronously with the flag: nothing can arrive between the flush and live delivery.
    for (const message of buffered.splice(0)) deliver(message);
    replayed = true;
  };

  void pumpUpstream();
  void start().catch(() => finish(false));
  return readable;
}

/** "kind,rest" at the first comma. */
function splitOnce(text: string): [string, string] {
  const comma = text.indexOf(",");
  return comma === -1 ? [text, ""] : [text.slice(0, comma), text.slice(comma + 1)];
}

function parseMessage(channel: string, payload: string): LiveMessage | undefined {
  try {
    const parsed = JSON.parse(payload) as { id?: unknown; event?: unknown; data?: unknown };
    if (typeof parsed.id !== "string" || typeof parsed.event !== "string") return undefined;
    return { channel, id: parsed.id, event: parsed.event, data: parsed.data ?? null };
  } catch {
    return undefined;
  }
}

function unavailable(cause: unknown): AppError {
  return new AppError("redis_unavailable", "The event stream is temporarily unavailable. Try again shortly.", {
    headers: { "retry-after": "2" },
    cause,
  });
}
