import { expect, test } from './fixtures.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

test('the UMD bundle in a plain <script> page survives the server destroying its socket', async ({ page, server }) => {
  server.publishMany(5);
  await page.goto(`${server.url}/pages/umd.html?store=memory`);
  await expect.poll(() => page.evaluate(() => (window as any).log.ids.length)).toBe(5);
  for (let drop = 0; drop < 3; drop++) {
    expect(server.faults.dropAll()).toBe(1);
    server.publishMany(5);
    await expect.poll(() => page.evaluate(() => (window as any).log.ids.length)).toBe(10 + drop * 5);
  }
  const log = await page.evaluate(() => (window as any).log);
  expect(log.ids).toEqual(range(1, 20));
  expect(log.errors).toEqual(['network', 'network', 'network']);
  expect(log.opens).toBe(4);
  expect(server.requests.slice(1).map((r) => r.lastEventId)).toEqual(['5', '10', '15']);
  expect(await page.evaluate(() => typeof (window as any).ResilientEventSource)).toBe('function');
});
