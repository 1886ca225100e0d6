/** `devmem-model docs [--check]`: write the generated reference (or report drift). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { driftedDocs, generateDocs } from '../../properties/docs/generate.js';
import { TRACE_JSON_SCHEMA_PATH, traceJsonSchemaText } from '../../properties/trace/json-schema.js';
import { PACKAGE_DIR } from '../../properties/version.js';
import type { CliCommand } from './command.js';
import { EXIT_OK, EXIT_VIOLATION, type Io, UsageError } from './io.js';

interface DocsOpts {
  readonly check?: boolean;
  readonly root?: string;
}

/**
 * The reference is generated from the sources of a checkout (machines, hand-written mechanism
 * pages, regression traces): anywhere else say where the shipped reference is instead.
 */
function requireCheckout(root: string): void {
  const isCheckout =
    existsSync(join(root, 'models/machines')) &&
    existsSync(join(root, 'docs/mechanisms')) &&
    existsSync(join(root, 'test/regressions'));
  if (!isCheckout)
    throw new UsageError(
      `docs regenerates the reference inside a devmem-model repository, and ${root} is not one; the reference of this version is ${join(PACKAGE_DIR, 'docs/README.md')}`,
    );
}

/** Every generated file: the reference in docs/ and the trace format's JSON Schema. */
function generated(root: string): Map<string, string> {
  const files = generateDocs(root);
  files.set(TRACE_JSON_SCHEMA_PATH, traceJsonSchemaText());
  return files;
}

function drifted(root: string): string[] {
  const file = join(root, TRACE_JSON_SCHEMA_PATH);
  const schemaDrifted = !existsSync(file) || readFileSync(file, 'utf8') !== traceJsonSchemaText();
  return [...driftedDocs(root), ...(schemaDrifted ? [TRACE_JSON_SCHEMA_PATH] : [])];
}

function run(o: DocsOpts, io: Io): number {
  const root = o.root ?? '.';
  requireCheckout(root);
  if (o.check) {
    const paths = drifted(root);
    for (const p of paths) io.out(`drifted: ${p}`);
    io.out(paths.length === 0 ? 'docs: up to date' : 'docs: run `npm run docs` to regenerate');
    return paths.length === 0 ? EXIT_OK : EXIT_VIOLATION;
  }
  const files = generated(root);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  io.out(`docs: wrote ${files.size} files`);
  return EXIT_OK;
}

export const docsCommand: CliCommand = {
  name: 'docs',
  define: (cmd) =>
    cmd
      .summary('regenerate the reference in docs/ and the JSON Schema in schema/')
      .description(
        'Regenerate the generated reference in docs/ and schema/devmem-trace-1.json of a devmem-model repository (--check: report drift, change nothing; exit 1 on drift).',
      )
      .option('--check', 'report drift, change nothing')
      .option('--root <dir>', 'the repository (default: the current directory)'),
  run: (_args, opts, io) => run(opts as DocsOpts, io),
};
