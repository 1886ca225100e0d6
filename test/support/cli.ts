/** Run the command line in-process and capture what it prints. */

import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** An Io that records lines: no terminal, no colour, no wrapping unless `columns` says. */
export function recordingIo(extra: Partial<Io> = {}): { io: Io; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), tty: false, ...extra };
  return { io, out, err };
}

/** Run a command that completes synchronously (all of them today). */
export function cli(...argv: string[]): CliRun {
  const { io, out, err } = recordingIo();
  const code = main(argv, io);
  if (typeof code !== 'number') throw new Error(`${argv[0]} ran asynchronously: use cliAsync`);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `check` in this thread (`--workers 1`): synchronous, for tests of the command line itself. */
export function checkCli(...argv: string[]): CliRun {
  return cli('check', '--workers', '1', ...argv);
}

/** Run any command, synchronous or not. */
export async function cliAsync(...argv: string[]): Promise<CliRun> {
  const { io, out, err } = recordingIo();
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
