/**
 * The mm's interval-notifier sequence, one instance (`mm`).
 *
 * Modelled: invalidations start and end in pairs and may nest; a refused non-blockable
 * invalidation is ended by the core, so its caller must not end it again.
 * Left out: the sequence value itself and which subscriptions overlap (the subscription and
 * devpt machines carry what that protects).
 */
import { assign, setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const notifierAlphabet = [
  'mmu.invalidate_start',
  'mmu.invalidate_end',
  'mmu.invalidate_refused',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof notifierAlphabet)[number] }>;

export const notifierMachine = setup({
  types: { context: {} as { active: number }, events: {} as Ev },
  guards: {
    isLastActive: ({ context }) => context.active === 1,
    isNested: ({ context }) => context.active > 1,
  },
  actions: {
    begin: assign({ active: ({ context }) => context.active + 1 }),
    end: assign({ active: ({ context }) => context.active - 1 }),
  },
}).createMachine({
  id: 'notifier',
  initial: 'idle',
  context: { active: 0 },
  states: {
    idle: {
      on: { 'mmu.invalidate_start': { target: 'invalidating', actions: 'begin' } },
    },
    invalidating: {
      on: {
        'mmu.invalidate_start': { actions: 'begin' },
        'mmu.invalidate_end': [
          { guard: 'isLastActive', target: 'idle', actions: 'end' },
          { guard: 'isNested', actions: 'end' },
        ],
        'mmu.invalidate_refused': [
          { guard: 'isLastActive', target: 'idle', actions: 'end' },
          { guard: 'isNested', actions: 'end' },
        ],
      },
    },
  },
});
