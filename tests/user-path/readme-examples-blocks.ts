import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One ```ts block of a README. */
export interface Block {
  /** The README, relative to the repository root. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** 1-based index among the README's ts blocks. */
  readonly index: number;
  readonly code: string;
  /** A file name for it: README-1.ts, packages-core-README-2.ts, ... */
  readonly file: string;
  /** Starts with an import: a whole module, not an excerpt that needs context. */
  readonly complete: boolean;
}

/** Every ```ts block of README.md and packages/*\/README.md, in order. */
export function readmeBlocks(): Block[] {
  const readmes = [
    'README.md',
    ...readdirSync(new URL('../../packages', import.meta.url))
      .map((p) => `packages/${p}/README.md`)
      .filter((p) => {
        try {
          readFileSync(`${ROOT}/${p}`);
          return true;
        } catch {
          return false;
        }
      }),
  ];
  const blocks: Block[] = [];
  for (const readme of readmes) {
    const lines = readFileSync(`${ROOT}/${readme}`, 'utf8').split('\n');
    let index = 0;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() !== '```ts') continue;
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!);
      index++;
      const code = `${body.join('\n')}\n`;
      blocks.push({
        readme,
        line: start + 1,
        index,
        code,
        file: `${readme.replace(/\.md$/, '').replaceAll('/', '-')}-${index}.ts`,
        complete: /^import /.test(code),
      });
    }
  }
  return blocks;
}
