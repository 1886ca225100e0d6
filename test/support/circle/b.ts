/** The other half of the circle in a.ts. */
import type { A } from './a.js';

export interface B {
  readonly a?: A;
}
