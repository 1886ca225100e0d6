/** `devmem-model docs [--check]`: write the generated reference (or report drift). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { driftedDocs, generateDocs } from '../../properties/docs/generate.js';
import { EXIT_OK, EXIT_VIOLATION, type Io } from './io.js';

export function docsCommand(argv: readonly string[], io: Io): number {
  const { values } = parseArgs({
    args: [...argv],
    options: { check: { type: 'boolean' }, root: { type: 'string' } },
  });
  const root = values.root ?? '.';
  if (values.check) {
    const drifted = driftedDocs(root);
    for (const p of drifted) io.out(`drifted: ${p}`);
    io.out(drifted.length === 0 ? 'docs: up to date' : 'docs: run `npm run docs` to regenerate');
    return drifted.length === 0 ? EXIT_OK : EXIT_VIOLATION;
  }
  const files = generateDocs(root);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  io.out(`docs: wrote ${files.size} files`);
  return EXIT_OK;
}
