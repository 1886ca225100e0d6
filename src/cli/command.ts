/**
 * One command of the command line. Registering a command is one entry in COMMANDS
 * (src/cli/program.ts); declaring an option is one `.option(...)` line in its `define`.
 */
import type { Command } from 'commander';
import type { Io } from './io.js';

export interface CliCommand {
  /** Its name: `devmem-model <name>`. */
  readonly name: string;
  /** Declare its description, arguments and options on the commander command. */
  define(cmd: Command): void;
  /**
   * Run it with its positional arguments and parsed options (commander's camel-cased keys);
   * returns the exit code. Throw UsageError (exit 2) for bad usage, InputError (exit 2) for an
   * invalid file; anything else is an unexpected error (exit 3).
   */
  run(
    args: readonly string[],
    opts: Readonly<Record<string, unknown>>,
    io: Io,
  ): number | Promise<number>;
}
