/** The README's <script> example (examples/script-tag.html), served as written, with the bundle's path pointing at the local build. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.js';

test('the <script> tag example shows the stream', async ({ page, server }) => {
  const html = readFileSync(join(import.meta.dirname, '..', 'examples', 'script-tag.html'), 'utf8').replace(
    '/js/resilient-eventsource.umd.min.js',
    '/dist/resilient-eventsource.umd.min.js',
  );
  await page.route(`${server.url}/example.html`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  server.publishMany(3);
  await page.goto(`${server.url}/example.html`);
  await expect(page.locator('#events li')).toHaveText(['1: {"n":1}', '2: {"n":2}', '3: {"n":3}']);
  server.faults.dropAll();
  server.publishMany(1);
  await expect(page.locator('#events li')).toHaveCount(4);
});
