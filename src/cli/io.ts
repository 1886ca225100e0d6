/** Where the command line writes: injectable, so tests run it in-process. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Whether stderr is a terminal (progress output is shown only then). */
  readonly tty: boolean;
  /** Rewrite the current terminal line (progress). */
  progress?(line: string): void;
}

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export function processIo(): Io {
  const tty = process.stderr.isTTY === true;
  // A closed pipe (devmem-model faults | head) is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    tty,
    progress: (l) => {
      if (tty) process.stderr.write(`\r\x1b[2K${l}`);
    },
  };
}
