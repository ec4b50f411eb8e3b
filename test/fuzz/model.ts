/**
 * A plain model of what a client must do with an event stream, written from
 * the WHATWG HTML text ("Server-sent events", §9.2.6 "Interpreting an event
 * stream" and the processing model) and from API.md for what this library
 * adds (duplicate suppression, the stored cursor, the backoff formula). It is
 * slow and literal on purpose: the fuzzers check the library against it, so
 * it shares no code with src/.
 */

/** What the interpretation of a stream yields, in order. */
export type Dispatch =
  /** A blank line after a `data` field: [spec] "dispatch the event". `id` is the block's last `id:` value, if it had one. */
  | { kind: 'event'; type: string; data: string; id: string | undefined }
  /** A blank line after a block with an `id:` field and no `data`: the last event id changes, nothing fires. */
  | { kind: 'id'; id: string }
  /** A `retry:` field whose value is only ASCII digits. */
  | { kind: 'retry'; ms: number };

/**
 * [spec] Interprets decoded text (the BOM already stripped), line by line, and
 * returns what it dispatches. The unfinished block at the end ("Once the end
 * of the file is reached, any pending data must be discarded") and an
 * unfinished last line yield nothing.
 */
export function interpret(text: string): Dispatch[] {
  const out: Dispatch[] = [];
  let data: string[] | undefined;
  let type = '';
  let id: string | undefined;
  let line = '';
  const dispatch = () => {
    // [spec] "If the data buffer is an empty string, set the data buffer and
    // the event type buffer to the empty string and return." (An id-only block
    // still sets the last event ID string: step 1, before this one.)
    if (data !== undefined)
      out.push({ kind: 'event', type: type === '' ? 'message' : type, data: data.join('\n'), id });
    else if (id !== undefined) out.push({ kind: 'id', id });
    data = undefined;
    type = '';
    id = undefined;
  };
  const processLine = (l: string) => {
    if (l === '') return dispatch();
    if (l.startsWith(':')) return;
    const colon = l.indexOf(':');
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') type = value;
    else if (field === 'data') (data ??= []).push(value);
    else if (field === 'id') {
      if (!value.includes('\0')) id = value;
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
    }
  };
  // [spec] Lines end with CRLF, LF or CR.
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r') {
      processLine(line);
      line = '';
      if (text[i + 1] === '\n') i++;
    } else if (c === '\n') {
      processLine(line);
      line = '';
    } else {
      line += c;
    }
  }
  return out;
}

/** [encoding] UTF-8 decode: one leading BOM removed, invalid bytes as U+FFFD. */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/** A message as a listener sees it. */
export interface Delivered {
  type: string;
  data: string;
  lastEventId: string;
}

/** The client's position: the last event id and the window of recently delivered explicit ids (oldest first). */
export interface Position {
  lastEventId: string;
  window: string[];
}

/**
 * The client side of the model: the last event id, duplicate suppression by
 * id over the last `windowSize` explicit ids (API.md "Ids, duplicates and
 * persistence"), and what reaches the listeners.
 */
export class ClientModel {
  lastEventId = '';
  window: string[] = [];
  /** [spec] The reconnection time, once the server sent `retry:`. */
  retry: number | undefined;

  constructor(readonly windowSize: number) {}

  restore(position: Position): void {
    this.lastEventId = position.lastEventId;
    this.window = position.window.slice(-this.windowSize);
  }

  position(): Position {
    return { lastEventId: this.lastEventId, window: this.window.slice() };
  }

  /** Applies one dispatch; returns the message delivered, if any. */
  apply(d: Dispatch): Delivered | undefined {
    if (d.kind === 'retry') {
      this.retry = d.ms;
      return undefined;
    }
    const id = d.id;
    if (id === '') {
      // An empty id resets the last id and forgets the window.
      this.lastEventId = '';
      this.window = [];
    } else if (id !== undefined) {
      // A repeat of a recent explicit id is dropped and changes nothing.
      if (this.window.includes(id)) return undefined;
      this.lastEventId = id;
      // Only an event's id enters the window, not an id-only block's.
      if (d.kind === 'event' && this.windowSize > 0) {
        this.window.push(id);
        if (this.window.length > this.windowSize) this.window.shift();
      }
    }
    if (d.kind !== 'event') return undefined;
    return { type: d.type, data: d.data, lastEventId: this.lastEventId };
  }
}

/** The backoff of API.md "Reconnecting", with `random` the injected source's value for this wait. */
export function expectedDelay(
  n: number,
  policy: { initialDelay: number; maxDelay: number; factor: number; jitter: number },
  base: number,
  serverWait: number,
  random: number,
): number {
  const d =
    n === 0
      ? Math.min(policy.maxDelay, base)
      : Math.min(policy.maxDelay, Math.max(base, policy.initialDelay) * policy.factor ** n);
  return Math.round(Math.max(d, Math.min(3_600_000, serverWait)) * (1 + policy.jitter * random));
}

/** [contract] What a response tells the client to do, before any body is read. */
export function verdictOf(
  status: number,
  contentTypeEssence: string | undefined,
  headersAreFunction: boolean,
): 'open' | 'retry' | 'reauthenticate' | 'fail' {
  if (status === 200) return contentTypeEssence === 'text/event-stream' ? 'open' : 'fail';
  if (status === 401 && headersAreFunction) return 'reauthenticate';
  if (status >= 500 || status === 408 || status === 429) return 'retry';
  return 'fail';
}

/** `id` as a `Last-Event-ID` value can carry it: [fetch] no NUL, CR or LF, and (Node's Headers) no other control character but tab. */
export function sendable(id: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this looks for
  return !/[\0-\x08\x0a-\x1f\x7f]/.test(id);
}
