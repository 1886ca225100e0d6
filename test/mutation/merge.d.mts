/** Types of merge.mjs (plain JavaScript, so that `npm run mutation:merge` needs no build). */
export interface NamedReport {
  readonly name: string;
  readonly report: unknown;
}
export interface Report {
  readonly files: Record<
    string,
    { mutants: { killedBy?: string[]; coveredBy?: string[]; status: string }[] }
  >;
  readonly testFiles: Record<string, { tests: { id: string; name: string }[] }>;
}
export declare function mergeReports(named: readonly NamedReport[]): {
  report: Report;
  notes: string[];
};
export declare function scoreTable(report: Report): string;
