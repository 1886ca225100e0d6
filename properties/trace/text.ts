/**
 * Text forms of a step's arguments and result, shared by the command line's step table and the
 * trace diagrams (properties/ must not import src/cli/, so they live here).
 */

/** `k=v` pairs: array values joined by `sep`, the keys in `omit` left out. */
export function argsText(
  args: Readonly<Record<string, unknown>>,
  sep = ',',
  omit: readonly string[] = [],
): string {
  return Object.entries(args)
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(sep) : String(v)}`)
    .join(' ');
}

/** How resultText words what differs between its users. */
export interface ResultStyle {
  pending(phase: string): string;
  blocked(phase: string): string;
  /** A value that is a (non-null) object. */
  object(value: object): string;
}

const CLI_RESULT: ResultStyle = {
  pending: (phase) => `pending (next: ${phase})`,
  blocked: (phase) => `blocked (in ${phase})`,
  object: (value) => JSON.stringify(value),
};

export function resultText(r: Readonly<Record<string, unknown>>, style = CLI_RESULT): string {
  if ('pending' in r) return style.pending(String(r.phase));
  if ('blocked' in r) return style.blocked(String(r.phase));
  if (r.ok === false) return String(r.error);
  if (r.value === undefined) return 'ok';
  if (typeof r.value === 'object' && r.value !== null) return `ok ${style.object(r.value)}`;
  return `ok ${String(r.value)}`;
}
