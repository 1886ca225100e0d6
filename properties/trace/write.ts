/** Writing a trace file people can read: one device, importer and step per line. */
import type { Trace } from './types.js';

const j = (v: unknown) => JSON.stringify(v);

function list(key: string, items: readonly unknown[] | undefined, indent: string): string | null {
  if (!items) return null;
  if (items.length === 0) return `${indent}${j(key)}: []`;
  return `${indent}${j(key)}: [\n${items.map((x) => `${indent}  ${j(x)}`).join(',\n')}\n${indent}]`;
}

/** An object with one key per line (values on one line each). */
function block(o: object, indent: string): string {
  const keys = Object.entries(o).map(([k, v]) => `${indent}  ${j(k)}: ${j(v)}`);
  return keys.length === 0 ? '{}' : `{\n${keys.join(',\n')}\n${indent}}`;
}

export function traceText(t: Trace): string {
  const { format, description, config, faults, steps, expect, found, ...rest } = t;
  const cfg = [
    `    "systemFrames": ${config.systemFrames}`,
    ...(config.swapSlots !== undefined ? [`    "swapSlots": ${config.swapSlots}`] : []),
    list('devices', config.devices, '    '),
    list('importers', config.importers, '    '),
  ].filter((x): x is string => x !== null);
  const parts = [
    `  "format": ${j(format)}`,
    ...(description !== undefined ? [`  "description": ${j(description)}`] : []),
    `  "config": {\n${cfg.join(',\n')}\n  }`,
    ...(faults !== undefined ? [`  "faults": ${j(faults)}`] : []),
    ...Object.entries(rest).map(([k, v]) => `  ${j(k)}: ${j(v)}`),
    list('steps', steps, '  ') ?? '  "steps": []',
    ...(expect !== undefined ? [`  "expect": ${j(expect)}`] : []),
    ...(found !== undefined ? [`  "found": ${block(found, '  ')}`] : []),
  ];
  return `{\n${parts.join(',\n')}\n}\n`;
}
