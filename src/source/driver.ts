/**
 * The attempt loop, and the one owner of `readyState`: connect, act on what
 * the policy decides for the ended attempt, wait, connect again; pauses,
 * wakes, `reconnect()` and a shared stream cut in. Spec steps are quoted from
 * WHATWG HTML §9.2. Events go out through the host (the public class); the
 * position and messages are delivery.ts's.
 */
import { type Connection, type ConnectionCallbacks, openConnection, type Outcome } from '../attempt/connection.js';
import { buildRequest, futileScheme, isCrossOrigin } from '../attempt/request.js';
import {
  OpenEvent,
  ReconnectingEvent,
  type ReconnectingInit,
  StreamErrorEvent,
  type StreamErrorInit,
} from '../contract/events.js';
import type { NormalizedOptions } from '../options/options.js';
import { isHidden } from '../platform/lifecycle.js';
import { decide, type PolicyOptions } from '../policy/reconnect-policy.js';
import { ResumePoint } from '../policy/resume-point.js';
import { type PauseReason, Pauses } from './pauses.js';
import { ReconnectState } from './reconnect-state.js';
import { ReconnectTimer } from './reconnect-timer.js';
import { CLOSED, CONNECTING, OPEN, type ReadyState } from './ready-state.js';
import type { Delivery } from './delivery.js';

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

/** Drives one source's attempts. */
export class Driver {
  #readyState: ReadyState = CONNECTING;
  /** Set once the first attempt is under way (or the share joined): before it, reconnect() has nothing to drop. */
  started = false;
  /** The stored cursor has been read: no attempt may go before (it would go without Last-Event-ID). */
  #loaded = false;
  /** Counts the paths that begin an attempt: one whose listener began another (`reconnect()`) stops. */
  #generation = 0;
  readonly #o: NormalizedOptions;
  readonly #d: Delivery;
  readonly #host: DriverHost;
  readonly #policy: PolicyOptions;
  readonly #callbacks: ConnectionCallbacks;
  readonly #pauses = new Pauses();
  /** The policy's inputs between attempts: the reconnection time, the failure streak, the 401 retry. */
  readonly #between: ReconnectState;
  readonly #resume: ResumePoint;
  readonly #wait: ReconnectTimer;
  #connection: Connection | undefined;

