import type { Invariant } from './types.js';

export const specConforms: Invariant = {
  name: 'Spec.Conforms',
  statement: 'every event the implementation emits is accepted by the specification',
  check({ refusal }) {
    if (!refusal) return null;
    const { type, ...payload } = refusal.event;
    return {
      message: `the ${refusal.machine} machine (${refusal.instance}) in state ${refusal.state} refuses ${type} ${JSON.stringify(payload)}`,
    };
  },
};
