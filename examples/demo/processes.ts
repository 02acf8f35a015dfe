import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What a started example printed about itself: `<name> listening on <endpoint>` lines, and a metrics URL. */
export interface Started {
  endpoints: Record<string, string>;
  metricsUrl: string | undefined;
}

/**
 * Runs example services as child processes, the way they run in production:
 * one process per service group, each on a free port (`tcp://127.0.0.1:*`).
 */
export class ServiceProcesses {
  readonly #children: ChildProcess[] = [];

  /** Starts `script` and resolves once every name in `expect` has printed its endpoint. */
  async start(script: string, expect: string[], env: Record<string, string> = {}): Promise<Started> {
    const child = spawn(process.execPath, ['--conditions=courier-source', '--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, COURIER_LOG_LEVEL: 'warn', BIND: 'tcp://127.0.0.1:*', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.#children.push(child);
    const started: Started = { endpoints: {}, metricsUrl: undefined };
    let buffered = '';
    return new Promise<Started>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`${script} exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        for (const m of buffered.matchAll(/^(\S+) listening on (\S+?)(?:,|$)/gm))
          started.endpoints[m[1]!] = m[2]!;
        const metrics = /^metrics on (\S+)$/m.exec(buffered);
        if (metrics) started.metricsUrl = metrics[1];
        if (expect.every((name) => name in started.endpoints)) {
          child.off('exit', onExit);
          resolve(started);
        }
      });
    });
  }

  /** Sends SIGTERM to every child (each drains and exits by itself) and waits for them. */
  async stopAll(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
