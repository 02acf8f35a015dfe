/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): the functions with
 * the most self time, and with the most total (inclusive) time.
 *
 *   npx tsx benchmarks/lib/cpuprofile-top.ts <file.cpuprofile> [--top 25] [--filter substring]
 *
 * `--filter` keeps only functions whose script URL contains the substring
 * (e.g. `transport/src`) in the second table.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { formatFixed, formatTable } from './table.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Time attributed to one function (all its profile nodes together). */
export interface FunctionTime {
  name: string;
  /** `file:line`, shortened to the path after the last `node_modules/` or the repo root. */
  where: string;
  selfMs: number;
  totalMs: number;
}

/** Self and inclusive time per function; recursion is counted once per sample. */
export function summariseProfile(profile: CpuProfile): { totalMs: number; functions: FunctionTime[] } {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'}\u0000${node.callFrame.url}:${node.callFrame.lineNumber + 1}`;
  const stats = new Map<string, FunctionTime>();
  const statOf = (node: ProfileNode) => {
    const key = keyOf(node);
    let s = stats.get(key);
    if (s === undefined) {
      s = {
        name: node.callFrame.functionName || '(anonymous)',
        where: shorten(node.callFrame),
        selfMs: 0,
        totalMs: 0,
      };
      stats.set(key, s);
    }
    return s;
  };
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const deltaUs = profile.timeDeltas[i + 1] ?? 0;
    totalUs += deltaUs;
    let node = byId.get(profile.samples[i]!);
    if (node === undefined) continue;
    statOf(node).selfMs += deltaUs / 1000;
    const seen = new Set<FunctionTime>();
    while (node !== undefined) {
      const s = statOf(node);
      if (!seen.has(s)) {
        seen.add(s);
        s.totalMs += deltaUs / 1000;
      }
      const up = parent.get(node.id);
      node = up === undefined ? undefined : byId.get(up);
    }
  }
  return { totalMs: totalUs / 1000, functions: [...stats.values()] };
}

function shorten(frame: CallFrame): string {
  if (frame.url === '') return '';
  let url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) url = url.slice(nm + 'node_modules/'.length);
  else url = url.replace(/^.*?\/(packages|benchmarks)\//, '$1/');
  return `${url}:${frame.lineNumber + 1}`;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, filter: { type: 'string' } },
  });
  const file = positionals[0];
  if (file === undefined)
    throw new Error('usage: cpuprofile-top.ts <file.cpuprofile> [--top N] [--filter substring]');
  const top = Number(values.top);
  const { totalMs, functions } = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const pct = (ms: number) => `${formatFixed((ms / totalMs) * 100, 1)}%`;
  const columns = [
    { header: 'self', value: (f: FunctionTime) => pct(f.selfMs) },
    { header: 'total', value: (f: FunctionTime) => pct(f.totalMs) },
    { header: 'function', align: 'left' as const, value: (f: FunctionTime) => f.name },
    { header: 'where', align: 'left' as const, value: (f: FunctionTime) => f.where },
  ];
  console.log(`${file}: ${formatFixed(totalMs, 0)} ms sampled\n\nTop self time:`);
  console.log(formatTable(columns, [...functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)));
  const filter = values.filter;
  const inclusive = functions.filter((f) => filter === undefined || f.where.includes(filter));
  console.log(`\nTop total time${filter === undefined ? '' : ` (where contains "${filter}")`}:`);
  console.log(formatTable(columns, inclusive.sort((a, b) => b.totalMs - a.totalMs).slice(0, top)));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
