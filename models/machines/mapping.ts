/**
 * How a process maps one anonymous page, one instance per (`obj`, `page`): the VMA and
 * copy-on-write side of the page (the page machine has where it lives).
 *
 * Modelled: nothing mapped; mapped by this process alone (PageAnonExclusive); shared
 * copy-on-write with another process after fork (write-protected); handed to a device for
 * atomics (device-exclusive); mapped from the page cache of a shared mapping (MAP_SHARED
 * anonymous memory, shmem), which every process mapping it sees alike; unmapped for good
 * (munmap). The VMA's protection (read-write or
 * read-only) rides along. The rules: a device is never given write access to a page its process
 * may not write — a read-only range, or a page shared copy-on-write; a write pin never takes a
 * shared page (the write fault breaks COW first) nor a read-only one; a page the process has
 * alone is reused in place, never copied, on a write; only a page the process has alone and
 * may write becomes device-exclusive; nothing maps an unmapped range again; a shmem page is
 * never copied on write, shared copy-on-write, migrated, swapped or made device-exclusive (the
 * kernel does none of these to shmem through a mapping).
 * A read-only pin of a shared page is allowed here (the kernel before 5.8 did it; today's
 * unshares first, and what went wrong came after: see the gup-cow-wrong-direction fault).
 * Left out: frames, mapcounts and refcounts (how the kernel decides between reuse and copy),
 * which process the other side is.
 */
import { assign, setup } from 'xstate';
import type { SpecEvent } from '../alphabet.js';

export const mappingAlphabet = [
  'page.populate',
  'page.swap_in',
  'page.swap_out',
  'page.migrate_commit',
  'page.inherit',
  'page.share',
  'page.cow',
  'page.reuse',
  'page.protect',
  'page.zap',
  'page.unmap',
  'page.exclusive',
  'page.restore',
  'page.pin',
  'devpt.set',
] as const;

type Ev = Extract<SpecEvent, { type: (typeof mappingAlphabet)[number] }>;

interface Ctx {
  /** The VMA's protection at this page. */
  prot: 'rw' | 'r';
}

export const mappingMachine = setup({
  types: { context: {} as Ctx, events: {} as Ev },
  guards: {
    fromPageCache: ({ event }) => event.type === 'page.populate' && event.shmem === true,
    inheritsShared: ({ event }) => event.type === 'page.inherit' && event.shared,
    inheritsCopy: ({ event }) =>
      event.type === 'page.inherit' &&
      !event.shared &&
      event.where !== 'swap' &&
      event.where !== 'poison',
    inheritsNothingMapped: ({ event }) =>
      event.type === 'page.inherit' && (event.where === 'swap' || event.where === 'poison'),
    mayWrite: ({ context }) => context.prot === 'rw',
    /** A pin or device entry that writes only where the process may write. */
    writeAllowed: ({ context, event }) =>
      !((event.type === 'page.pin' || event.type === 'devpt.set') && event.write) ||
      context.prot === 'rw',
    readOnly: ({ event }) =>
      (event.type === 'page.pin' || event.type === 'devpt.set') && !event.write,
  },
  actions: {
    setProt: assign({
      prot: ({ context, event }) => (event.type === 'page.protect' ? event.prot : context.prot),
    }),
    noteResidency: () => {},
    noteUse: () => {},
  },
}).createMachine({
  id: 'mapping',
  initial: 'none',
  context: { prot: 'rw' },
  states: {
    /** No frame mapped: never touched, swapped out, zapped, or a hwpoison entry. */
    none: {
      on: {
        'page.populate': [{ guard: 'fromPageCache', target: 'shmem' }, { target: 'private' }],
        'page.swap_in': { target: 'private' },
        'page.migrate_commit': { target: 'private' },
        'page.inherit': [
          { guard: 'inheritsShared', target: 'shared' },
          { guard: 'inheritsCopy', target: 'private' },
          { guard: 'inheritsNothingMapped', actions: 'noteResidency' },
        ],
        'page.protect': { actions: 'setProt' },
        'page.zap': { actions: 'noteResidency' },
        'page.unmap': { target: 'unmapped' },
      },
    },
    /** Mapped by this process alone: a write reuses it in place. */
    private: {
      on: {
        'page.swap_out': { target: 'none' },
        'page.migrate_commit': { actions: 'noteResidency' },
        'page.reuse': { actions: 'noteUse' },
        'page.share': { target: 'shared' },
        'page.protect': { actions: 'setProt' },
        'page.zap': { target: 'none' },
        'page.unmap': { target: 'unmapped' },
        'page.exclusive': { guard: 'mayWrite', target: 'exclusive' },
        'page.pin': { guard: 'writeAllowed', actions: 'noteUse' },
        'devpt.set': { guard: 'writeAllowed', actions: 'noteUse' },
      },
    },
    /** Shared copy-on-write with another process (write-protected until a write breaks it). */
    shared: {
      on: {
        'page.swap_out': { target: 'none' },
        'page.migrate_commit': { actions: 'noteResidency' },
        'page.cow': { target: 'private' },
        'page.reuse': { target: 'private' },
        'page.share': { actions: 'noteUse' },
        'page.protect': { actions: 'setProt' },
        'page.zap': { target: 'none' },
        'page.unmap': { target: 'unmapped' },
        'page.pin': { guard: 'readOnly', actions: 'noteUse' },
        'devpt.set': { guard: 'readOnly', actions: 'noteUse' },
      },
    },
    /** A device-exclusive entry: the CPU faults and takes it back before touching it. */
    exclusive: {
      on: {
        'page.restore': { target: 'private' },
        'page.protect': { actions: 'setProt' },
        'page.zap': { target: 'none' },
        'page.unmap': { target: 'unmapped' },
        'devpt.set': { guard: 'writeAllowed', actions: 'noteUse' },
      },
    },
    /**
     * A page of a shared mapping's page cache (shmem): a write makes it writable in place, every
     * mapping of it sees the same data; dropping it (MADV_DONTNEED) leaves it in the cache.
     */
    shmem: {
      on: {
        'page.reuse': { actions: 'noteUse' },
        'page.protect': { actions: 'setProt' },
        'page.zap': { target: 'none' },
        'page.unmap': { target: 'unmapped' },
        'page.pin': { guard: 'writeAllowed', actions: 'noteUse' },
        'devpt.set': { guard: 'writeAllowed', actions: 'noteUse' },
      },
    },
    /** munmap: the range is gone (pins of it live on in the page machine). */
    unmapped: { type: 'final' },
  },
});
