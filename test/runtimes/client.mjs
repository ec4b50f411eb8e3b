// The client the runtime suite (test/runtimes.test.ts) runs in each runtime.
// Plain JavaScript, so Node 18 runs it as it is. The entry file that imports
// the package (esm.mjs, cjs.cjs, deno.mjs) hands it the library; everything
// the source does is printed as one JSON line, and "close" on stdin closes it,
// waits for the cursor to be saved, and exits.
import process from 'node:process';

/** @param {{ ResilientEventSource: any, createFileStore: any, how: string }} lib */
export function run(lib) {
  const options = JSON.parse(process.argv.at(-1) ?? '{}');
  const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
  const es = new lib.ResilientEventSource(options.url, {
    heartbeatTimeout: options.heartbeatTimeout ?? 45_000,
    backoff: { initialDelay: 20, jitter: 0 },
    store: options.storeDir ? lib.createFileStore(options.storeDir) : undefined,
  });
  es.onopen = () => say({ t: 'open' });
  es.onmessage = (e) => say({ t: 'message', id: e.lastEventId, data: e.data });
  es.onerror = (e) => say({ t: 'error', reason: e.reason, readyState: es.readyState });
  es.addEventListener('reconnecting', (e) => say({ t: 'reconnecting', attempt: e.attempt, delay: e.delay, reason: e.reason }));
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', async (chunk) => {
    input += chunk;
    if (!input.includes('close\n')) return;
    // API.md: `es.close(); await es.closed;` saves the cursor before exit.
    // Builds from before `closed` returned the same promise from close().
    const flushed = es.close();
    await (es.closed ?? flushed);
    say({ t: 'closed' });
    process.exit(0);
  });
  say({
    t: 'ready',
    how: lib.how,
    runtime: typeof globalThis.Deno !== 'undefined' ? `deno ${globalThis.Deno.version.deno}` : typeof globalThis.Bun !== 'undefined' ? `bun ${globalThis.Bun.version}` : `node ${process.versions.node}`,
  });
}
