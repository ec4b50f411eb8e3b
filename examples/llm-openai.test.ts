/**
 * docs/llm-streams.md, an OpenAI-style chat completion: the wire format (the
 * local server's bytes are checked against it), and the recipe run against
 * that server: a whole answer, a refused request, a rate limit, a Stop
 * button, and a drop in the middle of the answer.
 */
import { afterAll, expect, it } from 'vitest';
import { answerTokens, startOpenAiServer } from './llm-servers.js';

const apiKey = 'sk-test';
const api = await startOpenAiServer(apiKey);
const apiBase = api.url;
afterAll(() => api.stop());

const texts: string[] = [];
const onText = (text: string) => texts.push(text);
const usages: number[] = [];
const reportUsage = (tokens: number) => usages.push(tokens);
let restarts = 0;
const onRestart = () => {
  restarts++;
  texts.length = 0; // the app clears the half answer
};

// #region readme:llm-openai-chat
import { ResilientEventSource, StreamError, type StreamErrorEvent } from 'resilient-eventsource';

async function chat(
  prompt: string,
  { model = 'gpt-4o-mini', signal }: { model?: string; signal?: AbortSignal } = {},
): Promise<string> {
  const es = new ResilientEventSource(`${apiBase}/v1/chat/completions`, {
    method: 'POST', // so endOfStream is 'close': the end of the body ends the loop, no second request
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: prompt }],
    }),
    store: false, // a one-off answer: no cursor to keep
    signal, // a Stop button: abort() closes the source and ends the loop
    backoff: { maxRetries: 2 }, // a 429 or 5xx before the answer is retried, twice at most
  });
  let answerId = '';
  let finishReason = '';
  try {
    for await (const e of es) {
      if (e.data === '[DONE]') break; // the last event; leaving the loop closes the source
      const chunk = JSON.parse(e.data);
      // After a network drop the request is sent again: a new completion, with a new id.
      if (answerId && chunk.id !== answerId) onRestart();
      answerId = chunk.id;
      const choice = chunk.choices[0]; // none in the usage chunk
      if (choice?.delta.content) onText(choice.delta.content);
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) reportUsage(chunk.usage.total_tokens);
    }
  } catch (error) {
    if (!(error instanceof StreamError)) throw error;
    if (error.reason === 'aborted') return 'stopped';
    // A refused request (400, 401, 404, or 429 past maxRetries): the error
    // event that closed the source carries the API's JSON body.
    const body = (error.cause as StreamErrorEvent | undefined)?.body;
    throw new Error(body ? JSON.parse(body).error.message : error.message, { cause: error });
  }
  return finishReason;
}
// #endregion

// #region readme:llm-openai-wire
// POST /v1/chat/completions with {"model":"gpt-4o-mini","stream":true,
// "stream_options":{"include_usage":true},"messages":[…]}: the answer "Hi!"
const wire = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}

data: [DONE]

`;
// #endregion

const answer = answerTokens.join('');
const reset = () => {
  texts.length = 0;
  usages.length = 0;
  restarts = 0;
  api.requests.length = 0;
};

it('the local server speaks the wire format shown', async () => {
  const short = await startOpenAiServer(apiKey, ['Hi', '!']);
  const response = await fetch(`${short.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(await response.text()).toBe(wire);
  await short.stop();
});

it('reads the whole answer once, with the finish reason and the usage, in one request', async () => {
  reset();
  expect(await chat('Say hello')).toBe('stop');
  expect(texts.join('')).toBe(answer);
  expect(usages).toEqual([9 + answerTokens.length]);
  expect(api.requests).toHaveLength(1);
});

it("a refused request throws with the API's message, and is not sent again", async () => {
  reset();
  await expect(chat('Say hello', { model: 'no-such-model' })).rejects.toThrow(
    'The model `no-such-model` does not exist or you do not have access to it.',
  );
  expect(api.requests.map((r) => r.status)).toEqual([404]);
});

it('a 429 before the answer is retried (Retry-After honoured); the answer comes once', async () => {
  reset();
  api.rateLimitNext(1);
  expect(await chat('Say hello')).toBe('stop');
  expect(texts.join('')).toBe(answer);
  expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
});

it('a Stop button: aborting the signal ends the loop at once', async () => {
  reset();
  api.stallAfter(3); // the role chunk and two pieces, then the model "thinks"
  const stop = new AbortController();
  const done = chat('Say hello', { signal: stop.signal });
  await expect.poll(() => texts.length).toBe(2);
  stop.abort();
  expect(await done).toBe('stopped');
  expect(texts.join('')).toBe('Hello!');
});

it('a drop in the middle of the answer sends the POST again: a new completion, which the recipe starts over', async () => {
  reset();
  api.dropAfter(4); // the role chunk, three pieces, half of the fourth
  expect(await chat('Say hello')).toBe('stop');
  expect(api.requests.map((r) => r.status)).toEqual([200, 200]);
  expect(restarts).toBe(1);
  expect(texts.join('')).toBe(answer);
});
