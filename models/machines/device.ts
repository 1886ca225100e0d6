/**
 * A GPU's power state, one instance per device (`device`).
 *
 * Modelled: hang and reset (stop, reset, recover), suspend (freeze, evict, power off) and
 * resume, hot-unplug (gone, revoke, release). One device event at a time; a hung device can only
 * be reset or unplugged; a gone device takes nothing more. The page and bo machines refuse the
 * power-off of a device whose memory still holds them.
 * Left out: what the events do to memory (the implementation's), vramLost counting.
 */
import { setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const deviceAlphabet = [
  'dev.hang',
  'dev.reset_stop',
  'dev.reset',
  'dev.recover',
  'dev.freeze',
  'dev.poweroff',
  'dev.suspend_failed',
  'dev.resume',
  'dev.gone',
  'dev.revoke',
  'dev.release',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof deviceAlphabet)[number] }>;

export const deviceMachine = setup({
  types: { events: {} as Ev },
  actions: { note: () => {} },
}).createMachine({
  id: 'device',
  initial: 'active',
  states: {
    active: {
      on: {
        'dev.hang': { target: 'hung' },
        'dev.reset_stop': { target: 'resetting' },
        'dev.freeze': { target: 'suspending' },
        'dev.gone': { target: 'unplugging' },
      },
    },
    hung: {
      on: {
        'dev.reset_stop': { target: 'resetting' },
        'dev.gone': { target: 'unplugging' },
      },
    },
    resetting: {
      on: {
        'dev.reset': { actions: 'note' },
        'dev.recover': { target: 'active' },
      },
    },
    suspending: {
      on: {
        'dev.poweroff': { target: 'suspended' },
        'dev.suspend_failed': { target: 'active' },
      },
    },
    suspended: {
      on: {
        'dev.resume': { target: 'active' },
        'dev.gone': { target: 'unplugging' },
      },
    },
    unplugging: {
      on: {
        'dev.revoke': { actions: 'note' },
        'dev.release': { target: 'gone' },
      },
    },
    gone: { type: 'final' },
  },
});
