/**
 * The event stream interpretation of WHATWG HTML §9.2.6, over decoded text.
 * Pure: no I/O, no timers. Fed text in arbitrary pieces (decoding, and the
 * BOM it strips, belong to the caller: utf8.ts), it reports each dispatched
 * event through positional callbacks, so that the per-event path allocates
 * nothing but the strings it must produce.
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

const EVENT = [101, 118, 101, 110, 116];
const RETRY = [114, 101, 116, 114, 121];

/** Whether `text` holds `data` from `start` on. */
function isData(text: string, start: number): boolean {
  return text.charCodeAt(start) === 100 && text.charCodeAt(start + 1) === 97 && text.charCodeAt(start + 2) === 116 && text.charCodeAt(start + 3) === 97;
}

/** Whether `text` holds the character codes `name` from `start` on. */
function isName(text: string, start: number, name: readonly number[]): boolean {
  for (let i = 1; i < name.length; i++) if (text.charCodeAt(start + i) !== name[i]) return false;
  return true;
}

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

/**
 * Creates a parser. `maxEventSize` bounds memory, in UTF-16 code units: an
 * event's data, an id or event type, and the unfinished line plus the data
 * before it (give or take {@link LINE_SLACK}) may not exceed it.
 */
export function createEventStreamParser(callbacks: ParserCallbacks, maxEventSize: number): EventStreamParser {
  /**
   * An unfinished line carried over from earlier pieces, as the pieces
   * themselves: joined once, when its end arrives. Joining at every piece
   * copied a long line again and again (a 16 MiB event peaked at over 200 MB
   * of heap); kept apart, it costs about its own size.
   */
  let pending: string[] = [];
  let pendingLength = 0;
  /** The previous piece ended in CR: an LF starting this one belongs to it. */
  let afterCR = false;
  let data = '';
  let hasData = false;
  let type = '';
  let id: string | undefined;
  let failed = false;

  /** Stops for good and lets go of what is buffered. */
  const halt = (): void => {
    failed = true;
    pending = [];
    pendingLength = 0;
    data = '';
  };

  const tooLarge = (): void => {
    halt();
    callbacks.onTooLarge();
  };

  /** Keeps `piece` of an unfinished line; the line and the data before it are bounded by maxEventSize. */
  const carry = (piece: string): void => {
    if (piece === '') return;
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength + data.length > maxEventSize + LINE_SLACK) tooLarge();
  };

  /** [spec] Dispatches an event of `data`; the event type and id buffers go with it and are reset. */
  const emit = (eventData: string): void => {
    const blockId = id;
    const blockType = type;
    // [spec] Reset before the event fires: a listener that throws or closes
    // the source leaves a clean parser.
    id = undefined;
    type = '';
    callbacks.onEvent(blockType === '' ? 'message' : blockType, eventData, blockId);
  };

  /** [spec] "If the line is empty (a blank line): Dispatch the event." */
  const dispatch = (): void => {
    const blockData = data;
    const blockHasData = hasData;
    data = '';
    hasData = false;
    if (blockHasData) return emit(blockData);
    // [spec] "If the data buffer is an empty string, set the data buffer and
    // the event type buffer to the empty string and return" — after step 1
    // has set the last event ID string, which an id-only block still does.
    const blockId = id;
    id = undefined;
    type = '';
    if (blockId !== undefined) callbacks.onId(blockId);
  };

  /**
   * A `data` field whose value is `text[valueStart, end)`; returns where the
   * next line starts (past a blank line it consumed too).
   */
  const dataLine = (text: string, valueStart: number, end: number): number => {
    const value = valueStart < end ? text.slice(valueStart, end) : '';
    if (value.length > maxEventSize) {
      tooLarge();
    } else if (!hasData && text.charCodeAt(end) === LF && text.charCodeAt(end + 1) === LF) {
      // The common event: one data line, then a blank line. Dispatched at
      // once, without going through the data buffer.
      emit(value);
      return end + 2;
    } else {
      // [spec] "Append the field value to the data buffer, then append a
      // single U+000A LINE FEED character" — joined here, so the final LF
      // that the spec then removes is never added.
      data = hasData ? `${data}\n${value}` : value;
      hasData = true;
      if (data.length > maxEventSize) tooLarge();
    }
    return end + 1;
  };

  /**
   * [spec] Processes the line `text[start, end)`; returns where the next line
   * starts (past a blank line it consumed too).
   */
  const line = (text: string, start: number, end: number): number => {
    if (start === end) {
      dispatch();
      return end + 1;
    }
    const first = text.charCodeAt(start);
    // [spec] "If the line starts with a U+003A COLON character: ignore the line."
    if (first === COLON) return end + 1;
    // [spec] "If the line contains a U+003A COLON character: collect the
    // characters before it as the field name, after it as the value; if the
    // value starts with a U+0020 SPACE character, remove it." Otherwise the
    // whole line is the name and the value is empty.
    // Where a `data:` or `id:` line would have its colon, look first: the
    // lines nearly every event has skip the search.
    let colon = first === 100 ? start + 4 : first === 105 ? start + 2 : start + 1;
    if (text.charCodeAt(colon) !== COLON || colon > end) {
      colon = start + 1;
      while (colon < end && text.charCodeAt(colon) !== COLON) colon++;
    }
    let valueStart = colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === SPACE) valueStart++;
    const nameLength = colon - start;
    // The name is compared in place, a character at a time: no slice, and no
    // startsWith(), which V8 does not inline (with it the parser took 1.6× as long).
    if (nameLength === 4 && isData(text, start)) return dataLine(text, valueStart, end);
    const value = valueStart < end ? text.slice(valueStart, end) : '';
    if (nameLength === 2 && first === 105 && text.charCodeAt(start + 1) === 100) {
      // [spec] "If the field value does not contain U+0000 NULL, then set the
      // last event ID buffer to the field value. Otherwise, ignore the field."
      if (!value.includes('\0')) id = value;
      if (value.length > maxEventSize) tooLarge();
    } else if (nameLength === 5 && first === 101 && isName(text, start, EVENT)) {
      type = value;
      if (value.length > maxEventSize) tooLarge();
    } else if (nameLength === 5 && first === 114 && isName(text, start, RETRY)) {
      // [spec] "If the field value consists of only ASCII digits, interpret it
      // as an integer in base ten"; otherwise ignore the field.
      if (/^\d+$/.test(value)) callbacks.onRetry(Number(value));
    }
    // [spec] "Otherwise: the field is ignored."
    return end + 1;
  };

  return {
    feed(piece: string): void {
      if (failed || piece === '') return;
      let text = piece;
      let pos = 0;
      if (afterCR) {
        afterCR = false;
        if (text.charCodeAt(0) === LF) pos = 1;
      }
      if (pendingLength > 0) {
        const rest = pos === 0 ? text : text.slice(pos);
        if (rest.indexOf('\n') === -1 && rest.indexOf('\r') === -1) {
          // Still the same line: keep the piece, copy nothing.
          carry(rest);
          return;
        }
        // Joined, not concatenated: a concatenation is a rope, and every
        // charCodeAt() on a rope takes V8's slow path (measured: the parser
        // took 1.2× as long).
        pending.push(rest);
        text = pending.join('');
        pending = [];
        pendingLength = 0;
        pos = 0;
      }
      const length = text.length;
      // [spec] Lines end in CRLF, a lone LF or a lone CR. Most streams use LF
      // only: one search per piece settles which loop runs.
      let cr = text.indexOf('\r', pos);
      if (cr === -1) {
        for (let lf = text.indexOf('\n', pos); lf !== -1; lf = text.indexOf('\n', pos)) {
          // Blank lines and `data:` lines, most of any stream, are handled
          // here rather than through line(): a call per line shows.
          if (lf === pos) {
            dispatch();
            pos++;
          } else if (text.charCodeAt(pos + 4) === COLON && pos + 4 < lf && isData(text, pos)) {
            pos = dataLine(text, pos + 5 < lf && text.charCodeAt(pos + 5) === SPACE ? pos + 6 : pos + 5, lf);
          } else {
            pos = line(text, pos, lf);
          }
          if (failed) return;
        }
      } else {
        let lf = text.indexOf('\n', pos);
        while (pos < length) {
          // Each search is redone only once passed, so a CR-only stream stays linear.
          if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
          if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
          const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
          if (end === -1) break;
          pos = line(text, pos, end);
          if (failed) return;
          if (end === cr) {
            if (pos === length) afterCR = true;
            else if (text.charCodeAt(pos) === LF) pos++;
          }
        }
      }
      if (pos < length) carry(pos === 0 ? text : text.slice(pos));
    },
    stop: halt,
  };
}
