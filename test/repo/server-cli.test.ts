/** `npm run server -- --help` lists the reference server's flags; an unknown flag is refused with the list. */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { encoding: 'utf8', timeout: 15_000 });

it('--help lists every flag and exits 0, without starting a server', () => {
  const { status, stdout } = cli('--help');
  expect(status).toBe(0);
  for (const name of ['--port', '--interval', '--retry', '--heartbeat', '--redis', '--stream', '--max-length'])
    expect(stdout).toContain(name);
  expect(stdout).toContain('/control/drop');
});

it('an unknown flag is refused, with the list', () => {
  const { status, stderr } = cli('--prot', '9000');
  expect(status).toBe(2);
  expect(stderr).toMatch(/^Unknown flag --prot/);
  expect(stderr).toContain('--port N');
});
