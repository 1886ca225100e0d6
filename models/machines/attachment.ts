/**
 * A dma-buf attachment, one instance per (`importer`, `obj`).
 *
 * Modelled: attach (peer2peer fixed for the attachment, dynamic or static), map (in VRAM only if
 * peer2peer), invalidation by move_notify, unmap, detach and free. The rules: callbacks reach an
 * attachment only until it is freed; a bo may not be unshared while a dynamic attachment still
 * maps it in VRAM (move_notify first).
 * Left out: the sg table and the device page table (the devpt machine's).
 */
import { assign, setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const attachmentAlphabet = [
  'att.attach',
  'att.map',
  'att.unmap',
  'att.invalidate',
  'att.detach',
  'att.free',
  'bo.pin',
  'bo.unpin',
  'bo.unshare',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof attachmentAlphabet)[number] }>;

export const attachmentMachine = setup({
  types: { context: {} as { p2p: boolean; dynamic: boolean }, events: {} as Ev },
  guards: {
    vramOnlyIfP2p: ({ context, event }) => {
      const vram = (event.type === 'att.map' || event.type === 'bo.pin') && event.vram;
      return !vram || context.p2p;
    },
    mapsVram: ({ context, event }) => event.type === 'att.map' && event.vram && context.p2p,
    mapsSystem: ({ event }) => event.type === 'att.map' && !event.vram,
  },
  actions: {
    record: assign({
      p2p: ({ event }) => event.type === 'att.attach' && event.p2p,
      dynamic: ({ event }) => event.type === 'att.attach' && event.dynamic,
    }),
    note: () => {},
  },
}).createMachine({
  id: 'attachment',
  initial: 'detached',
  context: { p2p: false, dynamic: true },
  states: {
    detached: {
      on: {
        'att.attach': { target: 'unmapped', actions: 'record' },
        // An importer of the bo's device VMA (a mirror) has no attachment to unshare.
        'bo.unshare': { actions: 'note' },
      },
    },
    unmapped: {
      on: {
        'att.map': [
          { guard: 'mapsVram', target: 'mappedVram' },
          { guard: 'mapsSystem', target: 'mapped' },
        ],
        'att.invalidate': { actions: 'note' },
        'att.unmap': { actions: 'note' },
        'bo.pin': { guard: 'vramOnlyIfP2p', actions: 'note' },
        'bo.unpin': { actions: 'note' },
        'bo.unshare': { actions: 'note' },
        'att.detach': { target: 'revoked' },
      },
    },
    mapped: {
      on: {
        'att.map': { guard: 'mapsSystem', actions: 'note' },
        'att.invalidate': { target: 'unmapped' },
        'att.unmap': { target: 'unmapped' },
        'bo.pin': { guard: 'vramOnlyIfP2p', actions: 'note' },
        'bo.unpin': { actions: 'note' },
        'bo.unshare': { actions: 'note' },
        'att.detach': { target: 'revoked' },
      },
    },
    mappedVram: {
      on: {
        'att.map': { guard: 'mapsVram', actions: 'note' },
        'att.invalidate': { target: 'unmapped' },
        'att.unmap': { target: 'unmapped' },
        'bo.pin': { guard: 'vramOnlyIfP2p', actions: 'note' },
        'bo.unpin': { actions: 'note' },
        'att.detach': { target: 'revoked' },
      },
    },
    /** Detached from the bo, not yet freed: a callback already under way may still run. */
    revoked: {
      on: {
        'bo.unshare': { actions: 'note' },
        'att.free': { target: 'freed' },
      },
    },
    freed: {
      on: {
        'att.attach': { target: 'unmapped', actions: 'record' },
        'bo.unshare': { actions: 'note' },
      },
    },
  },
});
