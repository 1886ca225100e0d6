/** Colour for the terminal (Io.color decides: NO_COLOR, FORCE_COLOR, a terminal, TERM). */
import { inspect } from 'node:util';
import type { Io } from './io.js';

const TONES = {
  ok: 'green',
  bad: 'red',
  warn: 'yellow',
  strong: 'bold',
  dim: 'dim',
} as const;

export type Tone = keyof typeof TONES;

export function paint(io: Io, tone: Tone, text: string): string {
  const codes = inspect.colors[TONES[tone]];
  if (!io.color || !codes) return text;
  return `\x1b[${codes[0]}m${text}\x1b[${codes[1]}m`;
}
