/**
 * Server-sent events, both ways: `frame` writes one event, `SseParser` reads the upstream stream
 * (Upstash's REST subscribe, or the local proxy's) into the data of each event.
 */

/** One SSE event. A data value with line ends becomes several `data:` lines (SSE's own rule). */
export function frame(fields: { id?: string; event?: string; data: string; retry?: number }): string {
  let text = "";
  if (fields.retry !== undefined) text += `retry: ${fields.retry}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  if (fields.event !== undefined) text += `event: ${fields.event}\n`;
  return `${text}data: ${fields.data.replace(/\r\n|\r|\n/g, "\ndata: ")}\n\n`;
}

/** A comment line: ignored by EventSource, keeps intermediaries from closing an idle stream. */
export const comment = (text: string) => `: ${text}\n\n`;

/** Splits an SSE byte stream into events' data (comments and other fields ignored). */
export class SseParser {
  #decoder = new TextDecoder();
  #buffer = "";
  #data: string[] = [];

  /** Feeds a chunk; returns the data of every event it completed. */
  push(chunk: Uint8Array): string[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const done: string[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      // A CR at the very end may be the first half of a CRLF still on its way.
      if (!match || (match[0] === "\r" && match.index === this.#buffer.length - 1)) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      if (line === "") {
        if (this.#data.length > 0) done.push(this.#data.join("\n"));
        this.#data = [];
      } else if (line.startsWith("data:")) {
        this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
    }
    return done;
  }
}
