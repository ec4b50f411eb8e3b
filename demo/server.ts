/**
 * The demo: the reference server publishing a live ticker, serving the demo
 * page and the built bundle from the same origin. Used by `npm run demo` and
 * by the demo's Playwright test.
 */
import { join } from 'node:path';
import { createSseServer, type SseServer } from '../server/sse-server.js';

const root = join(import.meta.dirname, '..');

/** Options of {@link startDemo}. */
export interface DemoOptions {
  port?: number;
  host?: string;
  /** Ms between published events. @defaultValue 400 */
  interval?: number;
}

/** Starts the demo; resolves once it listens. */
export async function startDemo(options: DemoOptions = {}): Promise<SseServer> {
  let price = 100;
  return createSseServer({
    port: options.port ?? 8787,
    host: options.host ?? '127.0.0.1',
    // Native EventSource reconnects after this; so does ours, before backoff grows.
    retry: 1000,
    heartbeatInterval: 1000,
    publishInterval: options.interval ?? 400,
    bufferSize: 10_000,
    makeData: (seq) => {
      price = Math.max(1, price + Math.round((Math.sin(seq / 7) + (seq % 3) - 1) * 50) / 100);
      return JSON.stringify({ n: seq, price: Number(price.toFixed(2)) });
    },
    staticRoots: { '/dist/': join(root, 'dist'), '/': join(root, 'demo', 'public') },
  });
}
