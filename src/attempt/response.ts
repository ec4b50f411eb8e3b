/**
 * Whether a response is an event stream to read: a 200 with a Content-Type
 * of `text/event-stream`, by fetch's "extract a MIME type". Pure. What a
 * refused response leads to (retry, a fresh token, giving up) is the
 * policy's to decide (policy/reconnect-policy.ts), from its status.
 */
import type { ErrorReason } from '../contract/types.js';
import { httpToken } from '../platform/http.js';

/** The verdict on a response: read it, or why not. */
export type Verdict =
  | { accept: true }
  /** A status other than 200 (`http-status`), or a 200 that is not an event stream (`content-type`). */
  | { accept: false; reason: Extract<ErrorReason, 'http-status' | 'content-type'>; status: number; message: string };

/** The response fields {@link verdictOn} reads. */
export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

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
  if (slash === -1 || !httpToken.test(type) || !httpToken.test(subtype)) return undefined;
  return `${type}/${subtype}`.toLowerCase();
}

/**
 * [fetch] "extract a MIME type" from a Content-Type value, as far as its
 * essence: the last of its comma-separated values that parses (and is not
 * `*\/*`) wins, so a header sent twice (`text/event-stream,
 * text/event-stream`) is still an event stream, as it is to EventSource.
 */
function mimeEssence(contentType: string | null): string | undefined {
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

/** [spec] A 200 whose Content-Type is `text/event-stream` is read; anything else is refused, with why. */
export function verdictOn(response: ResponseLike): Verdict {
  const { status } = response;
  if (status !== 200)
    return { accept: false, reason: 'http-status', status, message: `Non-200 status code (${status})` };
  const contentType = response.headers.get('content-type');
  if (isEventStream(contentType)) return { accept: true };
  const got = contentType === null ? 'none' : JSON.stringify(contentType);
  return {
    accept: false,
    reason: 'content-type',
    status,
    message: `Expected content type "text/event-stream", got ${got}`,
  };
}
