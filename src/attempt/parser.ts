/**
 * The event stream interpretation of WHATWG HTML §9.2.6, over decoded text.
 * Pure: no I/O, no timers. Fed text in arbitrary pieces (decoding, and the
 * BOM it strips, belong to the caller: utf8.ts), it reports each dispatched
 * event through positional callbacks, so that the per-event path allocates
 * nothing but the strings it must produce.
 *
 * Two steps, as the spec's text has them: {@link createEventStreamParser}
 * splits the stream into lines (and keeps an unfinished one), and
 * {@link createFieldSteps} interprets each line, processes its field into
 * the buffers, and dispatches the event.
 *
 * It replaces eventsource-parser for what was measured or found here: a lone
 * CR at the end of a piece now ends its line at once (the other held the last
 * event of a CR-only stream back until the next byte); a block with only an
 * `id:` updates the last event ID, as the spec says; no object per event; and
 * 1.5 KB less in the bundle (minified). test/parser.test.ts checks it against
 * eventsource-parser on random streams.
 */

const LF = 10;
const CR = 13;
const COLON = 58;
const SPACE = 32;
/**
 * What an unfinished line may hold besides its share of the event: the field
 * name and separator (`data: `) and a CR. The data buffer itself is checked
 * exactly as each line joins it.
 */
const LINE_SLACK = 8;

/** What the parser reports. Called synchronously from {@link EventStreamParser.feed}. */
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

/** An incremental event stream parser. */
export interface EventStreamParser {
  /** Parses the next piece of decoded text. */
  feed(text: string): void;
  /**
   * Stops for good, even in the middle of a piece: no callback is called
   * after it (a listener closed the source, or the attempt was abandoned).
   */
  stop(): void;
}

