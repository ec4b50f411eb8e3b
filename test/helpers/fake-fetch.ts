/**
 * A fetch whose responses the test controls: each call is recorded and answered
 * with a stream the test writes to, closes or errors.
 */

export interface FakeStream {
  write(text: string | Uint8Array): void;
  close(): void;
  error(reason?: unknown): void;
}

export interface FakeCall {
  url: string;
  init: RequestInit;
  headers: Headers;
  /** Answers with a 200 event stream and returns its controller. */
  respondStream(headers?: Record<string, string>): FakeStream;
  /** Answers with a status and an optional body. */
  respond(status: number, headers?: Record<string, string>, body?: string): void;
  /** Fails the request as a network error would. */
  fail(reason?: unknown): void;
  /** Whether the request's signal was aborted. */
  readonly aborted: boolean;
}

export interface FakeFetch {
  (input: string, init: RequestInit): Promise<Response>;
  calls: FakeCall[];
  /** Resolves with call `n` (0-based) once it has been made. */
  call(n: number): Promise<FakeCall>;
}

const encoder = new TextEncoder();

export function createFakeFetch(): FakeFetch {
  const calls: FakeCall[] = [];
  const waiters = new Map<number, (call: FakeCall) => void>();
  const fetch = ((url: string, init: RequestInit) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init.signal;
      signal?.addEventListener('abort', () => reject(signal.reason));
      const call: FakeCall = {
        url,
        init,
        headers: new Headers(init.headers),
        respondStream(headers = {}) {
          let controller!: ReadableStreamDefaultController<Uint8Array>;
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              controller = c;
            },
          });
          signal?.addEventListener('abort', () => {
            try {
              controller.error(signal.reason);
            } catch {
              // already closed
            }
          });
          resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', ...headers } }));
          return {
            write: (text) => controller.enqueue(typeof text === 'string' ? encoder.encode(text) : text),
            close: () => controller.close(),
            error: (reason) => controller.error(reason ?? new TypeError('network error')),
          };
        },
        respond(status, headers = {}, body) {
          resolve(new Response(status === 204 ? null : (body ?? ''), { status, headers }));
        },
        fail(reason) {
          reject(reason ?? new TypeError('fetch failed'));
        },
        get aborted() {
          return signal?.aborted ?? false;
        },
      };
      calls.push(call);
      waiters.get(calls.length - 1)?.(call);
    })) as FakeFetch;
  fetch.calls = calls;
  fetch.call = (n) => (calls[n] ? Promise.resolve(calls[n]) : new Promise((resolve) => waiters.set(n, resolve)));
  return fetch;
}
