/**
 * Residency of one anonymous page, one instance per (`obj`, `page`).
 *
 * Modelled: where the page lives (never touched, system RAM, a device's private or coherent
 * memory, swap, under migration), pins, and who may map it. The rules: a pinned page never
 * starts to migrate or swaps out (a copy-on-write may leave a read-only pin behind: whether a
 * pin still shares the page with its process is Pin.CoherentWithOwner's); a FOLL_LONGTERM pin never
 * lands in device memory and no pin lands in device-private memory; a device page table may only
 * point at a resident page, and a device-private page only from its owner's page table; a device
 * may not power off while a page lives in its memory. When the process lets the page go (munmap,
 * MADV_DONTNEED) or copies it (COW), its pins go stale: they hold the old frame, not this page,
 * and only unpin — except a shmem page dropped by MADV_DONTNEED, which its page cache keeps
 * (cached): its pins still hold the page the next touch maps.
 * Left out: frames and data (the implementation's), the TLB, dirtiness, sharing after fork (the
 * mapping machine's).
 */
import { assign, setup } from 'xstate';
import type { PageWhere, SpecEvent } from '../alphabet.js';

export const pageAlphabet = [
  'page.populate',
  'page.swap_out',
  'page.swap_in',
  'page.migrate_collect',
  'page.migrate_commit',
  'page.migrate_restore',
  'page.unmap',
  'page.zap',
  'page.inherit',
  'page.cow',
  'page.pin',
  'page.unpin',
  'page.lost',
  'page.poison',
  'devpt.set',
  'dev.poweroff',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof pageAlphabet)[number] }>;

interface Ctx {
  pins: number;
  /** Pins taken before the process last let the page go: they only unpin. */
  stale: number;
  /** The device whose memory holds the page (private or coherent). */
  owner: string | null;
  /** Where a migration started from, for a restore. */
  from: PageWhere | 'unpopulated';
}

