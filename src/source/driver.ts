/**
 * The attempt loop and readyState: connect (connection.ts), act on what
 * reconnect-policy.ts decides for the ended attempt, wait, connect again;
 * pauses, wakes and `reconnect()` cut in. Spec steps are quoted from WHATWG
 * HTML §9.2 "Server-sent events". Events go out through the host (the
 * public class); the position and messages are delivery.ts's.
 */
import type { TimerHandle } from '../platform/clock.js';
import { type Connection, type ConnectionCallbacks, openConnection, type Outcome } from '../attempt/connection.js';
import type { Delivery } from './delivery.js';
import { OpenEvent, ReconnectingEvent, type ReconnectingInit, StreamErrorEvent, type StreamErrorInit } from '../contract/events.js';
import { isHidden } from '../platform/lifecycle.js';
import type { NormalizedOptions } from '../options/options.js';
import { decide, type FailureStreak, failureStreak } from '../policy/reconnect-policy.js';
import { buildRequest, futileScheme } from '../attempt/request.js';
import { ResumePoint } from '../policy/resume-point.js';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/** Why a stream is paused: the page is hidden (pauseWhenHidden), or gone (pagehide). */
export type PauseReason = 'hidden' | 'pagehide';

/** What the driver needs from the public class. */
export interface DriverHost {
  /** Fires an event at the source (`dispatchEvent`). */
  fire(event: Event): void;
  /** Fires `stats`. */
  stats(): void;
  /** Joins the shared stream; false where sharing is impossible. */
  join(): boolean;
  /** The source is CLOSED for good: stop watching, save the cursor. */
  closed(): void;
}

/** Drives one source's attempts; owns readyState. */
export class Driver {
  readyState: 0 | 1 | 2 = CONNECTING;
  /** Set once the first attempt is under way (or the share joined): before it, reconnect() has nothing to drop. */
  started = false;
  /** The stored cursor has been read: no attempt may go before (it would go without Last-Event-ID). */
  #loaded = false;
  /** Counts the paths that begin an attempt: one whose listener began another (`reconnect()`) stops. */
  #generation = 0;
  readonly #o: NormalizedOptions;
  readonly #d: Delivery;
  readonly #host: DriverHost;
  readonly #callbacks: ConnectionCallbacks;
  readonly #pausedBy = { hidden: false, pagehide: false };
  /** [spec] "reconnection time": the backoff base, replaced by the server's `retry:`. */
  #reconnectionTime: number;
  readonly #failures: FailureStreak;
  #reauthenticated = false;
  readonly #resume: ResumePoint;
  #connection: Connection | undefined;
  #reconnectTimer: TimerHandle | undefined;

