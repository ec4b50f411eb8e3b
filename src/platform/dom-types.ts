/**
 * Platform types as the public declarations name them. A consumer may compile
 * with lib.dom (browsers), with `@types/node` and no lib.dom (Node-only
 * projects), or with both; `HeadersInit`, `BodyInit`, `AddEventListenerOptions`
 * and `EventListenerOrEventListenerObject` exist only in lib.dom, so naming them
 * in a `.d.ts` fails (or, with `skipLibCheck`, silently turns the option into
 * `any`). Each type here is instead read off a global that lib.dom and
 * `@types/node` both declare (`RequestInit`, `EventTarget`, `EventSource`), so it
 * is exactly what that platform's own `fetch` and `EventTarget` accept.
 */

/** What the platform's `fetch` accepts as `init.headers` (lib.dom: `HeadersInit`). */
export type HeadersInitLike = NonNullable<RequestInit['headers']>;

/** What the platform's `fetch` accepts as `init.body` (lib.dom: `BodyInit`). */
export type BodyInitLike = NonNullable<RequestInit['body']>;

/** A listener as the platform's `EventTarget.addEventListener` takes it (lib.dom: `EventListenerOrEventListenerObject`). */
export type EventListenerLike = NonNullable<Parameters<EventTarget['addEventListener']>[1]>;

/** The third argument of the platform's `addEventListener` (lib.dom: `boolean | AddEventListenerOptions`). */
export type AddEventListenerOptionsLike = Parameters<EventTarget['addEventListener']>[2];

/** The third argument of the platform's `removeEventListener` (lib.dom: `boolean | EventListenerOptions`). */
export type EventListenerOptionsLike = Parameters<EventTarget['removeEventListener']>[2];

/**
 * An `on…` handler property as the platform's `EventSource` types it: nullable
 * in lib.dom, not nullable in `@types/node` (undici's), which the class must
 * match to be assignable to `EventSource` in both.
 */
export type EventSourceHandler<K extends 'onopen' | 'onmessage' | 'onerror'> = EventSource[K];

/**
 * A dispatched message with its `data` typed as the string it always is
 * (`MessageEvent` is generic in lib.dom, not in `@types/node`).
 */
export type StringMessageEvent = MessageEvent & { readonly data: string };
