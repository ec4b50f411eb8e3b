/**
 * The parser on its own (WHATWG HTML §9.2.6), fed text in every split, and
 * checked, behind the UTF-8 decoder, against eventsource-parser 4.1.3 (a
 * devDependency, used as an oracle) on seeded random byte streams.
 */
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { createEventStreamParser } from '../../src/attempt/parser.js';
import { createUtf8StreamDecoder } from '../../src/attempt/utf8.js';
import { lcg } from '../helpers/random.js';

type Report = ['event', string, string, string | undefined] | ['id', string] | ['retry', number] | ['too-large'];

function collect(maxEventSize = Number.POSITIVE_INFINITY) {
  const reports: Report[] = [];
  const parser = createEventStreamParser(
    {
      onEvent: (type, data, id) => reports.push(['event', type, data, id]),
      onId: (id) => reports.push(['id', id]),
      onRetry: (ms) => reports.push(['retry', ms]),
      onTooLarge: () => reports.push(['too-large']),
    },
    maxEventSize,
  );
  return { parser, reports };
}

/** `text` in every split the tests use: whole, one character at a time, and random pieces. */
function splits(text: string, seed = 1): string[][] {
  const random = lcg(seed);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = 1 + Math.floor(random() * 9);
    pieces.push(text.slice(i, i + size));
    i += size;
  }
  return [[text], Array.from(text), pieces];
}

function parseAll(text: string, maxEventSize?: number): Report[][] {
  return splits(text).map((pieces) => {
    const { parser, reports } = collect(maxEventSize);
    for (const piece of pieces) parser.feed(piece);
    return reports;
  });
}

/** Asserts that every split of `text` gives `expected`. */
function expectParse(text: string, expected: Report[], maxEventSize?: number): void {
  for (const reports of parseAll(text, maxEventSize)) expect(reports).toEqual(expected);
}

describe('parser: fields', () => {
  it('a data line and a blank line dispatch a message', () => {
    expectParse('data: hello\n\n', [['event', 'message', 'hello', undefined]]);
  });

  it('data lines join with LF; the final LF is removed', () => {
    expectParse('data: a\ndata: b\ndata\n\n', [['event', 'message', 'a\nb\n', undefined]]);
  });

  it('one leading space is removed from a value, not two; no space is needed', () => {
    expectParse('data:  two\n\ndata:none\n\n', [
      ['event', 'message', ' two', undefined],
      ['event', 'message', 'none', undefined],
    ]);
  });

  it('a value keeps its later colons', () => {
    expectParse('data: a:b: c\n\n', [['event', 'message', 'a:b: c', undefined]]);
  });

  it('`data:` with an empty value still dispatches (the buffer is a lone LF)', () => {
    expectParse('data:\n\ndata\n\n', [
      ['event', 'message', '', undefined],
      ['event', 'message', '', undefined],
    ]);
  });

  it('event sets the type of the next dispatch only; an empty one means message', () => {
    expectParse('event: add\ndata: 1\n\ndata: 2\n\nevent:\ndata: 3\n\n', [
      ['event', 'add', '1', undefined],
      ['event', 'message', '2', undefined],
      ['event', 'message', '3', undefined],
    ]);
  });

  it('id is reported with the event of its block; an id with NULL is ignored', () => {
    expectParse('id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n', [
      ['event', 'message', 'a', '7'],
      ['event', 'message', 'b', undefined],
      ['event', 'message', 'c', undefined],
    ]);
  });

  it('the last id of a block wins; an empty id is reported as such (a reset)', () => {
    expectParse('id: 1\nid: 2\ndata: a\n\nid\ndata: b\n\n', [
      ['event', 'message', 'a', '2'],
      ['event', 'message', 'b', ''],
    ]);
  });

  it('a block with an id and no data moves the id and fires nothing', () => {
    expectParse('id: 5\n\nevent: x\n\n\n', [['id', '5']]);
  });

  it('retry is taken only when it is all ASCII digits', () => {
    expectParse('retry: 1500\nretry: 1.5\nretry: -1\nretry:\nretry: 12a\nretry: 0\n\n', [
      ['retry', 1500],
      ['retry', 0],
    ]);
  });

  it('comments, unknown fields and near-miss names are ignored', () => {
    expectParse(': hi\n:\nfoo: bar\nData: x\ndat: x\ndatas: x\nids: 1\nEvent: y\nretries: 5\n\n', []);
  });

  it('names are matched exactly, with or without a colon', () => {
    expectParse('i\nid\nd\ndata\n\n', [['event', 'message', '', '']]);
  });
});

