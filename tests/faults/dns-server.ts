import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** One SRV record's target: a host name, its address and its port. */
export interface SrvTarget {
  readonly name: string;
  readonly address: string;
  readonly port: number;
}

/**
 * A real DNS server, Debian's dnsmasq, answering `srv` with one SRV record
 * per target and an A record for each target's name, authoritative for
 * `domain` and nothing else. Runs in the foreground under `wrap` (a
 * namespace), so it ends with `stop()`.
 */
export class DnsServer {
  readonly #child: ChildProcess;
  #log = '';

  constructor(
    wrap: readonly string[],
    listen: string,
    domain: string,
    srv: string,
    targets: readonly SrvTarget[],
  ) {
    const args = [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--pid-file=',
      '--log-facility=-',
      '--bind-interfaces',
      `--listen-address=${listen}`,
      `--local=/${domain}/`,
      '--local-ttl=1',
      ...targets.map((t) => `--srv-host=${srv},${t.name},${t.port},0,10`),
      ...targets.map((t) => `--host-record=${t.name},${t.address}`),
    ];
    this.#child = spawn(wrap[0]!, [...wrap.slice(1), 'dnsmasq', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.#log += chunk;
    });
  }

  /** Resolves once dnsmasq has bound its socket (it logs `started` after that), or rejects with its log. */
  async ready(timeoutMs = 10_000): Promise<void> {
    const started = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.#log.includes('started')) resolve();
      };
      this.#child.stderr!.on('data', check);
      this.#child.once('exit', (code) => reject(new Error(`dnsmasq exited (${code}): ${this.#log}`)));
      this.#child.once('error', reject);
      check();
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`dnsmasq did not start: ${this.#log}`)), timeoutMs);
    });
    try {
      await Promise.race([started, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGKILL');
    await exited;
  }
}
