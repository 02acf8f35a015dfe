import { fileURLToPath } from 'node:url';
import { Fixture } from '../transport/child-process.js';
import { reserveAddress } from '../transport/helpers.js';

const INSTANCE = fileURLToPath(new URL('./instance.ts', import.meta.url));

/** How an instance process is started, when not as the fault suite's usual instance. */
export interface Launch {
  readonly script?: string;
  /** @default [bind, label] */
  readonly args?: readonly string[];
  /** A command the process runs under, e.g. `['ip', 'netns', 'exec', name]`. */
  readonly wrap?: readonly string[];
}

/** One instance process at a fixed address, so it can be restarted where clients expect it. */
export class Instance {
  fixture: Fixture | undefined;
  /** Every `exec` line of every process this instance ran, kept across restarts. */
  readonly execs: string[] = [];
  readonly #seen = new WeakMap<Fixture, number>();

  constructor(
    readonly label: string,
    readonly bind: string,
    readonly launch: Launch = {},
  ) {}

  async start(): Promise<void> {
    const { script = INSTANCE, args = [this.bind, this.label], wrap = [] } = this.launch;
    const fixture = new Fixture(script, args, wrap);
    this.fixture = fixture;
    await fixture.line((l) => l.event === 'ready', `${this.label} to be ready`);
  }

  /** Collects the `exec` lines the current process wrote so far. */
  collect(): void {
    const f = this.fixture;
    if (f === undefined) return;
    const from = this.#seen.get(f) ?? 0;
    for (const line of f.lines.slice(from)) if (line.event === 'exec') this.execs.push(line.id as string);
    this.#seen.set(f, f.lines.length);
  }

  signal(signal: NodeJS.Signals): void {
    this.fixture?.signal(signal);
  }

  /** Waits for the process to exit (after a signal), collecting what it executed. */
  async exited(): Promise<void> {
    await this.fixture?.exited;
    this.collect();
  }

  async stop(): Promise<void> {
    this.collect();
    await this.fixture?.stop();
    this.collect();
  }
}

/** Three instances on fixed local addresses. */
export async function startCluster(n = 3): Promise<Instance[]> {
  const instances: Instance[] = [];
  for (let i = 0; i < n; i++) instances.push(new Instance(`i${i}`, await reserveAddress('tcp')));
  await Promise.all(instances.map((i) => i.start()));
  return instances;
}

/** Ids of writes executed more than once across all instances. */
export function doubleExecutions(instances: readonly Instance[]): string[] {
  const count = new Map<string, number>();
  for (const i of instances) for (const id of i.execs) count.set(id, (count.get(id) ?? 0) + 1);
  return [...count].filter(([, n]) => n > 1).map(([id]) => id);
}
