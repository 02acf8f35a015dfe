import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The fixture scripts in ./fixtures, run as TypeScript against the workspace sources. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** One line a fixture printed on stdout: every fixture speaks JSON lines. */
export type FixtureLine = Record<string, unknown> & { event: string };

/**
 * A fixture running in its own Node process, for behaviour that only a real
 * process shows: being killed, stopped, restarted, or exiting by itself.
 */
export class Fixture {
  readonly child: ChildProcess;
  readonly lines: FixtureLine[] = [];
  /** Everything the child wrote to stderr, for failure messages. */
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  /** `wrap` runs the fixture under another command, e.g. `['ip', 'netns', 'exec', name]`. */
  constructor(script: string, args: readonly string[] = [], wrap: readonly string[] = []) {
    const node = [process.execPath, '--conditions=courier-source', '--import', 'tsx', script, ...args];
    const command = [...wrap, ...node];
    this.child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) if (line.trim() !== '') this.lines.push(JSON.parse(line) as FixtureLine);
    });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Waits for a line matching `pred`; fails early if the child exits first. */
  async line(pred: (line: FixtureLine) => boolean, what: string, timeoutMs = 15_000): Promise<FixtureLine> {
    let found: FixtureLine | undefined;
    await waitFor(
      () => {
        found = this.lines.find(pred);
        if (found === undefined && !this.running) {
          throw new Error(
            `fixture exited (${JSON.stringify(this.#exit)}) before ${what}; stderr:\n${this.stderr}`,
          );
        }
        return found !== undefined;
      },
      what,
      timeoutMs,
    );
    return found!;
  }

  /** Sends a signal by the child's own pid; never a broad kill. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGKILLs the child (if still running) and waits until it is gone. */
  async stop(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

/** A TransportServer in a child process (fixtures/server.ts), ready to serve. */
export async function startServerProcess(
  bind: string,
  heartbeatIntervalMs = 50,
): Promise<{ fixture: Fixture; endpoint: string }> {
  const f = new Fixture(fixture('server.ts'), [bind, String(heartbeatIntervalMs)]);
  try {
    const ready = await f.line((l) => l.event === 'ready', 'the server to be ready');
    return { fixture: f, endpoint: ready.endpoint as string };
  } catch (err) {
    await f.stop();
    throw err;
  }
}
