/** README recipe: refreshing an auth token. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
let issued = 0;
// Stands in for your auth server: hands out whatever token the API now accepts.
const fetchNewToken = async () => {
  issued++;
  return server.faults.issuedToken() ?? 'anonymous';
};
server.faults.rotateToken();
server.publishMany(1);

// #region readme:auth-token
import { ResilientEventSource, StreamErrorEvent } from 'resilient-eventsource';

let token: Promise<string> | undefined;
const getToken = () => (token ??= fetchNewToken());

const es = new ResilientEventSource('/stream', {
  // Called before every attempt; on a 401 the source retries once at once,
  // and this call then fetches a new token.
  headers: async () => ({ Authorization: `Bearer ${await getToken()}` }),
});
es.addEventListener('error', (e) => {
  if (e instanceof StreamErrorEvent && e.status === 401) token = undefined;
});
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('fetches a token once, and a new one only after a 401', async () => {
  await expect.poll(() => es.lastEventId).toBe('1');
  expect(issued).toBe(1);
  const rotated = server.faults.rotateToken();
  server.faults.dropAll();
  server.publishMany(1);
  await expect.poll(() => es.lastEventId).toBe('2');
  expect(issued).toBe(2);
  expect(server.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  expect(server.requests.at(-1)?.authorization).toBe(`Bearer ${rotated}`);
});
