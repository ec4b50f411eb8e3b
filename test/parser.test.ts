/**
 * The parser on its own (WHATWG HTML §9.2.6), fed text in every split, and
 * checked against eventsource-parser (a devDependency, used as an oracle) on
 * seeded random streams.
 */
import { createParser } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { createEventStreamParser } from '../src/attempt/parser.js';

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

/** A seeded generator (an LCG), so every random case can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

/** `text` in every split the tests use: whole, one character at a time, and random pieces. */
function splits(text: string, seed = 1): string[][] {
  const random = rng(seed);
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

describe('parser: against eventsource-parser on random streams', () => {
  const LINE_ENDINGS = ['\n', '\r\n', '\r'];
  const NAMES = ['data', 'data', 'data', 'id', 'event', 'retry', 'dat', 'datax', 'Data', ''];
  const VALUES = ['', ' ', 'x', ' a b ', 'é☃😀', ':', ' :x', '12', '3.5', 'a\0b'];

  function randomStream(random: () => number): string {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    // One line ending for the whole stream, or (one stream in three) a
    // random one for every line: the parser's LF-only loop and its general
    // loop both run, and each meets the other's line endings.
    const fixed = random() < 0.67 ? pick(LINE_ENDINGS) : undefined;
    const eolOf = () => fixed ?? pick(LINE_ENDINGS);
    let text = '';
    for (let block = 0; block < 30; block++) {
      const lines: string[] = [];
      for (let l = Math.floor(random() * 4); l > 0; l--) {
        const name = pick(NAMES);
        const sep = random() < 0.15 ? '' : random() < 0.5 ? ':' : ': ';
        lines.push(`${name === '' ? ':' : name}${sep}${sep === '' ? '' : pick(VALUES)}${eolOf()}`);
      }
      // Every block carries data, anywhere in it (last, it is the parser's
      // fast path): eventsource-parser reports nothing for a block without
      // data, where the spec (and we) still move the id.
      lines.splice(Math.floor(random() * (lines.length + 1)), 0, `data: ${block}${eolOf()}`);
      text += lines.join('') + eolOf();
    }
    return text;
  }

  function oracle(text: string): Report[] {
    const reports: Report[] = [];
    const parser = createParser({
      onEvent: (e) => reports.push(['event', e.event ?? 'message', e.data, e.id]),
      onRetry: (ms) => reports.push(['retry', ms]),
    });
    parser.feed(text);
    // It holds a final CR until it knows what follows: tell it that nothing
    // does (an LF after a CR ends no further line).
    if (text.endsWith('\r')) parser.feed('\n');
    return reports;
  }

  it('gives the same events, types, ids and retries for 200 seeded streams in every split', () => {
    let events = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const text = randomStream(rng(seed));
      const expected = oracle(text);
      events += expected.length;
      for (const reports of parseAll(text)) expect(reports, `seed ${seed}`).toEqual(expected);
    }
    // 30 blocks a stream, fewer where mixed endings put a CR before an LF:
    // those are one line ending, and two blocks become one.
    expect(events).toBeGreaterThan(200 * 28);
  });
});
