import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { createSseServer, type SseServer } from '../server/sse-server.js';

const root = join(import.meta.dirname, '..');

/**
 * `server`: a reference server per test serving /dist, /pages and
 * /node_modules, torn down after it. `serverHeartbeat` (ms between `: ping`
 * comments, 0 = none) is set per file with `test.use()`.
 */
export const test = base.extend<{ server: SseServer; serverHeartbeat: number }>({
  serverHeartbeat: [0, { option: true }],
  server: async ({ serverHeartbeat }, use) => {
    const server = await createSseServer({
      retry: 50,
      heartbeatInterval: serverHeartbeat,
      staticRoots: {
        '/dist/': join(root, 'dist'),
        '/pages/': join(root, 'e2e', 'pages'),
        '/node_modules/': join(root, 'node_modules'),
      },
    });
    await use(server);
    await server.close();
  },
});

export { expect } from '@playwright/test';

/** What e2e/pages/harness.js recorded. */
export interface PageLog {
  ids: string[];
  data: string[];
  errors: string[];
  reconnects: { attempt: number; delay: number; reason: string; at: number }[];
  opens: number;
  writes: number;
  states: string[];
}

/** The page's log (polls until module pages have created it). */
export const pageLog = async (page: Page): Promise<PageLog> => {
  await page.waitForFunction(() => (window as unknown as { log?: PageLog }).log !== undefined);
  return page.evaluate(() => (window as unknown as { log: PageLog }).log);
};
/** How many events the page has received so far (0 before it has a log). */
export const idCount = (page: Page) =>
  page.evaluate(() => (window as unknown as { log?: PageLog }).log?.ids.length ?? 0);
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
