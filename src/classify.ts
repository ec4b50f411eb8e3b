/**
 * What to do with a response, decided from its status and headers alone.
 * Pure: the state machine acts on the verdict.
 */
import { parseRetryAfter } from './backoff.js';
import type { ErrorReason } from './types.js';

/** The verdict on a response. */
export type Verdict =
  /** 200 + `text/event-stream`: announce the connection and read the body. */
  | { action: 'accept' }
  /** Reconnect with backoff; `wait` (ms) is the server's `Retry-After`, a floor under the backoff. */
  | { action: 'retry'; reason: ErrorReason; status: number; message: string; wait: number | undefined }
  /** 401 while headers come from a function: retry at once with fresh headers (once). */
  | { action: 'reauthenticate'; status: 401; message: string }
  /** Give up: CLOSED, one `error` event. */
  | { action: 'fail'; reason: ErrorReason; status: number; message: string };

/** The response fields {@link classifyResponse} reads. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

/** [spec] "a Content-Type header whose value, ignoring parameters, is text/event-stream". */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}

/**
 * Classifies a response.
 *
 * @param headersAreFunction - whether headers are recomputed per attempt, which makes a 401 worth one retry.
 * @param now - ms since the Unix epoch, for `Retry-After` dates.
 */
export function classifyResponse(response: ResponseLike, headersAreFunction: boolean, now: number): Verdict {
  const { status } = response;
  const code = `Non-200 status code (${status})`;
  let reason: ErrorReason = 'http-status';
  let message = code;
  if (status === 200) {
    const contentType = response.headers.get('content-type');
    if (isEventStream(contentType)) return { action: 'accept' };
    reason = 'content-type';
    message = `Expected content type "text/event-stream", got ${contentType === null ? 'none' : JSON.stringify(contentType)}`;
  } else if (status === 204) {
    message = 'The server answered 204 No Content: the stream is over';
  } else if (status === 401 && headersAreFunction) {
    return { action: 'reauthenticate', status, message: 'Unauthorized (401): retrying once with fresh headers' };
  } else if (status >= 500 || status === 408 || status === 429) {
    const wait = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
    return { action: 'retry', reason, status, message: `${code}: reconnecting`, wait };
  }
  return { action: 'fail', reason, status, message };
}
