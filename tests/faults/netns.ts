import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `ip` with these arguments; rejects with its stderr. */
export async function ip(args: readonly string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Why this machine cannot run the multi-host scenarios, or undefined when it
 * can: found by trying (creating and deleting a namespace), since neither
 * being root nor having `ip` proves that namespaces are allowed.
 */
export async function namespacesUnavailable(): Promise<string | undefined> {
  const probe = `cfprobe-${randomBytes(4).toString('hex')}`;
  try {
    await ip(['netns', 'add', probe]);
  } catch (err) {
    return `network namespaces are not available here (${(err as Error).message})`;
  }
  await ip(['netns', 'del', probe]).catch(() => undefined);
  return undefined;
}

/**
 * Hosts on one machine: one network namespace per host, each with a veth
 * pair to a bridge that lives in a namespace of its own, on a private /24
 * nobody else uses. Nothing is added to the machine's own namespace, and the
 * names carry a random id, so concurrent runs never meet. `teardown()`
 * removes everything created so far, also after a failed `create()`.
 */
export class Network {
  readonly id = randomBytes(3).toString('hex');
  /** The /24's first three octets, 10.200-249.x. */
  readonly prefix = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]!}`;
  readonly #hosts: string[] = [];
  readonly #created: string[] = [];

  /** The namespace that holds the bridge (and the host ends of every veth). */
  get bridge(): string {
    return `cf-${this.id}-br`;
  }

  namespace(host: string): string {
    return `cf-${this.id}-${host}`;
  }

  /** The host's address on the bridge. */
  address(host: string): string {
    const index = this.#hosts.indexOf(host);
    if (index < 0) throw new Error(`no host ${host}`);
    return `${this.prefix}.${10 + index}`;
  }

  /** The command prefix that runs a process on `host`. */
  exec(host: string): string[] {
    return ['ip', 'netns', 'exec', this.namespace(host)];
  }

  async create(hosts: readonly string[]): Promise<void> {
    await this.#add(this.bridge);
    await ip(['-n', this.bridge, 'link', 'add', 'br0', 'type', 'bridge']);
    await ip(['-n', this.bridge, 'link', 'set', 'br0', 'up']);
    for (const host of hosts) {
      this.#hosts.push(host);
      const ns = this.namespace(host);
      await this.#add(ns);
      const port = this.#port(host);
      // Made inside the bridge's namespace, its peer straight in the host's: no name is ever in the machine's own.
      await ip(['-n', this.bridge, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await ip(['-n', this.bridge, 'link', 'set', port, 'master', 'br0', 'up']);
      await ip(['-n', ns, 'addr', 'add', `${this.address(host)}/24`, 'dev', 'eth0']);
      await ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** Points the host's resolver at `nameserver` (`ip netns exec` mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf). */
  async resolver(host: string, nameserver: string): Promise<void> {
    const dir = `/etc/netns/${this.namespace(host)}`;
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/resolv.conf`, `nameserver ${nameserver}\noptions timeout:1 attempts:2\n`);
  }

  /** The `ip` arguments that cut the host off the bridge, or connect it again. */
  link(host: string, state: 'down' | 'up'): string[] {
    return ['-n', this.bridge, 'link', 'set', this.#port(host), state];
  }

  async teardown(): Promise<void> {
    for (const ns of this.#created.splice(0).reverse()) {
      await ip(['netns', 'del', ns]).catch(() => undefined);
      await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
  }

  /** The bridge's end of the host's veth. */
  #port(host: string): string {
    return `v${this.#hosts.indexOf(host)}`;
  }

  async #add(ns: string): Promise<void> {
    await ip(['netns', 'add', ns]);
    this.#created.push(ns);
  }
}
