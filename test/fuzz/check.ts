/**
 * The invariants a fuzz run must hold, checked against model.ts:
 * - every message each source delivered, and its `lastEventId`, is what the
 *   WHATWG processing model (plus duplicate suppression and the stored cursor)
 *   predicts from the bytes the server sent: nothing lost, nothing repeated,
 *   in order;
 * - every attempt went to the stream's own URL, with the cursor the model
 *   predicts as `Last-Event-ID` (and as the query parameter when asked), and
 *   the caller's Authorization never went to the other origin;
 * - every response led to what the contract says (open, a reconnect after the
 *   backoff API.md gives, with `Retry-After`, or giving up), and a caller's
 *   close() or reconnect() from a listener did exactly that;
 * - nothing was dispatched after close(); no timer and no stream were left;
 * - never more than a few requests per second that nothing asked for.
 * Each returns the list of what failed (empty when the run holds).
 */
import {
  type Delivered,
  type Dispatch,
  decode,
  expectedDelay,
  interpret,
  ClientModel,
  type Position,
  sendable,
  verdictOf,
} from './model.js';
import { BACKOFF, type Case, type Run, type Seen } from './run-script.js';

/** [fetch] The essence of the last value of a Content-Type that parses (enough for the plans' types). */
function essence(lines: readonly string[]): string | undefined {
  const values = lines
    .join(', ')
    .split(',')
    .map((v) => v.split(';')[0]?.trim().toLowerCase() ?? '');
  return values.filter((v) => /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(v)).at(-1);
}

/** What a delivery is, and where the client stood around it (for a loop's held cursor). */
interface Step {
  delivered: Delivered;
  /** Whether its explicit id entered the window. */
  remembered: boolean;
  before: string;
  windowAfter: string[];
}

class Mismatch extends Error {}

export function check(c: Case, run: Run): string[] {
  const problems: string[] = [];
  if (run.afterClose.length > 0) problems.push(`dispatched after close(): ${run.afterClose.join(', ')}`);
  if (run.leftover.timers > 0) problems.push(`${run.leftover.timers} timer(s) left after every source closed`);
  if (run.leftover.openStreams > 0)
    problems.push(`${run.leftover.openStreams} stream(s) left open after every source closed`);
  for (const r of run.server.received) {
    if (r.hop === 'first' && (r.origin !== 'a' || !/^\/stream(\?lastEventId=[^&]*)?$/.test(r.path)))
      problems.push(`an attempt started at ${r.origin}${r.path}, not the stream's URL`);
    if (r.origin === 'b' && r.authorization !== undefined)
      problems.push(`Authorization sent to the other origin (${r.path})`);
  }
  try {
    replay(c, run);
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    problems.push(error.message);
  }
  problems.push(...rate(c, run));
  return problems;
}

