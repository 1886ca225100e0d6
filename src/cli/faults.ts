/** `devmem-model faults`: the fault catalogue and the invariant each must trip. */
import { FAULTS } from '../world/faults.js';
import type { CliCommand } from './command.js';
import { EXIT_OK } from './io.js';
import { paint } from './style.js';
import { table } from './wrap.js';

export const faultsCommand: CliCommand = {
  name: 'faults',
  define: (cmd) =>
    cmd
      .summary('list the fault catalogue and the invariant each must trip')
      .description(
        'List the fault catalogue: real bug classes, one switch each (check --faults a,b), with the invariant each must trip, what goes wrong and its history.',
      )
      .option('--json', 'print one JSON array of the catalogue'),
  run: (_args, opts, io) => {
    if (opts.json) {
      io.out(
        JSON.stringify(
          FAULTS.map((f) => ({
            name: f.name,
            trips: f.trips,
            what: f.what,
            history: f.history,
            area: f.area,
          })),
        ),
      );
      return EXIT_OK;
    }
    const rows = [
      ['fault', 'must trip', 'what goes wrong [history]'],
      ...FAULTS.map((f) => [f.name, f.trips, `${f.what} [${f.history}]`]),
    ];
    table(rows, io.columns ?? Infinity).forEach((l, i) => {
      io.out(i === 0 ? paint(io, 'strong', l) : l);
    });
    return EXIT_OK;
  },
};
