import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../transport/helpers.js';
import { type Block, ROOT, readmeBlocks } from './readme-examples-blocks.js';

/**
 * Every ```ts block of README.md and packages/*\/README.md, as written:
 * all are type-checked (an excerpt gets the declarations it assumes, below,
 * and nothing else), and each complete program is run the way the README
 * says to run one: `npx tsx file.ts` in the repository, against the dist/
 * that `npm install` built.
 */

const run = promisify(execFile);
const DIR = join(ROOT, '.tmp', `readme-examples-${process.pid}`);
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * What an excerpt assumes from the text around it, keyed by README and the
 * excerpt's first line. `around` wraps an excerpt that is part of an object.
 */
const CONTEXT: Record<string, { before: string; after?: string }> = {
  'README.md#await using svc = await testService(playlist);': {
    before: `import { testService } from '@courier/core';\nimport { expect } from 'vitest';\nimport { playlist } from './README-1.js';\n`,
  },
  'README.md#const server = await serve(playlist, {': {
    before: `import { createClient, type KeyPair, serve } from '@courier/core';\nimport { playlist } from './README-1.js';\ndeclare const serverKeys: KeyPair;\ndeclare const webKeys: KeyPair;\n`,
  },
  'packages/cli/README.md#// Exactly what `courier call <endpoint> hello.greet \'{"name":"Ada"}\'` does; resolves to the exit code.':
    {
      before: `import { formatReport, main, runBench } from '@courier/cli';\ndeclare const endpoint: string;\n`,
    },
  'packages/core/README.md#get: method({': {
    before: `import { type Client, defineService, method } from '@courier/core';
import { z } from 'zod';
const titlesOnly = defineService({ name: 'catalog', version: 1, methods: {
  titles: method({ input: z.object({ ids: z.array(z.string()) }), output: z.array(z.string()), handler: async () => [] }),
}});
declare const catalogClient: Client<typeof titlesOnly>;
declare function fetchCover(id: string, signal: AbortSignal): Promise<void>;
export const playlist = defineService({ name: 'playlist', version: 1, methods: {
`,
    after: '}});\n',
  },
  'packages/core/README.md#export function kubernetesClient(): Client<typeof catalog> {': {
    before: `import { type Client, createClient, dnsSrv } from '@courier/core';\nimport { catalog } from './packages-core-README-1.js';\n`,
  },
  'packages/core/README.md#await using sub = subscribe(': {
    before: `import { defineService, type Publisher, subscribe } from '@courier/core';\nimport { z } from 'zod';\nconst catalog = defineService({ name: 'catalog', version: 1, methods: {}, events: { trackAdded: z.object({ id: z.string(), addedAt: z.iso.datetime().transform((s) => new Date(s)) }) } });\ndeclare const events: Publisher<typeof catalog>;\ndeclare function delivered(): void;\n`,
  },
  'packages/core/README.md#export const rank: ComputeFunction<{ items: number[]; top: number }, number[], Weights> = (':
    {
      before: `import { BadRequestError, type ComputeFunction } from '@courier/core';\ninterface Weights { values: number[] }\n`,
    },
  'packages/core/README.md#rank: method({': {
    before: `import { defineService, method } from '@courier/core';\nimport { z } from 'zod';\nconst RankInput = z.object({ items: z.array(z.number()), top: z.number() });\nexport const ranker = defineService({ name: 'ranker', version: 1, methods: {\n`,
    after: '}});\n',
  },
  'packages/core/README.md#const server = await serve(ranker, {': {
    before: `import { serve } from '@courier/core';\nimport { ranker } from './packages-core-README-6.js';\ndeclare const weights: { values: number[] };\n`,
  },
  "packages/core/README.md#it('answers typed errors', async () => {": {
    before: `import { BadRequestError, NotFoundError, testService } from '@courier/core';\nimport { expect, it } from 'vitest';\nimport { catalog } from './packages-core-README-1.js';\n`,
  },
  'packages/core/README.md#diagnosticsChannel.subscribe(CoreChannels.serverLifecycle, (message) => {': {
    before: `import diagnosticsChannel from 'node:diagnostics_channel';\nimport { CoreChannels, type ServerLifecycle } from '@courier/core';\n`,
  },
  "packages/create-service/README.md#const result = await scaffold({ directory: join(parent, 'geo-ip'), compute: true, port: 7010 });":
    {
      before: `import { join } from 'node:path';\nimport { scaffold } from '@courier/create-service';\ndeclare const parent: string;\n`,
    },
  "packages/metrics/README.md#import { serve } from '@courier/core';": {
    before: `import { playlist } from './README-1.js';\n`,
  },
  'packages/transport/README.md#await using sub = new EventSubscriber({': {
    before: `import { type EventPublisher, EventSubscriber, msgpack } from '@courier/transport';\ndeclare const pub: EventPublisher;\ndeclare function delivered(event: unknown): void;\n`,
  },
  'packages/transport/README.md#diagnosticsChannel.subscribe(TransportChannels.dropped, (message) => {': {
    before: `import diagnosticsChannel from 'node:diagnostics_channel';\nimport { type DroppedMessage, TransportChannels } from '@courier/transport';\n`,
  },
};

