// `npm run fuzz`: both fuzzers at their long setting, from a random seed
// (or FUZZ_SEED), which is printed first so that any failure can be replayed.
//   FUZZ_RUNS          cases of the Node invariant fuzzer (default 20000)
//   FUZZ_RUNS_BROWSER  scripts of the Chromium differential fuzzer (default 300)
// `npm test` runs the same two with a fixed seed and fewer cases.
import { spawnSync } from 'node:child_process';

const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = process.env.FUZZ_RUNS ?? '20000';
const browserRuns = process.env.FUZZ_RUNS_BROWSER ?? '300';
process.stdout.write(`fuzz seed ${seed}: ${runs} Node cases, ${browserRuns} Chromium scripts\n`);

const env = { ...process.env, FUZZ_SEED: seed, FUZZ_RUNS: runs, FUZZ_RUNS_BROWSER: browserRuns };
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', env }).status ?? 1;

const node = run('npx', ['vitest', 'run', '--project', 'node', 'test/fuzz/invariants.test.ts']);
if (node !== 0) {
  process.stdout.write(
    `\nThe Node fuzzer failed. Replay: FUZZ_SEED=${seed} FUZZ_RUNS=${runs} FUZZ_PATH=<the path fast-check printed> npx vitest run --project node test/fuzz/invariants.test.ts\n`,
  );
}
const browser = run('npx', ['playwright', 'test', 'e2e/differential-fuzz.spec.ts', '--project', 'chromium']);
if (browser !== 0) {
  process.stdout.write(
    `\nThe differential fuzzer failed. Replay: FUZZ_SEED=${seed} FUZZ_RUNS_BROWSER=${browserRuns} npx playwright test e2e/differential-fuzz.spec.ts --project chromium -g "script <n> of"\n`,
  );
}
process.stdout.write(`fuzz seed ${seed}: ${node === 0 && browser === 0 ? 'no failure' : 'FAILED'}\n`);
process.exit(node === 0 && browser === 0 ? 0 : 1);