describe('parser: line endings and pieces', () => {
  it('LF, CR and CRLF all end lines, mixed in one stream', () => {
    expectParse('data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r', [
      ['event', 'message', 'a\nb\nc', undefined],
      ['event', 'message', 'd', undefined],
    ]);
  });

  it('CR LF split across pieces is one line ending, not a blank line', () => {
    const { parser, reports } = collect();
    parser.feed('data: a\r');
    parser.feed('\ndata: b\r');
    parser.feed('\n\r');
    parser.feed('\n');
    expect(reports).toEqual([['event', 'message', 'a\nb', undefined]]);
  });

  it('a CR at the end of a piece ends its line at once (a CR-only stream is not held back)', () => {
    const { parser, reports } = collect();
    parser.feed('data: a\r\r');
    expect(reports).toEqual([['event', 'message', 'a', undefined]]);
    parser.feed('data: b\r');
    parser.feed('\r');
    expect(reports).toEqual([
      ['event', 'message', 'a', undefined],
      ['event', 'message', 'b', undefined],
    ]);
  });

  it('an unfinished event is never dispatched (the caller discards it at the end of the stream)', () => {
    expectParse('data: a\n\ndata: b\n', [['event', 'message', 'a', undefined]]);
  });

  it('a CR-only stream of many lines in one piece parses them all', () => {
    const text = 'data: x\r\r'.repeat(5000);
    const { parser, reports } = collect();
    parser.feed(text);
    expect(reports).toHaveLength(5000);
  });

  it('an empty piece changes nothing', () => {
    const { parser, reports } = collect();
    parser.feed('data: a\r');
    parser.feed('');
    parser.feed('\ndata: b\n\n');
    expect(reports).toEqual([['event', 'message', 'a\nb', undefined]]);
  });
});

describe('parser: maxEventSize', () => {
  it('data within the limit passes; one character over fails and nothing more is parsed', () => {
    expectParse('data: 12345\n\n', [['event', 'message', '12345', undefined]], 5);
    for (const reports of parseAll('data: 123456\n\ndata: ok\n\n', 5)) expect(reports).toEqual([['too-large']]);
  });

  it('data joined over many lines counts its line feeds', () => {
    for (const reports of parseAll('data: ab\ndata: cd\n\n', 4)) expect(reports).toEqual([['too-large']]);
    expectParse('data: ab\ndata: c\n\n', [['event', 'message', 'ab\nc', undefined]], 4);
  });

  it('an id or an event type longer than the limit fails', () => {
    for (const reports of parseAll(`id: ${'1'.repeat(6)}\ndata: a\n\n`, 5)) expect(reports).toEqual([['too-large']]);
    for (const reports of parseAll(`event: ${'e'.repeat(6)}\ndata: a\n\n`, 5)) expect(reports).toEqual([['too-large']]);
  });

  it('an unfinished line longer than the limit fails before its end arrives (memory stays bounded)', () => {
    const { parser, reports } = collect(100);
    parser.feed('data: ');
    for (let i = 0; i < 10; i++) parser.feed('x'.repeat(10));
    expect(reports).toEqual([]);
    parser.feed('x'.repeat(3));
    expect(reports).toEqual([['too-large']]);
    parser.feed('\n\n');
    expect(reports).toEqual([['too-large']]);
  });
});