  constructor(options: NormalizedOptions, delivery: Delivery, host: DriverHost) {
    this.#o = options;
    this.#d = delivery;
    this.#host = host;
    this.#resume = new ResumePoint(options.url, isCrossOrigin(options.url));
    this.#wait = new ReconnectTimer(options.clock);
    const between = new ReconnectState(options.backoff.initialDelay, () => delivery.counters.eventsDelivered);
    this.#between = between;
    const { endOfStream, heartbeatTimeout, maxEventSize, backoff, random, headers } = options;
    const headersAreFunction = typeof headers === 'function';
    this.#policy = { endOfStream, heartbeatTimeout, maxEventSize, backoff, random, headersAreFunction };
    this.#callbacks = {
      onOpen: (status, responseHeaders, finalUrl) => this.announceConnection(status, responseHeaders, finalUrl),
      onEvent: delivery.message,
      onId: (id) => delivery.moveTo(id),
      onRetry: (ms) => between.retry(ms),
      onBytes: (count, now) => delivery.bytes(count, now),
    };
  }

  /** `CONNECTING` (0), `OPEN` (1) or `CLOSED` (2): written here only. */
  get readyState(): ReadyState {
    return this.#readyState;
  }

  /** Restores the cursor, then joins the share or connects. */
  async start(): Promise<void> {
    // [spec-extension] The stored cursor is read before the first request, so
    // the very first request already carries Last-Event-ID.
    await this.#d.load();
    this.#loaded = true;
    if (this.#o.pauseWhenHidden && isHidden()) this.#pauses.set('hidden', true);
    if (!this.isHalted()) this.#begin();
  }

  /** The first attempt, or the first after a pause: through the share where there is one. */
  #begin(): void {
    this.started = true;
    if (this.#o.share && this.#host.join()) return;
    void this.#connect();
  }

  /** (Methods, not inline comparisons: listeners may close the source mid-way.) */
  isClosed(): boolean {
    return this.#readyState === CLOSED;
  }

  /** CLOSED or paused: nothing may connect now. */
  isHalted(): boolean {
    return this.isClosed() || this.#pauses.active;
  }

  async #connect(): Promise<void> {
    // A listener (of `stats`, say) may have closed or paused the source just before.
    if (this.isHalted()) return;
    this.#wait.cancel();
    const generation = ++this.#generation;
    const o = this.#o;
    // [spec] A network error the user agent knows to be futile fails the
    // connection instead of reestablishing it, as EventSource does.
    const futile = o.defaultFetch ? futileScheme(o.url) : undefined;
    if (futile !== undefined) return this.fail({ reason: 'network', message: futile });
    this.#d.countAttempt();
    const { url, cursor, unsendable } = this.#resume.next(this.#d.lastEventId, o.lastEventIdQuery);
    if (unsendable !== undefined) this.#host.fire(new StreamErrorEvent(unsendable));
    // A listener of that report may have closed or paused the source, or called reconnect().
    if (!this.#isCurrent(generation)) return;
    const connection = openConnection(
      {
        url,
        prepare: () => buildRequest(o, cursor),
        fetch: o.fetch,
        clock: o.clock,
        heartbeatTimeout: o.heartbeatTimeout,
        maxEventSize: o.maxEventSize,
      },
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
    d.servedFrom(new URL(finalUrl).origin);
    this.#readyState = OPEN;
    this.#between.opened();
    const generation = this.#generation;
    d.membership.leader()?.announceOpen(d.origin, status, headers, finalUrl);
    this.#host.fire(new OpenEvent({ status, headers, url: finalUrl }));
    // An `open` listener may have closed the source or begun another attempt.
    if (this.#isCurrent(generation)) this.#host.stats();
  }

  /** Whether the path that began attempt `generation` still owns the source: no close, pause or newer attempt since. */
  #isCurrent(generation: number): boolean {
    return !this.isHalted() && generation === this.#generation;
  }

  /** Acts on what the policy decides for an ended attempt. */
  #act(outcome: Exclude<Outcome, { kind: 'aborted' }>): void {
    const resume = this.#resume;
    const decision = decide(outcome, this.#policy, this.#between.forPolicy(resume, this.#o.clock.now()));
    const attempt = this.#between.decided(decision);
    if (decision.next === 'close') {
      // The answer is complete: CLOSED, no error, and no second request
      // (for an LLM-style POST, a second bill).
      this.#d.membership.leader()?.announceEnd();
      this.close();
      this.#host.stats();
    } else if (decision.next === 'fail') {
      this.fail(decision.error);
    } else {
      if (decision.fix === 'refuse-cursor') resume.refuse(this.#d.lastEventId);
      // [spec] "reestablish the connection", with the policy's delay in place of the reconnection time.
      this.#reconnect({ attempt, delay: decision.delay, reason: decision.error.reason }, decision.error);
    }
  }

  /** The one path to a new attempt: counts and announces it (`error` first if something failed), then waits or goes. */
  #reconnect(init: ReconnectingInit, error?: StreamErrorInit): void {
    const generation = ++this.#generation;
    this.#d.countReconnect(init);
    this.#readyState = CONNECTING;
    const leader = this.#d.membership.leader();
    if (error) leader?.announceError(error, CONNECTING);
    leader?.announceReconnecting(init);
    // After each event: a listener may have closed or paused the source, or
    // begun the next attempt itself (reconnect()); then this path stops.
    if (error && !this.#fire(new StreamErrorEvent(error), generation)) return;
    if (!this.#fire(new ReconnectingEvent(init), generation)) return;
    this.#host.stats();
    if (!this.#isCurrent(generation)) return;
    // [spec] "Wait a delay equal to the reconnection time of the event source."
    if (error) this.#wait.start(init.delay, () => void this.#connect());
    else void this.#connect();
  }

  /** Fires `event`; returns whether the path of attempt `generation` still owns the source after its listeners. */
  #fire(event: Event, generation: number): boolean {
    this.#host.fire(event);
    return this.#isCurrent(generation);
  }

  /** [spec] "fail the connection": set readyState to CLOSED and fire error. */
  fail(error: StreamErrorInit): void {
    // The shared stream is over for every tab, not only this one — unless this
    // tab's own signal ended it, which is this tab's business alone.
    if (error.reason !== 'aborted') this.#d.membership.leader()?.announceError(error, CLOSED);
    this.close();
    this.#host.fire(new StreamErrorEvent(error));
    this.#host.stats();
  }

  /** CLOSED for good: nothing can deliver or reopen. */
  close(): void {
    this.#readyState = CLOSED;
    this.#stop();
    this.#host.closed();
  }

  /** Stops everything that could deliver or reopen: for close and for pauses alike. */
  #stop(): void {
    this.#drop();
    this.#d.membership.leave();
  }

  /** Drops the wait or the attempt. The reconnect timer goes first, so nothing can reopen what is closing. */
  #drop(): void {
    this.#wait.cancel();
    this.#connection?.abort();
    this.#connection = undefined;
  }

  /** Connects again at once, dropping the connection or the wait (`reconnect()`, a wake). Not a failure: no `error`. */
  reconnectNow(reason: 'requested' | 'wake'): void {
    this.#drop();
    this.#reconnect({ attempt: this.#between.failures() + 1, delay: 0, reason });
  }

  /** The device slept: an open stream (or an attempt in flight) is presumed dead. A wait runs on. */
  wake(): void {
    if (this.isHalted() || this.#d.membership.role() === 'follower' || this.#connection === undefined) return;
    this.reconnectNow('wake');
  }

  /** Back online: a pending wait is cut short. */
  reconnectIfWaiting(): void {
    if (!this.#wait.waiting || this.isClosed()) return;
    this.#wait.cancel();
    void this.#connect();
  }

  /** Pauses (closes the stream, keeps the source) or resumes, for one reason. */
  setPaused(reason: PauseReason, paused: boolean): void {
    if (this.isClosed()) return;
    const change = this.#pauses.set(reason, paused);
    if (change === 'started') {
      // A paused tab must not hold the shared stream either: another tab takes it.
      this.#stop();
      this.#readyState = CONNECTING;
    }
    // After the abort, so that nothing arrives after the state is saved.
    if (paused) void this.#d.cursor.flush();
    // Before the stored cursor is read, start() makes the first attempt.
    if (change === 'ended' && this.#loaded) this.#begin();
  }

  /** The share's lock came: this source leads, and connects for every tab. False when it cannot now (closed, paused). */
  lead(): boolean {
    if (this.isHalted()) return false;
    // It resumes from what this tab has seen (last id, dedupe window): it neither skips nor repeats what it showed.
    this.#d.cursor.changed();
    this.#readyState = CONNECTING;
    this.#host.stats();
    void this.#connect();
    return true;
  }

  /** A follower mirrors the leader: its connection was lost (`error`), or a reconnect is scheduled (`reconnecting`). */
  follow(event: StreamErrorEvent | ReconnectingEvent): void {
    if (this.isClosed()) return;
    this.#readyState = CONNECTING;
    this.#host.fire(event);
  }
}
