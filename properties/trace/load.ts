/** Reading trace and config files: every failure is one line naming the file and the field. */
import { readFileSync } from 'node:fs';
import { type Config, normalizeConfig } from '../../src/world/config.js';
import { TraceError, validateConfig, validateTrace } from './schema.js';
import type { Trace } from './types.js';

export class InputError extends Error {}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
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
