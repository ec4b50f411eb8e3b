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
  if (contentType === null) return false;
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim();
  return essence.toLowerCase() === 'text/event-stream';
}

/**
 * Classifies a response.
 *
 * @param headersAreFunction - whether headers are recomputed per attempt, which makes a 401 worth one retry.
 * @param now - ms since the Unix epoch, for `Retry-After` dates.
 */
export function classifyResponse(response: ResponseLike, headersAreFunction: boolean, now: number): Verdict {
  const { status } = response;
  if (status === 200) {
    const contentType = response.headers.get('content-type');
    if (isEventStream(contentType)) return { action: 'accept' };
    return {
      action: 'fail',
      reason: 'content-type',
      status,
      message: `Expected content type "text/event-stream", got ${contentType === null ? 'none' : JSON.stringify(contentType)}`,
    };
  }
  if (status === 204) {
    return { action: 'fail', reason: 'http-status', status, message: 'The server answered 204 No Content: the stream is over' };
  }
  if (status === 401 && headersAreFunction) {
    return { action: 'reauthenticate', status, message: 'Unauthorized (401): retrying once with fresh headers' };
  }
  if (status >= 500 || status === 408 || status === 429) {
    const wait = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
    return { action: 'retry', reason: 'http-status', status, message: `Non-200 status code (${status}): reconnecting`, wait };
  }
  return { action: 'fail', reason: 'http-status', status, message: `Non-200 status code (${status})` };
}
