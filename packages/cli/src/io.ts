/** Where a command writes; injectable so commands are testable in-process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites the current terminal line (progress); only used when `isTTY`. */
  status(text: string): void;
  isTTY: boolean;
}

export const processIO: CliIO = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  status: (text) => process.stderr.write(`\r\x1b[2K${text}`),
  isTTY: process.stderr.isTTY === true,
};