const blocks = readmeBlocks();
const contextOf = (b: Block) => CONTEXT[`${b.readme}#${b.code.split('\n')[0]}`];
const programs = blocks.filter((b) => b.complete && contextOf(b) === undefined);

beforeAll(async () => {
  await mkdir(DIR, { recursive: true });
  for (const block of blocks) {
    const context = contextOf(block);
    const code = `${context?.before ?? ''}${block.code}${context?.after ?? ''}export {};\n`;
    await writeFile(join(DIR, block.file), code);
  }
  const tsconfig = {
    extends: '../../tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      composite: false,
      declaration: false,
      declarationMap: false,
      customConditions: ['courier-source'],
      // An excerpt may declare what it uses without using all of it.
      noUnusedLocals: false,
    },
    include: ['*.ts'],
  };
  await writeFile(join(DIR, 'tsconfig.json'), JSON.stringify(tsconfig));
});

afterAll(async () => {
  await rm(DIR, { recursive: true, force: true });
});

describe('README code blocks', () => {
  it('every ts excerpt either is a complete program or has its context declared here', () => {
    const unknown = blocks.filter((b) => !b.complete && contextOf(b) === undefined);
    expect(unknown.map((b) => `${b.readme}:${b.line}`)).toEqual([]);
    expect(programs.length).toBeGreaterThanOrEqual(4);
  });

  it('all type-check', { timeout: 120_000 }, async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', join(DIR, 'tsconfig.json')], { cwd: ROOT }).catch(
      (err: { stdout: string }) => err,
    );
    const lines = (result.stdout ?? '').trim();
    expect(lines, 'tsc errors (file names are README-<n>.ts, packages-<pkg>-README-<n>.ts)').toBe('');
  });

  it('dist/ is built (npm install runs prepare), so `npx tsx file.ts` finds the packages', () => {
    for (const pkg of ['errors', 'transport', 'core', 'metrics', 'cli', 'create-service']) {
      expect(existsSync(join(ROOT, 'packages', pkg, 'dist', 'index.js')), `packages/${pkg}/dist`).toBe(true);
    }
  });

  for (const block of programs) {
    it(`${block.readme}:${block.line} runs with npx tsx`, { timeout: 60_000 }, async () => {
      let file = join(DIR, block.file);
      const serving = block.code.includes('tcp://127.0.0.1:7001');
      if (serving) {
        // The one-file example binds a fixed port; here any free one, so runs never collide.
        file = join(DIR, `free-port-${block.file}`);
        await writeFile(file, block.code.replaceAll('tcp://127.0.0.1:7001', 'tcp://127.0.0.1:*'));
      }
      const child = spawn(process.execPath, [TSX, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
      });
      child.stderr.setEncoding('utf8').on('data', (c: string) => {
        err += c;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        if (serving) {
          // It serves until Ctrl-C: once it printed its reply, SIGINT must drain, close the client and exit 0.
          await waitFor(() => out.includes('Late night') || child.exitCode !== null, 'the reply', 30_000);
          expect(out, err).toContain('Late night');
          child.kill('SIGINT');
        }
        expect(await exited, `stdout:\n${out}\nstderr:\n${err}`).toBe(0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  }
});
