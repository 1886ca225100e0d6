/**
 * A process (address space) fork makes, one instance per child name (`child`).
 *
 * Modelled: fork creates the child and copies the parent's ranges into it while the parent's
 * mmap_lock is held for write; only then does the child run. The rule: a name is forked once
 * (again only after a fork of it failed).
 * Left out: the first process (it exists from the start), exit.
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const processAlphabet = ['proc.fork', 'proc.forked', 'proc.fork_failed'] as const;

type Ev = Extract<SpecEvent, { type: (typeof processAlphabet)[number] }>;

export const processMachine = setup({
  types: { events: {} as Ev },
}).createMachine({
  id: 'process',
  initial: 'absent',
  states: {
    absent: { on: { 'proc.fork': { target: 'forking' } } },
    /** Its ranges are being copied from the parent; nothing may run in it yet. */
    forking: {
      on: { 'proc.forked': { target: 'running' }, 'proc.fork_failed': { target: 'absent' } },
    },
    running: {},
  },
});
