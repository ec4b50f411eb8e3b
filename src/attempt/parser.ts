/**
 * The event stream interpretation of WHATWG HTML §9.2.6, over decoded text.
 * Pure: no I/O, no timers. Fed text in arbitrary pieces (decoding, and the
 * BOM it strips, belong to the caller: utf8.ts), it reports each dispatched
 * event through positional callbacks, so that the per-event path allocates
 * nothing but the strings it must produce.
 *
 * Two steps, as the spec's text has them: {@link createEventStreamParser}
 * splits the stream into lines (and keeps an unfinished one), and
 * {@link FieldSteps} interprets each line, processes its field into
 * the buffers, and dispatches the event.
 *
 * Why our own and not eventsource-parser: 4.x fixed the two deviations that
 * first made us write it (4.0: a CR that ends a piece; 4.1: `onId` for a block
 * with an id and no data), but it takes text, and on Node 18 to 22 the
 * streaming `TextDecoder` it needs in front is about 4× slower than utf8.ts
 * (equal on Node 24): swapped in, it cost 0.79–1.00× the throughput and
 * 750–1,000 bytes gzip (bench/analysis.md). Revisit when Node 24 is the floor.
 * test/attempt/parser.test.ts checks this parser against eventsource-parser 4.1.3 on
 * random byte streams.
 */

import { COLON, FieldSteps, isData, LF, type ParserCallbacks, valueStartOf } from './fields.js';

export type { ParserCallbacks };

const CR = 13;
/**
 * What an unfinished line may hold besides its share of the event: the field
 * name and separator (`data: `) and a CR. The data buffer itself is checked
 * exactly as each line joins it.
 */
const LINE_SLACK = 8;

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
  const length = text.length;
  let cr = text.indexOf('\r', pos);
  let lf = text.indexOf('\n', pos);
  while (pos < length) {
    if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
    if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
    if (end === -1) break;
    if (end === pos) {
      steps.dispatch();
      pos++;
    } else if (text.charCodeAt(pos + 4) === COLON && pos + 4 < end && isData(text, pos)) {
      pos = steps.dataLine(text, valueStartOf(text, pos + 4, end), end);
    } else {
      pos = steps.line(text, pos, end);
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
 * This is the step that splits the stream into lines; {@link FieldSteps}
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
  const steps = new FieldSteps(callbacks, maxEventSize, tooLarge);

  /** Keeps `piece` of an unfinished line; the line and the data before it are bounded by maxEventSize. */
  const carry = (piece: string): void => {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength + steps.bufferedLength > maxEventSize + LINE_SLACK) tooLarge();
  };

  const feed = (piece: string): void => {
    if (failed || piece === '') return;
    let text = piece;
    // (An unfinished line and a CR at the end of the last piece exclude each other.)
    let pos = afterCR && text.charCodeAt(0) === LF ? 1 : 0;
    afterCR = false;
    if (pendingLength > 0) {
      // Still the same line: keep the piece, copy nothing.
      if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) {
        carry(text);
        return;
      }
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
