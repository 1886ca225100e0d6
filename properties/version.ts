/**
 * The package's version, read from its package.json: the nearest one above this file whose name
 * is devmem-model (properties/ in the repository, dist/properties/ once built or installed).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function findPackage(): { dir: string; version: string } {
  let dir = new URL('.', import.meta.url);
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'devmem-model' && typeof pkg.version === 'string')
        return { dir: fileURLToPath(dir), version: pkg.version };
    } catch {
      // No package.json here: look one level up.
    }
    dir = new URL('..', dir);
  }
  return { dir: fileURLToPath(new URL('..', import.meta.url)), version: '0.0.0-unknown' };
}

const PACKAGE = findPackage();

/** The devmem-model version, recorded in every counterexample's `found` block. */
export const VERSION: string = PACKAGE.version;

/** The directory of the package (the repository, or node_modules/devmem-model once installed). */
export const PACKAGE_DIR: string = PACKAGE.dir;
