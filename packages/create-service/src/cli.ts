import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidNameError } from './names.js';
import { scaffold, TargetNotEmptyError } from './scaffold.js';

export const usage = `create-service: scaffold a new Courier service

Usage:
  npx create-service <directory> [options]
  npm create @courier/service <directory> -- [options]

Options:
  --name <name>    service name (default: the directory's name); lower-case
                   letters, digits and dashes, starting with a letter
  --compute        also add a CPU-bound method that runs in the worker pool
  --port <port>    port that \`npm start\` listens on (default 7001)
  --scope <@scope> npm scope for the package name
  -h, --help       show this help

The directory must not exist or must be empty: nothing is ever overwritten.
Inside the Courier repository the service uses the workspace packages, so it
needs no registry access; elsewhere it depends on the published packages.`;

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Runs create-service with `argv`; resolves to the exit code. */
export async function main(argv: string[], io: CliOutput, cwd = process.cwd()): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.err(`create-service: ${(err as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (positionals.length !== 1) {
    io.err(`create-service: expected one directory\n\n${usage}`);
    return 2;
  }
  try {
    const result = await scaffold({
      directory: positionals[0]!,
      cwd,
      ...(values.name !== undefined ? { name: values.name } : {}),
      ...(values.port !== undefined ? { port: Number(values.port) } : {}),
      ...(values.scope !== undefined ? { scope: values.scope } : {}),
      compute: values.compute,
    });
    const dir = relative(cwd, result.directory) || '.';
    const install = result.workspaceRoot === undefined ? '\n  npm install' : '';
    io.out(
      `Created ${result.names.name} in ${dir} (${result.files.length} files).\n\nNext:\n  cd ${dir}${install}\n  npm test\n  npm start\n  npx courier call tcp://127.0.0.1:${values.port ?? 7001} ${result.names.name}.greet '{"name":"Ada"}'`,
    );
    return 0;
  } catch (err) {
    if (err instanceof InvalidNameError || err instanceof TargetNotEmptyError || err instanceof RangeError) {
      io.err(`create-service: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      compute: { type: 'boolean', default: false },
      port: { type: 'string' },
      scope: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
