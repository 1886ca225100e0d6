/** Text wrapped to the terminal: words into lines, and tables whose last column wraps. */

/** The words of `text` in lines of at most `width` columns (a longer word gets a line alone). */
export function wrap(text: string, width: number): string[] {
  if (!Number.isFinite(width) || text.length <= width) return [text];
  const indent = /^ */.exec(text)?.[0] ?? '';
  const lines: string[] = [];
  let line = indent;
  for (const word of text.slice(indent.length).split(/ +/)) {
    if (line === indent) line += word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

/** `text` wrapped to `width`, every line after the first indented by `indent` spaces. */
export function hanging(text: string, width: number, indent: number): string[] {
  const [first = '', ...rest] = wrap(text, width);
  if (rest.length === 0) return [first];
  const pad = ' '.repeat(indent);
  return [first, ...wrap(rest.join(' '), Math.max(20, width - indent)).map((l) => pad + l)];
}

/** The narrowest last column worth keeping beside the others; below it, it goes underneath. */
const MIN_LAST = 28;

/**
 * Rows as a table: every column but the last padded to its widest cell, the last wrapped to what
 * remains of `width`; when that is too narrow the last column goes under the row, indented, and
 * when even the other columns do not fit, every cell after the first goes under it.
 */
export function table(rows: readonly (readonly string[])[], width: number): string[] {
  const cols = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: cols - 1 }, (_, c) =>
    Math.max(0, ...rows.map((r) => (r[c] ?? '').length)),
  );
  const lead = widths.reduce((a, w) => a + w + 2, 0);
  const room = width - lead;
  const out: string[] = [];
  for (const r of rows) {
    const head = widths.map((w, c) => (r[c] ?? '').padEnd(w)).join('  ');
    const last = r[cols - 1] ?? '';
    if (!Number.isFinite(width) || room >= MIN_LAST) {
      const [first = '', ...more] = wrap(last, Number.isFinite(width) ? room : Infinity);
      out.push(`${head}  ${first}`.trimEnd());
      for (const m of more) out.push(`${' '.repeat(lead)}${m}`);
    } else if (lead <= width) {
      out.push(head.trimEnd());
      for (const m of wrap(last, Math.max(20, width - 4))) out.push(`    ${m}`);
    } else {
      out.push(r[0] ?? '');
      for (const cell of r.slice(1))
        for (const m of wrap(cell, Math.max(20, width - 4))) out.push(`    ${m}`);
    }
  }
  return out;
}
