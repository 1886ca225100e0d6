/**
 * What a link checker needs from a Markdown file, with GitHub's rules: the anchors its headings
 * get (github-slugger, duplicates numbered) plus explicit `<a id>` anchors, and its links — both
 * outside fenced code blocks and code spans.
 */
import GithubSlugger from 'github-slugger';

/** The text without fenced code blocks (lines kept, so positions stay meaningful). */
function withoutFences(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === null && m?.[1]) {
      fence = m[1];
      return '';
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence)) fence = null;
      return '';
    }
    return line;
  });
}

/** A heading's text as GitHub renders it before slugging: no code ticks, link targets, tags. */
function headingText(raw: string): string {
  return raw
    .replace(/<[^>]+>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/[*_]{1,3}([^*_]+)[*_]{1,3}/g, '$1')
    .trim();
}

export function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const out = new Set<string>();
  for (const line of withoutFences(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h?.[1] !== undefined) out.add(slugger.slug(headingText(h[1])));
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) if (a[1]) out.add(a[1]);
  }
  return out;
}

export interface Link {
  readonly line: number;
  readonly target: string;
}

export function linksOf(text: string): Link[] {
  const out: Link[] = [];
  withoutFences(text).forEach((raw, i) => {
    const line = raw.replace(/`[^`]*`/g, '');
    for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      if (m[1]) out.push({ line: i + 1, target: m[1] });
    for (const m of line.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g))
      if (m[1]) out.push({ line: i + 1, target: m[1] });
  });
  return out;
}
