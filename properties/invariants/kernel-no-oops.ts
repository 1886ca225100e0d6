import type { Invariant } from './types.js';

export const kernelNoOops: Invariant = {
  name: 'Kernel.NoOops',
  statement: "no atomic step throws (the simulated kernel's oops)",
  check({ oops }) {
    return oops === null ? null : { message: `oops: ${oops}` };
  },
};
