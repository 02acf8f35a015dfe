import { bench, benchUsage } from './commands/bench.js';
import { call, callUsage } from './commands/call.js';
import { describe, describeUsage } from './commands/describe.js';
import { health, healthUsage } from './commands/health.js';
import { keygen, keygenUsage } from './commands/keygen.js';
import { UsageError } from './errors.js';
import { type CliIO, processIO } from './io.js';
import { securityUsage } from './security-flags.js';

const COMMANDS = { call, describe, health, bench, keygen } as const;

export const usage = `courier: call, inspect and load-test Courier services

Usage:
  ${callUsage.split('\n')[0]}
  ${describeUsage.split('\n')[0]}
  ${healthUsage.split('\n')[0]}
  ${benchUsage.split('\n')[0]}
  ${keygenUsage.split('\n')[0]}

An endpoint is tcp://host:port, ipc://path, host:port or a port on 127.0.0.1.
Run \`courier <command> --help\` for a command's options.

${securityUsage}
Exit codes: 0 success, 1 the call failed (error printed), 2 bad usage.`;

const HELP: Record<keyof typeof COMMANDS, string> = {
  call: `${callUsage}\n\n${securityUsage}`,
  describe: `${describeUsage}\n\n${securityUsage}`,
  health: `${healthUsage}\n\n${securityUsage}`,
  bench: `${benchUsage}\n\n${securityUsage}`,
  keygen: keygenUsage,
};

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(usage);
    return command === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    io.err(`courier: unknown command "${command}"\n\n${usage}`);
    return 2;
  }
  const name = command as keyof typeof COMMANDS;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(HELP[name]);
    return 0;
  }
  try {
    return await COMMANDS[name](rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`courier ${name}: ${(err as Error).message}`);
      return 2;
    }
    io.err(`courier ${name}: ${(err as Error).message}`);
    return 1;
  }
}
