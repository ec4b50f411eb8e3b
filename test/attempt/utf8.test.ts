/**
 * The chunked UTF-8 decoder gives what `TextDecoder` with `stream: true`
 * gives, character for character, for any bytes in any split.
 */
import { describe, expect, it } from 'vitest';
import { completeLength, createUtf8StreamDecoder } from '../../src/attempt/utf8.js';
import { lcg } from '../helpers/random.js';

const encoder = new TextEncoder();

function streamed(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join('') + decoder.decode();
}

function ours(chunks: Uint8Array[]): string {
  const decoder = createUtf8StreamDecoder();
  return chunks.map((c) => decoder.decode(c)).join('');
}

function split(bytes: Uint8Array, random: () => number, maxSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const size = Math.floor(random() * (maxSize + 1)); // 0 included: empty chunks happen
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

describe('completeLength', () => {
  it('keeps whole characters and stops before an unfinished one', () => {
    const euro = encoder.encode('€'); // E2 82 AC
    const pile = encoder.encode('😀'); // F0 9F 98 80
    expect(completeLength(encoder.encode('abc'))).toBe(3);
    expect(completeLength(Uint8Array.of(0x61, ...euro))).toBe(4);
    expect(completeLength(Uint8Array.of(0x61, ...euro.subarray(0, 2)))).toBe(1);
    expect(completeLength(Uint8Array.of(0x61, ...euro.subarray(0, 1)))).toBe(1);
    expect(completeLength(pile)).toBe(4);
    expect(completeLength(pile.subarray(0, 3))).toBe(0);
    expect(completeLength(Uint8Array.of(0x80, 0x80, 0x80, 0x80))).toBe(4);
    expect(completeLength(Uint8Array.of(0x61, 0xff))).toBe(2);
  });
});

describe('createUtf8StreamDecoder', () => {
  it('a character split at every byte comes out whole', () => {
    const bytes = encoder.encode('a€b😀c');
    expect(ours(Array.from(bytes, (b) => Uint8Array.of(b)))).toBe('a€b😀c');
  });

  it('strips one BOM at the start of the stream only, even when it arrives a byte at a time', () => {
    const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x61);
    expect(ours([bytes])).toBe('\ufeffa');
    expect(ours(Array.from(bytes, (b) => Uint8Array.of(b)))).toBe('\ufeffa');
    // A U+FEFF that starts a later chunk is data, not a BOM.
    expect(ours([encoder.encode('a'), Uint8Array.of(0xef, 0xbb, 0xbf, 0x62)])).toBe('a\ufeffb');
  });

  it('matches TextDecoder streaming on random bytes (valid, invalid, BOMs) in random splits', () => {
    const pieces = [
      encoder.encode('data: x\n'),
      encoder.encode('é'),
      encoder.encode('€'),
      encoder.encode('😀'),
      Uint8Array.of(0xef, 0xbb, 0xbf),
      Uint8Array.of(0x80),
      Uint8Array.of(0xc0, 0xaf),
      Uint8Array.of(0xe0, 0x80),
      Uint8Array.of(0xed, 0xa0, 0x80),
      Uint8Array.of(0xf4, 0x90, 0x80, 0x80),
      Uint8Array.of(0xf5),
      Uint8Array.of(0xff),
      Uint8Array.of(0xe2, 0x82),
      Uint8Array.of(0xf0, 0x9f),
    ];
    let compared = 0;
    for (let seed = 1; seed <= 500; seed++) {
      const random = lcg(seed);
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 40; i++) parts.push(pieces[Math.floor(random() * pieces.length)] as Uint8Array);
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      // End on ASCII: an unfinished character at the very end is discarded by
      // ours (the parser would drop that unfinished line) and flushed as U+FFFD by the other.
      const whole = Uint8Array.of(...bytes, 0x0a);
      for (const maxSize of [1, 3, 8, 64]) {
        const chunks = split(whole, random, maxSize);
        expect(ours(chunks), `seed ${seed}, chunks ≤ ${maxSize}`).toBe(streamed(chunks));
        compared++;
      }
    }
    expect(compared).toBe(2000);
  });
});
