import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

it('npm run demo -- --once starts the examples, calls them and stops cleanly', async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  delete env.NODE_OPTIONS;
  const child = spawn('npm', ['run', 'demo', '--', '--once'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(out, out).toMatch(/hello\.greet\s+→ "Hello, Courier!"/);
  expect(out).toMatch(/playlist\.get p1\s+→ "Late night", 3 tracks/);
  expect(out).toMatch(/still left at each hop: playlist \d+ → metadata \d+ → storage \d+ ms/);
  expect(out).toMatch(/playlist\.get p2\s+→ CANCELLED/);
  expect(out).toMatch(/subscriber got event #\d+ trackAdded/);
  expect(out).toMatch(/recommend\.similarNative → the same \[\d+,\d+,\d+\] from the C\+\+ addon/);
  expect(out).toMatch(/metrics\s+→ http:\/\/127\.0\.0\.1:\d+\/metrics/);
  expect(out).toMatch(/courier_server_requests_total\{service="playlist",method="get",status="OK"\} 1/);
  expect(code).toBe(0);
}, 60_000);
