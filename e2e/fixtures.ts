import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { createSseServer, type SseServer } from '../server/sse-server.js';

const root = join(import.meta.dirname, '..');

/** `server`: a reference server per test serving /dist and /pages, torn down after it. */
export const test = base.extend<{ server: SseServer }>({
  server: async ({}, use) => {
    const server = await createSseServer({
      retry: 50,
      heartbeatInterval: 0,
      staticRoots: { '/dist/': join(root, 'dist'), '/pages/': join(root, 'e2e', 'pages') },
    });
    await use(server);
    await server.close();
  },
});

export { expect } from '@playwright/test';
