/**
 * The JSON Schema of devmem-trace/1, generated from the zod schema (schema/devmem-trace-1.json,
 * shipped with the package) so that editors validate trace files as they are typed. zod stays the
 * authority: what JSON Schema cannot say (unique ids, labels defined before use, names of
 * devices and importers in config, the total frame count) is checked when a file is loaded.
 */
import { z } from 'zod';
import { FAULT_NAMES } from '../../src/world/faults.js';
import { FORBIDDEN_KEYS } from './limits.js';
import { ARGS, stepSchema, traceSchema } from './schema.js';
import { TRACE_FORMAT } from './types.js';

type Json = { [k: string]: unknown };

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest as Json;
}

const NO_PROTOTYPE_KEYS = { propertyNames: { not: { enum: [...FORBIDDEN_KEYS] } } };

/** A step: the op one of the operations, its args those of that operation (if/then per op). */
function stepJsonSchema(): Json {
  const base = jsonSchema(stepSchema);
  const props = base.properties as Json;
  const ops = Object.keys(ARGS);
  return {
    ...base,
    properties: {
      ...props,
      op: { type: 'string', enum: ops, description: 'the operation (docs/contract.md)' },
      expect: { ...(props.expect as Json), ...NO_PROTOTYPE_KEYS },
    },
    allOf: Object.entries(ARGS).map(([op, args]) => ({
      if: { properties: { op: { const: op } }, required: ['op'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
      then: { properties: { args: jsonSchema(args) } },
    })),
  };
}

/** The whole schema, as written to schema/devmem-trace-1.json. */
export function traceJsonSchema(): Json {
  const base = jsonSchema(traceSchema);
  const props = base.properties as Json;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: TRACE_FORMAT,
    description:
      'A devmem-model trace: a configuration, faults to switch on, and steps with expectations (docs/contract.md). Generated from properties/trace/schema.ts by `npm run docs`; do not edit.',
    ...base,
    properties: {
      ...props,
      format: { const: TRACE_FORMAT },
      faults: { ...(props.faults as Json), items: { enum: [...FAULT_NAMES] } },
      steps: { ...(props.steps as Json), items: stepJsonSchema() },
    },
  };
}

/** The file's text: what `npm run docs` writes and the drift test compares. */
export function traceJsonSchemaText(): string {
  return `${JSON.stringify(traceJsonSchema(), null, 2)}\n`;
}

export const TRACE_JSON_SCHEMA_PATH = 'schema/devmem-trace-1.json';
