/**
 * The command line: the commands (one entry each in COMMANDS), commander's parsing, and how every
 * way out maps to an exit code — 0 ok, 1 violation or expectation failed, 2 bad usage or input,
 * 3 unexpected error (one line; the stack with --debug); 130 on SIGINT is the shell's.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../../properties/trace/load.js';
import { VERSION } from '../../properties/version.js';
import { checkCommand } from './check.js';
import type { CliCommand } from './command.js';
import { docsCommand } from './docs.js';
import { exploreCommand } from './explore.js';
import { exportTestCommand } from './export-test.js';
import { faultsCommand } from './faults.js';
import { EXIT_CRASH, EXIT_OK, EXIT_USAGE, type Io, UsageError } from './io.js';
import { replayCommand } from './replay.js';

export const COMMANDS: readonly CliCommand[] = [
  checkCommand,
  replayCommand,
  exploreCommand,
  faultsCommand,
  exportTestCommand,
  docsCommand,
];

const NAME = 'devmem-model';

const EXIT_CODES = `
Exit codes:
  0    no violation, every expectation met
  1    a violation, an expectation that failed, or a coverage floor not reached
  2    bad usage (one line, then the usage line) or invalid input (one line)
  3    an unexpected error: a bug (one line; --debug prints the stack)
  130  interrupted (SIGINT)`;

/** One line, whatever the message holds. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function usageLine(program: Command, name: string | undefined): string {
  const cmd = program.commands.find((c) => c.name() === name);
  return cmd
    ? `usage: ${NAME} ${cmd.name()} ${cmd.usage()} (${NAME} ${cmd.name()} --help for more)`
    : `usage: ${NAME} <command> [options] (${NAME} --help for the commands)`;
}

function build(
  io: Io,
  commands: readonly CliCommand[],
  setCode: (code: number | Promise<number>) => void,
): Command {
  const width = Number.isFinite(io.columns) ? (io.columns as number) : 100;
  const program = new Command(NAME)
    .description('A formal model and property-based checker of Linux device-memory sharing.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .helpCommand(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
      outputError: () => {}, // reported by main, in one line with the usage line
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => width,
    })
    .addHelpText('after', EXIT_CODES)
    .showSuggestionAfterError(true);
  for (const c of commands) {
    const cmd = program.command(c.name).helpOption('-h, --help', 'print this help');
    c.define(cmd);
    cmd.addHelpText('after', EXIT_CODES);
    cmd.option('--debug', 'on an unexpected error, print its stack').action((...a: unknown[]) => {
      const self = a[a.length - 1] as Command;
      // Positional arguments; a variadic one (`<files...>`) arrives as an array.
      const args = a
        .slice(0, -2)
        .flat()
        .filter((x): x is string => typeof x === 'string');
      setCode(c.run(args, self.opts(), io));
    });
  }
  program
    .command('help')
    .argument('[command]', 'the command')
    .description('print the help of a command')
    .action((name: string | undefined) => {
      if (name === undefined) program.outputHelp();
      else {
        const cmd = program.commands.find((c) => c.name() === name);
        if (!cmd) throw new UsageError(`unknown command '${name}'`);
        cmd.outputHelp();
      }
      setCode(EXIT_OK);
    });
  return program;
}

/** What an error thrown while running a command prints, and its exit code. */
function failure(e: unknown, io: Io, program: Command, argv: readonly string[]): number {
  const name = argv[0];
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return EXIT_OK; // --help, --version, help
    if (e.code === 'commander.help' || e.code === 'commander.helpDisplayed') return EXIT_USAGE;
    io.err(`${NAME}: ${oneLine(e.message.replace(/^error: /, ''))}`);
    io.err(usageLine(program, name));
    return EXIT_USAGE;
  }
  if (e instanceof UsageError) {
    io.err(`${NAME} ${name}: ${oneLine(e.message)}`);
    io.err(usageLine(program, name));
    return EXIT_USAGE;
  }
  if (e instanceof InputError) {
    io.err(`${NAME}: ${oneLine(e.message)}`);
    return EXIT_USAGE;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (argv.includes('--debug')) io.err(err.stack ?? `${err.name}: ${err.message}`);
  else
    io.err(
      `${NAME}: unexpected error: ${oneLine(`${err.name}: ${err.message}`)} (a bug: please report it with the command line; --debug prints the stack)`,
    );
  return EXIT_CRASH;
}

/**
 * Run the command line on `argv` (without node and the script). Returns the exit code, or a
 * promise of it for a command that runs asynchronously. `commands` is for tests.
 */
export function main(
  argv: readonly string[],
  io: Io,
  commands: readonly CliCommand[] = COMMANDS,
): number | Promise<number> {
  const ran: { code: number | Promise<number> } = { code: EXIT_OK };
  const program = build(io, commands, (c) => {
    ran.code = c;
  });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    return failure(e, io, program, argv);
  }
  const result = ran.code;
  return typeof result === 'number'
    ? result
    : result.catch((e: unknown) => failure(e, io, program, argv));
}
