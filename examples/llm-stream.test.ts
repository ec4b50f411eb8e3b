/**
 * README recipe: an LLM-style POST stream read with `for await`, against an
 * OpenAI-style server of our own (POST, `data: {"choices":…}` chunks, then
 * `data: [DONE]` and the end of the body), and the API's JSON error surfaced
 * when it refuses the request.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';

const posts: string[] = [];
const api = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += String(c)));
  req.on('end', () => {
    posts.push(req.url ?? '');
    const { model } = JSON.parse(body || '{}') as { model?: string };
    if (model !== 'some-model') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `The model \`${model}\` does not exist`, code: 'model_not_found' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const word of ['Hel', 'lo', '!']) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: word } }] })}\n\n`);
    // The answer is complete: [DONE], then the end of the body.
    res.end('data: [DONE]\n\n');
  });
});
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
const apiKey = 'sk-test';
const shown: string[] = [];
const showError = (text: string) => shown.push(text);

// #region readme:llm-stream
import { ResilientEventSource, StreamError } from 'resilient-eventsource';

async function ask(model: string, prompt: string): Promise<string> {
  const es = new ResilientEventSource(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: prompt }] }),
    store: false,
    // endOfStream is 'close' for POST: when the body ends, the source closes
    // and the loop ends; nothing is sent (or billed) twice.
  });
  let answer = '';
  try {
    for await (const e of es) {
      if (e.data === '[DONE]') break; // leaving the loop closes the source
      answer += JSON.parse(e.data).choices[0].delta.content ?? '';
    }
  } catch (error) {
    // A refused request (400, 401, 404…) ends the loop with a StreamError; its
    // cause is the `error` event, which carries the API's own JSON body.
    const body = error instanceof StreamError ? (error.cause as { body?: string }).body : undefined;
    showError(body ? JSON.parse(body).error.message : String(error));
  }
  return answer;
}
// #endregion

afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

it('reads the whole answer once, and a second POST is never sent', async () => {
  expect(await ask('some-model', 'Say hello')).toBe('Hello!');
  expect(posts).toEqual(['/v1/chat/completions']);
});

it('without a break on [DONE], the end of the body still closes the source: one POST, not one a second', async () => {
  const es = new ResilientEventSource(`${base}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'some-model' }),
    store: false,
  });
  const data: string[] = [];
  for await (const e of es) data.push(e.data);
  await es.closed;
  expect(data.at(-1)).toBe('[DONE]');
  expect(data).toHaveLength(4);
  expect(posts).toHaveLength(2);
});

it("surfaces the API's error message", async () => {
  expect(await ask('no-such-model', 'Hi')).toBe('');
  expect(shown).toEqual(['The model `no-such-model` does not exist']);
});
