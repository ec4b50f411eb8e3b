/**
 * The cluster test's publisher, in its own process so that the 200 clients in
 * the test's process cannot slow it down: `count` events in batches of
 * `batch`, one batch every `every` ms (a late batch goes at once, so the rate
 * catches up after a stall), sequentially, each batch with an idempotency key
 * and retried with the same key until acknowledged.
 * Prints `ack <lastId>` per batch, then one JSON line with the first id of
 * every batch, the retries and the time taken.
 * Usage: node --import tsx cluster-publisher.ts URL COUNT BATCH EVERY KEYPREFIX
 */
export {};

const [url, countArg, batchArg, everyArg, prefix] = process.argv.slice(2);
const count = Number(countArg);
const batch = Number(batchArg);
const every = Number(everyArg);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const firstIds: number[] = [];
let retries = 0;
const start = Date.now();
for (let b = 0; b * batch < count; b++) {
  const due = start + b * every;
  if (due > Date.now()) await sleep(due - Date.now());
  const body = JSON.stringify(Array.from({ length: batch }, (_, i) => `b${b}.${i}`));
  for (;;) {
    try {
      const res = await fetch(`${url}/control/publish?key=${prefix}-${b}`, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) {
        const answer = (await res.json()) as { first: number; lastId: number };
        firstIds.push(answer.first);
        process.stdout.write(`ack ${answer.lastId}\n`);
        break;
      }
      await res.arrayBuffer();
    } catch {
      // The instance died with the request, or the proxy gave up: retry.
    }
    retries++;
    await sleep(50);
  }
}
process.stdout.write(`${JSON.stringify({ firstIds, retries, ms: Date.now() - start })}\n`);
