/** README recipe: POST streams for LLM-style APIs. */
import { afterAll, expect, it } from 'vitest';
import { servePage } from './support.js';

const server = await servePage();
const apiKey = 'sk-test';
const output: string[] = [];
const print = (text: string) => output.push(text);
for (const word of ['Hello', ',', ' world']) server.publish(JSON.stringify({ delta: word }), { id: null });
server.publish('[DONE]', { id: null });

// #region readme:post-llm
import { ResilientEventSource } from 'resilient-eventsource';

const es = new ResilientEventSource('/v1/chat/stream', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
  body: JSON.stringify({ model: 'some-model', messages: [{ role: 'user', content: 'Say hello' }] }),
  store: false, // a one-off answer: nothing to resume after a reload
  backoff: { maxRetries: 2 },
});
es.onmessage = (e) => {
  if (e.data === '[DONE]') return void es.close();
  print(JSON.parse(e.data).delta);
};
// #endregion

afterAll(async () => {
  es.close();
  await es.closed;
  await server.stop();
});

it('POSTs the JSON body and closes on [DONE]', async () => {
  await expect.poll(() => es.readyState).toBe(es.CLOSED);
  expect(output.join('')).toBe('Hello, world');
  expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/v1/chat/stream', authorization: 'Bearer sk-test' });
  expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({ model: 'some-model' });
});
