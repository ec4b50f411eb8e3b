/**
 * docs/llm-streams.md, an Anthropic-style messages stream: the wire format
 * (the local server's bytes are checked against it), and the recipe run
 * against that server: named events read with `for await`, `ping`, an
 * `event: error` inside the stream, a 529 before it, and the same stream read
 * with listeners.
 */
import { afterAll, expect, it } from 'vitest';
import { answerTokens, startAnthropicServer } from './llm-servers.js';

const apiKey = 'sk-ant-test';
const api = await startAnthropicServer(apiKey);
const apiBase = api.url;
afterAll(() => api.stop());

const texts: string[] = [];
const onText = (text: string) => texts.push(text);
let restarts = 0;
const onRestart = () => {
  restarts++;
  texts.length = 0;
};
const reset = () => {
  texts.length = 0;
  restarts = 0;
  api.requests.length = 0;
};
const answer = answerTokens.join('');

// #region readme:llm-anthropic-stream
import { ResilientEventSource } from 'resilient-eventsource';

async function streamMessage(prompt: string): Promise<{ stopReason: string; outputTokens: number }> {
  const es = new ResilientEventSource(`${apiBase}/v1/messages`, {
    method: 'POST', // the end of the body (after message_stop) ends the loop
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      stream: true,
      messages: [{ role: 'user', content: prompt }],
    }),
    store: false,
    backoff: { maxRetries: 2 }, // a 529 (overloaded) or 429 before the stream is retried, twice at most
  });
  let started = false;
  let stopReason = '';
  let outputTokens = 0;
  // Every event is named: a loop over the source gets them all, in order (a
  // `message` listener would get none).
  for await (const e of es) {
    const data = JSON.parse(e.data);
    switch (e.type) {
      case 'message_start': // a second one: the request was sent again after a drop
        if (started) onRestart();
        started = true;
        break;
      case 'content_block_delta':
        if (data.delta.type === 'text_delta') onText(data.delta.text);
        break;
      case 'message_delta':
        stopReason = data.delta.stop_reason;
        outputTokens = data.usage.output_tokens; // cumulative
        break;
      case 'error': // `event: error` in the stream: a message like the others, not a source error
        throw new Error(`${data.error.type}: ${data.error.message}`); // leaving the loop closes the source
      // content_block_start/stop, ping, message_stop, and types added later: nothing to do
    }
  }
  return { stopReason, outputTokens };
}
// #endregion

// #region readme:llm-anthropic-wire
// POST /v1/messages with x-api-key, anthropic-version: 2023-06-01 and
// {"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,"messages":[…]}: the answer "Hi!"
const wire = `event: message_start
data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type":"ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}

event: message_stop
data: {"type":"message_stop"}

`;
// And when it fails after the stream began:
const errorEvent = `event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

`;
// #endregion

it('the local server speaks the wire format shown', async () => {
  const short = await startAnthropicServer(apiKey, ['Hi', '!']);
  const request = () =>
    fetch(`${short.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
  const response = await request();
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(await response.text()).toBe(wire);
  short.failMidStream(1);
  expect((await (await request()).text()).endsWith(errorEvent)).toBe(true);
  await short.stop();
});

it('reads every named event in order: the text, the stop reason and the usage, in one request', async () => {
  reset();
  expect(await streamMessage('Say hello')).toEqual({ stopReason: 'end_turn', outputTokens: answerTokens.length });
  expect(texts.join('')).toBe(answer);
  expect(api.requests).toHaveLength(1);
});

it('an `event: error` in the stream reaches the loop as a message; the recipe throws, and nothing is sent again', async () => {
  reset();
  api.failMidStream(2);
  await expect(streamMessage('Say hello')).rejects.toThrow('overloaded_error: Overloaded');
  expect(texts).toEqual(answerTokens.slice(0, 2));
  expect(api.requests).toHaveLength(1);
});

it('a 529 before the stream is retried; the answer comes once', async () => {
  reset();
  api.overloadNext(1);
  expect(await streamMessage('Say hello')).toEqual({ stopReason: 'end_turn', outputTokens: answerTokens.length });
  expect(texts.join('')).toBe(answer);
  expect(api.requests.map((r) => r.status)).toEqual([529, 200]);
});

it('a drop in the middle of the answer sends the request again: a second message_start, and the recipe starts over', async () => {
  reset();
  api.dropAfter(5); // message_start, content_block_start, ping, two deltas, half of the third
  expect(await streamMessage('Say hello')).toEqual({ stopReason: 'end_turn', outputTokens: answerTokens.length });
  expect(restarts).toBe(1);
  expect(texts.join('')).toBe(answer);
  expect(api.requests.map((r) => r.status)).toEqual([200, 200]);
});

it('with listeners: one per type, and two kinds of `error` events', async () => {
  reset();
  const failures: string[] = [];
  const onFailure = (message: string) => failures.push(message);
  let done = 0;
  const onDone = () => done++;
  const headers = { 'content-type': 'application/json', 'x-api-key': apiKey, 'anthropic-version': '2023-06-01' };
  const body = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    stream: true,
    messages: [{ role: 'user', content: 'Hi' }],
  });
  const unnamed: string[] = [];
  const open = () => {
    // #region readme:llm-anthropic-listeners
    const es = new ResilientEventSource(`${apiBase}/v1/messages`, { method: 'POST', headers, body, store: false });
    es.addEventListener('content_block_delta', (e) => {
      const { delta } = JSON.parse(e.data);
      if (delta.type === 'text_delta') onText(delta.text);
    });
    es.addEventListener('message_stop', () => onDone());
    es.addEventListener('error', (e) => {
      // Two kinds reach `error` listeners: the server's `event: error`, a
      // MessageEvent with the API's JSON in `data`…
      if (e instanceof MessageEvent) onFailure(JSON.parse(e.data).error.message);
      // …and the source's own, when it gives up (a refused request: its JSON body).
      else if (es.readyState === es.CLOSED) onFailure(e.body ? JSON.parse(e.body).error.message : e.message);
    });
    // #endregion
    es.onmessage = (e) => unnamed.push(e.data);
    return es;
  };
  const first = open();
  await first.closed;
  expect(texts.join('')).toBe(answer);
  expect(done).toBe(1);
  // Every event was delivered, none to `message`.
  expect(unnamed).toEqual([]);
  expect(first.stats.eventsDelivered).toBe(answerTokens.length + 6);

  api.failMidStream(1);
  await open().closed;
  expect(failures).toEqual(['Overloaded']);

  headers['x-api-key'] = 'wrong'; // a refused request: 401 with a JSON body
  await open().closed;
  expect(failures).toEqual(['Overloaded', 'invalid x-api-key']);
});