/** Runs the model over every source's attempts and compares what was seen. */
function replay(c: Case, run: Run): void {
  const firsts = run.server.received.filter((r) => r.hop === 'first');
  const windowSize = c.client.dedupe === false ? 0 : c.client.dedupe;
  let persisted: Position = { lastEventId: '', window: [] };
  let random = 0;
  const sources = run.sourceStarts.length;
  for (let s = 0; s < sources; s++) {
    const looped = s === 0 && c.caller.loop !== undefined;
    const model = new ClientModel(windowSize);
    model.restore(persisted);
    const steps: Step[] = [];
    const seen = run.seen.filter((e) => e.source === s);
    let at = 0;
    const where = (a: number) => `source ${s}, attempt ${a}`;
    /** The next event seen (messages only when not in a loop), or undefined at the end. */
    const nextSeen = (): Seen | undefined => {
      while (at < seen.length) {
        const e = seen[at++] as Seen;
        // Reports that are not part of an attempt's course: checked apart.
        if (e.kind === 'error' && (e.reason === 'store' || e.message.startsWith('The last event id '))) continue;
        if (looped && e.kind === 'message') continue;
        return e;
      }
      return undefined;
    };
    /** Takes the next event, which must match `expected`; returns false when the loop closed the source before it. */
    const take = (a: number, expected: Partial<Record<string, unknown>> & { kind: Seen['kind'] }): boolean => {
      const e = nextSeen();
      if (e === undefined && looped && run.deliveredAtBreak !== undefined) return false;
      for (const [key, value] of Object.entries(expected)) {
        if ((e as Record<string, unknown> | undefined)?.[key] !== value) {
          throw new Mismatch(`${where(a)}: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(e)}`);
        }
      }
      return true;
    };
    /** Whether the caller acted right after the event just taken. */
    const acted = () =>
      run.acted !== undefined && run.acted.source === s && run.seen.indexOf(seen[at - 1] as Seen) === run.acted.after;

    // The policy's state (API.md "Reconnecting").
    let n = 0;
    let sinceReading = 0;
    let reauthenticated = false;
    let refused: string | undefined;
    const reading = () => {
      if (sinceReading > 0) n = 0;
      sinceReading = 0;
    };
    /** After the caller's reconnect(): a `requested` reconnect at once. */
    const requested = (a: number) => {
      reading();
      take(a, { kind: 'reconnecting', reason: 'requested', delay: 0, attempt: n + 1 });
    };

    const end = s + 1 < sources ? (run.sourceStarts[s + 1] as number) : firsts.length;
    let closed = false;
    for (let a = run.sourceStarts[s] as number; a < end && !closed; a++) {
      const r = firsts[a];
      if (!r) break;
      // The cursor the request must carry.
      const id = model.lastEventId;
      const cursor = id === '' || id === refused || !sendable(id) ? undefined : id;
      // [http] A field value loses its leading and trailing spaces and tabs on the way: an id
      // that has them cannot arrive as it was, with any client.
      const header = cursor?.replace(/^[ \t]+|[ \t]+$/g, '');
      if (r.lastEventId !== header)
        throw new Mismatch(
          `${where(a)}: Last-Event-ID ${JSON.stringify(r.lastEventId)}, the model says ${JSON.stringify(header)}`,
        );
      const query = c.client.lastEventIdQuery ? (cursor ?? null) : null;
      if (r.queryCursor !== query)
        throw new Mismatch(
          `${where(a)}: query cursor ${JSON.stringify(r.queryCursor)}, the model says ${JSON.stringify(query)}`,
        );

      const p = r.plan >= 0 ? c.plans[r.plan] : undefined;
      const status = p?.status ?? 204;
      const verdict = verdictOf(status, p ? essence(p.contentType) : undefined, c.client.headersFunction);
      /** A failure the source recovers from: `error`, then `reconnecting` after the backoff (or at once for a fix). */
      const failure = (reason: string, failStatus: number | undefined, wait: number | 'fix'): void => {
        reading();
        const fix = wait === 'fix';
        reauthenticated = fix && failStatus === 401;
        if (n >= c.client.maxRetries) {
          take(a, { kind: 'error', reason: 'max-retries', readyState: 2 });
          closed = true;
          return;
        }
        const base = model.retry ?? BACKOFF.initialDelay;
        const streak = n++;
        if (!take(a, { kind: 'error', reason, status: failStatus, readyState: 0 })) return;
        // The source drew its random number when it decided, before the error event.
        const delay = fix ? 0 : expectedDelay(streak, BACKOFF, base, wait, run.randoms[random++] ?? Number.NaN);
        if (acted()) return void (run.acted?.call === 'close' ? (closed = true) : requested(a));
        if (!take(a, { kind: 'reconnecting', reason, attempt: n, delay })) return;
        if (acted()) return void (run.acted?.call === 'close' ? (closed = true) : requested(a));
      };
      const fatal = (reason: string) => {
        reading();
        take(a, { kind: 'error', reason, status, readyState: 2 });
        closed = true;
      };

      if (verdict === 'open') {
        if (!take(a, { kind: 'open' })) break;
        const stream = run.server.streams.findIndex((st) => st.plan === r.plan);
        const cut = run.cuts.find((x) => x.stream === stream);
        const bytes = run.server.streams[stream]?.bytes ?? new Uint8Array();
        let delivered = 0;
        if (!(cut && cut.delivered === 0)) {
          for (const d of interpret(decode(bytes)) as Dispatch[]) {
            const before = model.lastEventId;
            const out = model.apply(d);
            if (!out) continue;
            delivered++;
            sinceReading++;
            steps.push({
              delivered: out,
              remembered: d.kind === 'event' && d.id !== undefined && d.id !== '' && windowSize > 0,
              before,
              windowAfter: model.window.slice(),
            });
            if (!looped) take(a, { kind: 'message', type: out.type, data: out.data, lastEventId: out.lastEventId });
            if (cut && delivered === cut.delivered) break;
          }
        }
        if (acted() || cut) {
          if (run.acted?.call === 'close') break;
          requested(a);
          continue;
        }
        const ending = p?.ending;
        if (ending === 'end' && c.client.post) {
          // endOfStream 'close' (the default for POST): CLOSED, no error.
          reading();
          closed = true;
        } else if (ending === 'silence') {
          // A wall clock stepped forward looks like a sleep: a `wake` reconnect may come before the heartbeat.
          const next = seen.slice(at).find((e) => e.kind !== 'message');
          if (next?.kind === 'reconnecting' && next.reason === 'wake') {
            reading();
            take(a, { kind: 'reconnecting', reason: 'wake', delay: 0, attempt: n + 1 });
            if (acted()) {
              if (run.acted?.call === 'close') break;
              requested(a);
            }
          } else failure('heartbeat-timeout', undefined, 0);
        } else failure('network', undefined, 0);
        continue;
      }
      // The cursor was what the server refused: once, at once, without it.
      const sentHeader = cursor !== undefined;
      if ((status === 431 && sentHeader) || (status === 414 && sentHeader && c.client.lastEventIdQuery)) {
        refused = id;
        failure('http-status', status, 'fix');
      } else if (verdict === 'reauthenticate' && !reauthenticated) failure('http-status', 401, 'fix');
      else if (verdict === 'retry') {
        const header = status === 429 || status === 503 ? p?.retryAfter : undefined;
        failure('http-status', status, header !== undefined && /^\d+$/.test(header) ? Number(header) * 1000 : 0);
      } else fatal(status === 200 ? 'content-type' : 'http-status');
    }
    if (looped) persisted = checkLoop(c, run, steps, model);
    else persisted = model.position();
  }
}

