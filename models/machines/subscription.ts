/**
 * An interval subscription (HMM mirror, ODP MR, userptr), one instance per (`importer`, `obj`).
 *
 * Modelled: insert and remove; invalidate() callbacks reach only an inserted subscription;
 * read_begin / read_retry happen only on an inserted one.
 * Left out: the sequence numbers (see the devpt machine for what read_retry protects).
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const subscriptionAlphabet = [
  'sub.insert',
  'sub.remove',
  'sub.invalidate',
  'sub.read_begin',
  'sub.read_retry',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof subscriptionAlphabet)[number] }>;

export const subscriptionMachine = setup({
  types: { events: {} as Ev },
  actions: {
    setSeq: () => {},
    readBegin: () => {},
    readRetry: () => {},
  },
}).createMachine({
  id: 'subscription',
  initial: 'unsubscribed',
  states: {
    unsubscribed: { on: { 'sub.insert': { target: 'subscribed' } } },
    subscribed: {
      on: {
        'sub.invalidate': { actions: 'setSeq' },
        'sub.read_begin': { actions: 'readBegin' },
        'sub.read_retry': { actions: 'readRetry' },
        'sub.remove': { target: 'unsubscribed' },
      },
    },
  },
});