export const pageMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev },
  guards: {
    isUnpinned: ({ context }) => context.pins === 0,
    isPinned: ({ context, event }) =>
      context.pins > 0 && !(event.type === 'page.unpin' && event.stale),
    isStaleUnpin: ({ context, event }) =>
      event.type === 'page.unpin' && event.stale && context.stale > 0,
    inheritsSystem: ({ event }) => event.type === 'page.inherit' && event.where === 'system',
    inheritsPrivate: ({ event }) => event.type === 'page.inherit' && event.where === 'private',
    inheritsCoherent: ({ event }) => event.type === 'page.inherit' && event.where === 'coherent',
    inheritsSwap: ({ event }) => event.type === 'page.inherit' && event.where === 'swap',
    inheritsPoison: ({ event }) => event.type === 'page.inherit' && event.where === 'poison',
    toSystem: ({ event }) => event.type === 'page.migrate_commit' && event.to === 'system',
    toPrivate: ({ event }) => event.type === 'page.migrate_commit' && event.to === 'private',
    toCoherent: ({ event }) => event.type === 'page.migrate_commit' && event.to === 'coherent',
    isShortTermPin: ({ event }) => event.type === 'page.pin' && !event.longterm,
    keptByCache: ({ event }) => event.type === 'page.zap' && event.cached === true,
    isOwnerMapping: ({ context, event }) =>
      event.type === 'devpt.set' && event.device === context.owner,
    isOwnersMemory: ({ context, event }) =>
      event.type === 'page.poison' && event.device === context.owner,
    isOtherDevice: ({ context, event }) =>
      event.type === 'dev.poweroff' && event.device !== context.owner,
    cameFromSystem: ({ context }) => context.from === 'system',
    cameFromPrivate: ({ context }) => context.from === 'private',
    cameFromCoherent: ({ context }) => context.from === 'coherent',
  },
  actions: {
    addPin: assign({ pins: ({ context }) => context.pins + 1 }),
    dropPin: assign({ pins: ({ context }) => context.pins - 1 }),
    dropStalePin: assign({ stale: ({ context }) => context.stale - 1 }),
    /** The process let the page go: its pins now hold an old frame. */
    letGo: assign({
      stale: ({ context }) => context.stale + context.pins,
      pins: () => 0,
      owner: () => null,
    }),
    takeOwner: assign({
      owner: ({ event }) =>
        event.type === 'page.migrate_commit' || event.type === 'page.inherit' ? event.device : null,
    }),
    clearOwner: assign({ owner: () => null }),
    fromSystem: assign({ from: () => 'system' as const }),
    fromPrivate: assign({ from: () => 'private' as const }),
    fromCoherent: assign({ from: () => 'coherent' as const }),
    noteMapping: () => {},
    noteLoss: () => {},
    notePower: () => {},
  },
}).createMachine({
  id: 'page',
  initial: 'unpopulated',
  context: { pins: 0, stale: 0, owner: null, from: 'unpopulated' },
  on: {
    // A pin taken before the page was let go may be dropped whatever the page does now.
    'page.unpin': { guard: 'isStaleUnpin', actions: 'dropStalePin' },
  },
  states: {
    unpopulated: {
      on: {
        'dev.poweroff': { actions: 'notePower' },
        'page.populate': { target: 'system' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
        'page.inherit': [
          { guard: 'inheritsSystem', target: 'system' },
          { guard: 'inheritsPrivate', target: 'private', actions: 'takeOwner' },
          { guard: 'inheritsCoherent', target: 'coherent', actions: 'takeOwner' },
          { guard: 'inheritsSwap', target: 'swapped' },
          { guard: 'inheritsPoison', target: 'poisoned' },
        ],
        'page.migrate_commit': [
          { guard: 'toPrivate', target: 'private', actions: 'takeOwner' },
          { guard: 'toCoherent', target: 'coherent', actions: 'takeOwner' },
        ],
      },
    },
    system: {
      on: {
        'dev.poweroff': { actions: 'notePower' },
        'page.swap_out': { guard: 'isUnpinned', target: 'swapped' },
        'page.migrate_collect': { guard: 'isUnpinned', target: 'migrating', actions: 'fromSystem' },
        'page.pin': { actions: 'addPin' },
        'page.unpin': { guard: 'isPinned', actions: 'dropPin' },
        'devpt.set': { actions: 'noteMapping' },
        'page.cow': { actions: 'letGo' },
        'page.zap': [
          { guard: 'keptByCache', target: 'cached' },
          { target: 'unpopulated', actions: 'letGo' },
        ],
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    private: {
      on: {
        'dev.poweroff': { guard: 'isOtherDevice', actions: 'notePower' },
        'page.migrate_collect': {
          guard: 'isUnpinned',
          target: 'migrating',
          actions: 'fromPrivate',
        },
        'devpt.set': { guard: 'isOwnerMapping', actions: 'noteMapping' },
        'page.lost': { actions: 'noteLoss' },
        'page.poison': { guard: 'isOwnersMemory', target: 'poisoned', actions: 'clearOwner' },
        'page.zap': { target: 'unpopulated', actions: 'letGo' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    coherent: {
      on: {
        'dev.poweroff': { guard: 'isOtherDevice', actions: 'notePower' },
        'page.migrate_collect': {
          guard: 'isUnpinned',
          target: 'migrating',
          actions: 'fromCoherent',
        },
        'page.pin': { guard: 'isShortTermPin', actions: 'addPin' },
        'page.unpin': { guard: 'isPinned', actions: 'dropPin' },
        'devpt.set': { actions: 'noteMapping' },
        'page.lost': { actions: 'noteLoss' },
        'page.poison': { guard: 'isOwnersMemory', target: 'poisoned', actions: 'clearOwner' },
        'page.cow': { target: 'system', actions: 'letGo' },
        'page.zap': { target: 'unpopulated', actions: 'letGo' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    /**
     * Its memory went away with its device (surprise removal): no data, no frame; a pin of it
     * may still be dropped. Only munmap leaves this state.
     */
    poisoned: {
      on: {
        'dev.poweroff': { actions: 'notePower' },
        'page.unpin': { guard: 'isPinned', actions: 'dropPin' },
        'page.zap': { target: 'unpopulated', actions: 'letGo' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    migrating: {
      on: {
        'page.lost': { actions: 'noteLoss' },
        'dev.poweroff': { actions: 'notePower' },
        'page.migrate_commit': [
          { guard: 'toSystem', target: 'system', actions: 'clearOwner' },
          { guard: 'toPrivate', target: 'private', actions: 'takeOwner' },
          { guard: 'toCoherent', target: 'coherent', actions: 'takeOwner' },
        ],
        'page.migrate_restore': [
          { guard: 'cameFromSystem', target: 'system' },
          { guard: 'cameFromPrivate', target: 'private' },
          { guard: 'cameFromCoherent', target: 'coherent' },
        ],
      },
    },
    swapped: {
      on: {
        'dev.poweroff': { actions: 'notePower' },
        'page.swap_in': { target: 'system' },
        'page.zap': { target: 'unpopulated', actions: 'letGo' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    /**
     * A shmem page this process dropped (MADV_DONTNEED) that its page cache keeps: the pins still
     * hold the page, and the next touch maps the same page again.
     */
    cached: {
      on: {
        'dev.poweroff': { actions: 'notePower' },
        'page.populate': { target: 'system' },
        'page.unpin': { guard: 'isPinned', actions: 'dropPin' },
        'page.unmap': { target: 'gone', actions: 'letGo' },
      },
    },
    gone: {
      on: {
        'page.lost': { actions: 'noteLoss' },
        'dev.poweroff': { actions: 'notePower' },
        'page.unpin': { guard: 'isPinned', actions: 'dropPin' },
      },
    },
  },
});
