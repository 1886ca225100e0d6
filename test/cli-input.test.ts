/**
 * Every bad input is a clean error: keys that reach a prototype, names every JavaScript object
 * has, sizes beyond the documented limits, numbers that are not safe integers, nesting beyond the
 * limit, files too large. Each is refused up front with exit 2 and one line naming the field,
 * quickly, and the largest input the limits allow is accepted.
 */
import { describe, expect, it } from 'vitest';
import { largestTrace } from '../bench/largest.js';
import { LIMITS } from '../properties/trace/limits.js';
import { validateTrace } from '../properties/trace/schema.js';
import { checkCli, cli } from './support/cli.js';
import { writeTemp } from './support/files.js';

const CONFIG = {
  systemFrames: 4,
  devices: [{ id: 'gpu0', vramFrames: 2 }],
  importers: [{ id: 'm0', kind: 'mirror', device: 'gpu0' }],
};
const CREATE = { op: 'obj.create', args: { obj: 'a', kind: 'anon', pages: 1 } };

function trace(over: Record<string, unknown> = {}, steps: unknown[] = [CREATE]): string {
  return JSON.stringify({ format: 'devmem-trace/1', config: CONFIG, steps, ...over });
}

function refused(text: string, field: string): void {
  const t0 = performance.now();
  const file = writeTemp('t.json', text);
  const r = cli('replay', file);
  expect(r.code, r.out + r.err).toBe(2);
  expect(r.err.split('\n'), r.err).toHaveLength(1);
  expect(r.err).toContain(file);
  expect(r.err).toContain(field);
  expect(r.out).toBe('');
  expect(performance.now() - t0).toBeLessThan(5000);
}

describe('keys that reach a prototype', () => {
  it('are refused in expect, where zod would drop them and the expectation pass', () => {
    refused(
      trace({}, [{ ...CREATE, expect: JSON.parse('{"ok": true, "__proto__": {"ok": false}}') }]),
      'steps[0].expect.__proto__: the key "__proto__" is not allowed',
    );
  });

  it('are refused in args, config and anywhere else', () => {
    refused(
      trace({}, [{ op: 'cpu.read', args: JSON.parse('{"obj":"a","page":0,"__proto__":{}}') }]),
      'steps[0].args.__proto__',
    );
    refused(trace({ config: { ...CONFIG, constructor: 1 } }), 'config.constructor');
    refused(trace({ found: { prototype: [] } }), 'found.prototype');
  });

  it('are refused as names too: the kernel looks names up in plain objects', () => {
    refused(
      trace({}, [{ op: 'obj.create', args: { obj: 'constructor', kind: 'anon', pages: 1 } }]),
      '"constructor" cannot be a name',
    );
    refused(
      trace({}, [{ op: 'obj.destroy', args: { obj: 'toString' } }]),
      '"toString" cannot be a name',
    );
    refused(
      trace({ config: { ...CONFIG, devices: [{ id: 'hasOwnProperty', vramFrames: 1 }] } }),
      'cannot be a name',
    );
  });
});

describe('sizes beyond the limits', () => {
  const big: [string, Record<string, unknown>, string][] = [
    [
      'vramFrames 1e15',
      { devices: [{ id: 'gpu0', vramFrames: 1e15 }] },
      'config.devices[0].vramFrames',
    ],
    ['systemFrames 2^31', { systemFrames: 2 ** 31 }, 'config.systemFrames'],
    ['swapSlots 1e15', { swapSlots: 1e15 }, 'config.swapSlots'],
    [
      'more frames in all than allowed',
      {
        systemFrames: LIMITS.systemFrames,
        devices: [
          { id: 'g', vramFrames: LIMITS.vramFrames },
          { id: 'h', vramFrames: 1 },
        ],
      },
      "systemFrames plus every device's vramFrames",
    ],
    [
      'too many devices',
      {
        devices: Array.from({ length: LIMITS.devices + 1 }, (_, i) => ({
          id: `g${i}`,
          vramFrames: 1,
        })),
      },
      'config.devices',
    ],
    [
      'too many importers',
      {
        importers: Array.from({ length: LIMITS.importers + 1 }, (_, i) => ({
          id: `i${i}`,
          kind: 'gup',
        })),
      },
      'config.importers',
    ],
    [
      'a name too long',
      { devices: [{ id: 'g'.repeat(LIMITS.idLength + 1), vramFrames: 1 }] },
      'config.devices[0].id',
    ],
  ];
  for (const [what, config, field] of big) {
    it(`refuses ${what}`, () => {
      refused(trace({ config: { ...CONFIG, importers: [], ...config } }), field);
    });
  }

  it('refuses too many steps, objects and pages', () => {
    refused(
      trace(
        {},
        Array.from({ length: LIMITS.steps + 1 }, () => CREATE),
      ),
      'steps',
    );
    refused(
      trace(
        {},
        Array.from({ length: LIMITS.objects + 1 }, (_, i) => ({
          op: 'obj.create',
          args: { obj: `o${i}`, kind: 'anon', pages: 1 },
        })),
      ),
      'obj.create steps',
    );
    refused(
      trace({}, [
        CREATE,
        {
          op: 'obj.migrate',
          args: { obj: 'a', to: 'vram', device: 'gpu0', pages: Array(LIMITS.pages + 1).fill(0) },
        },
      ]),
      'step 1 args pages: at most 64',
    );
  });

  it('refuses numbers that are not safe integers', () => {
    refused(
      trace({}, [CREATE, { op: 'cpu.write', args: { obj: 'a', page: 0, value: 1e23 } }]),
      'args value',
    );
    refused(
      trace({}, [CREATE, { op: 'cpu.read', args: { obj: 'a', page: 2 ** 53 } }]),
      'args page',
    );
    refused(trace({}, [CREATE, { op: 'cpu.read', args: { obj: 'a', page: 0.5 } }]), 'args page');
  });

  it('refuses nesting beyond the limit, even 100,000 deep (no stack overflow)', () => {
    const deep = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    const text = trace({}, [{ ...CREATE, expect: { ok: true, value: '@' } }]).replace('"@"', deep);
    refused(text, `nested deeper than ${LIMITS.nesting} levels`);
    refused(
      trace({}, [
        { ...CREATE, expect: { value: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) } },
      ]),
      'nested deeper',
    );
  });

  it('refuses a file larger than the limit, and an endless one', () => {
    refused(trace({ description: 'x'.repeat(LIMITS.fileBytes) }), 'more than');
    const r = cli('replay', '/dev/zero');
    expect(r.code).toBe(2);
    expect(r.err).toContain('/dev/zero: more than');
  });

  it('refuses the same in a --config file', () => {
    const file = writeTemp('config.json', JSON.stringify({ systemFrames: 1e15 }));
    const r = checkCli('--config', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('systemFrames');
    const proto = writeTemp('config.json', '{"systemFrames": 4, "__proto__": {"x": 1}}');
    expect(checkCli('--config', proto).err).toContain('"__proto__" is not allowed');
  });
});

describe('the largest input the limits allow', () => {
  it('is accepted (its replay time is measured by npm run bench:largest)', () => {
    const t = largestTrace();
    expect(() => validateTrace(t)).not.toThrow();
    expect((t.steps as unknown[]).length).toBe(LIMITS.steps);
    const config = t.config as { devices: unknown[]; importers: unknown[] };
    expect(config.devices).toHaveLength(LIMITS.devices);
    expect(config.importers).toHaveLength(LIMITS.importers);
  });
});
