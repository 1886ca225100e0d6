/** Text forms of arguments, results and configurations for the command line (and diagrams). */
import type { Config } from '../world/config.js';

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

export function configText(c: Config): string {
  const devs = c.devices.map((d) => `${d.id} ${d.memory}×${d.vramFrames}`).join(', ');
  const imps = c.importers
    .map((i) => {
      let s = `${i.id} ${i.kind}`;
      if (i.device) s += `@${i.device}`;
      if (i.kind === 'dmabuf') s += i.dynamic ? ' dynamic' : ' static';
      if (i.p2p.length > 0) s += ` p2p:${i.p2p.join('+')}`;
      if (i.queues) s += ` ${i.queues}`;
      return s;
    })
    .join(', ');
  return `systemFrames ${c.systemFrames}, swapSlots ${c.swapSlots}; devices: ${devs || 'none'}; importers: ${imps || 'none'}`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}
