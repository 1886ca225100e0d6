#!/usr/bin/env node
/** The devmem-model command line: check, replay, explore, faults, export-test, docs. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../properties/trace/load.js';
import { checkCommand } from './check.js';
import { docsCommand } from './docs.js';
import { exploreCommand } from './explore.js';
import { exportTestCommand } from './export-test.js';
import { faultsCommand } from './faults.js';
import { EXIT_OK, EXIT_USAGE, type Io, processIo, UsageError } from './io.js';
import { replayCommand } from './replay.js';

const HELP = `usage: devmem-model <command> [options]

  check [--runs N] [--seed S] [--max-steps N] [--device-events N] [--faults a,b]
        [--config FILE] [--out DIR] [--json] [--coverage] [--coverage-floor PCT]
                      generated interleavings against the specification and every invariant;
                      --coverage lists the transitions no run took, --coverage-floor fails
                      below that share of them
  replay FILE [--faults a,b] [--mermaid]
                      re-execute a trace step by step and check its expectations;
                      --mermaid prints it as a Mermaid sequence diagram
  explore SCOPE [--faults a,b] [--max-states N] [--max-depth N] [--time S] [--out DIR]
        [--json] [--reductions all|none|LIST]
                      every interleaving of a scope's workload (scopes/): proves it or
                      writes the shortest counterexample; Ctrl-C stops it (exit 130)
  faults              list the fault catalogue and the invariant each must trip
  export-test FILE [--root DIR]
                      print a vitest file replaying FILE (--root: path from it to the project)
  docs [--check] [--root DIR]
                      regenerate the reference in docs/ (--check: report drift, change nothing)

exit: 0 no violation / expectations met, 1 violation / expectation failed, 2 bad usage or input`;

export function main(argv: readonly string[], io: Io): number | Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check':
        return checkCommand(rest, io);
      case 'replay':
        return replayCommand(rest, io);
      case 'explore':
        return exploreCommand(rest, io);
      case 'faults':
        return faultsCommand(io);
      case 'docs':
        return docsCommand(rest, io);
      case 'export-test':
        return exportTestCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(HELP);
        return cmd === undefined ? EXIT_USAGE : EXIT_OK;
      default:
        throw new UsageError(
          `unknown command "${cmd}" (commands: check, replay, explore, faults, export-test, docs)`,
        );
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof InputError) {
      io.err(`devmem-model: ${e.message}`);
      return EXIT_USAGE;
    }
    if (
      e instanceof TypeError &&
      'code' in e &&
      String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
    ) {
      io.err(`devmem-model: ${e.message.split('\n')[0]}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}

function isEntry(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(arg) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntry()) {
  const code = main(process.argv.slice(2), processIo());
  if (typeof code === 'number') process.exitCode = code;
  else
    void code.then((c) => {
      process.exitCode = c;
    });
}
