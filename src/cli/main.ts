#!/usr/bin/env node
/** The devmem-model command line's entry (package bin): see program.ts. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processIo } from './io.js';
import { main } from './program.js';

export { main } from './program.js';

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
