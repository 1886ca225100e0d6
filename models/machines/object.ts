/**
 * Object lifecycle, one instance per object (`obj`).
 *
 * Modelled: creation, destroy (the name and CPU mappings go; pins, subscriptions and attachments
 * keep the object alive), release once the last user is gone. Users are counted from the events
 * that add and drop them. Left out: the object's memory (page, bo machines), who the users are.
 */
import { assign, setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const objectAlphabet = [
  'obj.create',
  'obj.destroy',
  'obj.release',
  'sub.insert',
  'sub.remove',
  'att.attach',
  'att.free',
  'page.pin',
  'page.unpin',
  'bo.pin',
  'bo.unpin',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof objectAlphabet)[number] }>;

export const objectMachine = setup({
  types: { context: {} as { users: number }, events: {} as Ev },
  guards: {
    hasUsers: ({ context }) => context.users > 0,
    hasNoUsers: ({ context }) => context.users === 0,
  },
  actions: {
    addUser: assign({ users: ({ context }) => context.users + 1 }),
    dropUser: assign({ users: ({ context }) => context.users - 1 }),
  },
}).createMachine({
  id: 'object',
  initial: 'absent',
  context: { users: 0 },
  states: {
    absent: { on: { 'obj.create': { target: 'live' } } },
    live: {
      on: {
        'obj.destroy': { target: 'destroyed' },
        'sub.insert': { actions: 'addUser' },
        'att.attach': { actions: 'addUser' },
        'page.pin': { actions: 'addUser' },
        'bo.pin': { actions: 'addUser' },
        'sub.remove': { guard: 'hasUsers', actions: 'dropUser' },
        'att.free': { guard: 'hasUsers', actions: 'dropUser' },
        'page.unpin': { guard: 'hasUsers', actions: 'dropUser' },
        'bo.unpin': { guard: 'hasUsers', actions: 'dropUser' },
      },
    },
    destroyed: {
      on: {
        'sub.remove': { guard: 'hasUsers', actions: 'dropUser' },
        'att.free': { guard: 'hasUsers', actions: 'dropUser' },
        'page.unpin': { guard: 'hasUsers', actions: 'dropUser' },
        'bo.unpin': { guard: 'hasUsers', actions: 'dropUser' },
        'obj.release': { guard: 'hasNoUsers', target: 'released' },
      },
    },
    released: { type: 'final' },
  },
});
