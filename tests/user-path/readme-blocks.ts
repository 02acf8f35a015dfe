import { readFileSync } from 'node:fs';

/** One fenced code block of a markdown file. */
export interface CodeBlock {
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number;
}

/** The fenced code blocks of `file` (```lang ... ```), in order. */
export function readmeBlocks(file: string, lang = 'ts'): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    if (open === undefined) {
      const m = /^```(\w*)\s*$/.exec(text);
      if (m !== null) open = { lang: m[1]!, line: i + 1, body: [] };
    } else if (/^```\s*$/.test(text)) {
      if (open.lang === lang)
        blocks.push({ lang: open.lang, code: `${open.body.join('\n')}\n`, line: open.line });
      open = undefined;
    } else {
      open.body.push(text);
    }
  });
  return blocks;
}
