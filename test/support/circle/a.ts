/** Half of an import circle: arrows.test.ts checks that its circle finder sees one. */
import type { B } from './b.js';

export interface A {
  readonly b?: B;
}
