/**
 * What the examples need around them: a reference server, and a page-like
 * `location` so that the relative URLs the README uses resolve in Node.
 */
import { createSseServer, type SseServer, type SseServerOptions } from '../server/sse-server.js';

/** Starts a server and makes relative URLs resolve against it, as on a page it served. */
export async function servePage(options: SseServerOptions = {}): Promise<SseServer & { stop(): Promise<void> }> {
  const server = await createSseServer({ retry: 50, heartbeatInterval: 0, ...options });
  (globalThis as { location?: unknown }).location = { href: `${server.url}/` };
  return Object.assign(server, {
    async stop() {
      delete (globalThis as { location?: unknown }).location;
      await server.close();
    },
  });
}
