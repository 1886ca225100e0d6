/** Where the command line writes, and its exit codes: injectable, so tests run it in-process. */
export interface Io {
  /** One line of the result (stdout). */
  out(line: string): void;
  /** One line of diagnostics (stderr). */
  err(line: string): void;
  /** Whether stderr is a terminal (progress rewrites one line; off it, a heartbeat line). */
  readonly tty: boolean;
  /** Rewrite the current terminal line (progress). */
  progress?(line: string): void;
  /** Whether stdout takes colour (a terminal, NO_COLOR unset, TERM not dumb). */
  readonly color?: boolean;
  /** Width to wrap tables to (the terminal's; Infinity: do not wrap). */
  readonly columns?: number;
  /** Milliseconds since some fixed point (performance.now; tests inject a clock). */
  now?(): number;
}

export const EXIT_OK = 0;
/** A violation, an expectation that failed, a coverage floor not reached. */
export const EXIT_VIOLATION = 1;
/** Bad usage or invalid input. */
export const EXIT_USAGE = 2;
/** An unexpected error: a bug of devmem-model, or of the system it runs on. */
export const EXIT_CRASH = 3;
/** Interrupted by SIGINT (128 + 2, as the shell reports it). */
export const EXIT_INTERRUPTED = 130;

/** Bad usage: printed as one line plus the command's usage line, exit 2. */
export class UsageError extends Error {}

/**
 * Whether output to a stream gets colour: https://no-color.org (NO_COLOR set and not empty turns
 * it off), FORCE_COLOR turns it on, otherwise a terminal that is not `dumb`.
 */
export function wantsColor(isTty: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTty && env.TERM !== 'dumb';
}

/** Terminal width for tables: the terminal's, else $COLUMNS, else 80. */
export function terminalColumns(ttyColumns: number | undefined, env: NodeJS.ProcessEnv): number {
  if (ttyColumns !== undefined && ttyColumns > 0) return ttyColumns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : 80;
}

export function processIo(): Io {
  const tty = process.stderr.isTTY === true;
  // A closed pipe (devmem-model faults | head) is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  return {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    tty,
    progress: (l) => {
      if (tty) process.stderr.write(`\r\x1b[2K${l}`);
    },
    color: wantsColor(process.stdout.isTTY === true, process.env),
    columns: terminalColumns(
      process.stdout.isTTY ? process.stdout.columns : undefined,
      process.env,
    ),
    now: () => performance.now(),
  };
}