/** Whether `text` holds `data` from `start` on: unrolled, for the per-line path. */
function isData(text: string, start: number): boolean {
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
function valueStartOf(text: string, colon: number, end: number): number {
  return colon + 1 < end && text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
}

/**
 * The steps that act on one line, and share the data, event type and last
 * event ID buffers. Each takes the line as `text[start, end)` and returns
 * where the next line starts (past a blank line it consumed too).
 */
interface FieldSteps {
  /** [spec] Interprets a line that is not empty: ignores a comment, or processes its field. */
  line(text: string, start: number, end: number): number;
  /**
   * [spec] Processes a `data` field whose value starts at `valueStart`:
   * "Append the field value to the data buffer, then append a single U+000A
   * LINE FEED character" — joined here instead, so the final LF that the spec
   * then removes is never added. The common end of an event, its last data
   * line and then a blank line, is dispatched at once, without another turn
   * of the line loop.
   */
  dataLine(text: string, valueStart: number, end: number): number;
  /**
   * [spec] "If the line is empty (a blank line): Dispatch the event." "If the
   * data buffer is an empty string, set the data buffer and the event type
   * buffer to the empty string and return" — after step 1 has set the last
   * event ID string, which an id-only block still does. The buffers are reset
   * before a callback runs: a listener that throws or closes the source
   * leaves a clean parser.
   */
  dispatch(): void;
  /** The length of the data buffer, for the bound on an unfinished line. */
  bufferedLength(): number;
  /** Lets go of what is buffered (the parser stopped). */
  clear(): void;
}

/**
 * [spec] "interpret a line", "process the field" and "dispatch the event",
 * over the buffers of one stream. `tooLarge` is called (and must stop the
 * parser) when a value or the data buffer passes `maxEventSize`.
 */
function createFieldSteps(callbacks: ParserCallbacks, maxEventSize: number, tooLarge: () => void): FieldSteps {
  /** The data buffer; `undefined` until a `data` field, and after a dispatch. */
  let data: string | undefined;
  let type = '';
  let id: string | undefined;

  const dispatch = (): void => {
    const blockData = data;
    const blockId = id;
    const blockType = type;
    data = id = undefined;
    type = '';
    // [spec] "If the data buffer is an empty string": no event.
    if (blockData !== undefined) callbacks.onEvent(blockType || 'message', blockData, blockId);
    else if (blockId !== undefined) callbacks.onId(blockId);
  };

  const dataLine = (text: string, valueStart: number, end: number): number => {
    // [spec] "Append the field value to the data buffer" (see FieldSteps).
    const value = text.slice(valueStart, end);
    data = data === undefined ? value : `${data}\n${value}`;
    if (data.length > maxEventSize) {
      tooLarge();
    } else if (text.charCodeAt(end) === LF && text.charCodeAt(end + 1) === LF) {
      // A blank line next: dispatched at once.
      dispatch();
      return end + 2;
    }
    return end + 1;
  };

  const line = (text: string, start: number, end: number): number => {
    const first = text.charCodeAt(start);
    // [spec] "If the line starts with a U+003A COLON character: Ignore the line."
    if (first === COLON) return end + 1;
    const colon = colonOf(text, start, end);
    const valueStart = valueStartOf(text, colon, end);
    const nameLength = colon - start;
    if (nameLength === 4 && isData(text, start)) return dataLine(text, valueStart, end);
    const value = text.slice(valueStart, end);
    if (nameLength === 2 && first === 105 && text.charCodeAt(start + 1) === 100) {
      // [spec] "If the field value does not contain U+0000 NULL, then set the
      // last event ID buffer to the field value. Otherwise, ignore the field."
      if (!value.includes('\0')) id = value;
      if (value.length > maxEventSize) tooLarge();
    } else if (nameLength === 5 && isName(text, start, 'event')) {
      // [spec] "Set the event type buffer to field value."
      type = value;
      if (value.length > maxEventSize) tooLarge();
    } else if (nameLength === 5 && isName(text, start, 'retry')) {
      // [spec] "If the field value consists of only ASCII digits, then
      // interpret the field value as an integer in base ten"; otherwise ignore the field.
      if (/^\d+$/.test(value)) callbacks.onRetry(Number(value));
    }
    // [spec] "Otherwise: The field is ignored."
    return end + 1;
  };

  return {
    line,
    dataLine,
    dispatch,
    bufferedLength: () => data?.length ?? 0,
    clear: () => {
      data = undefined;
    },
  };
}

/**
 * [spec] "Lines must be separated by either a U+000D CARRIAGE RETURN U+000A
 * LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character,
 * or a single U+000D CARRIAGE RETURN (CR) character." Runs the field steps
 * over each complete line of `text` from `pos`; returns where the unfinished
 * rest starts, or -1 once `stopped()` (a callback stopped the parser).
 *
 * The hot loop of the library, kept whole: blank lines and `data:` lines,
 * most of any stream, are handled here rather than through `line()` (a call
 * per line shows). Each search is redone only once passed, so a CR-only or
 * LF-only stream stays linear.
 */
function eachLine(text: string, pos: number, steps: FieldSteps, stopped: () => boolean): number {
  const { line, dataLine, dispatch } = steps;
  const length = text.length;
  let cr = text.indexOf('\r', pos);
  let lf = text.indexOf('\n', pos);
  while (pos < length) {
    if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
    if (end === -1) break;
    if (end === pos) {
      dispatch();
      pos++;
    } else if (text.charCodeAt(pos + 4) === COLON && pos + 4 < end && isData(text, pos)) {
      pos = dataLine(text, valueStartOf(text, pos + 4, end), end);
    } else {
      pos = line(text, pos, end);
    }
    if (stopped()) return -1;
    if (end === cr && text.charCodeAt(pos) === LF) pos++;
  }
  return pos;
}

/**
 * Creates a parser. `maxEventSize` bounds memory, in UTF-16 code units: an
 * event's data, an id or event type, and the unfinished line plus the data
 * before it (give or take {@link LINE_SLACK}) may not exceed it.
 *
 * This is the step that splits the stream into lines; {@link createFieldSteps}
 * does the rest. An unfinished line is carried over from piece to piece as
 * the pieces themselves (`pending`), and joined once, when its end arrives:
 * joining at every piece copied a long line again and again (a 16 MiB event
 * peaked at over 200 MB of heap); kept apart, it costs about its own size.
 * And joined, not concatenated: a concatenation is a rope, and every
 * charCodeAt() on a rope takes V8's slow path (measured: the parser took 1.2×
 * as long). `afterCR`: the previous piece ended in CR, so an LF starting this
 * one belongs to it.
 */
export function createEventStreamParser(callbacks: ParserCallbacks, maxEventSize: number): EventStreamParser {
  let pending: string[] = [];
  let pendingLength = 0;
  let afterCR = false;
  let failed = false;

  /** Stops for good and lets go of what is buffered. */
  const halt = (): void => {
    failed = true;
    pending = [];
    pendingLength = 0;
    steps.clear();
  };
  const tooLarge = (): void => {
    halt();
    callbacks.onTooLarge();
  };
  const stopped = (): boolean => failed;
  const steps = createFieldSteps(callbacks, maxEventSize, tooLarge);

  /** Keeps `piece` of an unfinished line; the line and the data before it are bounded by maxEventSize. */
  const carry = (piece: string): void => {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength + steps.bufferedLength() > maxEventSize + LINE_SLACK) tooLarge();
  };

  const feed = (piece: string): void => {
    if (failed || piece === '') return;
    let text = piece;
    // (An unfinished line and a CR at the end of the last piece exclude each other.)
    let pos = afterCR && text.charCodeAt(0) === LF ? 1 : 0;
    afterCR = false;
    if (pendingLength > 0) {
      // Still the same line: keep the piece, copy nothing.
      if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return carry(text);
      pending.push(text);
      text = pending.join('');
      pending = [];
      pendingLength = 0;
    }
    pos = eachLine(text, pos, steps, stopped);
    if (pos === -1) return;
    // A CR that ended the piece ended its line too (the last one lines up
    // with the piece's end only then); an LF that follows it next is no new line.
    if (pos < text.length) carry(text.slice(pos));
    else afterCR = text.charCodeAt(pos - 1) === CR;
  };

  return { feed, stop: halt };
}
