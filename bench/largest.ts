/**
 * `npm run bench:largest`: how long the largest trace the limits allow takes to replay. The trace
 * is at every limit at once (frames, devices, importers, steps, objects, pages) and its steps are
 * the expensive ones: every subscriber attached to the objects that migrate, maps that fault every
 * page, reclaim, pins, DMA. `-- --json` prints one JSON object; `-- --write FILE` writes the trace.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIMITS } from '../properties/trace/limits.js';
import { replay } from '../properties/trace/replay.js';
import { validateTrace } from '../properties/trace/schema.js';
import { TRACE_FORMAT } from '../properties/trace/types.js';

type Step = { op: string; args: Record<string, unknown> };

/** The largest trace within LIMITS, built to be as slow to replay as the limits let it be. */
export function largestTrace(): Record<string, unknown> {
  const devices = LIMITS.devices;
  const vram = Math.floor((LIMITS.totalFrames - LIMITS.systemFrames) / devices);
  const kinds = ['mirror', 'userptr', 'gup', 'dio', 'dmabuf'] as const;
  const importers = Array.from({ length: LIMITS.importers }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? 'mirror';
    return {
      id: `${kind}${i}`,
      kind,
      ...(kind === 'mirror' && i % 2 === 0 ? { device: 'gpu0' } : {}),
      ...(kind === 'userptr' ? { queues: i % 2 === 0 ? 'gfx' : 'compute' } : {}),
      ...(kind === 'dmabuf' ? { p2p: ['gpu0', 'gpu1'] } : {}),
    };
  });
  const config = {
    systemFrames: LIMITS.systemFrames,
    swapSlots: LIMITS.swapSlots,
    devices: Array.from({ length: devices }, (_, i) => ({
      id: `gpu${i}`,
      vramFrames: vram,
      memory: i % 2 === 0 ? 'private' : 'coherent',
    })),
    importers,
  };
  const steps: Step[] = [];
  const push = (op: string, args: Record<string, unknown>) => {
    if (steps.length < LIMITS.steps) steps.push({ op, args });
  };
  const pages = LIMITS.pages;
  const subscribers = importers.filter((i) => i.kind === 'mirror' || i.kind === 'userptr');
  const pinners = importers.filter((i) => i.kind === 'gup' || i.kind === 'dio');
  // Every object the limit allows, the hot ones first.
  for (let k = 0; k < LIMITS.objects; k++) {
    if (k % 16 === 15)
      push('obj.create', { obj: `o${k}`, kind: 'bo', pages, device: `gpu${k % devices}` });
    else push('obj.create', { obj: `o${k}`, kind: 'anon', pages });
  }
  const hot = 8;
  for (let k = 0; k < hot; k++)
    for (let p = 0; p < pages; p++) push('cpu.write', { obj: `o${k}`, page: p, value: p + 1 });
  for (const imp of subscribers)
    for (let k = 0; k < hot; k++) push('imp.attach', { importer: imp.id, obj: `o${k}` });
  let round = 0;
  while (steps.length < LIMITS.steps) {
    const obj = `o${round % hot}`;
    for (const imp of subscribers) push('imp.map', { importer: imp.id, obj });
    push('obj.migrate', { obj, to: 'vram', device: `gpu${round % devices}` });
    const pinner = pinners[round % pinners.length];
    if (pinner) push('imp.pin', { importer: pinner.id, obj });
    push('mm.reclaim', { obj, page: round % pages });
    push('obj.migrate', { obj, to: 'system' });
    if (pinner) push('imp.unpin', { importer: pinner.id, obj });
    for (const imp of subscribers.slice(0, 4))
      push('imp.read', { importer: imp.id, obj, page: round % pages });
    round++;
  }
  return { format: TRACE_FORMAT, description: 'the largest trace the limits allow', config, steps };
}

function isEntry(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntry()) {
  const args = process.argv.slice(2);
  const raw = largestTrace();
  const out = args.indexOf('--write');
  if (out >= 0 && args[out + 1]) writeFileSync(args[out + 1] as string, JSON.stringify(raw));
  const t0 = performance.now();
  const trace = validateTrace(raw);
  const r = replay(trace);
  const ms = Math.round(performance.now() - t0);
  const result = {
    bytes: JSON.stringify(raw).length,
    steps: trace.steps.length,
    atomicSteps: r.atomicSteps,
    ms,
    violations: r.violations?.map((v) => v.invariant) ?? [],
  };
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else
    console.log(
      `largest allowed trace: ${result.steps} steps, ${result.atomicSteps} atomic steps, ${result.bytes} bytes: replayed in ${(ms / 1000).toFixed(1)} s`,
    );
}
