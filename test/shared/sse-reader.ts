/** One parsed server-sent event (or comment), as EventSource would see it. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  retry?: number;
  comment?: string;
}

/**
 * Reads a `text/event-stream` body with the SSE parsing rules: fields until a blank line, `data`
 * lines joined by LF, comments kept apart (for the keepalive tests). Plain web streams only, so
 * the worker tests (workerd) and the benches (Node) read streams the same way.
 */
export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  /** The last `retry:` the server sent. */
  retry: number | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #waiters: (() => void)[] = [];
  #onEvent: ((event: SseEvent) => void) | undefined;
  /** Settles when the stream has ended (or was cancelled or aborted). */
  readonly done: Promise<void>;

  /** `onEvent` sees each event as it is parsed (for timing arrivals without polling). */
  constructor(body: ReadableStream<Uint8Array>, onEvent?: (event: SseEvent) => void) {
    this.#reader = body.getReader();
    this.#onEvent = onEvent;
    this.done = this.#pump();
  }

  async #pump() {
    const decoder = new TextDecoder();
    let buffer = "";
    let current: { id?: string; event?: string; data?: string[] } = {};
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let eol = buffer.indexOf("\n");
        while (eol !== -1) {
          const line = buffer.slice(0, eol);
          buffer = buffer.slice(eol + 1);
          if (line === "") {
            if (current.data !== undefined) {
              const event = {
                ...current,
                event: current.event ?? "message",
                data: current.data.join("\n"),
              } as SseEvent;
              this.events.push(event);
              this.#onEvent?.(event);
            }
            current = {};
          } else if (line.startsWith(":")) {
            this.comments.push(line.slice(1).trim());
          } else {
            const colon = line.indexOf(":");
            const field = colon === -1 ? line : line.slice(0, colon);
            const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "data") current.data = [...(current.data ?? []), value];
            else if (field === "id") current.id = value;
            else if (field === "event") current.event = value;
            else if (field === "retry") this.retry = Number(value);
          }
          this.#wake();
          eol = buffer.indexOf("\n");
        }
      }
    } catch {
      // cancelled
    }
    this.ended = true;
    this.#wake();
  }

  #wake() {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Waits until `test` holds (checked after every line), or throws after `timeoutMs`. */
  async until(test: () => boolean, timeoutMs = 15_000, what = "the condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (this.ended) throw new Error(`stream ended before ${what}; events: ${JSON.stringify(this.events.slice(-5))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The channel events (not ready/gap/reconnect), parsed. */
  payloads(): { event: string; sseId?: string; channel: string; id: string; data: unknown }[] {
    return this.events
      .filter((e) => !["ready", "gap", "reconnect", "error"].includes(e.event))
      .map((e) => ({
        event: e.event,
        sseId: e.id,
        ...(JSON.parse(e.data) as { channel: string; id: string; data: unknown }),
      }));
  }

  /** Waits for `n` channel events. */
  async waitForPayloads(n: number, timeoutMs = 15_000) {
    await this.until(() => this.payloads().length >= n, timeoutMs, `${n} events`);
    return this.payloads();
  }

  /** Waits for an event of this name. */
  async waitFor(event: string, timeoutMs = 15_000): Promise<SseEvent> {
    await this.until(() => this.events.some((e) => e.event === event), timeoutMs, `a ${event} event`);
    return this.events.find((e) => e.event === event) as SseEvent;
  }

  /** The client going away (what a closed tab does to the response body). */
  async close() {
    await this.#reader.cancel().catch(() => {});
  }
}
