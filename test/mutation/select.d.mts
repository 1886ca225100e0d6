/** Types of select.mjs (plain JavaScript, so that `npm run mutation` needs no build). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}
export interface Candidate {
  readonly path: string;
  readonly size: number;
}
export interface Selection {
  readonly paths?: readonly string[];
  readonly shard?: Shard | null;
}
export declare const MUTATED: readonly string[];
export declare function slices(files: readonly Candidate[], n: number): string[][];
export declare function parseShard(text: string): Shard;
export declare function isMutable(path: string): boolean;
export declare function selectFiles(all: readonly Candidate[], sel?: Selection): string[];
export declare function runName(sel?: Selection): string;
