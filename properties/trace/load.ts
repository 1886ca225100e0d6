/** Reading trace and config files: every failure is one line naming the file and the field. */
import { closeSync, openSync, readSync } from 'node:fs';
import { type Config, normalizeConfig } from '../../src/world/config.js';
import { LIMITS } from './limits.js';
import { TraceError, validateConfig, validateTrace } from './schema.js';
import type { Trace } from './types.js';

export class InputError extends Error {}

/** The file's text; more than LIMITS.fileBytes is an error (also for /dev/zero or a pipe). */
function readBounded(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(LIMITS.fileBytes + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > LIMITS.fileBytes)
        throw new InputError(
          `${file}: more than ${LIMITS.fileBytes} bytes (a limit of devmem-trace/1)`,
        );
    }
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** A JSON file within the size limit; InputError (one line naming the file) otherwise. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readBounded(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new InputError(`${file}: cannot read (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
}

export function loadTrace(file: string, extraFaults: readonly string[] = []): Trace {
  const raw = readJson(file);
  try {
    return validateTrace(raw, extraFaults);
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
}

export function loadConfig(file: string): Config {
  const raw = readJson(file);
  try {
    return normalizeConfig(validateConfig(raw));
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
}