/** The loop took the first messages in order; the cursor it left is where its body stood. */
function checkLoop(c: Case, run: Run, steps: Step[], model: ClientModel): Position {
  const taken = run.seen.filter((e) => e.source === 0 && e.kind === 'message');
  taken.forEach((e, i) => {
    const want = steps[i]?.delivered;
    if (
      e.kind !== 'message' ||
      !want ||
      e.type !== want.type ||
      e.data !== want.data ||
      e.lastEventId !== want.lastEventId
    ) {
      throw new Mismatch(`the loop's message ${i}: saw ${JSON.stringify(e)}, the model says ${JSON.stringify(want)}`);
    }
  });
  const k = taken.length;
  const e = run.deliveredAtBreak;
  if (e === undefined) return model.position();
  if (k !== c.caller.loop?.breakAfter)
    throw new Mismatch(`the loop took ${k} messages before it left, not ${c.caller.loop?.breakAfter}`);
  const last = steps[e - 1];
  if (e === k) return last ? { lastEventId: last.delivered.lastEventId, window: last.windowAfter } : model.position();
  // Held: before the first message the body did not take, with the window minus what came in since.
  const since = steps.slice(k, e).filter((x) => x.remembered).length;
  const window = last?.windowAfter ?? [];
  return { lastEventId: steps[k]?.before ?? '', window: window.slice(0, Math.max(0, window.length - since)) };
}

/**
 * "Never more than a few requests per second": within any second of virtual
 * time, at most 3 attempts that followed a reconnect nothing asked to be
 * quick (not the caller's reconnect(), a wake, a fix retry, or a server's
 * `retry:` under a second after a stream that delivered).
 */
function rate(c: Case, run: Run): string[] {
  const firsts = run.server.received.filter((r) => r.hop === 'first');
  const quick = run.seen.filter(
    (e): e is Seen & { kind: 'reconnecting' } =>
      e.kind === 'reconnecting' && e.delay < 1000 && e.reason !== 'requested' && e.reason !== 'wake',
  );
  // A reconnect under a second that is not a fix (delay 0 after a 401/414/431) needs the server's retry: below a second.
  const explained = (e: Seen & { kind: 'reconnecting' }) => {
    const error = run.seen[run.seen.indexOf(e) - 1];
    return (
      (e.delay === 0 &&
        error?.kind === 'error' &&
        (error.status === 401 || error.status === 414 || error.status === 431)) ||
      c.plans.some((p) => p.items.some((i) => i.kind === 'retry' && /^\d+$/.test(i.value) && Number(i.value) < 1000))
    );
  };
  const unexplained = quick.filter((e) => !explained(e)).map((e) => e.at);
  for (const t of unexplained) {
    const within = unexplained.filter((u) => u >= t && u < t + 1000).length;
    if (within > 3)
      return [
        `${within} quick reconnects nothing asked for within one second (at ${t} ms; ${firsts.length} attempts in all)`,
      ];
  }
  return [];
}