  constructor(options: NormalizedOptions, delivery: Delivery, host: DriverHost) {
    this.#o = options;
    this.#d = delivery;
    this.#host = host;
    this.#resume = new ResumePoint(options.url);
    this.#reconnectionTime = options.backoff.initialDelay;
    this.#failures = failureStreak(() => delivery.counters.eventsDelivered);
    this.#callbacks = {
      onOpen: (status, headers, finalUrl) => this.announceConnection(status, headers, finalUrl),
      onEvent: delivery.message,
      onId: (id) => delivery.moveTo(id),
      onRetry: (ms) => {
        // [spec] "If the field value consists of only ASCII digits, then
        // interpret the field value as an integer in base ten, and set the event
        // stream's reconnection time to that integer."
        this.#reconnectionTime = ms;
      },
      onBytes: (count, now) => delivery.bytes(count, now),
    };
  }

  /** Restores the cursor, then joins the share or connects. */
  async start(): Promise<void> {
    // [spec-extension] The stored cursor is read before the first request, so
    // the very first request already carries Last-Event-ID.
    await this.#d.load();
    this.#loaded = true;
    if (this.#o.pauseWhenHidden && isHidden()) this.#pausedBy.hidden = true;
    if (!this.isHalted()) this.#begin();
  }

  /** The first attempt, or the first after a pause: through the share where there is one. */
  #begin(): void {
    this.started = true;
    if (this.#o.share && this.#host.join()) return;
    void this.connect();
  }

  /** A method, not an inline comparison: listeners may close the source mid-way. */
  isClosed(): boolean {
    return this.readyState === CLOSED;
  }

  isPaused(): boolean {
    return this.#pausedBy.hidden || this.#pausedBy.pagehide;
  }

  /** CLOSED or paused: nothing may connect now. */
  isHalted(): boolean {
    return this.isClosed() || this.isPaused();
  }

  async connect(): Promise<void> {
    // A listener (of `stats`, say) may have closed or paused the source just before.
    if (this.isHalted()) return;
    this.#reconnectTimer = undefined;
    const generation = ++this.#generation;
    const o = this.#o;
    // [spec] A network error the user agent knows to be futile fails the
    // connection instead of reestablishing it, as EventSource does.
    const futile = o.defaultFetch ? futileScheme(o.url) : undefined;
    if (futile !== undefined) return this.fail({ reason: 'network', message: futile });
    this.#d.counters.connectionAttempts++;
    const { url, cursor, unsendable } = this.#resume.next(this.#d.lastEventId, o.lastEventIdQuery);
    if (unsendable !== undefined) this.#host.fire(new StreamErrorEvent(unsendable));
    // A listener of that report may have closed the source, paused it, or
    // called reconnect() (whose attempt is under way).
    if (!this.#isCurrent(generation)) return;
    // The options carry fetch, clock, heartbeatTimeout and maxEventSize under the params' names.
    const connection = openConnection(
      { ...o, url, prepare: () => buildRequest(o, url, cursor), headersAreFunction: typeof o.headers === 'function' },
      this.#callbacks,
    );
    this.#connection = connection;
    const outcome = await connection.done;
    // Superseded (dropped, or replaced by a newer attempt): the newer one owns the state.
    if (this.#connection !== connection) return;
    this.#connection = undefined;
    if (this.isHalted() || outcome.kind === 'aborted') return;
    this.#act(outcome);
  }

  /** [spec] "announce the connection": set readyState to OPEN; fire an event named open. */
  announceConnection(status: number, headers: Headers, finalUrl: string): void {
    const d = this.#d;
    d.origin = new URL(finalUrl).origin;
    this.readyState = OPEN;
    this.#reauthenticated = false; // (an outcome between two 401s, as in #act)
    const generation = this.#generation;
    d.leader()?.announceOpen(d.origin, status, headers, finalUrl);
    this.#host.fire(new OpenEvent({ status, headers, url: finalUrl }));
    // An `open` listener may have closed the source or begun another attempt.
    if (this.#isCurrent(generation)) this.#host.stats();
  }

  /** Whether the path that began attempt `generation` still owns the source: no close, pause or newer attempt since. */
  #isCurrent(generation: number): boolean {
    return !this.isHalted() && generation === this.#generation;
  }

  /** Acts on what reconnect-policy.ts decides for an ended attempt. */
  #act(outcome: Exclude<Outcome, { kind: 'aborted' }>): void {
    // The options carry endOfStream, heartbeatTimeout, maxEventSize, backoff and random.
    const decision = decide(outcome, {
      ...this.#o,
      failures: this.#failures.get(),
      reconnectionTime: this.#reconnectionTime,
      reauthenticated: this.#reauthenticated,
      sentCursor: this.#resume.sentCursor,
      sentCursorInUrl: this.#resume.sentCursorInUrl,
    });
    // [contract] Only a second 401 in a row is final: any other outcome between (a 503, an open stream) resets it.
    this.#reauthenticated = decision.next === 'reconnect' && decision.reauthenticated === true;
    switch (decision.next) {
      case 'close':
        // The answer is complete: CLOSED, no error, and no second request
        // (for an LLM-style POST, a second bill).
        this.#d.leader()?.announceEnd();
        this.close();
        return this.#host.stats();
      case 'fail':
        return this.fail(decision.error);
      case 'reconnect':
        if (decision.refuseCursor) this.#resume.refuse(this.#d.lastEventId);
        return this.#reestablish(decision.error, decision.delay);
    }
  }

  /**
   * [spec] "reestablish the connection": set readyState to CONNECTING, fire
   * error, wait, then connect again — with our backoff (the policy's `delay`)
   * in place of the fixed reconnection time.
   */
  #reestablish(error: StreamErrorInit, delay: number): void {
    this.#reconnect({ attempt: this.#failures.add(), delay, reason: error.reason }, error);
  }

  /**
   * The one path to a new attempt: counts it, announces it (to followers, then
   * as events: `error` first when something failed, then `reconnecting`),
   * then waits (after a failure) or connects at once (`reconnect()`, a wake).
   */
  #reconnect(init: ReconnectingInit, error?: StreamErrorInit): void {
    const generation = ++this.#generation;
    const counters = this.#d.counters;
    counters.reconnects++;
    counters.lastReconnectReason = init.reason;
    counters.lastReconnectDelay = init.delay;
    this.readyState = CONNECTING;
    const leader = this.#d.leader();
    if (error) leader?.announceError(error, CONNECTING);
    leader?.announceReconnecting(init);
    // After each event: a listener may have closed or paused the source, or
    // begun the next attempt itself (reconnect()); then this path stops.
    if (error) {
      this.#host.fire(new StreamErrorEvent(error));
      if (!this.#isCurrent(generation)) return;
    }
    this.#host.fire(new ReconnectingEvent(init));
    if (!this.#isCurrent(generation)) return;
    this.#host.stats();
    if (!this.#isCurrent(generation)) return;
    // [spec] "Wait a delay equal to the reconnection time of the event source."
    if (error) this.#reconnectTimer = this.#o.clock.setTimeout(() => void this.connect(), init.delay);
    else void this.connect();
  }

  /** [spec] "fail the connection": set readyState to CLOSED and fire error. */
  fail(error: StreamErrorInit): void {
    // The shared stream is over for every tab, not only this one — unless this
    // tab's own signal ended it, which is this tab's business alone.
    if (error.reason !== 'aborted') this.#d.leader()?.announceError(error, CLOSED);
    this.close();
    this.#host.fire(new StreamErrorEvent(error));
    this.#host.stats();
  }

  /** CLOSED for good: nothing can deliver or reopen. */
  close(): void {
    this.readyState = CLOSED;
    this.#stop();
    this.#host.closed();
  }

  /** Stops everything that could deliver or reopen: for close and for pauses alike. */
  #stop(): void {
    this.#drop();
    this.#d.shared?.leave();
    this.#d.shared = undefined;
  }

  /** Drops the wait or the attempt. The reconnect timer goes first, so nothing can reopen what is closing. */
  #drop(): void {
    this.#clearTimer();
    this.#connection?.abort();
    this.#connection = undefined;
  }

  #clearTimer(): void {
    if (this.#reconnectTimer !== undefined) this.#o.clock.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  /**
   * Connects again at once, dropping the connection or the wait: for
   * `reconnect()` and after a wake. Not a failure: the count stays, no `error`.
   */
  reconnectNow(reason: 'requested' | 'wake'): void {
    this.#drop();
    this.#reconnect({ attempt: this.#failures.get() + 1, delay: 0, reason });
  }

  /** The device slept: an open stream (or an attempt in flight) is presumed dead. A wait runs on. */
  wake(): void {
    if (this.isHalted() || this.#d.role() === 'follower' || this.#connection === undefined) return;
    this.reconnectNow('wake');
  }

  /** Back online: a pending wait is cut short. */
  reconnectIfWaiting(): void {
    if (this.#reconnectTimer === undefined || this.isClosed()) return;
    this.#clearTimer();
    void this.connect();
  }

  /** Pauses (closes the stream, keeps the source) or resumes, for one reason. */
  setPaused(reason: PauseReason, paused: boolean): void {
    if (this.isClosed()) return;
    const wasPaused = this.isPaused();
    this.#pausedBy[reason] = paused;
    if (!wasPaused && this.isPaused()) {
      // A paused tab must not hold the shared stream either: another tab takes it.
      this.#stop();
      this.readyState = CONNECTING;
    }
    // After the abort, so that nothing arrives after the state is saved.
    if (paused) void this.#d.cursor.flush();
    // Before the stored cursor is read, start() makes the first attempt.
    if (wasPaused && !this.isPaused() && this.#loaded) this.#begin();
  }
}
