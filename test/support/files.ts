/** Temporary files for tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'devmem-'));
}

export function writeTemp(name: string, content: string): string {
  const f = join(tempDir(), name);
  writeFileSync(f, content);
  return f;
}
