/** Run the command line in-process and capture what it prints. */

import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export function cli(...argv: string[]): CliRun {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), tty: false };
  const code = main(argv, io);
  if (typeof code !== 'number') throw new Error(`${argv[0]} runs asynchronously: use cliAsync`);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The same for commands that may run asynchronously (explore). */
export async function cliAsync(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), tty: false };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
