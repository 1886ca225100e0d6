/**
 * schema/devmem-trace-1.json is generated from the zod schema (npm run docs) and must not drift;
 * editors validate trace files with it, so it must accept every trace the repository keeps and
 * refuse what the loader refuses for its shape.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { TRACE_JSON_SCHEMA_PATH, traceJsonSchemaText } from '../properties/trace/json-schema.js';

const text = readFileSync(TRACE_JSON_SCHEMA_PATH, 'utf8');
const validate = new Ajv2020({ strict: false }).compile(JSON.parse(text));

function traces(): [string, unknown][] {
  return ['test/scenarios', 'test/regressions'].flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .map((f): [string, unknown] => [join(d, f), JSON.parse(readFileSync(join(d, f), 'utf8'))]),
  );
}

function base(): Record<string, unknown> {
  return JSON.parse(readFileSync('test/regressions/migrate-ignores-pin.json', 'utf8'));
}

describe(TRACE_JSON_SCHEMA_PATH, () => {
  it('matches what the zod schema generates (run `npm run docs` after changing it)', () => {
    expect(text).toBe(traceJsonSchemaText());
  });

  it('accepts every scenario and regression trace', () => {
    const all = traces();
    expect(all.length).toBeGreaterThan(100);
    const bad = all
      .filter(([, t]) => !validate(t))
      .map(([f]) => `${f}: ${JSON.stringify(validate.errors?.[0])}`);
    expect(bad).toEqual([]);
  });

  it('refuses an unknown op, an argument of the wrong type, an unknown key and another format', () => {
    const cases: ((t: Record<string, unknown>) => void)[] = [
      (t) => {
        (t.steps as Record<string, unknown>[])[0] = { op: 'obj.frobnicate', args: {} };
      },
      (t) => {
        (t.steps as Record<string, unknown>[])[0] = {
          op: 'cpu.read',
          args: { obj: 'a', page: 'zero' },
        };
      },
      (t) => {
        t.extra = 1;
      },
      (t) => {
        t.format = 'devmem-trace/2';
      },
      (t) => {
        (t.config as Record<string, unknown>).systemFrames = 1e15;
      },
    ];
    for (const change of cases) {
      const t = base();
      change(t);
      expect(validate(t), JSON.stringify(t).slice(0, 120)).toBe(false);
    }
    expect(validate(base())).toBe(true);
  });
});
