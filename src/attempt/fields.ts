/**
 * The second step of the event stream interpretation (WHATWG HTML §9.2.6):
 * what one line does. parser.ts splits the stream into lines and hands each
 * to a {@link FieldSteps}, which interprets it, processes its field into the
 * buffers, and dispatches the event. Pure: no I/O, no timers.
 */
export const LF = 10;
export const COLON = 58;
const SPACE = 32;

/** What the parser reports. Called synchronously from the parser's `feed()`. */
export interface ParserCallbacks {
  /**
   * [spec] "dispatch the event": `type` is the event type buffer or
   * `message`; `id` is the block's `id:` value, or undefined when the block
   * had none (the last event ID is then unchanged).
   */
  onEvent(type: string, data: string, id: string | undefined): void;
  /** A block with an `id:` but no data: [spec] the last event ID changes, no event fires. */
  onId(id: string): void;
  /** A `retry:` field whose value is only ASCII digits, in milliseconds. */
  onRetry(ms: number): void;
  /** An event's data, or one line, grew past `maxEventSize` characters. Nothing more is parsed. */
  onTooLarge(): void;
}

/** Whether `text` holds `data` from `start` on: unrolled, for the per-line path. */
export function isData(text: string, start: number): boolean {
  return (
    text.charCodeAt(start) === 100 &&
    text.charCodeAt(start + 1) === 97 &&
    text.charCodeAt(start + 2) === 116 &&
    text.charCodeAt(start + 3) === 97
  );
}

/**
 * Whether `text` holds `name` from `start` on. Compared in place, a character
 * at a time: no slice, and no startsWith(), which V8 does not inline (with it
 * the parser took 1.6× as long).
 */
function isName(text: string, start: number, name: string): boolean {
  for (let i = 0; i < name.length; i++) if (text.charCodeAt(start + i) !== name.charCodeAt(i)) return false;
  return true;
}

/**
 * [spec] "If the line contains a U+003A COLON character: Collect the
 * characters on the line before the first U+003A COLON character, and let
 * field be that string. Collect the characters on the line after the first
 * U+003A COLON character, and let value be that string." Where that colon is
 * on the line `text[start, end)`, or `end` when there is none (then "the whole
 * line is the field name, and the value is empty").
 */
function colonOf(text: string, start: number, end: number): number {
  let colon = start + 1;
  while (colon < end && text.charCodeAt(colon) !== COLON) colon++;
  return colon;
}

/** [spec] "If value starts with a U+0020 SPACE character, remove it from value": where the value after `colon` starts. */
export function valueStartOf(text: string, colon: number, end: number): number {
  return colon + 1 < end && text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
}

/**
 * [spec] "interpret a line", "process the field" and "dispatch the event",
 * over the data, event type and last event ID buffers of one stream. Each
 * step takes the line as `text[start, end)` and returns where the next line
 * starts (past a blank line it consumed too). `tooLarge` is called (and must
 * stop the parser) when a value or the data buffer passes `maxEventSize`.
 */
export class FieldSteps {
  /** The data buffer; `undefined` until a `data` field, and after a dispatch. */
  #data: string | undefined;
  #type = '';
  #id: string | undefined;
  readonly #callbacks: ParserCallbacks;
  readonly #maxEventSize: number;
  readonly #tooLarge: () => void;

  constructor(callbacks: ParserCallbacks, maxEventSize: number, tooLarge: () => void) {
    this.#callbacks = callbacks;
    this.#maxEventSize = maxEventSize;
    this.#tooLarge = tooLarge;
  }

  /**
   * [spec] "If the line is empty (a blank line): Dispatch the event." "If the
   * data buffer is an empty string, set the data buffer and the event type
   * buffer to the empty string and return" — after step 1 has set the last
   * event ID string, which an id-only block still does. The buffers are reset
   * before a callback runs: a listener that throws or closes the source
   * leaves a clean parser.
   */
  dispatch(): void {
    const data = this.#data;
    const id = this.#id;
    const type = this.#type;
    this.#data = this.#id = undefined;
    this.#type = '';
    // [spec] "If the data buffer is an empty string": no event.
    if (data !== undefined) this.#callbacks.onEvent(type || 'message', data, id);
    else if (id !== undefined) this.#callbacks.onId(id);
  }

  /**
   * [spec] Processes a `data` field whose value starts at `valueStart`:
   * "Append the field value to the data buffer, then append a single U+000A
   * LINE FEED character" — joined here instead, so the final LF that the spec
   * then removes is never added. The common end of an event, its last data
   * line and then a blank line, is dispatched at once, without another turn
   * of the line loop.
   */
  dataLine(text: string, valueStart: number, end: number): number {
    const value = text.slice(valueStart, end);
    const data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    this.#data = data;
    if (data.length > this.#maxEventSize) {
      this.#tooLarge();
    } else if (text.charCodeAt(end) === LF && text.charCodeAt(end + 1) === LF) {
      // A blank line next: dispatched at once.
      this.dispatch();
      return end + 2;
    }
    return end + 1;
  }

  /** [spec] Interprets a line that is not empty: ignores a comment, or processes its field. */
  line(text: string, start: number, end: number): number {
    const first = text.charCodeAt(start);
    // [spec] "If the line starts with a U+003A COLON character: Ignore the line."
    if (first === COLON) return end + 1;
    const colon = colonOf(text, start, end);
    const valueStart = valueStartOf(text, colon, end);
    const nameLength = colon - start;
    if (nameLength === 4 && isData(text, start)) return this.dataLine(text, valueStart, end);
    const value = text.slice(valueStart, end);
    if (nameLength === 2 && first === 105 && text.charCodeAt(start + 1) === 100) {
      // [spec] "If the field value does not contain U+0000 NULL, then set the
      // last event ID buffer to the field value. Otherwise, ignore the field."
      if (!value.includes('\0')) this.#id = value;
      if (value.length > this.#maxEventSize) this.#tooLarge();
    } else if (nameLength === 5 && isName(text, start, 'event')) {
      // [spec] "Set the event type buffer to field value."
      this.#type = value;
      if (value.length > this.#maxEventSize) this.#tooLarge();
    } else if (nameLength === 5 && isName(text, start, 'retry')) {
      // [spec] "If the field value consists of only ASCII digits, then
      // interpret the field value as an integer in base ten"; otherwise ignore the field.
      if (/^\d+$/.test(value)) this.#callbacks.onRetry(Number(value));
    }
    // [spec] "Otherwise: The field is ignored."
    return end + 1;
  }

  /** The length of the data buffer, for the bound on an unfinished line. */
  get bufferedLength(): number {
    return this.#data?.length ?? 0;
  }

  /** Lets go of what is buffered (the parser stopped). */
  clear(): void {
    this.#data = undefined;
  }
}
