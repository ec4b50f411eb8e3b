/**
 * What to do with a response, decided from its status and headers alone.
 * Pure: the state machine acts on the verdict.
 */
import { parseRetryAfter } from '../policy/backoff.js';
import type { ErrorReason } from '../contract/types.js';

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

/** [mimesniff] An HTTP token: what a MIME type's type and subtype are made of. */
const token = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/**
 * [fetch] "getting, decoding, and splitting" a header value: a header sent on
 * several lines reaches us joined with ", ", so the value is split on commas
 * outside quoted strings, and each part stripped of spaces and tabs.
 */
function splitValues(value: string): string[] {
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  // [fetch] HTTP tab or space: not String.prototype.trim(), which takes U+00A0 and the like too.
  const strip = (text: string) => text.replace(/^[\t ]+|[\t ]+$/g, '');
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === ',' && !quoted) {
      parts.push(strip(part));
      part = '';
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) part += value[i++];
    part += value[i];
  }
  parts.push(strip(part));
  return parts;
}

/**
 * [mimesniff] "parse a MIME type", as far as its essence: `type/subtype` in
 * lower case, or `undefined` for a value that is not a MIME type. Parameters
 * are not needed to tell an event stream.
 */
function essenceOf(value: string): string | undefined {
  const slash = value.indexOf('/');
  const end = value.indexOf(';');
  const type = value.slice(0, slash);
  const subtype = value.slice(slash + 1, end === -1 ? undefined : end).replace(/[\t ]+$/, '');
  if (slash === -1 || !token.test(type) || !token.test(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * [fetch] "extract a MIME type" from a Content-Type value, as far as its
 * essence: the last of its comma-separated values that parses (and is not
 * `*\/*`) wins, so a header sent twice (`text/event-stream,
 * text/event-stream`) is still an event stream, as it is to EventSource.
 */
export function mimeEssence(contentType: string | null): string | undefined {
  let essence: string | undefined;
  if (contentType !== null) {
    for (const value of splitValues(contentType)) {
      const parsed = essenceOf(value);
      if (parsed !== undefined && parsed !== '*/*') essence = parsed;
    }
  }
  return essence;
}

/** [spec] "a Content-Type header whose value, ignoring parameters, is text/event-stream". */
export function isEventStream(contentType: string | null): boolean {
  return mimeEssence(contentType) === 'text/event-stream';
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