describe('parser: against eventsource-parser 4.1.3 on random streams', () => {
  const LINE_ENDINGS = ['\n', '\r\n', '\r'];
  const NAMES = ['data', 'data', 'data', 'id', 'event', 'retry', 'dat', 'datax', 'Data', ''];
  const VALUES = ['', ' ', 'x', ' a b ', 'é☃😀', ':', ' :x', '12', '3.5', 'a\0b', '\ufeff'];
  const BOM = '\ufeff';

  function randomStream(random: () => number): string {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    // One line ending for the whole stream, or (one stream in three) a
    // random one for every line: the parser's LF-only loop and its general
    // loop both run, and each meets the other's line endings.
    const fixed = random() < 0.67 ? pick(LINE_ENDINGS) : undefined;
    const eolOf = () => fixed ?? pick(LINE_ENDINGS);
    // A BOM starts one stream in four, two BOMs one in ten: only the first is stripped.
    const start = random();
    let text = start < 0.1 ? BOM + BOM : start < 0.35 ? BOM : '';
    for (let block = 0; block < 30; block++) {
      const lines: string[] = [];
      for (let l = Math.floor(random() * 4); l > 0; l--) {
        const name = pick(NAMES);
        const sep = random() < 0.15 ? '' : random() < 0.5 ? ':' : ': ';
        lines.push(`${name === '' ? ':' : name}${sep}${sep === '' ? '' : pick(VALUES)}${eolOf()}`);
      }
      // Most blocks carry data, anywhere in it (last, it is the parser's fast
      // path); the others are blocks of ids, types, retries and comments only.
      if (random() < 0.8) lines.splice(Math.floor(random() * (lines.length + 1)), 0, `data: ${block}${eolOf()}`);
      text += lines.join('') + eolOf();
    }
    return text;
  }

  /**
   * eventsource-parser 4.1.3 behind a streaming TextDecoder, as a client
   * would use it. `ignoreBOM`: the parser strips a leading BOM itself, and a
   * decoder that stripped one too would take the second of a double BOM.
   * 4.1 reports the id of every block (onId, before its event, if any): an
   * id reported just before an event with that id is the event's.
   */
  function oracle(chunks: Uint8Array[]): Report[] {
    const reports: Report[] = [];
    const parser = createParser({
      onId: (id) => reports.push(['id', id]),
      onEvent: (e) => {
        const last = reports.at(-1);
        if (e.id !== undefined && last?.[0] === 'id' && last[1] === e.id) reports.pop();
        reports.push(['event', e.event ?? 'message', e.data, e.id]);
      },
      onRetry: (ms) => reports.push(['retry', ms]),
    });
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
    for (const chunk of chunks) parser.feed(decoder.decode(chunk, { stream: true }));
    parser.feed(decoder.decode());
    return reports;
  }

  /** Ours, as a connection runs it: the chunked UTF-8 decoder (which strips the first BOM) and the parser. */
  function ours(chunks: Uint8Array[]): Report[] {
    const { parser, reports } = collect();
    const decoder = createUtf8StreamDecoder();
    for (const chunk of chunks) parser.feed(decoder.decode(chunk));
    return reports;
  }

  /** `bytes` whole, a byte at a time, and in random pieces (which cut characters too). */
  function byteSplits(bytes: Uint8Array, random: () => number): Uint8Array[][] {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; ) {
      const size = 1 + Math.floor(random() * 9);
      pieces.push(bytes.subarray(i, i + size));
      i += size;
    }
    return [[bytes], Array.from(bytes, (b) => Uint8Array.of(b)), pieces];
  }

  it('gives the same events, types, ids and retries for 200 seeded byte streams in every split', () => {
    let events = 0;
    let idOnly = 0;
    let boms = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = lcg(seed);
      const text = randomStream(random);
      if (text.startsWith(BOM)) boms++;
      for (const chunks of byteSplits(new TextEncoder().encode(text), random)) {
        const expected = oracle(chunks);
        expect(ours(chunks), `seed ${seed}`).toEqual(expected);
        events += expected.filter((r) => r[0] === 'event').length;
        idOnly += expected.filter((r) => r[0] === 'id').length;
      }
    }
    // The generator reaches what it is for: many events, id-only blocks, BOMs.
    expect(events).toBeGreaterThan(200 * 3 * 20);
    expect(idOnly).toBeGreaterThan(200);
    expect(boms).toBeGreaterThan(30);
  });
});
