/**
 * A userptr job, one instance per (`importer`, `obj`) [amdgpu userptr, KFD evict/restore].
 *
 * Modelled: submit, validation, running, preemption by an invalidation (compute queues), resume
 * after re-validation, completion by the user (compute) or by itself (gfx), and the job leaving.
 * The rule: a preempted job resumes only through the job machine's running state again — what it
 * may program into its GPU page table is the devpt machine's rule (no stale view).
 * Left out: queues, fences' timing, which pages the job touches.
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const jobAlphabet = [
  'job.submit',
  'job.run',
  'job.preempt',
  'job.resume',
  'job.complete',
  'job.done',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof jobAlphabet)[number] }>;

export const jobMachine = setup({
  types: { events: {} as Ev },
  actions: { note: () => {} },
}).createMachine({
  id: 'job',
  initial: 'idle',
  states: {
    idle: { on: { 'job.submit': { target: 'validating' } } },
    validating: {
      on: {
        'job.run': { target: 'running' },
        'job.done': { target: 'idle' },
      },
    },
    running: {
      on: {
        'job.preempt': { target: 'preempted' },
        'job.complete': { target: 'completed' },
        'job.done': { target: 'idle' },
      },
    },
    preempted: {
      on: {
        'job.resume': { target: 'running' },
        'job.complete': { target: 'completed' },
        'job.done': { target: 'idle' },
      },
    },
    completed: { on: { 'job.done': { target: 'idle' } } },
  },
});
