/**
 * docs/llm-streams.md, a resumable stream of a job: the wire format (the
 * local server's bytes are checked against it), and the recipe run against
 * that server: a drop in the middle of the answer, a server that resumes from
 * a checkpoint (and so repeats), an app restarted mid-answer, and a job
 * already read to the end.
 */
import { afterAll, expect, it } from 'vitest';
import { answerTokens, startJobServer } from './llm-servers.js';

const apiKey = 'job-key';
const api = await startJobServer(apiKey);
const apiBase = api.url;
afterAll(() => api.stop());

const answer = answerTokens.join('');
let texts: string[] = [];
const onText = (text: string) => texts.push(text);

/** Starts a job on the server, as the app would before following it. */
async function startJob(): Promise<string> {
  const response = await fetch(`${apiBase}/v1/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}` },
    body: '{"prompt":"Say hello"}',
  });
  return ((await response.json()) as { id: string }).id;
}
const streamRequests = (jobId: string) => api.requests.filter((r) => r.url.startsWith(`/v1/jobs/${jobId}/events`));

// #region readme:llm-job-follow
import { ResilientEventSource } from 'resilient-eventsource';

async function followJob(jobId: string): Promise<string> {
  const es = new ResilientEventSource(`${apiBase}/v1/jobs/${jobId}/events`, {
    headers: { Authorization: `Bearer ${apiKey}` },
    // The cursor (the last id, and the ids seen) is kept per job: a drop, a
    // reload or a restart resumes right after the last event the loop was given.
    storageKey: `job:${jobId}`,
  });
  for await (const e of es.events('delta', 'done')) {
    const data = JSON.parse(e.data);
    if (e.type === 'done') return data.finish_reason; // leaving the loop closes the source
    onText(data.text);
  }
  return 'over'; // the server answered 204: the client had it all already
}
// #endregion

// #region readme:llm-job-wire
// GET /v1/jobs/job_1/events with Last-Event-ID: 5, for a job whose answer is
// "Hello! How can I help?": what follows event 5, then the end of the body.
const wire = `retry: 50

id: 6
event: delta
data: {"text":" help"}

id: 7
event: delta
data: {"text":"?"}

id: 8
event: done
data: {"finish_reason":"stop"}

`;
// The same request with Last-Event-ID: 8 gets 204 No Content: nothing more to send.
// #endregion

it('the local server speaks the wire format shown', async () => {
  const jobId = await startJob();
  const get = (lastEventId: string) =>
    fetch(`${apiBase}/v1/jobs/${jobId}/events`, {
      headers: { Authorization: `Bearer ${apiKey}`, 'Last-Event-ID': lastEventId },
    });
  const response = await get('5');
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  expect(await response.text()).toBe(wire);
  expect((await get('8')).status).toBe(204);
});

it('reads the answer once, in one request', async () => {
  texts = [];
  const jobId = await startJob();
  expect(await followJob(jobId)).toBe('stop');
  expect(texts.join('')).toBe(answer);
  expect(streamRequests(jobId).map((r) => [r.headers['last-event-id'], r.status])).toEqual([[undefined, 200]]);
});

it('a drop in the middle of an event: the reconnect resumes after the last whole event, nothing repeated or lost', async () => {
  texts = [];
  const jobId = await startJob();
  api.dropAfter(3); // three deltas, half of the fourth, then the socket is destroyed
  expect(await followJob(jobId)).toBe('stop');
  expect(texts).toEqual(answerTokens);
  expect(streamRequests(jobId).map((r) => r.headers['last-event-id'])).toEqual([undefined, '3']);
});

it('a server that resumes from a checkpoint sends some events again: they are dropped by id', async () => {
  texts = [];
  api.resume = 'checkpoint'; // it resumes from event 5 when asked for what follows 6
  try {
    const jobId = await startJob();
    api.dropAfter(6);
    expect(await followJob(jobId)).toBe('stop');
    // The reconnect asked for what follows 6 and got 5 to 8: 5 and 6 were dropped.
    expect(texts).toEqual(answerTokens);
    expect(streamRequests(jobId).map((r) => r.headers['last-event-id'])).toEqual([undefined, '6']);
  } finally {
    api.resume = 'exact';
  }
});

it('the app stops in the middle (a crash, a reload): a new source resumes after the last event the loop was given', async () => {
  texts = [];
  const jobId = await startJob();
  api.stallAfter(answerTokens.length); // every delta, then the model "thinks"
  const shown: string[] = [];
  const crash = new Error('the tab was closed');
  const first = (async () => {
    // The first run's loop body throws after the third token, as if the page went away.
    for await (const e of new ResilientEventSource(`${apiBase}/v1/jobs/${jobId}/events`, {
      headers: { Authorization: `Bearer ${apiKey}` },
      storageKey: `job:${jobId}`,
    }).events('delta')) {
      shown.push(JSON.parse(e.data).text);
      if (shown.length === 3) throw crash;
    }
  })();
  await expect(first).rejects.toBe(crash);
  // The next start of the app follows the same job with the recipe.
  expect(await followJob(jobId)).toBe('stop');
  expect([...shown, ...texts]).toEqual(answerTokens);
  expect(streamRequests(jobId).map((r) => r.headers['last-event-id'])).toEqual([undefined, '3']);
});

it('a job already read to the end: the server answers 204 and the loop ends', async () => {
  texts = [];
  const jobId = await startJob();
  expect(await followJob(jobId)).toBe('stop');
  texts = [];
  expect(await followJob(jobId)).toBe('over');
  expect(texts).toEqual([]);
  expect(streamRequests(jobId).map((r) => [r.headers['last-event-id'], r.status])).toEqual([
    [undefined, 200],
    ['8', 204],
  ]);
});
