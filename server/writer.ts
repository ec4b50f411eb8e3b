/**
 * One writer per connection: every frame goes through a queue, so frames never
 * interleave, backpressure is honoured (`drain`), and faults that act on the
 * bytes (line endings, tiny chunks, a cut mid-event) live in one place.
 */
import type { ServerResponse } from 'node:http';

/** How frames are put on the wire. */
export interface WireStyle {
  /** Line ending: the spec allows LF, CR and CRLF. */
  eol: 'lf' | 'cr' | 'crlf';
  /**
   * `none`: one write per frame; `bytes`: one write per byte (splits every
   * multi-byte character); `split`: two writes per frame, cut inside a
   * multi-byte character when the frame has one.
   */
  chunking: 'none' | 'bytes' | 'split';
}

const endings = { lf: '\n', cr: '\r', crlf: '\r\n' } as const;

/** Serialises writes to one response. */
export class ConnectionWriter {
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** When set, the next event frame is cut in half and the socket destroyed. */
  cutNextEvent = false;
  /** When set, nothing more is written (the socket stays open). */
  silenced = false;

  constructor(
    readonly response: ServerResponse,
    readonly style: () => WireStyle,
  ) {
    response.on('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues a frame written with LF line endings; they are converted per {@link WireStyle}. */
  send(frame: string, isEvent = false): Promise<void> {
    this.#queue = this.#queue.then(() => this.#write(frame, isEvent)).catch(() => {});
    return this.#queue;
  }

  /** Destroys the socket at once: what a network drop looks like to the client. */
  destroy(): void {
    this.#closed = true;
    this.response.socket?.destroy();
  }

  async #write(frame: string, isEvent: boolean): Promise<void> {
    if (this.#closed || this.silenced) return;
    const style = this.style();
    const text = style.eol === 'lf' ? frame : frame.replace(/\n/g, endings[style.eol]);
    const bytes = Buffer.from(text, 'utf8');
    if (isEvent && this.cutNextEvent) {
      this.cutNextEvent = false;
      await this.#put(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      // Let the half reach the client before the cut.
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.destroy();
      return;
    }
    if (style.chunking === 'none') return this.#put(bytes);
    for (const piece of pieces(bytes, style.chunking)) {
      if (this.#closed || this.silenced) return;
      await this.#put(piece);
      // A macrotask between writes so each piece leaves as its own TCP segment.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #put(bytes: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.response.write(bytes)) resolve();
      else {
        const done = () => {
          this.response.off('drain', done);
          this.response.off('close', done);
          resolve();
        };
        this.response.on('drain', done);
        this.response.on('close', done);
      }
    });
  }
}

function* pieces(bytes: Buffer, chunking: 'bytes' | 'split'): Generator<Buffer> {
  if (chunking === 'bytes') {
    for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    return;
  }
  // Cut after the first byte of the first multi-byte character, else in the middle.
  let cut = bytes.findIndex((b) => b >= 0xc0) + 1;
  if (cut <= 0) cut = Math.floor(bytes.length / 2);
  if (cut > 0) yield bytes.subarray(0, cut);
  if (cut < bytes.length) yield bytes.subarray(cut);
}
