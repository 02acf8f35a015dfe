#!/usr/bin/env node
// Runs the built CLI. Inside the Courier repository before `npm run build`,
// falls back to running the TypeScript sources through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/bin.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const src = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
  const { status } = spawnSync(
    process.execPath,
    ['--conditions=courier-source', '--import', 'tsx', src, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  process.exitCode = status ?? 1;
}
