/** Text forms of configurations, durations and counts for the command line. */
import type { Config } from '../world/config.js';

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
