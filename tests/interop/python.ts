import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor as waitForCondition } from '../transport/helpers.js';

/**
 * Drives tests/interop/courier_peer.py, the Python peer written from docs/protocol.md.
 * Debian's interpreter, because python3-zmq and python3-msgpack are installed for it.
 */
export const PYTHON = '/usr/bin/python3';
export const PEER = fileURLToPath(new URL('./courier_peer.py', import.meta.url));

const running = new Set<ChildProcess>();

/** Fails with instructions when the Python peer's dependencies are missing. */
export function assertPythonPeerAvailable(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import zmq, msgpack'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `the interop tests need ${PYTHON} with zmq and msgpack ` +
        `(apt-get install -y python3-zmq python3-msgpack): ${probe.error?.message ?? probe.stderr}`,
    );
  }
}

/** Runs courier_peer.py to completion and resolves with its stdout; rejects if it fails. */
export function runPeer(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PEER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(stdout);
      else reject(new Error(`courier_peer.py ${args.join(' ')} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}

/**
 * Runs the Python client and parses its output: one JSON reply per line. Its liveness is
 * generous: these calls test content, and a busy machine must not fail them.
 */
export async function pythonCall(args: readonly string[]): Promise<PythonReply[]> {
  const out = await runPeer(['client', ...args, '--liveness', '20']);
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PythonReply);
}

/** A reply as courier_peer.py prints it. */
export interface PythonReply {
  id: number | null;
  status: number;
  status_name: string;
  message: string | null;
  details: unknown;
  meta: Record<string, string> | null;
  content_type: string | null;
  body: unknown;
  local: boolean;
  server_heartbeat: { interval_ms: number; liveness: number; draining: boolean } | null;
}

export interface PythonServer extends AsyncDisposable {
  readonly endpoint: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Asks the server to stop (SIGTERM, or closing stdin) and waits for it to exit. */
  stop(how?: 'SIGTERM' | 'stdin' | 'SIGKILL'): Promise<number | NodeJS.Signals | null>;
}

/** Starts `courier_peer.py server` and resolves once it has printed its bound endpoint. */
export async function startPythonServer(
  args: readonly string[] = [],
  bind = 'tcp://127.0.0.1:*',
): Promise<PythonServer> {
  const child = spawn(PYTHON, [PEER, 'server', bind, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    });
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve(buffered.slice(0, nl).trim());
    });
    child.on('error', reject);
    void exited.then((how) => reject(new Error(`python server exited before serving (${how}):\n${stderr}`)));
  });
  const stop = async (how: 'SIGTERM' | 'stdin' | 'SIGKILL' = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      if (how === 'stdin') child.stdin.end();
      else child.kill(how);
    }
    return exited;
  };
  return { endpoint, child, exited, stop, [Symbol.asyncDispose]: async () => void (await stop('SIGKILL')) };
}

/** Kills every Python process still running (test teardown). */
export async function killAllPeers(): Promise<void> {
  const waits = [...running].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waits);
}

/** The shared waitFor (tests/transport/helpers.ts), with a 5 s bound unless told otherwise. */
export function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  return waitForCondition(cond, what, timeoutMs);
}
