import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../transport/helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type Line = Record<string, unknown> & { event: string };
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A script in its own Node process that reports JSON lines on stdout, run
 * the way the README runs TypeScript in this repository (tsx, against the
 * workspace sources). `ipc` adds an IPC channel, as child_process.fork does.
 */
export class Child {
  readonly child: ChildProcess;
  readonly lines: Line[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  #exit: Exit | undefined;

  constructor(script: string, options: { ipc?: boolean; args?: readonly string[]; cwd?: string } = {}) {
    const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'pipe', 'pipe'];
    if (options.ipc === true) stdio.push('ipc');
    this.child = spawn(
      process.execPath,
      ['--conditions=courier-source', '--import', 'tsx', script, ...(options.args ?? [])],
      { cwd: options.cwd ?? ROOT, stdio },
    );
    let buffered = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) {
        if (line.trim() === '') continue;
        try {
          this.lines.push(JSON.parse(line) as Line);
        } catch {
          this.lines.push({ event: 'text', text: line });
        }
      }
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
  async line(pred: (line: Line) => boolean, what: string, timeoutMs = 15_000): Promise<Line> {
    let found: Line | undefined;
    await waitFor(
      () => {
        found = this.lines.find(pred);
        if (found === undefined && !this.running) {
          throw new Error(
            `child exited (${JSON.stringify(this.#exit)}) before ${what}; stderr:\n${this.stderr}`,
          );
        }
        return found !== undefined;
      },
      what,
      timeoutMs,
    );
    return found!;
  }

  /** Signals the child by its own pid; never a broad kill. */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Teardown: SIGKILL if still running. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}
