/** `devmem-model faults`: the fault catalogue and the invariant each must trip. */
import { FAULTS } from '../world/faults.js';
import { EXIT_OK, type Io } from './io.js';

export function faultsCommand(io: Io): number {
  const w = Math.max(...FAULTS.map((f) => f.name.length));
  const v = Math.max(...FAULTS.map((f) => f.trips.length));
  io.out(`${'fault'.padEnd(w)}  ${'must trip'.padEnd(v)}  what goes wrong`);
  for (const f of FAULTS)
    io.out(`${f.name.padEnd(w)}  ${f.trips.padEnd(v)}  ${f.what} [${f.history}]`);
  return EXIT_OK;
}
